"""Where documents come from: seed files on disk (found, read, decoded) and JSON Lines."""
