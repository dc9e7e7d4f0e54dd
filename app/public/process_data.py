"""Reading the sections of a published compiled release for the process page.

Plain view objects from untrusted JSON (ours, or another publisher's imported data): a
value of the wrong type is skipped, never raised on. Bids carry the check anyone can
make after the opening: the disclosed bid hashes to the commitment first published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.bids.crypto import matches_commitment

STATUS_WORDS = {
    "planning": _l("Planning"),
    "planned": _l("Planned"),
    "active": _l("Active"),
    "complete": _l("Complete"),
    "cancelled": _l("Cancelled"),
    "unsuccessful": _l("Unsuccessful"),
    "withdrawn": _l("Withdrawn"),
    "pending": _l("Pending"),
    "valid": _l("Valid"),
    "disqualified": _l("Disqualified"),
    "invited": _l("Invited"),
    "terminated": _l("Terminated"),
    "met": _l("Met"),
    "notMet": _l("Not met"),
    "partiallyMet": _l("Partially met"),
    "scheduled": _l("Scheduled"),
}

METHOD_WORDS = {
    "open": _l("Open"),
    "selective": _l("Selective"),
    "limited": _l("Limited"),
    "direct": _l("Direct"),
}


def words(table: dict[str, Any], code: Any) -> str:
    return str(table[code]) if isinstance(code, str) and code in table else str(code or "")


def amount_text(value: Any, currency: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "?"
    return f"{format_decimal(value, '#,##0.00')} {currency or ''}".strip()


# --- small readers of untrusted JSON -------------------------------------------------


def as_list(value: Any) -> list[dict[str, Any]]:
    """The dict entries of ``value`` when it is a list, else nothing."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse_date(value: Any) -> dt.datetime | None:
    """An OCDS date-time as naive UTC (what the page's ``when`` macro takes)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


@dataclass(frozen=True)
class Money:
    amount: float | int
    currency: str


def money(value: Any) -> Money | None:
    value = as_dict(value)
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return None
    return Money(amount, text(value.get("currency")))


def safe_url(value: Any) -> str:
    """Only web links become links: a foreign ``javascript:`` URL stays text."""
    url = text(value)
    return url if url.lower().startswith(("https://", "http://")) else ""


def names(orgs: Any) -> list[str]:
    return [text(o.get("name")) or text(o.get("id")) for o in as_list(orgs)]


# --- sections ----------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    type: str
    url: str
    published: dt.datetime | None
    description: str


def documents(values: Any) -> list[Document]:
    return [
        Document(
            id=text(d.get("id")),
            title=text(d.get("title")) or text(d.get("id")) or _("Untitled document"),
            type=text(d.get("documentType")),
            url=safe_url(d.get("url")),
            published=parse_date(d.get("datePublished")),
            description=text(d.get("description")),
        )
        for d in as_list(values)
    ]


@dataclass(frozen=True)
class Item:
    description: str
    classification: str
    quantity: Any
    unit: str
    unit_value: Money | None
    lot: str


def items(values: Any) -> list[Item]:
    result = []
    for item in as_list(values):
        classification = as_dict(item.get("classification"))
        code = classification.get("id")
        label = " ".join(
            part
            for part in (
                str(code) if code is not None else "",
                text(classification.get("description")),
            )
            if part
        )
        unit = as_dict(item.get("unit"))
        quantity = item.get("quantity")
        result.append(
            Item(
                description=text(item.get("description")) or text(item.get("id")),
                classification=label,
                quantity=quantity
                if isinstance(quantity, int | float) and not isinstance(quantity, bool)
                else None,
                unit=text(unit.get("name")),
                unit_value=money(unit.get("value")),
                lot=text(item.get("relatedLot")),
            )
        )
    return result


@dataclass(frozen=True)
class Award:
    id: str
    title: str
    status: str
    date: dt.datetime | None
    value: Money | None
    suppliers: list[str]
    items: list[Item]
    documents: list[Document]


@dataclass(frozen=True)
class Milestone:
    title: str
    type: str
    status: str
    due: dt.datetime | None
    met: dt.datetime | None


@dataclass(frozen=True)
class Payment:
    id: str
    date: dt.datetime | None
    value: Money | None
    payer: str
    payee: str


@dataclass(frozen=True)
class Amendment:
    date: dt.datetime | None
    rationale: str
    description: str


@dataclass(frozen=True)
class Contract:
    id: str
    award_id: str
    title: str
    status: str
    signed: dt.datetime | None
    start: dt.datetime | None
    end: dt.datetime | None
    value: Money | None
    documents: list[Document]
    amendments: list[Amendment]
    milestones: list[Milestone]
    payments: list[Payment]


def amendments(values: Any) -> list[Amendment]:
    return [
        Amendment(parse_date(a.get("date")), text(a.get("rationale")), text(a.get("description")))
        for a in as_list(values)
    ]


def awards(compiled: dict[str, Any]) -> list[Award]:
    return [
        Award(
            id=text(a.get("id")) or str(a.get("id")),
            title=text(a.get("title")),
            status=text(a.get("status")),
            date=parse_date(a.get("date")),
            value=money(a.get("value")),
            suppliers=names(a.get("suppliers")),
            items=items(a.get("items")),
            documents=documents(a.get("documents")),
        )
        for a in as_list(compiled.get("awards"))
    ]


def contracts(compiled: dict[str, Any]) -> list[Contract]:
    result = []
    for c in as_list(compiled.get("contracts")):
        period = as_dict(c.get("period"))
        implementation = as_dict(c.get("implementation"))
        milestones = [
            Milestone(
                title=text(m.get("title")) or text(m.get("id")),
                type=text(m.get("type")),
                status=text(m.get("status")),
                due=parse_date(m.get("dueDate")),
                met=parse_date(m.get("dateMet")),
            )
            for m in as_list(c.get("milestones")) + as_list(implementation.get("milestones"))
        ]
        payments = [
            Payment(
                id=text(t.get("id")) or str(t.get("id")),
                date=parse_date(t.get("date")),
                value=money(t.get("value")) or money(t.get("amount")),
                payer=(names([t.get("payer")]) or [""])[0],
                payee=(names([t.get("payee")]) or [""])[0],
            )
            for t in as_list(implementation.get("transactions"))
        ]
        result.append(
            Contract(
                id=text(c.get("id")) or str(c.get("id")),
                award_id=text(c.get("awardID")) or str(c.get("awardID") or ""),
                title=text(c.get("title")),
                status=text(c.get("status")),
                signed=parse_date(c.get("dateSigned")),
                start=parse_date(period.get("startDate")),
                end=parse_date(period.get("endDate")),
                value=money(c.get("value")),
                documents=documents(c.get("documents"))
                + documents(implementation.get("documents")),
                amendments=amendments(c.get("amendments")),
                milestones=milestones,
                payments=payments,
            )
        )
    return result


@dataclass(frozen=True)
class ReleaseRow:
    """One release of the log (ours, or an imported one), in publication order."""

    id: str
    sequence: int
    date: dt.datetime | None
    tags: list[str]
    data: dict[str, Any]
    #: When we stored it (ours only): the audit event of the action is next to it.
    created_at: dt.datetime | None = None


# --- bids and their commitments ------------------------------------------------------


@dataclass(frozen=True)
class BidView:
    id: str
    status: str
    date: dt.datetime | None
    tenderers: list[str]
    value: Money | None
    #: The commitment as first published, when and in which release.
    commitment: str
    committed_on: dt.datetime | None
    committed_release: str
    #: True when the commitment in the record differs from the one first published.
    commitment_changed: bool
    disclosed: bool
    #: None while sealed; after opening whether the disclosed bid hashes to the commitment.
    matches: bool | None


def _document_text(bid: dict[str, Any], doc_id: str) -> str | None:
    for doc in as_list(bid.get("documents")):
        if doc.get("id") == doc_id:
            return doc.get("description") if isinstance(doc.get("description"), str) else ""
    return None


def bids(compiled: dict[str, Any], releases: Sequence[ReleaseRow]) -> list[BidView]:
    """Every published bid with the anyone-can-do check of its commitment."""
    first_seen: dict[str, tuple[str, dt.datetime | None, str]] = {}
    for release in releases:
        data = release.data
        for bid in as_list(as_dict(data.get("bids")).get("details")):
            bid_id = str(bid.get("id"))
            if bid_id in first_seen:
                continue
            committed = _document_text(bid, "commitment")
            if committed:
                first_seen[bid_id] = (committed, parse_date(data.get("date")), release.id)
    result = []
    for bid in as_list(as_dict(compiled.get("bids")).get("details")):
        bid_id = str(bid.get("id"))
        current = _document_text(bid, "commitment") or ""
        commitment, when, release_id = first_seen.get(bid_id, (current, None, ""))
        disclosure = _document_text(bid, "disclosure")
        disclosed = disclosure is not None
        result.append(
            BidView(
                id=bid_id,
                status=text(bid.get("status")),
                date=parse_date(bid.get("date")),
                tenderers=names(bid.get("tenderers")),
                value=money(bid.get("value")),
                commitment=commitment,
                committed_on=when,
                committed_release=release_id,
                commitment_changed=bool(current) and current != commitment,
                disclosed=disclosed,
                matches=(bool(commitment) and matches_commitment(disclosure or "", commitment))
                if disclosed
                else None,
            )
        )
    return result
