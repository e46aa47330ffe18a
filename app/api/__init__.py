"""The JSON API, mounted under /api/v1."""
