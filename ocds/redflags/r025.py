"""R025 Excessive unit price.

Rule: an item of an active award has a unit price (``awards[].items[].unit.value``)
that is a high outlier among the awarded unit prices of the same classification
(``scheme:id``) and currency across all processes: at or above Q3 + 1.5 IQR of those
prices (from the context, computed when the classification has at least
``Thresholds.min_observations`` prices), or, when ``Thresholds.r025_max_ratio_to_median``
is set, above that multiple of their median.

Note: Cardinal's own R025 is "excessive unsuccessful bids" (a tenderer's win ratio);
this platform uses the code for the unit-price comparison of OCP's red-flag guide,
which procurement of catalogued ICT goods makes meaningful.

Why: paying much more than other buyers pay for the same thing is the plainest sign
of overpricing.
"""

from __future__ import annotations

from ocds.redflags.base import Compiled, Flag, Thresholds, awarded_items, fmt_money
from ocds.redflags.context import Context, unit_price_key

CODE = "R025"
TITLE = "Excessive unit price"


def check(compiled: Compiled, context: Context, thresholds: Thresholds) -> Flag | None:
    worst: tuple[float, dict[str, object], str] | None = None
    for _award, item in awarded_items(compiled):
        priced = unit_price_key(item)
        if priced is None or priced[0] not in context.unit_price_fences:
            continue
        key, price = priced
        fence, median = context.unit_price_fences[key]
        ratio_limit = thresholds.r025_max_ratio_to_median
        if ratio_limit is not None:
            if price <= median * ratio_limit:
                continue
        elif not fence.high_outlier(price):
            continue
        ratio = price / median if median else float("inf")
        if worst is None or ratio > worst[0]:
            classification, currency = key.rsplit(" ", 1)
            description = str(item.get("description") or classification)
            worst = (
                ratio,
                {
                    "item": item.get("id"),
                    "classification": classification,
                    "unit_price": price,
                    "median": median,
                    "currency": currency,
                    "fence": fence.as_dict(),
                    "observations": fence.count,
                },
                f"The unit price of “{description}” ({fmt_money(price, currency)}) is "
                f"{ratio:.1f} times the median price paid for the same classification "
                f"({fmt_money(median, currency)}).",
            )
    if worst is None:
        return None
    return Flag(CODE, TITLE, worst[2], worst[1])
