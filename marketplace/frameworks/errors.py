"""Refusals of framework actions. Messages are English source text marked with ``N_``
(the web layer translates them; marketplace/ does not import Flask)."""

from __future__ import annotations

from marketplace.tenders.errors import N_, Msg

__all__ = ["N_", "Msg", "FrameworkError", "NotAllowed"]


class FrameworkError(ValueError):
    """The action is refused; ``field`` names the input at fault ("" for the whole form)."""

    def __init__(self, message: str | Msg, field: str = "") -> None:
        self.message = message if isinstance(message, Msg) else Msg(message)
        self.field = field
        super().__init__(f"{field or 'form'}: {self.message}")


class NotAllowed(PermissionError):
    """The user's role or organisation may not do this."""
