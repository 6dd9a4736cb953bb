"""Bringing an index in line with a seeds folder: scan, clean, diff by content hash, write."""
