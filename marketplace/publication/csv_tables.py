"""Flat CSV tables of compiled releases, for spreadsheets: one table per kind of thing.

Every row carries the OCID; child rows also carry the id of their parent (award,
contract), so the tables join on (OCID, id). Headers are for people, not programs.

Each table is one generic builder (:func:`_table`) driven by a spec: where its objects
are in a release (a *scope*, giving each object with the values that lead its row) and
its columns (a header and a path into the object, or a function of it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

Getter = Callable[[dict[str, Any]], Any]
Row = list[Any]
RowsOf = Callable[[dict[str, Any]], Iterator[Row]]
#: A release -> (the leading values of a row, the object the columns read), per row.
Scope = Callable[[dict[str, Any]], Iterable[tuple[Row, Any]]]
#: (header, key or path of keys into the object, or a function of the object)
Column = tuple[str, str | tuple[str, ...] | Getter]


def get(obj: Any, *path: str) -> Any:
    """``obj[path[0]][path[1]]…`` or "" when any step is missing."""
    for key in path:
        if not isinstance(obj, dict):
            return ""
        obj = obj.get(key)
    return "" if obj is None else obj


def joined(values: list[Any]) -> str:
    return "; ".join(str(v) for v in values if v not in (None, ""))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _refs(key: str, field: str) -> Getter:
    """The ``field`` of each organization reference in ``obj[key]``, joined."""
    return lambda obj: joined([o.get(field) for o in _list(obj.get(key)) if isinstance(o, dict)])


def _value(obj: Any, spec: str | tuple[str, ...] | Getter) -> Any:
    if callable(spec):
        return spec(obj) if isinstance(obj, dict) else ""
    return get(obj, *spec) if isinstance(spec, tuple) else get(obj, spec)


def _table(lead: list[str], scope: Scope, columns: list[Column]) -> tuple[list[str], RowsOf]:
    """Headers (``lead`` then the columns') and the rows of one release."""

    def rows(rel: dict[str, Any]) -> Iterator[Row]:
        for leading, obj in scope(rel):
            yield [*leading, *(_value(obj, spec) for _, spec in columns)]

    return [*lead, *(header for header, _ in columns)], rows


def _release(rel: dict[str, Any]) -> Iterable[tuple[Row, Any]]:
    yield [], rel


def _each(*path: str) -> Scope:
    """The objects of the array at ``path``, each led by the OCID."""
    return lambda rel: (([rel.get("ocid", "")], obj) for obj in _list(get(rel, *path)))


def _in_contracts(*path: str) -> Scope:
    """The objects of the array at ``path`` in each contract, led by OCID and contract id."""

    def scope(rel: dict[str, Any]) -> Iterator[tuple[Row, Any]]:
        for contract in _list(rel.get("contracts")):
            for obj in _list(get(contract, *path)):
                yield [rel.get("ocid", ""), get(contract, "id")], obj

    return scope


def _items(rel: dict[str, Any]) -> Iterator[tuple[Row, Any]]:
    """Tender, award and contract items, led by OCID, stage and award or contract id."""
    ocid = rel.get("ocid", "")
    for item in _list(get(rel, "tender", "items")):
        yield [ocid, "tender", ""], item
    for stage in ("award", "contract"):
        for parent in _list(rel.get(f"{stage}s")):
            for item in _list(get(parent, "items")):
                yield [ocid, stage, get(parent, "id")], item


def _title(rel: dict[str, Any]) -> Any:
    return get(rel, "tender", "title") or get(rel, "planning", "budget", "description")


def _count(key: str) -> Getter:
    return lambda rel: len(rel.get(key) or [])


_VALUE = [("Value", ("value", "amount")), ("Currency", ("value", "currency"))]
_PERIOD = [("Start", ("period", "startDate")), ("End", ("period", "endDate"))]
_TRANSACTIONS = _in_contracts("implementation", "transactions")
_AREAS = {
    "quality": "Quality",
    "schedule": "Schedule",
    "costControl": "Cost control",
    "management": "Management",
    "regulatoryCompliance": "Regulatory compliance",
}

#: table name -> (headers, rows of one compiled release)
TABLES: dict[str, tuple[list[str], RowsOf]] = {
    "main": _table([], _release, [
        ("OCID", "ocid"), ("Last change", "date"), ("Title", _title),
        ("Buyer ID", ("buyer", "id")), ("Buyer name", ("buyer", "name")),
        ("Tender status", ("tender", "status")),
        ("Procurement method", ("tender", "procurementMethod")),
        ("Main category", ("tender", "mainProcurementCategory")),
        ("Tender value", ("tender", "value", "amount")),
        ("Tender currency", ("tender", "value", "currency")),
        ("Tender period start", ("tender", "tenderPeriod", "startDate")),
        ("Tender period end", ("tender", "tenderPeriod", "endDate")),
        ("Number of tenderers", ("tender", "numberOfTenderers")),
        ("Awards", _count("awards")), ("Contracts", _count("contracts")),
    ]),
    "parties": _table(["OCID"], _each("parties"), [
        ("Party ID", "id"), ("Name", "name"), ("Roles", lambda p: joined(_list(p.get("roles")))),
        ("Identifier scheme", ("identifier", "scheme")), ("Identifier", ("identifier", "id")),
        ("Locality", ("address", "locality")), ("Region", ("address", "region")),
        ("Country", ("address", "countryName")),
    ]),
    "items": _table(["OCID", "Stage", "Award or contract ID"], _items, [
        ("Item ID", "id"), ("Description", "description"),
        ("Classification scheme", ("classification", "scheme")),
        ("Classification code", ("classification", "id")),
        ("Classification description", ("classification", "description")),
        ("Quantity", "quantity"), ("Unit", ("unit", "name")),
        ("Unit price", ("unit", "value", "amount")),
        ("Unit price currency", ("unit", "value", "currency")),
    ]),
    "bids": _table(["OCID"], _each("bids", "details"), [
        ("Bid ID", "id"), ("Date", "date"), ("Status", "status"),
        ("Tenderer IDs", _refs("tenderers", "id")),
        ("Tenderer names", _refs("tenderers", "name")), *_VALUE,
    ]),
    "awards": _table(["OCID"], _each("awards"), [
        ("Award ID", "id"), ("Title", "title"), ("Status", "status"), ("Date", "date"),
        *_VALUE, ("Supplier IDs", _refs("suppliers", "id")),
        ("Supplier names", _refs("suppliers", "name")),
    ]),
    "contracts": _table(["OCID"], _each("contracts"), [
        ("Contract ID", "id"), ("Award ID", "awardID"), ("Title", "title"),
        ("Status", "status"), ("Date signed", "dateSigned"), *_PERIOD, *_VALUE,
    ]),
    "transactions": _table(["OCID", "Contract ID"], _TRANSACTIONS, [
        ("Transaction ID", "id"), ("Date", "date"), *_VALUE,
        ("Payer ID", ("payer", "id")), ("Payer name", ("payer", "name")),
        ("Payee ID", ("payee", "id")), ("Payee name", ("payee", "name")),
    ]),
    # ICT asset summaries (our extension contracts[].assets; public fields only).
    "assets": _table(["OCID", "Contract ID"], _in_contracts("assets"), [
        ("Asset ID", "id"), ("Item ID", "relatedItem"), ("Category", "category"),
        ("Description", "description"), ("Quantity", "quantity"),
        ("Unit cost", ("unitValue", "amount")), ("Unit cost currency", ("unitValue", "currency")),
        *_PERIOD, ("Status", "status"), ("Licences", "licenseCount"),
        ("Seats used", "seatsUsed"), ("Support level", "supportLevel"),
    ]),
    # Final supplier performance ratings (our extension contracts[].performanceRatings: the
    # rating organisation, never a person) with the supplier's reply beside them.
    "ratings": _table(["OCID", "Contract ID"], _in_contracts("performanceRatings"), [
        ("Rating ID", "id"), ("Stage", "stage"), ("Milestone ID", "relatedMilestone"),
        ("Buyer ID", ("ratedBy", "id")), ("Buyer name", ("ratedBy", "name")),
        ("Date rated", "date"), ("Date final", "dateFinal"),
        *((header, ("scores", area, "score")) for area, header in _AREAS.items()),
        ("Narrative", "narrative"), ("Reply date", ("reply", "date")),
        ("Reply", ("reply", "text")),
    ]),
}  # fmt: skip
