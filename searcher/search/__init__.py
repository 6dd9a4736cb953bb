"""What is true of a query whatever engine runs it: snippets, suggestions, options, settings."""
