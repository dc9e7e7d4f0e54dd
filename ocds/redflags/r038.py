"""R038 Excessive disqualified bids.

Rule (Cardinal R038): across all processes, the share of submitted bids that were
disqualified is computed per buyer (buyers with at least ``r038_min_processes``
processes with bids) and per tenderer (at least ``r038_min_submitted_bids`` bids). A
buyer or tenderer is an outlier when its share is at or above Q3 + 1.5 IQR of all
shares (or ``Thresholds.r038_max_ratio`` when set). A process is flagged when it has a
disqualified bid and its buyer, or a tenderer whose bid it disqualified, is an outlier
(Cardinal's ``ocid_buyer_r038`` map ties outlier buyers to such processes).

Why: disqualifying many bids can hide steering (by a buyer) or sham bidding (by a tenderer).
"""

from __future__ import annotations

from ocds.redflags.base import Compiled, Fence, Flag, Thresholds, org_ids, percent, submitted_bids
from ocds.redflags.context import Context

CODE = "R038"
TITLE = "Excessive disqualified bids"


def _outlier(value: float, fence: Fence | None, fixed: float | None) -> bool:
    if fixed is not None:
        return value >= fixed
    return fence is not None and fence.high_outlier(value)


def check(compiled: Compiled, context: Context, thresholds: Thresholds) -> Flag | None:
    disqualified = [b for b in submitted_bids(compiled) if b.get("status") == "disqualified"]
    if not disqualified:
        return None
    fixed = thresholds.r038_max_ratio
    buyer = compiled.get("buyer")
    buyer_id = buyer.get("id") if isinstance(buyer, dict) else None
    if isinstance(buyer_id, str) and buyer_id in context.buyer_disqualified:
        share, processes = context.buyer_disqualified[buyer_id]
        if _outlier(share, context.buyer_fence, fixed):
            name = buyer.get("name") or buyer_id  # type: ignore[union-attr]
            return Flag(
                CODE,
                TITLE,
                f"{name} disqualifies {percent(share)} of the bids it receives "
                f"(over {processes} processes), far more than other buyers.",
                {
                    "buyer": buyer_id,
                    "share": share,
                    "processes": processes,
                    **_fence(context.buyer_fence, fixed),
                },
            )
    for bid in disqualified:
        for tenderer in org_ids(bid.get("tenderers")):
            if tenderer not in context.tenderer_disqualified:
                continue
            share, bids = context.tenderer_disqualified[tenderer]
            if _outlier(share, context.tenderer_fence, fixed):
                return Flag(
                    CODE,
                    TITLE,
                    f"Tenderer {tenderer} has {percent(share)} of its {bids} bids disqualified, "
                    "far more than other tenderers.",
                    {
                        "tenderer": tenderer,
                        "share": share,
                        "bids": bids,
                        **_fence(context.tenderer_fence, fixed),
                    },
                )
    return None


def _fence(fence: Fence | None, fixed: float | None) -> dict[str, object]:
    if fixed is not None:
        return {"threshold": fixed}
    return {"fence": fence.as_dict()} if fence else {}
