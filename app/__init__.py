"""The city card service counter application."""

__version__ = "0.1.0"
