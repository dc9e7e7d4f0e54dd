"""Errors of the bid services. They are tender errors (same field-path convention, same
form helpers in the web layer); messages are English source marked for pybabel."""

from __future__ import annotations

from marketplace.tenders.errors import N_, Msg, NotYourProcess, TenderError

__all__ = ["N_", "BidError", "Msg", "NotYourProcess", "NotYourBid"]


class BidError(TenderError):
    """A bid rule was broken; ``errors`` maps form field paths to messages."""


class NotYourBid(PermissionError):
    """The bid belongs to another supplier."""

    def __init__(self) -> None:
        super().__init__("This bid belongs to another supplier.")
