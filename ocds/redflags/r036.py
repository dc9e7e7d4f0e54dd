"""R036 Lowest bid disqualified.

Rule (Cardinal R036): there is an active award and the lowest submitted bid (in the
currency of the first priced bid) was disqualified. Not configurable.

Why: when price decides, disqualifying the cheapest bid can steer the award.
"""

from __future__ import annotations

from ocds.redflags.base import (
    Compiled,
    Flag,
    Thresholds,
    active_awards,
    fmt_money,
    money,
    org_ids,
    submitted_bids,
)
from ocds.redflags.context import Context

CODE = "R036"
TITLE = "Lowest bid disqualified"


def check(compiled: Compiled, context: Context, thresholds: Thresholds) -> Flag | None:
    if not active_awards(compiled):
        return None
    priced = [(money(b.get("value")), b) for b in submitted_bids(compiled)]
    priced = [(value, bid) for value, bid in priced if value is not None]
    if not priced:
        return None
    currency = priced[0][0][1]  # type: ignore[index]
    same = [(value[0], bid) for value, bid in priced if value and value[1] == currency]
    amount, lowest = min(same, key=lambda pair: pair[0])
    if lowest.get("status") != "disqualified":
        return None
    return Flag(
        CODE,
        TITLE,
        f"The lowest bid ({fmt_money(amount, currency)}) was disqualified and the contract "
        "went to a more expensive one.",
        {
            "bid": lowest.get("id"),
            "tenderers": org_ids(lowest.get("tenderers")),
            "amount": amount,
            "currency": currency,
        },
    )
