"""R030 Late bid won.

Rule (Cardinal R030): a valid bid's ``date`` is after ``tender.tenderPeriod.endDate``
and one of its tenderers is a supplier of an active award. Not configurable.

Why: a buyer can favour a bidder by accepting its bid after the deadline, once the
other bids are known.
"""

from __future__ import annotations

from ocds.redflags.base import (
    Compiled,
    Flag,
    Thresholds,
    active_awards,
    bid_details,
    org_ids,
    parse_date,
    tender,
    tenderer_names,
)
from ocds.redflags.context import Context

CODE = "R030"
TITLE = "Late bid won"


def check(compiled: Compiled, context: Context, thresholds: Thresholds) -> Flag | None:
    period = tender(compiled).get("tenderPeriod")
    deadline = parse_date(period.get("endDate")) if isinstance(period, dict) else None
    if deadline is None:
        return None
    winners = {s for award in active_awards(compiled) for s in org_ids(award.get("suppliers"))}
    for bid in bid_details(compiled):
        received = parse_date(bid.get("date"))
        if bid.get("status") != "valid" or received is None or received <= deadline:
            continue
        late_winners = [t for t in org_ids(bid.get("tenderers")) if t in winners]
        if late_winners:
            hours = (received - deadline).total_seconds() / 3600
            name = tenderer_names(compiled).get(late_winners[0], late_winners[0])
            return Flag(
                CODE,
                TITLE,
                f"{name} won with a bid received {hours:.1f} hours after the deadline.",
                {
                    "tenderer": late_winners[0],
                    "bid": bid.get("id"),
                    "received": bid.get("date"),
                    "deadline": period.get("endDate") if isinstance(period, dict) else None,
                },
            )
    return None
