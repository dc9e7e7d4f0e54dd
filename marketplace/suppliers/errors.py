"""The registry's rule errors, carrying English source text the web layer translates."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for extraction by pybabel (N_ is one of its default keywords) without
    translating it here: marketplace/ does not import Flask, the views translate."""
    return message


class SupplierError(ValueError):
    """A registry rule was broken.

    ``message`` is English source text with ``%(name)s`` placeholders filled from ``params``;
    ``field`` names the form field the problem belongs to (None: the whole form).
    """

    def __init__(self, message: str, field: str | None = None, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params
