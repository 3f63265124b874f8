// Placeholder: replaced as the vuln module is written.
