"""The package version: one literal, read by setup.cfg and written into every index's marker."""

__version__ = "0.1.0"
