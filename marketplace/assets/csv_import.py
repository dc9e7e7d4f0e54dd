"""Importing a unit's assets from a CSV file (what predates the platform).

All or nothing: every row is checked first, with the rules of the form
(:func:`marketplace.assets.services.check_asset`); if any row has a problem nothing is
imported and every problem is reported with its line number (the header is line 1), so
the buyer fixes the file and imports it again without looking for which rows went in.
A row is never half-saved.

Columns (header names, any order): ``category`` and ``description`` are required;
``quantity``, ``unit_cost``, ``currency``, ``location``, ``supplier``, ``start_date``,
``end_date`` (YYYY-MM-DD), ``licence_count``, ``seats_used``, ``support_level``,
``status`` (planned, active, renewed or retired), ``notes`` and ``business_case`` (the
number of one of the unit's business cases, as on its page) are optional. Any other
column is an error (a misspelt column would otherwise be silently dropped).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.assets.models import Asset, AssetSource
from marketplace.assets.services import (
    AssetError,
    AssetInput,
    add_asset,
    check_asset,
    require_buyer,
    unit_case_ids,
)
from marketplace.tenders.errors import N_, Msg

REQUIRED = ("category", "description")
OPTIONAL = (
    "quantity", "unit_cost", "currency", "location", "supplier", "start_date", "end_date",
    "licence_count", "seats_used", "support_level", "status", "notes", "business_case",
)  # fmt: skip
COLUMNS = REQUIRED + OPTIONAL
MAX_ROWS = 5000


@dataclass
class RowProblem:
    line: int
    column: str
    message: Msg

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.message}"


@dataclass
class ImportResult:
    imported: list[Asset] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _text(raw: bytes | str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _input(row: dict[str, str]) -> AssetInput:
    def v(name: str, default: str = "") -> str:
        return (row.get(name) or "").strip() or default

    return AssetInput(
        category=v("category"), description=v("description"), quantity=v("quantity", "1"),
        unit_cost=v("unit_cost"), currency=v("currency", "MXN"), location=v("location"),
        supplier_name=v("supplier"), start_date=v("start_date"), end_date=v("end_date"),
        licence_count=v("licence_count"), seats_used=v("seats_used"),
        support_level=v("support_level"), status=v("status", "active"), notes=v("notes"),
        business_case=v("business_case"),
    )  # fmt: skip


_FIELD_COLUMN = {"supplier_name": "supplier"}


def _unreadable(text: str) -> RowProblem | None:
    """The first line the CSV reader refuses (a cell over its size limit, a stray quote)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for _ in reader:
            pass
    except csv.Error as exc:
        message = Msg(N_("This line cannot be read as CSV (%(problem)s)."), {"problem": str(exc)})
        return RowProblem(reader.line_num, "", message)
    return None


def import_assets(
    session: Session, user: User, raw: bytes | str, now: dt.datetime | None = None
) -> ImportResult:
    """Check every row, then add them all (or none: see the module docstring)."""
    require_buyer(user)
    result = ImportResult()
    unreadable = _unreadable(_text(raw))
    if unreadable is not None:
        result.problems.append(unreadable)
        return result
    reader = csv.DictReader(io.StringIO(_text(raw), newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        result.problems.append(RowProblem(1, "", Msg(N_("The file is empty."))))
        return result
    reader.fieldnames = header
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"unknown: {', '.join(unknown)}")
        if missing:
            parts.append(f"missing: {', '.join(missing)}")
        result.problems.append(RowProblem(1, "", Msg(
            N_("Wrong columns (%(what)s). The columns are: %(columns)s."),
            {"what": "; ".join(parts), "columns": ", ".join(COLUMNS)},
        )))  # fmt: skip
        return result
    assert user.organisation_id is not None
    case_ids = unit_case_ids(session, user.organisation_id)
    inputs: list[AssetInput] = []
    for row in reader:
        line = reader.line_num
        if None in row:  # more cells than columns
            result.problems.append(RowProblem(line, "", Msg(N_("More cells than columns."))))
            continue
        if not any((v or "").strip() for v in row.values()):
            continue  # blank line
        data = _input(row)
        try:
            check_asset(data, case_ids=case_ids)
        except AssetError as err:
            for path, message in err.errors.items():
                result.problems.append(RowProblem(line, _FIELD_COLUMN.get(path, path), message))
            continue
        inputs.append(data)
        if len(inputs) > MAX_ROWS:
            result.problems.append(RowProblem(line, "", Msg(
                N_("At most %(n)s rows per file."), {"n": MAX_ROWS})))  # fmt: skip
            break
    if not inputs and not result.problems:
        result.problems.append(RowProblem(2, "", Msg(N_("The file has no rows."))))
    if result.problems:
        return result
    result.imported = [
        add_asset(session, user, d, now, AssetSource.IMPORT, case_ids) for d in inputs
    ]
    return result
