"""Market-wide figures of the analytics page, in one pass over facts."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

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


@dataclass
class Totals:
    """Running sums of the overview, mergeable: the totals of each year, kept apart, add
    up to the totals of all years (``merge``), so a publication only recounts its year."""

    processes: int = 0
    awarded: float = 0.0
    buyers: dict[str, SpendRow] = field(default_factory=dict)
    categories: dict[str, SpendRow] = field(default_factory=dict)
    years: dict[int, SpendRow] = field(default_factory=dict)
    bidder_counts: list[int] = field(default_factory=list)
    competitive: Counter[int] = field(default_factory=Counter)
    single: Counter[int] = field(default_factory=Counter)
    #: category -> supplier party id -> value awarded
    supplier_amounts: dict[str, dict[str, float]] = field(default_factory=dict)
    #: year -> [awarded, awarded to suppliers of known scale, awarded to SMEs]
    sme: dict[int, list[float]] = field(default_factory=dict)
    #: year -> [processes, estimate, awarded] of processes with a discount
    savings: dict[int, list[float]] = field(default_factory=dict)
    discounts: dict[int, list[float]] = field(default_factory=dict)
    days: dict[int, list[float]] = field(default_factory=dict)

    def add(self, f: ProcessFacts) -> None:
        self.processes += 1
        awarded = f.awarded or 0.0
        self.awarded += awarded
        rows = [
            self.buyers.setdefault(f.buyer_id or "", SpendRow(f.buyer_id or "", f.buyer_name)),
            self.categories.setdefault(f.category, SpendRow(f.category, f.category)),
        ]
        if f.year is not None:
            rows.append(self.years.setdefault(f.year, SpendRow(str(f.year), str(f.year))))
        for row in rows:
            row.processes += 1
            row.awarded += awarded
        if f.bidder_count is not None:
            self.bidder_counts.append(f.bidder_count)
        for win in f.wins:
            if win.amount:
                amounts = self.supplier_amounts.setdefault(f.category, {})
                amounts[win.party_id] = amounts.get(win.party_id, 0.0) + win.amount
        if f.year is None:
            return
        if f.single_bid is not None:
            self.competitive[f.year] += 1
            self.single[f.year] += f.single_bid
        sme = self.sme.setdefault(f.year, [0.0, 0.0, 0.0])
        for win in f.wins:
            sme[0] += win.amount or 0.0
            if win.scale:
                sme[1] += win.amount or 0.0
                sme[2] += (win.amount or 0.0) if win.scale in SME_SCALES else 0.0
        if f.discount is not None:
            saving = self.savings.setdefault(f.year, [0.0, 0.0, 0.0])
            saving[0] += 1
            saving[1] += f.estimate or 0.0
            saving[2] += awarded
            self.discounts.setdefault(f.year, []).append(f.discount)
        if f.days_to_award is not None:
            self.days.setdefault(f.year, []).append(f.days_to_award)


def accumulate(facts: Iterable[ProcessFacts]) -> Totals:
    totals = Totals()
    for f in facts:
        totals.add(f)
    return totals


def _add_rows(into: dict[Any, SpendRow], rows: dict[Any, SpendRow]) -> None:
    for key, row in rows.items():
        mine = into.get(key)
        if mine is None:
            into[key] = SpendRow(row.key, row.name, row.processes, row.awarded)
        else:
            mine.processes += row.processes
            mine.awarded += row.awarded


def _add_sums(into: dict[int, list[float]], sums: dict[int, list[float]]) -> None:
    for key, values in sums.items():
        mine = into.setdefault(key, [0.0] * len(values))
        for i, value in enumerate(values):
            mine[i] += value


def merge(parts: Iterable[Totals]) -> Totals:
    """The totals of all ``parts`` together (a new object: the parts are not changed)."""
    result = Totals()
    for part in parts:
        result.processes += part.processes
        result.awarded += part.awarded
        _add_rows(result.buyers, part.buyers)
        _add_rows(result.categories, part.categories)
        _add_rows(result.years, part.years)
        result.bidder_counts += part.bidder_counts
        result.competitive.update(part.competitive)
        result.single.update(part.single)
        for category, amounts in part.supplier_amounts.items():
            mine = result.supplier_amounts.setdefault(category, {})
            for party, amount in amounts.items():
                mine[party] = mine.get(party, 0.0) + amount
        _add_sums(result.sme, part.sme)
        _add_sums(result.savings, part.savings)
        for year, values in part.discounts.items():
            result.discounts.setdefault(year, []).extend(values)
        for year, values in part.days.items():
            result.days.setdefault(year, []).extend(values)
    return result


def finish(totals: Totals) -> Overview:
    """The figures of the analytics page from the running sums."""
    result = Overview(processes=totals.processes, awarded=totals.awarded)
    result.by_buyer = _ranked(totals.buyers.values())
    result.by_category = _ranked(totals.categories.values())
    result.by_year = [totals.years[y] for y in sorted(totals.years)]
    result.bidders = bidder_bins(totals.bidder_counts)
    result.median_bidders = median(totals.bidder_counts)
    competitive, single = totals.competitive, totals.single
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
        for category, amounts in totals.supplier_amounts.items()
    ]
    result.concentration = sorted(concentration, key=lambda r: (-r.awarded, r.category))[:TOP]
    result.sme = [
        SmeRow(y, t[0], t[1], t[2], rate(t[2], t[1])) for y, t in sorted(totals.sme.items()) if t[0]
    ]
    result.sme_share = rate(sum(r.sme for r in result.sme), sum(r.known for r in result.sme))
    result.savings = [
        SavingsRow(
            y,
            int(s[0]),
            s[1],
            s[2],
            s[1] - s[2],
            rate(s[1] - s[2], s[1]),
            median(totals.discounts.get(y, [])),
        )
        for y, s in sorted(totals.savings.items())
    ]
    estimate = sum(r.estimate for r in result.savings)
    result.savings_rate = rate(estimate - sum(r.awarded for r in result.savings), estimate)
    result.time_to_award = [
        TimeRow(y, len(d), median(d), statistics.fmean(d)) for y, d in sorted(totals.days.items())
    ]
    result.median_days_to_award = median(d for values in totals.days.values() for d in values)
    return result


def overview(facts: Iterable[ProcessFacts]) -> Overview:
    """Every market-wide figure of the analytics page, in one pass over the facts."""
    return finish(accumulate(facts))


def buyer_list(totals: Totals) -> list[SpendRow]:
    """Every buyer (processes and value awarded), by name: the list of buyers."""
    rows = [r for r in totals.buyers.values() if r.key]
    return sorted(rows, key=lambda r: (r.name.casefold(), r.key))


def spend_by_buyer(facts: Iterable[ProcessFacts]) -> list[SpendRow]:
    """Every buyer (processes and value awarded), by name: the list of buyers."""
    return buyer_list(accumulate(facts))
