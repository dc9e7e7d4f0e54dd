"""R018 Single bid received.

Rule (Cardinal R018): the procedure is competitive (``tender.procurementMethod`` in
``Thresholds.r018_methods``, default open and selective) and exactly one tenderer
submitted a bid. Tenderers are counted from submitted bids (``bids.details``); without
bids, from ``tender.numberOfTenderers``.

Why: in a competitive procedure one bid may mean competition was suppressed.
"""

from __future__ import annotations

from ocds.redflags.base import Compiled, Flag, Thresholds, org_ids, submitted_bids, tender
from ocds.redflags.context import Context

CODE = "R018"
TITLE = "Single bid received"


def check(compiled: Compiled, context: Context, thresholds: Thresholds) -> Flag | None:
    data = tender(compiled)
    method = data.get("procurementMethod")
    if method not in thresholds.r018_methods:
        return None
    bids = submitted_bids(compiled)
    if bids:
        tenderers = {t for bid in bids for t in org_ids(bid.get("tenderers"))}
        count = len(tenderers) or None
    else:
        number = data.get("numberOfTenderers")
        count = number if isinstance(number, int) and not isinstance(number, bool) else None
    if count != 1:
        return None
    return Flag(
        CODE,
        TITLE,
        f"Only one tenderer bid in this {method} procedure.",
        {"tenderers": 1, "procurement_method": method},
    )
