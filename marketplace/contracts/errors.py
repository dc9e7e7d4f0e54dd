"""Errors of the contract services: tender errors (field paths, ``N_`` messages), so the
web layer shows them with the same helpers."""

from __future__ import annotations

from marketplace.tenders.errors import N_, Msg, NotYourProcess, TenderError

__all__ = ["N_", "ContractError", "Msg", "NotYourContract", "NotYourProcess"]


class ContractError(TenderError):
    """A contract rule was broken; ``errors`` maps form field paths to messages."""


class NotYourContract(PermissionError):
    """The contract belongs to another purchasing unit or another supplier."""

    def __init__(self) -> None:
        super().__init__("This contract belongs to another organisation.")
