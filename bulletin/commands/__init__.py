"""The commands beyond build: check, new, import, serve, publish."""
