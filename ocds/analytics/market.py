"""Market-wide figures of the analytics page, in one pass over facts."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ocds.analytics.facts import MAX_BIDDERS_BIN, SME_SCALES, TOP, ProcessFacts


def median(values: Iterable[float]) -> float | None:
    data = sorted(values)
    return statistics.median(data) if data else None


def rate(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def hhi(amounts: Iterable[float]) -> float | None:
    """Herfindahl–Hirschman index of the shares (in percent) of positive amounts."""
    positive = [a for a in amounts if a > 0]
    total = sum(positive)
    if not total:
        return None
    return sum((100 * a / total) ** 2 for a in positive)


@dataclass
class SpendRow:
    """Spend of one buyer, category or year."""

    key: str
    name: str
    processes: int = 0
    awarded: float = 0.0


@dataclass
class BiddersRow:
    #: "0", "1", … "10+"
    bidders: str
    processes: int


@dataclass
class SingleBidRow:
    year: int
    competitive: int
    single: int
    rate: float | None


@dataclass
class ConcentrationRow:
    category: str
    suppliers: int
    awarded: float
    hhi: float | None
    top_share: float | None


@dataclass
class SmeRow:
    year: int
    awarded: float
    known: float
    sme: float
    share: float | None


@dataclass
class SavingsRow:
    year: int
    processes: int
    estimate: float
    awarded: float
    savings: float
    rate: float | None
    median_discount: float | None


@dataclass
class TimeRow:
    year: int
    processes: int
    median_days: float | None
    mean_days: float | None


@dataclass
class Overview:
    processes: int = 0
    awarded: float = 0.0
    by_buyer: list[SpendRow] = field(default_factory=list)
    by_category: list[SpendRow] = field(default_factory=list)
    by_year: list[SpendRow] = field(default_factory=list)
    bidders: list[BiddersRow] = field(default_factory=list)
    median_bidders: float | None = None
    single_bid: list[SingleBidRow] = field(default_factory=list)
    single_bid_rate: float | None = None
    concentration: list[ConcentrationRow] = field(default_factory=list)
    sme: list[SmeRow] = field(default_factory=list)
    sme_share: float | None = None
    savings: list[SavingsRow] = field(default_factory=list)
    savings_rate: float | None = None
    time_to_award: list[TimeRow] = field(default_factory=list)
    median_days_to_award: float | None = None


#: Key of the row summing everything after the TOP rows; its name is how many it sums.
OTHER = "*other*"


def _ranked(rows: Iterable[SpendRow]) -> list[SpendRow]:
    """The TOP rows by awarded value (then name), the rest summed in one OTHER row."""
    ordered = sorted(rows, key=lambda r: (-r.awarded, r.name, r.key))
    if len(ordered) <= TOP + 1:
        return ordered
    rest = ordered[TOP:]
    other = SpendRow(
        OTHER, str(len(rest)), sum(r.processes for r in rest), sum(r.awarded for r in rest)
    )
    return [*ordered[:TOP], other]


def _bin(count: int) -> str:
    return f"{MAX_BIDDERS_BIN}+" if count >= MAX_BIDDERS_BIN else str(count)


def bidder_bins(counts: Iterable[int]) -> list[BiddersRow]:
    """Processes per number of bidders, every bin from 0 (or 1) up to the largest seen."""
    data = list(counts)
    if not data:
        return []
    counter = Counter(_bin(c) for c in data)
    top = min(max(data), MAX_BIDDERS_BIN)
    low = 0 if "0" in counter else 1
    return [BiddersRow(_bin(n), counter.get(_bin(n), 0)) for n in range(low, top + 1)]


def overview(facts: Iterable[ProcessFacts]) -> Overview:
    """Every market-wide figure of the analytics page, in one pass over the facts."""
    result = Overview()
    buyers: dict[str, SpendRow] = {}
    categories: dict[str, SpendRow] = {}
    years: dict[int, SpendRow] = {}
    bidder_counts: list[int] = []
    competitive: Counter[int] = Counter()
    single: Counter[int] = Counter()
    supplier_amounts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    sme: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    savings: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    discounts: dict[int, list[float]] = defaultdict(list)
    days: dict[int, list[float]] = defaultdict(list)
    for f in facts:
        result.processes += 1
        awarded = f.awarded or 0.0
        result.awarded += awarded
        rows = [
            buyers.setdefault(f.buyer_id or "", SpendRow(f.buyer_id or "", f.buyer_name)),
            categories.setdefault(f.category, SpendRow(f.category, f.category)),
        ]
        if f.year is not None:
            rows.append(years.setdefault(f.year, SpendRow(str(f.year), str(f.year))))
        for row in rows:
            row.processes += 1
            row.awarded += awarded
        if f.bidder_count is not None:
            bidder_counts.append(f.bidder_count)
        for win in f.wins:
            if win.amount:
                supplier_amounts[f.category][win.party_id] += win.amount
        if f.year is None:
            continue
        if f.single_bid is not None:
            competitive[f.year] += 1
            single[f.year] += f.single_bid
        totals = sme[f.year]
        for win in f.wins:
            totals[0] += win.amount or 0.0
            if win.scale:
                totals[1] += win.amount or 0.0
                totals[2] += (win.amount or 0.0) if win.scale in SME_SCALES else 0.0
        if f.discount is not None:
            saving = savings[f.year]
            saving[0] += 1
            saving[1] += f.estimate or 0.0
            saving[2] += awarded
            discounts[f.year].append(f.discount)
        if f.days_to_award is not None:
            days[f.year].append(f.days_to_award)

    result.by_buyer = _ranked(buyers.values())
    result.by_category = _ranked(categories.values())
    result.by_year = [years[y] for y in sorted(years)]
    result.bidders = bidder_bins(bidder_counts)
    result.median_bidders = median(bidder_counts)
    result.single_bid = [
        SingleBidRow(y, competitive[y], single[y], rate(single[y], competitive[y]))
        for y in sorted(competitive)
    ]
    result.single_bid_rate = rate(sum(single.values()), sum(competitive.values()))
    concentration = [
        ConcentrationRow(
            category,
            len(amounts),
            sum(amounts.values()),
            hhi(amounts.values()),
            rate(max(amounts.values()), sum(amounts.values())),
        )
        for category, amounts in supplier_amounts.items()
    ]
    result.concentration = sorted(concentration, key=lambda r: (-r.awarded, r.category))[:TOP]
    result.sme = [
        SmeRow(y, t[0], t[1], t[2], rate(t[2], t[1])) for y, t in sorted(sme.items()) if t[0]
    ]
    result.sme_share = rate(sum(r.sme for r in result.sme), sum(r.known for r in result.sme))
    result.savings = [
        SavingsRow(
            y, int(s[0]), s[1], s[2], s[1] - s[2], rate(s[1] - s[2], s[1]), median(discounts[y])
        )
        for y, s in sorted(savings.items())
    ]
    estimate = sum(r.estimate for r in result.savings)
    result.savings_rate = rate(estimate - sum(r.awarded for r in result.savings), estimate)
    result.time_to_award = [
        TimeRow(y, len(d), median(d), statistics.fmean(d)) for y, d in sorted(days.items())
    ]
    result.median_days_to_award = median(d for values in days.values() for d in values)
    return result


def spend_by_buyer(facts: Iterable[ProcessFacts]) -> list[SpendRow]:
    """Every buyer (processes and value awarded), by name: the list of buyers."""
    buyers: dict[str, SpendRow] = {}
    for f in facts:
        if f.buyer_id is None:
            continue
        row = buyers.setdefault(f.buyer_id, SpendRow(f.buyer_id, f.buyer_name))
        row.processes += 1
        row.awarded += f.awarded or 0.0
    return sorted(buyers.values(), key=lambda r: (r.name.casefold(), r.key))
