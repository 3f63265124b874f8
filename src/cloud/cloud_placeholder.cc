// Placeholder: replaced as the cloud module is written.
