"""The HTTP API, the web page and their middleware."""
