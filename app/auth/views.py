"""Auth views."""

from app.auth import bp  # noqa: F401
