"""One buyer's or one supplier's procurement figures as tables and charts (buyer pages,
supplier pages), computed from the published data like the analytics page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.public.analytics_tables import (
    BAR,
    COLUMNS,
    CategoryNames,
    Cell,
    Table,
    decimal,
    integer,
    money,
    percent,
    spend_rows,
    text,
    with_chart,
)
from app.supplier.helpers import locale
from marketplace.analytics.services import Cached, cached, facts
from ocds.analytics import PartySummary, SpendRow, buyer_summary, supplier_summary
from ocds.analytics.parties import PartyYear


@dataclass
class PartyFigures:
    summary: PartySummary
    headline: list[tuple[str, str]]
    tables: list[Table] = field(default_factory=list)
    recent: Table | None = None


def buyer_figures(session: Session, buyer_id: str) -> Cached[PartySummary]:
    return cached(
        session,
        ("buyer", buyer_id),
        lambda: buyer_summary(facts(session, buyer_id=buyer_id), buyer_id),
    )


def supplier_figures(session: Session, party_id: str) -> Cached[PartySummary]:
    return cached(
        session,
        ("supplier", party_id),
        lambda: supplier_summary(facts(session, party_id=party_id), party_id),
    )


def _process_link(ocid: str) -> str:
    return url_for("public.process", ocid=ocid)


def _recent(summary: PartySummary, counterpart: str, amount: str) -> Table:
    return Table(
        "recent",
        _("Latest processes"),
        "",
        [_("Process"), _("Year"), counterpart, amount, _("Bidders")],
        [
            [
                text(line.title or line.ocid, _process_link(line.ocid)),
                text(str(line.year or "—")),
                text(line.counterpart or "—"),
                money(line.amount),
                integer(line.bidders),
            ]
            for line in summary.recent
        ],
    )


def _categories(session: Session, summary: PartySummary, title: str, description: str) -> Table:
    names = CategoryNames(session, [r.key for r in summary.categories], locale())
    return with_chart(
        Table(
            "categories",
            title,
            description,
            [_("Category"), _("Processes"), _("Awarded (MXN)")],
            spend_rows(summary.categories, lambda r: names(r.key)),
        ),
        BAR,
        0,
        2,
    )


def _headline_money(summary: PartySummary, single_bid: str) -> list[tuple[str, str]]:
    """The headline figures buyers and suppliers share (awarded, contracts, single bid,
    discount), ``single_bid`` naming the single-bid share from the party's side."""
    return [
        (_("Awarded (MXN)"), money(summary.awarded).text),
        (_("Contracts"), integer(summary.contracts).text),
        (single_bid, percent(summary.single_bid_share).text),
        (_("Average discount against the estimate"), percent(summary.average_discount).text),
    ]


#: A by-year column: its header and its cell for one year.
YearColumn = tuple[str, Callable[[PartyYear], Cell]]


def _by_year(summary: PartySummary, description: str, columns: list[YearColumn]) -> Table:
    """Totals by year (Year then ``columns``), charted on the "Awarded (MXN)" column."""
    headers = [_("Year"), *(header for header, _cell in columns)]
    rows = [[text(str(y.year)), *(cell(y) for _header, cell in columns)] for y in summary.by_year]
    table = Table("by-year", _("Totals by year"), description, headers, rows)
    return with_chart(table, COLUMNS, 0, headers.index(_("Awarded (MXN)")))


def _counterparts(
    summary: PartySummary,
    name: str,
    titles: tuple[str, str, str],
    href: Callable[[SpendRow], str | None] = lambda _row: None,
) -> Table:
    """The main counterparts (``titles``: title, description, first column header)."""
    title, description, header = titles
    rows = spend_rows(summary.counterparts, lambda r: r.name, href)
    table = Table(name, title, description, [header, _("Processes"), _("Awarded (MXN)")], rows)
    return with_chart(table, BAR, 0, 2)


def buyer_party_figures(session: Session, summary: PartySummary) -> PartyFigures:
    headline = [
        (_("Processes"), integer(summary.processes).text),
        *_headline_money(summary, _("Single-bid share")),
        (_("Median number of bidders"), decimal(summary.median_bidders).text),
    ]
    by_year = _by_year(
        summary,
        _("Value this buyer awarded each year, in Mexican pesos."),
        [
            (_("Processes"), lambda y: integer(y.processes)),
            (_("Awarded (MXN)"), lambda y: money(y.awarded)),
            (_("Contracts"), lambda y: integer(y.contracts)),
        ],
    )
    categories = _categories(
        session,
        summary,
        _("What it buys"),
        _("Value this buyer awarded by category, in Mexican pesos."),
    )
    suppliers = _counterparts(
        summary,
        "suppliers",
        (
            _("Main suppliers"),
            _("The suppliers this buyer awarded the most value to, in Mexican pesos."),
            _("Supplier"),
        ),
    )
    return PartyFigures(
        summary,
        headline,
        [by_year, categories, suppliers],
        _recent(summary, _("Suppliers"), _("Awarded (MXN)")),
    )


def supplier_party_figures(session: Session, summary: PartySummary) -> PartyFigures:
    headline = [
        (_("Bids submitted"), integer(summary.bids).text),
        (_("Processes won"), integer(summary.wins).text),
        (_("Win rate"), percent(summary.win_rate).text),
        *_headline_money(summary, _("Won with the only bid")),
    ]
    by_year = _by_year(
        summary,
        _("Value awarded to this supplier each year, in Mexican pesos."),
        [
            (_("Bids"), lambda y: integer(y.bids)),
            (_("Won"), lambda y: integer(y.wins)),
            (_("Awarded (MXN)"), lambda y: money(y.awarded)),
            (_("Contracts"), lambda y: integer(y.contracts)),
        ],
    )
    categories = _categories(
        session,
        summary,
        _("What it sells"),
        _("Value awarded to this supplier by category, in Mexican pesos."),
    )
    buyers = _counterparts(
        summary,
        "buyers",
        (
            _("Main buyers"),
            _("The buyers that awarded this supplier the most value, in Mexican pesos."),
            _("Buyer"),
        ),
        lambda r: url_for("public.buyer_page", party_id=r.key) if r.key else None,
    )
    return PartyFigures(
        summary,
        headline,
        [by_year, categories, buyers],
        _recent(summary, _("Buyer"), _("Won (MXN)")),
    )
