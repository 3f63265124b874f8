// Placeholder: replaced as the rules module is written.
