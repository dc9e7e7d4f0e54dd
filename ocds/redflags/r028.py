"""R028 Identical bid prices.

Rule (Cardinal R028): different tenderers submitted bids (pending, valid or
disqualified) with the same amount in the same currency. Not configurable.

Why: a buyer can leak competitors' prices to a favoured bidder, who then matches them.
"""

from __future__ import annotations

from collections import defaultdict

from ocds.redflags.base import (
    Compiled,
    Flag,
    Thresholds,
    fmt_money,
    money,
    org_ids,
    submitted_bids,
)
from ocds.redflags.context import Context

CODE = "R028"
TITLE = "Identical bid prices"


def check(compiled: Compiled, context: Context, thresholds: Thresholds) -> Flag | None:
    by_price: dict[tuple[float, str], set[frozenset[str]]] = defaultdict(set)
    for bid in submitted_bids(compiled):
        value = money(bid.get("value"))
        tenderers = frozenset(org_ids(bid.get("tenderers")))
        if value is not None and tenderers:
            by_price[value].add(tenderers)
    shared = {price: groups for price, groups in by_price.items() if len(groups) > 1}
    if not shared:
        return None
    (amount, currency), groups = min(shared.items())
    names = sorted({t for group in groups for t in group})
    return Flag(
        CODE,
        TITLE,
        f"{len(groups)} different tenderers bid exactly {fmt_money(amount, currency)}.",
        {
            "amount": amount,
            "currency": currency,
            "tenderers": names,
            "prices_shared": len(shared),
        },
    )
