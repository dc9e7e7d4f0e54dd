"""Admin views."""

from app.admin import bp  # noqa: F401
