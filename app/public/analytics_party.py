"""One buyer's or one supplier's procurement figures as tables and charts (buyer pages,
supplier pages), computed from the published data like the analytics page."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.public.analytics_tables import (
    BAR,
    COLUMNS,
    CategoryNames,
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
from ocds.analytics import PartySummary, buyer_summary, supplier_summary


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


def buyer_party_figures(session: Session, summary: PartySummary) -> PartyFigures:
    headline = [
        (_("Processes"), integer(summary.processes).text),
        (_("Awarded (MXN)"), money(summary.awarded).text),
        (_("Contracts"), integer(summary.contracts).text),
        (_("Single-bid share"), percent(summary.single_bid_share).text),
        (_("Average discount against the estimate"), percent(summary.average_discount).text),
        (_("Median number of bidders"), decimal(summary.median_bidders).text),
    ]
    by_year = with_chart(
        Table(
            "by-year",
            _("Totals by year"),
            _("Value this buyer awarded each year, in Mexican pesos."),
            [_("Year"), _("Processes"), _("Awarded (MXN)"), _("Contracts")],
            [
                [
                    text(str(y.year)),
                    integer(y.processes),
                    money(y.awarded),
                    integer(y.contracts),
                ]
                for y in summary.by_year
            ],
        ),
        COLUMNS,
        0,
        2,
    )
    categories = _categories(
        session,
        summary,
        _("What it buys"),
        _("Value this buyer awarded by category, in Mexican pesos."),
    )
    suppliers = with_chart(
        Table(
            "suppliers",
            _("Main suppliers"),
            _("The suppliers this buyer awarded the most value to, in Mexican pesos."),
            [_("Supplier"), _("Processes"), _("Awarded (MXN)")],
            spend_rows(summary.counterparts, lambda r: r.name),
        ),
        BAR,
        0,
        2,
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
        (_("Awarded (MXN)"), money(summary.awarded).text),
        (_("Contracts"), integer(summary.contracts).text),
        (_("Won with the only bid"), percent(summary.single_bid_share).text),
        (_("Average discount against the estimate"), percent(summary.average_discount).text),
    ]
    by_year = with_chart(
        Table(
            "by-year",
            _("Totals by year"),
            _("Value awarded to this supplier each year, in Mexican pesos."),
            [_("Year"), _("Bids"), _("Won"), _("Awarded (MXN)"), _("Contracts")],
            [
                [
                    text(str(y.year)),
                    integer(y.bids),
                    integer(y.wins),
                    money(y.awarded),
                    integer(y.contracts),
                ]
                for y in summary.by_year
            ],
        ),
        COLUMNS,
        0,
        3,
    )
    categories = _categories(
        session,
        summary,
        _("What it sells"),
        _("Value awarded to this supplier by category, in Mexican pesos."),
    )
    buyers = with_chart(
        Table(
            "buyers",
            _("Main buyers"),
            _("The buyers that awarded this supplier the most value, in Mexican pesos."),
            [_("Buyer"), _("Processes"), _("Awarded (MXN)")],
            spend_rows(
                summary.counterparts,
                lambda r: r.name,
                lambda r: url_for("public.buyer_page", party_id=r.key) if r.key else None,
            ),
        ),
        BAR,
        0,
        2,
    )
    return PartyFigures(
        summary,
        headline,
        [by_year, categories, buyers],
        _recent(summary, _("Buyer"), _("Won (MXN)")),
    )
