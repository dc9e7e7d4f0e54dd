"""Errors the tender and plan services raise; views turn them into field errors or 403s.

Messages are English source text marked with ``N_`` for pybabel, with ``%(name)s``
placeholders filled from their params; the web layer translates them (marketplace/ does
not import Flask).
"""

from __future__ import annotations

from dataclasses import dataclass, field


def N_(message: str) -> str:
    """Mark ``message`` for extraction (N_ is a default pybabel keyword); no translation."""
    return message


@dataclass(frozen=True)
class Msg:
    """A message and the values of its placeholders."""

    text: str
    params: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text % self.params if self.params else self.text


class TenderError(ValueError):
    """One or more rules were broken. ``errors`` maps a form field path to its message.

    Field paths are the form's names (``weight_price``, ``items-0-quantity``); ``""``
    means the whole form.
    """

    def __init__(self, errors: dict[str, str | Msg] | str | Msg, field: str = "") -> None:
        raw = errors if isinstance(errors, dict) else {field: errors}
        self.errors: dict[str, Msg] = {
            k: v if isinstance(v, Msg) else Msg(v) for k, v in raw.items()
        }
        super().__init__("; ".join(f"{k or 'form'}: {v}" for k, v in self.errors.items()))

    @property
    def message(self) -> Msg:
        return next(iter(self.errors.values()))


class NotYourProcess(PermissionError):
    """The user does not act for the purchasing unit that owns the plan line or tender."""

    def __init__(self) -> None:
        super().__init__("This process belongs to another purchasing unit.")
