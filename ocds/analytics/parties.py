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


def _finish(
    summary: PartySummary,
    years: dict[int, PartyYear],
    single: list[bool],
    discounts: list[float],
    bidders: list[int],
    lines: list[ProcessLine],
) -> None:
    summary.by_year = [years[y] for y in sorted(years)]
    summary.single_bid_share = rate(sum(single), len(single))
    summary.average_discount = statistics.fmean(discounts) if discounts else None
    summary.median_bidders = median(bidders)
    summary.categories = sorted(summary.categories, key=lambda r: (-r.awarded, -r.processes, r.key))
    summary.counterparts = sorted(
        summary.counterparts, key=lambda r: (-r.awarded, -r.processes, r.name)
    )[:TOP]
    summary.recent = sorted(lines, key=lambda p: (-(p.year or 0), p.ocid))[:RECENT]


def buyer_summary(facts: Iterable[ProcessFacts], buyer_id: str) -> PartySummary:
    """What one buyer bought: its processes (the facts of other buyers are skipped)."""
    summary = PartySummary(buyer_id)
    years: dict[int, PartyYear] = {}
    categories: dict[str, SpendRow] = {}
    suppliers: dict[str, SpendRow] = {}
    single: list[bool] = []
    discounts: list[float] = []
    bidders: list[int] = []
    lines: list[ProcessLine] = []
    for f in facts:
        if f.buyer_id != buyer_id:
            continue
        summary.name = summary.name or f.buyer_name
        summary.processes += 1
        awarded = f.awarded or 0.0
        summary.awarded += awarded
        summary.awards += sum(w.awards for w in f.wins)
        summary.contracts += f.contracts
        if f.year is not None:
            year = years.setdefault(f.year, PartyYear(f.year))
            year.processes += 1
            year.awarded += awarded
            year.contracts += f.contracts
        category = categories.setdefault(f.category, SpendRow(f.category, f.category))
        category.processes += 1
        category.awarded += awarded
        for win in f.wins:
            row = suppliers.setdefault(win.party_id, SpendRow(win.party_id, win.name))
            row.processes += 1
            row.awarded += win.amount or 0.0
        if f.single_bid is not None:
            single.append(f.single_bid)
        if f.discount is not None:
            discounts.append(f.discount)
        if f.bidder_count is not None:
            bidders.append(f.bidder_count)
        names = ", ".join(w.name for w in f.wins)
        lines.append(ProcessLine(f.ocid, f.title, f.year, names, f.awarded, f.bidder_count))
    summary.categories = list(categories.values())
    summary.counterparts = list(suppliers.values())
    _finish(summary, years, single, discounts, bidders, lines)
    return summary


def supplier_summary(facts: Iterable[ProcessFacts], party_id: str) -> PartySummary:
    """What one supplier bid for and won (facts where it neither bid nor won are skipped)."""
    summary = PartySummary(party_id)
    years: dict[int, PartyYear] = {}
    categories: dict[str, SpendRow] = {}
    buyers: dict[str, SpendRow] = {}
    single: list[bool] = []
    discounts: list[float] = []
    bidders: list[int] = []
    lines: list[ProcessLine] = []
    bid_and_won = 0
    for f in facts:
        win = next((w for w in f.wins if w.party_id == party_id), None)
        bid = party_id in f.bidders
        if win is None and not bid:
            continue
        summary.processes += 1
        year = years.setdefault(f.year, PartyYear(f.year)) if f.year is not None else None
        if year is not None:
            year.processes += 1
        if bid:
            summary.bids += 1
            bid_and_won += win is not None
            if year is not None:
                year.bids += 1
        if win is None:
            continue
        summary.name = summary.name or win.name
        summary.wins += 1
        summary.awards += win.awards
        summary.awarded += win.amount or 0.0
        summary.contracts += win.contracts
        if year is not None:
            year.wins += 1
            year.awarded += win.amount or 0.0
            year.contracts += win.contracts
        category = categories.setdefault(f.category, SpendRow(f.category, f.category))
        category.processes += 1
        category.awarded += win.amount or 0.0
        buyer = buyers.setdefault(f.buyer_id or "", SpendRow(f.buyer_id or "", f.buyer_name))
        buyer.processes += 1
        buyer.awarded += win.amount or 0.0
        if f.single_bid is not None:
            single.append(f.single_bid)
        if f.discount is not None:
            discounts.append(f.discount)
        if f.bidder_count is not None:
            bidders.append(f.bidder_count)
        lines.append(ProcessLine(f.ocid, f.title, f.year, f.buyer_name, win.amount, f.bidder_count))
    summary.win_rate = rate(bid_and_won, summary.bids)
    summary.categories = list(categories.values())
    summary.counterparts = list(buyers.values())
    _finish(summary, years, single, discounts, bidders, lines)
    return summary
