// Placeholder: replaced as the notify module is written.
