"""The asset register's timed transitions (``tianguis tick``): start of use, renewal due,
and the renewal alerts 30, 15 and 7 days before the end date."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from marketplace.assets.services import apply_due
from marketplace.ticks import register


@register
def asset_renewals(session: Session, now: dt.datetime) -> str:
    result = apply_due(session, now)
    return (
        f"{result.activated} asset(s) active, {result.renewal_due} renewal due, "
        f"{result.alerts} alert(s)"
    )
