"""Supplier views."""

from app.supplier import bp  # noqa: F401
