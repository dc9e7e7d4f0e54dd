"""The tender clock: enquiry, comment and tender periods that end (``tianguis tick``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from marketplace.tenders.workflow import tick
from marketplace.ticks import register


@register
def close_due_periods(session: Session, now: dt.datetime) -> str:
    return f"{tick(session, now)} tender transitions"
