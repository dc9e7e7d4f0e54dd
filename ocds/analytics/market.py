"""Market-wide figures of the analytics page, in one pass over facts."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
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


#: Below this, a sum left by removing facts is float noise, not money.
_NOISE = 1e-6


def counter_median(counts: Mapping[float, int]) -> float | None:
    """The median of values given as value -> how many times."""
    total = sum(counts.values())
    if total <= 0:
        return None
    ordered = sorted(v for v, n in counts.items() if n > 0)
    middle = (total - 1) / 2  # positions (total - 1) // 2 and total // 2, 0-based
    low_at, high_at = int(middle), int(middle + 0.5)
    seen = 0
    low: float | None = None
    for value in ordered:
        seen += counts[value]
        if low is None and seen > low_at:
            low = value
        if seen > high_at:
            assert low is not None
            return (low + value) / 2
    return None


def _counter_mean(counts: Mapping[float, int]) -> float | None:
    total = sum(counts.values())
    return sum(v * n for v, n in counts.items()) / total if total else None


def _bump(counter: dict[Any, int], key: Any, sign: int) -> None:
    value = counter.get(key, 0) + sign
    if value:
        counter[key] = value
    else:
        counter.pop(key, None)


def _bump_in(table: dict[int, dict[float, int]], year: int, value: float, sign: int) -> None:
    counts = table.setdefault(year, {})
    _bump(counts, value, sign)
    if not counts:
        del table[year]


@dataclass
class Totals:
    """Running sums of the overview. They can take a process in (``add``) or out
    (``remove``, when a record is rewritten) and be merged: the totals of each year, kept
    apart, add up to the totals of all years (``merge``)."""

    processes: int = 0
    awarded: float = 0.0
    buyers: dict[str, SpendRow] = field(default_factory=dict)
    categories: dict[str, SpendRow] = field(default_factory=dict)
    years: dict[int, SpendRow] = field(default_factory=dict)
    #: number of bidders -> processes
    bidder_counts: dict[int, int] = field(default_factory=dict)
    competitive: dict[int, int] = field(default_factory=dict)
    single: dict[int, int] = field(default_factory=dict)
    #: category -> supplier party id -> value awarded
    supplier_amounts: dict[str, dict[str, float]] = field(default_factory=dict)
    #: year -> [awarded, awarded to suppliers of known scale, awarded to SMEs]
    sme: dict[int, list[float]] = field(default_factory=dict)
    #: year -> [processes, estimate, awarded] of processes with a discount
    savings: dict[int, list[float]] = field(default_factory=dict)
    #: year -> value -> processes (for medians that survive removals)
    discounts: dict[int, dict[float, int]] = field(default_factory=dict)
    days: dict[int, dict[float, int]] = field(default_factory=dict)

    def add(self, f: ProcessFacts) -> None:
        self._apply(f, 1)

    def remove(self, f: ProcessFacts) -> None:
        """Take out a process added before (the facts it was added with)."""
        self._apply(f, -1)

    def _row(self, rows: dict[Any, SpendRow], key: Any, name: str, awarded: float, sign: int):
        row = rows.setdefault(key, SpendRow(str(key), name))
        row.processes += sign
        row.awarded += sign * awarded
        if row.processes <= 0:
            del rows[key]

    def _sums(self, sums: dict[int, list[float]], year: int, values: list[float], sign: int):
        mine = sums.setdefault(year, [0.0] * len(values))
        for i, value in enumerate(values):
            mine[i] += sign * value
        if all(abs(v) < _NOISE for v in mine):
            del sums[year]

    def _apply(self, f: ProcessFacts, sign: int) -> None:
        self.processes += sign
        awarded = f.awarded or 0.0
        self.awarded = self.awarded + sign * awarded if self.processes else 0.0
        self._row(self.buyers, f.buyer_id or "", f.buyer_name, awarded, sign)
        self._row(self.categories, f.category, f.category, awarded, sign)
        if f.year is not None:
            self._row(self.years, f.year, str(f.year), awarded, sign)
        if f.bidder_count is not None:
            _bump(self.bidder_counts, f.bidder_count, sign)
        for win in f.wins:
            if win.amount:
                amounts = self.supplier_amounts.setdefault(f.category, {})
                left = amounts.get(win.party_id, 0.0) + sign * win.amount
                if abs(left) < _NOISE:
                    amounts.pop(win.party_id, None)
                else:
                    amounts[win.party_id] = left
                if not amounts:
                    del self.supplier_amounts[f.category]
        if f.year is None:
            return
        if f.single_bid is not None:
            _bump(self.competitive, f.year, sign)
            if f.single_bid:
                _bump(self.single, f.year, sign)
        if f.wins:
            sums = [0.0, 0.0, 0.0]
            for win in f.wins:
                sums[0] += win.amount or 0.0
                if win.scale:
                    sums[1] += win.amount or 0.0
                    sums[2] += (win.amount or 0.0) if win.scale in SME_SCALES else 0.0
            self._sums(self.sme, f.year, sums, sign)
        if f.discount is not None:
            self._sums(self.savings, f.year, [1.0, f.estimate or 0.0, awarded], sign)
            # Kept to 0.01 %: the median is shown to 0.1 %, and values stay few.
            _bump_in(self.discounts, f.year, round(f.discount, 4), sign)
        if f.days_to_award is not None:
            _bump_in(self.days, f.year, f.days_to_award, sign)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (keys as strings, counters as [value, count] pairs)."""

        def rows(table: dict[Any, SpendRow]) -> list[list[Any]]:
            return [[r.key, r.name, r.processes, r.awarded] for r in table.values()]

        def counts(table: dict[int, dict[float, int]]) -> dict[str, list[list[float]]]:
            return {str(y): [[v, n] for v, n in c.items()] for y, c in table.items()}

        return {
            "processes": self.processes,
            "awarded": self.awarded,
            "buyers": rows(self.buyers),
            "categories": rows(self.categories),
            "years": rows(self.years),
            "bidder_counts": [[k, n] for k, n in self.bidder_counts.items()],
            "competitive": {str(y): n for y, n in self.competitive.items()},
            "single": {str(y): n for y, n in self.single.items()},
            "supplier_amounts": self.supplier_amounts,
            "sme": {str(y): v for y, v in self.sme.items()},
            "savings": {str(y): v for y, v in self.savings.items()},
            "discounts": counts(self.discounts),
            "days": counts(self.days),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Totals:
        def rows(values: list[list[Any]], year: bool = False) -> dict[Any, SpendRow]:
            return {(int(k) if year else k): SpendRow(k, n, p, a) for k, n, p, a in values}

        def counts(table: dict[str, list[list[float]]]) -> dict[int, dict[float, int]]:
            return {int(y): {v: int(n) for v, n in pairs} for y, pairs in table.items()}

        return cls(
            processes=data["processes"],
            awarded=data["awarded"],
            buyers=rows(data["buyers"]),
            categories=rows(data["categories"]),
            years=rows(data["years"], year=True),
            bidder_counts={int(k): n for k, n in data["bidder_counts"]},
            competitive={int(y): n for y, n in data["competitive"].items()},
            single={int(y): n for y, n in data["single"].items()},
            supplier_amounts={c: dict(a) for c, a in data["supplier_amounts"].items()},
            sme={int(y): list(v) for y, v in data["sme"].items()},
            savings={int(y): list(v) for y, v in data["savings"].items()},
            discounts=counts(data["discounts"]),
            days=counts(data["days"]),
        )


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


def _add_counts(into: dict[Any, int], counts: Mapping[Any, int]) -> None:
    for key, n in counts.items():
        into[key] = into.get(key, 0) + n


def merge(parts: Iterable[Totals]) -> Totals:
    """The totals of all ``parts`` together (a new object: the parts are not changed)."""
    result = Totals()
    for part in parts:
        result.processes += part.processes
        result.awarded += part.awarded
        _add_rows(result.buyers, part.buyers)
        _add_rows(result.categories, part.categories)
        _add_rows(result.years, part.years)
        _add_counts(result.bidder_counts, part.bidder_counts)
        _add_counts(result.competitive, part.competitive)
        _add_counts(result.single, part.single)
        for category, amounts in part.supplier_amounts.items():
            _add_counts(result.supplier_amounts.setdefault(category, {}), amounts)  # type: ignore[arg-type]
        _add_sums(result.sme, part.sme)
        _add_sums(result.savings, part.savings)
        for year, counts in part.discounts.items():
            _add_counts(result.discounts.setdefault(year, {}), counts)
        for year, counts in part.days.items():
            _add_counts(result.days.setdefault(year, {}), counts)
    return result


def finish(totals: Totals) -> Overview:
    """The figures of the analytics page from the running sums."""
    result = Overview(processes=totals.processes, awarded=totals.awarded)
    result.by_buyer = _ranked(totals.buyers.values())
    result.by_category = _ranked(totals.categories.values())
    result.by_year = [totals.years[y] for y in sorted(totals.years)]
    result.bidders = bidder_bins(
        count for count, n in sorted(totals.bidder_counts.items()) for _ in range(n)
    )
    result.median_bidders = counter_median(totals.bidder_counts)  # type: ignore[arg-type]
    competitive, single = totals.competitive, totals.single
    result.single_bid = [
        SingleBidRow(y, competitive[y], single.get(y, 0), rate(single.get(y, 0), competitive[y]))
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
        if amounts
    ]
    result.concentration = sorted(concentration, key=lambda r: (-r.awarded, r.category))[:TOP]
    result.sme = [
        SmeRow(y, t[0], t[1], t[2], rate(t[2], t[1])) for y, t in sorted(totals.sme.items()) if t[0]
    ]
    result.sme_share = rate(sum(r.sme for r in result.sme), sum(r.known for r in result.sme))
    result.savings = [
        SavingsRow(
            y,
            round(s[0]),
            s[1],
            s[2],
            s[1] - s[2],
            rate(s[1] - s[2], s[1]),
            counter_median(totals.discounts.get(y, {})),
        )
        for y, s in sorted(totals.savings.items())
    ]
    estimate = sum(r.estimate for r in result.savings)
    result.savings_rate = rate(estimate - sum(r.awarded for r in result.savings), estimate)
    result.time_to_award = [
        TimeRow(y, sum(d.values()), counter_median(d), _counter_mean(d))
        for y, d in sorted(totals.days.items())
        if d
    ]
    everything: dict[float, int] = {}
    for counts in totals.days.values():
        _add_counts(everything, counts)
    result.median_days_to_award = counter_median(everything)
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
