"""R003 Short submission period.

Rule (Cardinal R003): for an open procedure (``tender.procurementMethod`` in
``Thresholds.r003_methods``), the period ``tenderPeriod.endDate - startDate`` is shorter
than ``Thresholds.r003_min_days`` (default 15 days). Excluded when the method or either
date is missing.

Why: little time to prepare a bid favours the firms that knew in advance.
"""

from __future__ import annotations

from ocds.redflags.base import Compiled, Flag, Thresholds, parse_date, tender
from ocds.redflags.context import Context

CODE = "R003"
TITLE = "Short submission period"


def check(compiled: Compiled, context: Context, thresholds: Thresholds) -> Flag | None:
    data = tender(compiled)
    if data.get("procurementMethod") not in thresholds.r003_methods:
        return None
    period = data.get("tenderPeriod")
    if not isinstance(period, dict):
        return None
    start, end = parse_date(period.get("startDate")), parse_date(period.get("endDate"))
    if start is None or end is None:
        return None
    days = (end - start).total_seconds() / 86400
    if days >= thresholds.r003_min_days:
        return None
    return Flag(
        CODE,
        TITLE,
        f"Bidders had {days:.1f} days to submit, less than the {thresholds.r003_min_days:g} "
        "days expected for an open procedure.",
        {"days": round(days, 2), "threshold_days": thresholds.r003_min_days},
    )
