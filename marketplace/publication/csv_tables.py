"""Flat CSV tables of compiled releases, for spreadsheets: one table per kind of thing.

Every row carries the OCID; child rows also carry the id of their parent (award,
contract), so the tables join on (OCID, id). Headers are for people, not programs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Getter = Callable[[dict[str, Any]], Any]
Row = list[Any]


def get(obj: Any, *path: str) -> Any:
    """``obj[path[0]][path[1]]…`` or "" when any step is missing."""
    for key in path:
        if not isinstance(obj, dict):
            return ""
        obj = obj.get(key)
    return "" if obj is None else obj


def joined(values: list[Any]) -> str:
    return "; ".join(str(v) for v in values if v not in (None, ""))


def _refs(objs: Any, key: str) -> str:
    return joined([o.get(key) for o in objs or [] if isinstance(o, dict)])


def _main(rel: dict[str, Any]) -> Iterator[Row]:
    tender = get(rel, "tender") or {}
    yield [
        rel.get("ocid", ""),
        rel.get("date", ""),
        get(tender, "title") or get(rel, "planning", "budget", "description"),
        get(rel, "buyer", "id"),
        get(rel, "buyer", "name"),
        get(tender, "status"),
        get(tender, "procurementMethod"),
        get(tender, "mainProcurementCategory"),
        get(tender, "value", "amount"),
        get(tender, "value", "currency"),
        get(tender, "tenderPeriod", "startDate"),
        get(tender, "tenderPeriod", "endDate"),
        get(tender, "numberOfTenderers"),
        len(rel.get("awards") or []),
        len(rel.get("contracts") or []),
    ]


def _parties(rel: dict[str, Any]) -> Iterator[Row]:
    for party in rel.get("parties") or []:
        yield [
            rel.get("ocid", ""),
            party.get("id", ""),
            party.get("name", ""),
            joined(party.get("roles") or []),
            get(party, "identifier", "scheme"),
            get(party, "identifier", "id"),
            get(party, "address", "locality"),
            get(party, "address", "region"),
            get(party, "address", "countryName"),
        ]


def _item_rows(ocid: str, stage: str, parent: str, items: Any) -> Iterator[Row]:
    for item in items or []:
        yield [
            ocid,
            stage,
            parent,
            item.get("id", ""),
            item.get("description", ""),
            get(item, "classification", "scheme"),
            get(item, "classification", "id"),
            get(item, "classification", "description"),
            item.get("quantity", ""),
            get(item, "unit", "name"),
            get(item, "unit", "value", "amount"),
            get(item, "unit", "value", "currency"),
        ]


def _items(rel: dict[str, Any]) -> Iterator[Row]:
    ocid = rel.get("ocid", "")
    yield from _item_rows(ocid, "tender", "", get(rel, "tender", "items"))
    for award in rel.get("awards") or []:
        yield from _item_rows(ocid, "award", award.get("id", ""), award.get("items"))
    for contract in rel.get("contracts") or []:
        yield from _item_rows(ocid, "contract", contract.get("id", ""), contract.get("items"))


def _bids(rel: dict[str, Any]) -> Iterator[Row]:
    for bid in get(rel, "bids", "details") or []:
        yield [
            rel.get("ocid", ""),
            bid.get("id", ""),
            bid.get("date", ""),
            bid.get("status", ""),
            _refs(bid.get("tenderers"), "id"),
            _refs(bid.get("tenderers"), "name"),
            get(bid, "value", "amount"),
            get(bid, "value", "currency"),
        ]


def _awards(rel: dict[str, Any]) -> Iterator[Row]:
    for award in rel.get("awards") or []:
        yield [
            rel.get("ocid", ""),
            award.get("id", ""),
            award.get("title", ""),
            award.get("status", ""),
            award.get("date", ""),
            get(award, "value", "amount"),
            get(award, "value", "currency"),
            _refs(award.get("suppliers"), "id"),
            _refs(award.get("suppliers"), "name"),
        ]


def _contracts(rel: dict[str, Any]) -> Iterator[Row]:
    for contract in rel.get("contracts") or []:
        yield [
            rel.get("ocid", ""),
            contract.get("id", ""),
            contract.get("awardID", ""),
            contract.get("title", ""),
            contract.get("status", ""),
            contract.get("dateSigned", ""),
            get(contract, "period", "startDate"),
            get(contract, "period", "endDate"),
            get(contract, "value", "amount"),
            get(contract, "value", "currency"),
        ]


def _transactions(rel: dict[str, Any]) -> Iterator[Row]:
    for contract in rel.get("contracts") or []:
        for tx in get(contract, "implementation", "transactions") or []:
            yield [
                rel.get("ocid", ""),
                contract.get("id", ""),
                tx.get("id", ""),
                tx.get("date", ""),
                get(tx, "value", "amount"),
                get(tx, "value", "currency"),
                get(tx, "payer", "id"),
                get(tx, "payer", "name"),
                get(tx, "payee", "id"),
                get(tx, "payee", "name"),
            ]


def _assets(rel: dict[str, Any]) -> Iterator[Row]:
    """ICT asset summaries (our extension ``contracts[].assets``; public fields only)."""
    for contract in rel.get("contracts") or []:
        for asset in contract.get("assets") or []:
            yield [
                rel.get("ocid", ""),
                contract.get("id", ""),
                asset.get("id", ""),
                asset.get("relatedItem", ""),
                asset.get("category", ""),
                asset.get("description", ""),
                asset.get("quantity", ""),
                get(asset, "unitValue", "amount"),
                get(asset, "unitValue", "currency"),
                get(asset, "period", "startDate"),
                get(asset, "period", "endDate"),
                asset.get("status", ""),
                asset.get("licenseCount", ""),
                asset.get("seatsUsed", ""),
                asset.get("supportLevel", ""),
            ]


_AREAS = ("quality", "schedule", "costControl", "management", "regulatoryCompliance")


def _ratings(rel: dict[str, Any]) -> Iterator[Row]:
    """Final supplier performance ratings (our extension ``contracts[].performanceRatings``:
    the rating organisation, never a person) with the supplier's reply beside them."""
    for contract in rel.get("contracts") or []:
        for rating in contract.get("performanceRatings") or []:
            yield [
                rel.get("ocid", ""),
                contract.get("id", ""),
                rating.get("id", ""),
                rating.get("stage", ""),
                rating.get("relatedMilestone", ""),
                get(rating, "ratedBy", "id"),
                get(rating, "ratedBy", "name"),
                rating.get("date", ""),
                rating.get("dateFinal", ""),
                *(get(rating, "scores", area, "score") for area in _AREAS),
                rating.get("narrative", ""),
                get(rating, "reply", "date"),
                get(rating, "reply", "text"),
            ]


