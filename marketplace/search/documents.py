"""One compiled release -> the fields the search index stores for it (pure functions)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

#: Facet of the main amount (award total, else tender value): lower bounds, in any currency.
AMOUNT_BANDS: tuple[tuple[float, str], ...] = (
    (0, "0-100k"),
    (100_000, "100k-1M"),
    (1_000_000, "1M-10M"),
    (10_000_000, "10M-100M"),
    (100_000_000, "100M+"),
)

_PREFIX = re.compile(r"^(ocds-[a-z0-9]{6})-", re.IGNORECASE)


def amount_band(amount: float | None) -> str | None:
    if amount is None:
        return None
    band = AMOUNT_BANDS[0][1]
    for lower, name in AMOUNT_BANDS:
        if amount >= lower:
            band = name
    return band


def ocid_prefix(ocid: str) -> str:
    """The registered prefix of an ocid: who published the process."""
    match = _PREFIX.match(ocid)
    return match.group(1).lower() if match else ocid.split("-", 1)[0]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _amount(value: Any) -> tuple[float, str] | None:
    value = _dict(value)
    amount, currency = value.get("amount"), value.get("currency")
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return None
    return float(amount), currency if isinstance(currency, str) else ""


def _date(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def process_date(compiled: dict[str, Any]) -> dt.datetime | None:
    """When the process went public: tender publication, else its submission period's
    start, else the date of the latest release."""
    tender = _dict(compiled.get("tender"))
    period = _dict(tender.get("tenderPeriod"))
    for candidate in (tender.get("datePublished"), period.get("startDate"), compiled.get("date")):
        parsed = _date(candidate)
        if parsed is not None:
            return parsed
    return None


def _names(orgs: Any) -> list[str]:
    names = []
    for org in _list(orgs):
        name = _text(_dict(org).get("name")) or _text(_dict(org).get("id"))
        if name and name not in names:
            names.append(name)
    return names


def _ids(orgs: Any) -> list[str]:
    ids = []
    for org in _list(orgs):
        raw = _dict(org).get("id")
        value = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
        if value and value not in ids:
            ids.append(value)
    return ids


def document(
    compiled: dict[str, Any], flags: list[str], publisher: str | None = None
) -> dict[str, Any]:
    """The index fields of one process; values the index cannot hold are left out."""
    ocid = str(compiled.get("ocid") or "")
    tender = _dict(compiled.get("tender"))
    buyer = _dict(compiled.get("buyer"))
    awards = [a for a in _list(compiled.get("awards")) if isinstance(a, dict)]
    active = [a for a in awards if a.get("status") == "active"]

    suppliers: list[str] = []
    supplier_ids: list[str] = []
    for award in active or awards:
        suppliers += [n for n in _names(award.get("suppliers")) if n not in suppliers]
        supplier_ids += [i for i in _ids(award.get("suppliers")) if i not in supplier_ids]

    items = _list(tender.get("items"))
    for award in awards:
        items = items + _list(award.get("items"))
    item_words: list[str] = []
    for item in items:
        item = _dict(item)
        classification = _dict(item.get("classification"))
        for part in (
            _text(item.get("description")),
            _text(classification.get("description")),
            str(classification.get("id") or ""),
        ):
            if part and part not in item_words:
                item_words.append(part)

    tender_value = _amount(tender.get("value"))
    award_values = [v for v in (_amount(a.get("value")) for a in active) if v is not None]
    award_total = sum(v[0] for v in award_values) if award_values else None
    currency = (award_values[0][1] if award_values else "") or (
        tender_value[1] if tender_value else ""
    )
    amount = award_total if award_total is not None else (tender_value[0] if tender_value else None)

    status = _text(tender.get("status"))
    if not status and compiled.get("planning"):
        status = "planning"
    date = process_date(compiled)
    buyer_name = _text(buyer.get("name")) or _text(buyer.get("id"))

    fields: dict[str, Any] = {
        "ocid": ocid,
        "title": _text(tender.get("title")) or ocid,
        "description": _text(tender.get("description")),
        "items": "\n".join(item_words),
        # The title twice: a word in the title weighs more in the ranking, without the
        # cost of searching a second field.
        "text": "\n".join(
            [
                _text(tender.get("title")),
                _text(tender.get("title")),
                _text(tender.get("description")),
                *item_words,
                buyer_name,
                *suppliers,
                ocid,
            ]
        ),
        "buyer": buyer_name,
        # Party ids (not names) for the Atom feeds per buyer and per supplier.
        "buyer_id": _text(buyer.get("id")),
        "supplier": "\n".join(suppliers),
        "supplier_ids": "\n".join(supplier_ids),
        "status": status,
        "method": _text(tender.get("procurementMethod")),
        "category": _text(tender.get("mainProcurementCategory")),
        "currency": currency,
        "flag": "\n".join(flags),
        "publisher": publisher or ocid_prefix(ocid),
    }
    updated = _date(compiled.get("date"))
    if updated is not None:
        # The latest release: when the process last changed (the feeds' atom:updated).
        fields["updated"] = updated
    if date is not None:
        fields["date"] = date
        fields["year"] = str(date.year)
    if tender_value is not None:
        fields["tender_amount"] = tender_value[0]
    if award_total is not None:
        fields["award_amount"] = award_total
    if amount is not None:
        fields["amount"] = amount
        fields["amount_band"] = amount_band(amount)
    # Empty strings would become facet values of their own ("no buyer"): leave them out.
    return {k: v for k, v in fields.items() if v not in ("", None)}
