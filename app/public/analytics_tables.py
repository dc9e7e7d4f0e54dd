"""The analytics figures as tables: one object gives the chart, the HTML table and the CSV.

A cell keeps its CSV text (plain digits, "." for decimals, the same rounding as shown)
and its display text (formatted for the reader's language), so the download always
equals the table on the page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from babel.numbers import format_compact_decimal
from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.charts import Point, bar_chart, column_chart, line_chart
from marketplace.suppliers.models import Category
from ocds.analytics import SpendRow

MAIN_CATEGORIES = {"goods", "services", "works"}


@dataclass(frozen=True)
class Cell:
    csv: str
    text: str
    href: str | None = None
    numeric: bool = True
    #: Shorter text for a chart label ("619.9 M"); the full text when empty.
    short: str = ""


@dataclass
class Table:
    #: Slug of the CSV download (``/analytics/<name>.csv``) and of the HTML ids.
    name: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: Markup = Markup("")

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows([cell.csv for cell in row] for row in self.rows)
        return out.getvalue()


def text(value: str, href: str | None = None) -> Cell:
    return Cell(value, value, href, numeric=False)


def integer(value: int | None) -> Cell:
    if value is None:
        return Cell("", "—")
    return Cell(str(value), format_decimal(value, format="#,##0"))


def money(value: float | None) -> Cell:
    if value is None:
        return Cell("", "—")
    rounded = round(value, 2)
    short = format_compact_decimal(rounded, locale=get_locale(), fraction_digits=1)
    return Cell(f"{rounded:.2f}", format_decimal(rounded, format="#,##0.00"), short=short)


def percent(value: float | None) -> Cell:
    """A fraction shown as a percentage with one decimal (the CSV has the percentage)."""
    if value is None:
        return Cell("", "—")
    rounded = round(value * 100, 1)
    return Cell(f"{rounded:.1f}", format_percent(rounded / 100, format="#,##0.0%"))


def decimal(value: float | None, places: int = 1) -> Cell:
    if value is None:
        return Cell("", "—")
    rounded = round(value, places)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return Cell(f"{rounded:.{places}f}", format_decimal(rounded, format=pattern))


def value_of(cell: Cell) -> float:
    return float(cell.csv) if cell.csv else 0.0


def points(table: Table, label: int, value: int) -> list[Point]:
    """Chart points from two columns of a table (the chart shows what the table says)."""
    return [
        Point(row[label].text, value_of(row[value]), row[value].short or row[value].text)
        for row in table.rows
    ]


Chart = Callable[[str, str, str, Sequence[Point]], Markup]


def with_chart(table: Table, kind: Chart, label: int, value: int) -> Table:
    table.chart = kind(table.name, table.title, table.description, points(table, label, value))
    return table


BAR: Chart = bar_chart
COLUMNS: Chart = column_chart
LINE: Chart = line_chart


class CategoryNames:
    """Labels of the category keys of facts: UNSPSC family codes or OCDS main categories."""

    def __init__(self, session: Session, codes: Iterable[str], lang: str) -> None:
        wanted = {c for c in codes if c.isdigit()}
        self.labels: dict[str, str] = {}
        if wanted:
            rows = session.scalars(
                select(Category).where(Category.scheme == "UNSPSC", Category.code.in_(wanted))
            )
            self.labels = {c.code: c.label(lang) for c in rows}

    def __call__(self, code: str) -> str:
        if code in self.labels:
            return self.labels[code]
        if code == "goods":
            return _("Goods")
        if code == "services":
            return _("Services")
        if code == "works":
            return _("Works")
        if not code:
            return _("Unclassified")
        return _("UNSPSC %(code)s", code=code)


def spend_rows(
    rows: Sequence[SpendRow],
    name: Callable[[SpendRow], str],
    href: Callable[[SpendRow], str | None] = lambda _row: None,
) -> list[list[Cell]]:
    return [
        [text(name(row), href(row)), integer(row.processes), money(row.awarded)] for row in rows
    ]
