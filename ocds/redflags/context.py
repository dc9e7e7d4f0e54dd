"""Figures across all contracting processes that some indicators compare one process with.

R024 and R058 compare a process's winner/runner-up difference with the distribution of
differences; R025 compares unit prices with others of the same item classification;
R038 compares disqualification ratios per buyer and per tenderer; R048 compares the
variety of what suppliers supply. ``build_context`` reads every compiled release once;
the result is small (fences and per-organisation figures) and round-trips through JSON,
so the search index can keep it next to itself between full rebuilds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ocds.redflags.base import (
    Compiled,
    Fence,
    Thresholds,
    awarded_items,
    classification_key,
    money,
    org_ids,
    submitted_bids,
    winner_and_runner_up,
)


@dataclass
class Ratio:
    numerator: int = 0
    denominator: int = 0

    @property
    def value(self) -> float:
        return self.numerator / self.denominator if self.denominator else 0.0


@dataclass
class Context:
    records: int = 0
    difference_fence: Fence | None = None
    #: "<scheme>:<code> <currency>" -> (fence, median) of awarded unit prices.
    unit_price_fences: dict[str, tuple[Fence, float]] = field(default_factory=dict)
    buyer_disqualified: dict[str, tuple[float, int]] = field(default_factory=dict)
    buyer_fence: Fence | None = None
    tenderer_disqualified: dict[str, tuple[float, int]] = field(default_factory=dict)
    tenderer_fence: Fence | None = None
    #: supplier id -> distinct classification prefixes of the items awarded to it.
    supplier_variety: dict[str, int] = field(default_factory=dict)
    variety_fence: Fence | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "difference_fence": _fj(self.difference_fence),
            "unit_price_fences": {
                k: [f.to_json(), m] for k, (f, m) in self.unit_price_fences.items()
            },
            "buyer_disqualified": self.buyer_disqualified,
            "buyer_fence": _fj(self.buyer_fence),
            "tenderer_disqualified": self.tenderer_disqualified,
            "tenderer_fence": _fj(self.tenderer_fence),
            "supplier_variety": self.supplier_variety,
            "variety_fence": _fj(self.variety_fence),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Context:
        units = {}
        for key, (fence, median) in data.get("unit_price_fences", {}).items():
            parsed = Fence.from_json(fence)
            if parsed is not None:
                units[key] = (parsed, float(median))
        return cls(
            records=int(data.get("records", 0)),
            difference_fence=Fence.from_json(data.get("difference_fence")),
            unit_price_fences=units,
            buyer_disqualified={k: (v[0], v[1]) for k, v in data["buyer_disqualified"].items()},
            buyer_fence=Fence.from_json(data.get("buyer_fence")),
            tenderer_disqualified={
                k: (v[0], v[1]) for k, v in data["tenderer_disqualified"].items()
            },
            tenderer_fence=Fence.from_json(data.get("tenderer_fence")),
            supplier_variety=dict(data.get("supplier_variety", {})),
            variety_fence=Fence.from_json(data.get("variety_fence")),
        )


def _fj(fence: Fence | None) -> list[float] | None:
    return None if fence is None else fence.to_json()


def unit_price_key(item: dict[str, Any]) -> tuple[str, float] | None:
    """("<scheme>:<code> <currency>", unit price) of an awarded item, when both are known."""
    key = classification_key(item)
    unit = item.get("unit")
    price = money(unit.get("value")) if isinstance(unit, dict) else None
    if key is None or price is None or price[0] <= 0:
        return None
    return f"{key} {price[1]}", price[0]


def classification_prefix(item: dict[str, Any], digits: int) -> str | None:
    """The first level of a numeric classification (UNSPSC segment, CPV division)."""
    key = classification_key(item)
    if key is None:
        return None
    scheme, code = key.split(":", 1)
    return f"{scheme}:{code[:digits]}" if code[:digits].isdigit() else None


def build_context(records: Iterable[Compiled], thresholds: Thresholds | None = None) -> Context:
    thresholds = thresholds or Thresholds()
    minimum = thresholds.min_observations
    context = Context()
    differences: list[float] = []
    unit_prices: dict[str, list[float]] = defaultdict(list)
    buyers: dict[str, Ratio] = defaultdict(Ratio)
    buyer_processes: dict[str, int] = defaultdict(int)
    tenderers: dict[str, Ratio] = defaultdict(Ratio)
    varieties: dict[str, set[str]] = defaultdict(set)

    for compiled in records:
        context.records += 1
        pair = winner_and_runner_up(compiled)
        if pair is not None:
            differences.append(pair.difference)
        for award, item in awarded_items(compiled):
            priced = unit_price_key(item)
            if priced is not None:
                unit_prices[priced[0]].append(priced[1])
            suppliers = org_ids(award.get("suppliers"))
            prefix = classification_prefix(item, thresholds.r048_digits)
            # Cardinal excludes awards to several suppliers: whose items would they be?
            if len(suppliers) == 1 and prefix is not None:
                varieties[suppliers[0]].add(prefix)
        bids = submitted_bids(compiled)
        buyer = compiled.get("buyer")
        buyer_id = buyer.get("id") if isinstance(buyer, dict) else None
        if bids and isinstance(buyer_id, str):
            buyer_processes[buyer_id] += 1
        for bid in bids:
            disqualified = int(bid.get("status") == "disqualified")
            if isinstance(buyer_id, str):
                buyers[buyer_id].numerator += disqualified
                buyers[buyer_id].denominator += 1
            for tenderer in org_ids(bid.get("tenderers")):
                tenderers[tenderer].numerator += disqualified
                tenderers[tenderer].denominator += 1

    context.difference_fence = Fence.of(differences, minimum)
    for key, prices in unit_prices.items():
        fence = Fence.of(prices, minimum)
        if fence is not None:
            context.unit_price_fences[key] = (fence, _median(prices))
    context.buyer_disqualified = {
        b: (r.value, buyer_processes[b])
        for b, r in buyers.items()
        if buyer_processes[b] >= thresholds.r038_min_processes
    }
    context.buyer_fence = Fence.of([v for v, _ in context.buyer_disqualified.values()], minimum)
    context.tenderer_disqualified = {
        t: (r.value, r.denominator)
        for t, r in tenderers.items()
        if r.denominator >= thresholds.r038_min_submitted_bids
    }
    context.tenderer_fence = Fence.of(
        [v for v, _ in context.tenderer_disqualified.values()], minimum
    )
    context.supplier_variety = {s: len(v) for s, v in varieties.items()}
    context.variety_fence = Fence.of([float(v) for v in context.supplier_variety.values()], minimum)
    return context


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
