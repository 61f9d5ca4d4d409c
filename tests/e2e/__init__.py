"""Helpers for the end-to-end tests: real nginx and sshd on loopback, a crawler, Chromium."""
