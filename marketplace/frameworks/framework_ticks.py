"""The framework clock: refresh windows open and close, agreements expire."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from marketplace.frameworks.services import tick
from marketplace.ticks import register


@register
def framework_phases(session: Session, now: dt.datetime) -> str:
    return f"{tick(session, now)} framework phase changes"
