"""R035 All except the winning bid disqualified.

Rule (Cardinal R035): exactly one tenderer submitted valid bids; the suppliers of all
active awards are that tenderer; and at least ``Thresholds.r035_min_disqualified_tenderers``
(default 1) other tenderers had bids disqualified. Excluded when an award is pending.

Why: a buyer can hand the contract to a chosen bidder by disqualifying all the others.
"""

from __future__ import annotations

from ocds.redflags.base import (
    Compiled,
    Flag,
    Thresholds,
    active_awards,
    any_pending_award,
    org_ids,
    submitted_bids,
    tenderer_names,
)
from ocds.redflags.context import Context

CODE = "R035"
TITLE = "All except the winning bid disqualified"


def check(compiled: Compiled, context: Context, thresholds: Thresholds) -> Flag | None:
    if any_pending_award(compiled):
        return None
    bids = submitted_bids(compiled)
    valid = {t for b in bids if b.get("status") == "valid" for t in org_ids(b.get("tenderers"))}
    if len(valid) != 1:
        return None
    awarded = active_awards(compiled)
    suppliers = {s for a in awarded for s in org_ids(a.get("suppliers"))}
    if not awarded or suppliers != valid:
        return None
    disqualified = {
        t
        for b in bids
        if b.get("status") == "disqualified"
        for t in org_ids(b.get("tenderers"))
        if t not in valid
    }
    if len(disqualified) < thresholds.r035_min_disqualified_tenderers:
        return None
    winner = next(iter(valid))
    name = tenderer_names(compiled).get(winner, winner)
    return Flag(
        CODE,
        TITLE,
        f"Every other tenderer ({len(disqualified)}) was disqualified, leaving {name} as "
        "the only valid bidder and the winner.",
        {"winner": winner, "disqualified_tenderers": sorted(disqualified)},
    )
