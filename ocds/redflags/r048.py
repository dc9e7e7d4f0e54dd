"""R048 Heterogeneous supplier.

Rule (Cardinal R048): a supplier's variety is the number of distinct first levels
(the first ``Thresholds.r048_digits`` digits: UNSPSC segment, CPV division) of the
classifications of all items awarded to it, across all processes (awards to several
suppliers excluded). A process is flagged when a supplier of one of its active awards
has a variety at or above Q3 + 1.5 IQR of all suppliers' varieties (or at or above
``Thresholds.r048_max_variety`` when set).

Why: a firm that supplies everything is less likely to be a real specialist, raising
the risk of poor value or of a front company.
"""

from __future__ import annotations

from ocds.redflags.base import Compiled, Flag, Thresholds, active_awards, org_ids, tenderer_names
from ocds.redflags.context import Context

CODE = "R048"
TITLE = "Heterogeneous supplier"


def check(compiled: Compiled, context: Context, thresholds: Thresholds) -> Flag | None:
    suppliers = sorted({s for a in active_awards(compiled) for s in org_ids(a.get("suppliers"))})
    for supplier in suppliers:
        variety = context.supplier_variety.get(supplier)
        if variety is None:
            continue
        evidence: dict[str, object] = {"supplier": supplier, "variety": variety}
        if thresholds.r048_max_variety is not None:
            if variety < thresholds.r048_max_variety:
                continue
            evidence["threshold"] = thresholds.r048_max_variety
        else:
            fence = context.variety_fence
            if fence is None or not fence.high_outlier(float(variety)):
                continue
            evidence["fence"] = fence.as_dict()
        name = tenderer_names(compiled).get(supplier, supplier)
        return Flag(
            CODE,
            TITLE,
            f"{name} has been awarded items in {variety} unrelated product categories, "
            "many more than most suppliers.",
            evidence,
        )
    return None
