"""The award clock: standstill periods that end (``tianguis tick``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from marketplace.awards.services import tick
from marketplace.ticks import register


@register
def end_standstill_periods(session: Session, now: dt.datetime) -> str:
    return f"{tick(session, now)} awards made active"