#: table name -> (headers, rows of one compiled release)
TABLES: dict[str, tuple[list[str], Callable[[dict[str, Any]], Iterator[Row]]]] = {
    "main": (
        ["OCID", "Last change", "Title", "Buyer ID", "Buyer name", "Tender status",
         "Procurement method", "Main category", "Tender value", "Tender currency",
         "Tender period start", "Tender period end", "Number of tenderers", "Awards",
         "Contracts"],
        _main,
    ),
    "parties": (
        ["OCID", "Party ID", "Name", "Roles", "Identifier scheme", "Identifier",
         "Locality", "Region", "Country"],
        _parties,
    ),
    "items": (
        ["OCID", "Stage", "Award or contract ID", "Item ID", "Description",
         "Classification scheme", "Classification code", "Classification description",
         "Quantity", "Unit", "Unit price", "Unit price currency"],
        _items,
    ),
    "bids": (
        ["OCID", "Bid ID", "Date", "Status", "Tenderer IDs", "Tenderer names", "Value",
         "Currency"],
        _bids,
    ),
    "awards": (
        ["OCID", "Award ID", "Title", "Status", "Date", "Value", "Currency",
         "Supplier IDs", "Supplier names"],
        _awards,
    ),
    "contracts": (
        ["OCID", "Contract ID", "Award ID", "Title", "Status", "Date signed",
         "Start", "End", "Value", "Currency"],
        _contracts,
    ),
    "transactions": (
        ["OCID", "Contract ID", "Transaction ID", "Date", "Value", "Currency", "Payer ID",
         "Payer name", "Payee ID", "Payee name"],
        _transactions,
    ),
    "assets": (
        ["OCID", "Contract ID", "Asset ID", "Item ID", "Category", "Description", "Quantity",
         "Unit cost", "Unit cost currency", "Start", "End", "Status", "Licences",
         "Seats used", "Support level"],
        _assets,
    ),
    "ratings": (
        ["OCID", "Contract ID", "Rating ID", "Stage", "Milestone ID", "Buyer ID",
         "Buyer name", "Date rated", "Date final", "Quality", "Schedule", "Cost control",
         "Management", "Regulatory compliance", "Narrative", "Reply date", "Reply"],
        _ratings,
    ),
}  # fmt: skip
