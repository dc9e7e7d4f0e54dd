"""Ratings' timed transition (``tianguis tick``): a draft rating whose supplier did not
reply within 14 days becomes final and is published."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from marketplace.performance.services import finalise_due
from marketplace.ticks import register


@register
def ratings_final(session: Session, now: dt.datetime) -> str:
    return f"{finalise_due(session, now)} rating(s) made final"
