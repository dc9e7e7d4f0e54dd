"""Errors of evaluation, award and complaint services: tender errors (same field-path
convention, same form helpers in the web layer); messages are English source marked for
pybabel."""

from __future__ import annotations

from marketplace.bids.errors import NotYourBid
from marketplace.tenders.errors import N_, Msg, NotYourProcess, TenderError

__all__ = ["N_", "AwardError", "Msg", "NotYourBid", "NotYourProcess"]


class AwardError(TenderError):
    """An evaluation, award or complaint rule was broken; nothing was changed."""
