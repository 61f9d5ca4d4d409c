"""Errors and warnings as values, their messages by id, the reporter."""
