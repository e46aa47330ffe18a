"""Placecheck: the web service, its database and its command line."""
