"""The public analytics page: market figures from the published data, as charts, tables
and CSV downloads. The numbers come from ``ocds.analytics`` over the facts of the
published records (``marketplace.analytics``), never from private tables."""

from __future__ import annotations

from flask import Response, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from app.db import db_session
from app.public import bp
from app.public.analytics_tables import (
    BAR,
    COLUMNS,
    LINE,
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
from marketplace.analytics.services import (
    PAGE_REFRESH_LIMIT,
    Cached,
    cached,
    market_totals,
    refresh,
    years,
)
from ocds.analytics import OTHER, Overview, SpendRow, finish


class FilterProblem(Exception):
    """A query-string value the page cannot use: shown as a message, with its status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def message_page(message: str, status: int) -> ResponseReturnValue:
    return render_template("public/analytics_message.html", message=message), status


def fresh_session() -> Session:
    """The request's session with the facts brought up to date (and committed).

    ``g.analytics_pending`` tells the templates how many published processes are not
    counted yet (a large publication not built with ``tianguis analytics refresh``)."""
    session = db_session()
    result = refresh(session, limit=PAGE_REFRESH_LIMIT)
    if result.read:
        session.commit()
    g.analytics_pending = result.pending
    return session


def year_filter(session: Session) -> int | None:
    raw = request.args.get("year", "").strip()
    if not raw:
        return None
    if not (raw.isdigit() and len(raw) == 4):
        raise FilterProblem(_("“%(value)s” is not a year.", value=raw[:20]), 400)
    year = int(raw)
    if year not in years(session):
        raise FilterProblem(_("No process was published for %(year)s.", year=raw), 404)
    return year


def other_name(row: SpendRow) -> str | None:
    if row.key != OTHER:
        return None
    count = int(row.name)
    return ngettext("%(num)s other", "%(num)s others", count)


def overview_tables(session: Session, figures: Overview) -> list[Table]:
    names = CategoryNames(
        session,
        [r.key for r in figures.by_category] + [r.category for r in figures.concentration],
        locale(),
    )
    year = _("Year")
    processes = _("Processes")
    awarded = _("Awarded (MXN)")
    tables = [
        with_chart(
            Table(
                "spend-by-year",
                _("Spend by year"),
                _("Value awarded in each year, in Mexican pesos."),
                [year, processes, awarded],
                spend_rows(figures.by_year, lambda r: r.name),
            ),
            COLUMNS,
            0,
            2,
        ),
        with_chart(
            Table(
                "spend-by-buyer",
                _("Spend by buyer"),
                _("The buyers that awarded the most value, in Mexican pesos."),
                [_("Buyer"), processes, awarded],
                spend_rows(
                    figures.by_buyer,
                    lambda r: other_name(r) or r.name or _("Unknown buyer"),
                    lambda r: (
                        url_for("public.buyer_page", party_id=r.key)
                        if r.key and r.key != OTHER
                        else None
                    ),
                ),
            ),
            BAR,
            0,
            2,
        ),
        with_chart(
            Table(
                "spend-by-category",
                _("Spend by category"),
                _("The categories (UNSPSC families) with the most value awarded, in pesos."),
                [_("Category"), processes, awarded],
                spend_rows(figures.by_category, lambda r: other_name(r) or names(r.key)),
            ),
            BAR,
            0,
            2,
        ),
        with_chart(
            Table(
                "bidders",
                _("Number of bidders"),
                _("How many processes received each number of bids."),
                [_("Bidders"), processes],
                [[text(r.bidders), integer(r.processes)] for r in figures.bidders],
            ),
            COLUMNS,
            0,
            1,
        ),
        with_chart(
            Table(
                "single-bid",
                _("Single-bid rate"),
                _("Share of open and selective processes that received only one bid, by year."),
                [year, _("Competitive processes"), _("With one bid"), _("Single-bid rate")],
                [
                    [text(str(r.year)), integer(r.competitive), integer(r.single), percent(r.rate)]
                    for r in figures.single_bid
                ],
            ),
            LINE,
            0,
            3,
        ),
        with_chart(
            Table(
                "concentration",
                _("Market concentration by category"),
                _(
                    "Herfindahl–Hirschman index of the suppliers' shares of each category: "
                    "near 0 many suppliers share the market, 10,000 means one supplier has it all."
                ),
                [_("Category"), _("Suppliers"), awarded, _("HHI"), _("Largest supplier share")],
                [
                    [
                        text(names(r.category)),
                        integer(r.suppliers),
                        money(r.awarded),
                        decimal(r.hhi, 0),
                        percent(r.top_share),
                    ]
                    for r in figures.concentration
                ],
            ),
            BAR,
            0,
            3,
        ),
        with_chart(
            Table(
                "sme",
                _("Share awarded to small and medium enterprises"),
                _(
                    "Value awarded to micro, small and medium suppliers, as a share of the value "
                    "awarded to suppliers whose size is published, by year."
                ),
                [year, awarded, _("To suppliers of known size"), _("To SMEs"), _("SME share")],
                [
                    [
                        text(str(r.year)),
                        money(r.awarded),
                        money(r.known),
                        money(r.sme),
                        percent(r.share),
                    ]
                    for r in figures.sme
                ],
            ),
            LINE,
            0,
            4,
        ),
        with_chart(
            Table(
                "savings",
                _("Savings against the estimate"),
                _(
                    "Estimated value minus awarded value, as a share of the estimate, for "
                    "processes with both, by year."
                ),
                [
                    year,
                    processes,
                    _("Estimate (MXN)"),
                    awarded,
                    _("Savings (MXN)"),
                    _("Savings rate"),
                    _("Median discount"),
                ],
                [
                    [
                        text(str(r.year)),
                        integer(r.processes),
                        money(r.estimate),
                        money(r.awarded),
                        money(r.savings),
                        percent(r.rate),
                        percent(r.median_discount),
                    ]
                    for r in figures.savings
                ],
            ),
            COLUMNS,
            0,
            5,
        ),
        with_chart(
            Table(
                "time-to-award",
                _("Time from tender to award"),
                _("Median days from the start of the tender period to the award, by year."),
                [year, processes, _("Median days"), _("Mean days")],
                [
                    [
                        text(str(r.year)),
                        integer(r.processes),
                        decimal(r.median_days),
                        decimal(r.mean_days),
                    ]
                    for r in figures.time_to_award
                ],
            ),
            COLUMNS,
            0,
            2,
        ),
    ]
    return tables


def headline(figures: Overview) -> list[tuple[str, str]]:
    """The page's key figures: (label, value as shown)."""
    return [
        (_("Processes"), integer(figures.processes).text),
        (_("Awarded (MXN)"), money(figures.awarded).text),
        (_("Single-bid rate"), percent(figures.single_bid_rate).text),
        (_("Median number of bidders"), decimal(figures.median_bidders).text),
        (_("Savings against the estimate"), percent(figures.savings_rate).text),
        (_("SME share"), percent(figures.sme_share).text),
        (_("Median days to award"), decimal(figures.median_days_to_award).text),
    ]


def _tables(session: Session, year: int | None) -> tuple[Cached[Overview], list[Table]]:
    figures = cached(session, ("overview", year), lambda: finish(market_totals(session, year)))
    return figures, overview_tables(session, figures.value)


@bp.get("/analytics")
def analytics() -> ResponseReturnValue:
    session = fresh_session()
    try:
        year = year_filter(session)
    except FilterProblem as problem:
        return message_page(problem.message, problem.status)
    figures, tables = _tables(session, year)
    return render_template(
        "public/analytics.html",
        figures=figures.value,
        freshness=figures,
        headline=headline(figures.value),
        tables=tables,
        year=year,
        years=years(session),
    )


@bp.get("/analytics/<name>.csv")
def analytics_csv(name: str) -> ResponseReturnValue:
    session = fresh_session()
    try:
        year = year_filter(session)
    except FilterProblem as problem:
        return message_page(problem.message, problem.status)
    _figures, tables = _tables(session, year)
    table = next((t for t in tables if t.name == name), None)
    if table is None:
        return message_page(_("There is no table called “%(name)s”.", name=name[:40]), 404)
    filename = f"tianguis-{name}{'-' + str(year) if year else ''}.csv"
    return Response(
        table.csv_text(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
