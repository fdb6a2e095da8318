"""The settings page, its parts, connection checks."""
