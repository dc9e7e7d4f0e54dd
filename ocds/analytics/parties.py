"""One buyer's or one supplier's figures, over facts."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from ocds.analytics.facts import TOP, ProcessFacts
from ocds.analytics.market import SpendRow, median, rate


@dataclass
class PartyYear:
    year: int
    processes: int = 0
    bids: int = 0
    wins: int = 0
    awarded: float = 0.0
    contracts: int = 0


@dataclass
class ProcessLine:
    """One process in a party's list: what it was and what the party got."""

    ocid: str
    title: str
    year: int | None
    counterpart: str
    amount: float | None
    bidders: int | None


@dataclass
class PartySummary:
    party_id: str
    name: str = ""
    processes: int = 0
    bids: int = 0
    wins: int = 0
    #: Of the processes the supplier bid in, the share it won.
    win_rate: float | None = None
    awards: int = 0
    awarded: float = 0.0
    contracts: int = 0
    single_bid_share: float | None = None
    average_discount: float | None = None
    median_bidders: float | None = None
    by_year: list[PartyYear] = field(default_factory=list)
    categories: list[SpendRow] = field(default_factory=list)
    counterparts: list[SpendRow] = field(default_factory=list)
    recent: list[ProcessLine] = field(default_factory=list)


RECENT = 20


@dataclass
class _Totals:
    """What both summaries add up, process by process, before :meth:`finish`."""

    years: dict[int, PartyYear] = field(default_factory=dict)
    categories: dict[str, SpendRow] = field(default_factory=dict)
    counterparts: dict[str, SpendRow] = field(default_factory=dict)
    single: list[bool] = field(default_factory=list)
    discounts: list[float] = field(default_factory=list)
    bidders: list[int] = field(default_factory=list)
    lines: list[ProcessLine] = field(default_factory=list)

    def year(self, f: ProcessFacts) -> PartyYear | None:
        return self.years.setdefault(f.year, PartyYear(f.year)) if f.year is not None else None

    def add_category(self, f: ProcessFacts, amount: float) -> None:
        row = self.categories.setdefault(f.category, SpendRow(f.category, f.category))
        row.processes += 1
        row.awarded += amount

    def add_counterpart(self, key: str, name: str, amount: float) -> None:
        """The supplier or buyer on the other side of one process."""
        row = self.counterparts.setdefault(key, SpendRow(key, name))
        row.processes += 1
        row.awarded += amount

    def add_facts(self, f: ProcessFacts, line: ProcessLine) -> None:
        """The process's single bid, discount, bidder count and its line."""
        if f.single_bid is not None:
            self.single.append(f.single_bid)
        if f.discount is not None:
            self.discounts.append(f.discount)
        if f.bidder_count is not None:
            self.bidders.append(f.bidder_count)
        self.lines.append(line)

    def finish(self, summary: PartySummary) -> PartySummary:
        summary.by_year = [self.years[y] for y in sorted(self.years)]
        summary.single_bid_share = rate(sum(self.single), len(self.single))
        summary.average_discount = statistics.fmean(self.discounts) if self.discounts else None
        summary.median_bidders = median(self.bidders)
        summary.categories = sorted(
            self.categories.values(), key=lambda r: (-r.awarded, -r.processes, r.key)
        )
        summary.counterparts = sorted(
            self.counterparts.values(), key=lambda r: (-r.awarded, -r.processes, r.name)
        )[:TOP]
        summary.recent = sorted(self.lines, key=lambda p: (-(p.year or 0), p.ocid))[:RECENT]
        return summary


def buyer_summary(facts: Iterable[ProcessFacts], buyer_id: str) -> PartySummary:
    """What one buyer bought: its processes (the facts of other buyers are skipped)."""
    summary = PartySummary(buyer_id)
    totals = _Totals()
    for f in facts:
        if f.buyer_id != buyer_id:
            continue
        summary.name = summary.name or f.buyer_name
        summary.processes += 1
        awarded = f.awarded or 0.0
        summary.awarded += awarded
        summary.awards += sum(w.awards for w in f.wins)
        summary.contracts += f.contracts
        year = totals.year(f)
        if year is not None:
            year.processes += 1
            year.awarded += awarded
            year.contracts += f.contracts
        totals.add_category(f, awarded)
        for win in f.wins:
            totals.add_counterpart(win.party_id, win.name, win.amount or 0.0)
        names = ", ".join(w.name for w in f.wins)
        totals.add_facts(f, ProcessLine(f.ocid, f.title, f.year, names, f.awarded, f.bidder_count))
    return totals.finish(summary)


def supplier_summary(facts: Iterable[ProcessFacts], party_id: str) -> PartySummary:
    """What one supplier bid for and won (facts where it neither bid nor won are skipped)."""
    summary = PartySummary(party_id)
    totals = _Totals()
    bid_and_won = 0
    for f in facts:
        win = next((w for w in f.wins if w.party_id == party_id), None)
        bid = party_id in f.bidders
        if win is None and not bid:
            continue
        summary.processes += 1
        year = totals.year(f)
        if year is not None:
            year.processes += 1
        if bid:
            summary.bids += 1
            bid_and_won += win is not None
            if year is not None:
                year.bids += 1
        if win is None:
            continue
        amount = win.amount or 0.0
        summary.name = summary.name or win.name
        summary.wins += 1
        summary.awards += win.awards
        summary.awarded += amount
        summary.contracts += win.contracts
        if year is not None:
            year.wins += 1
            year.awarded += amount
            year.contracts += win.contracts
        totals.add_category(f, amount)
        totals.add_counterpart(f.buyer_id or "", f.buyer_name, amount)
        line = ProcessLine(f.ocid, f.title, f.year, f.buyer_name, win.amount, f.bidder_count)
        totals.add_facts(f, line)
    summary.win_rate = rate(bid_and_won, summary.bids)
    return totals.finish(summary)
