"""Organisations, users, roles, passwords and two-factor authentication."""
