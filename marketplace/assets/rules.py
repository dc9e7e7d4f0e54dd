"""The rules of an asset's fields, for the form and the CSV import alike: what a buyer
types (:class:`AssetInput`), checked all at once into a :class:`CleanAsset` or an
:class:`AssetError` naming every problem by field. Pure, except :func:`unit_case_ids`,
which reads the business cases an asset of a unit may be linked to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.assets.models import AssetCategory, AssetStatus
from marketplace.tenders.errors import N_, Msg, TenderError

#: Longest free texts.
MAX_DESCRIPTION = 300
MAX_TEXT = 300


class AssetError(TenderError):
    """An asset rule was broken; ``errors`` maps field paths to messages."""


def counted(category: AssetCategory) -> bool:
    return category in (AssetCategory.SOFTWARE_LICENCE, AssetCategory.SAAS)


@dataclass
class AssetInput:
    """What a buyer writes for an asset (a form, or one CSV row): text as typed."""

    category: str
    description: str
    quantity: str = "1"
    unit_cost: str = ""
    currency: str = "MXN"
    location: str = ""
    supplier_name: str = ""
    start_date: str | dt.date | None = None
    end_date: str | dt.date | None = None
    licence_count: str = ""
    seats_used: str = ""
    support_level: str = ""
    status: str = "active"
    notes: str = ""
    #: The unit's business case it serves, by number (as on the case's page), or empty.
    business_case: str | int | None = ""


@dataclass
class CleanAsset:
    category: AssetCategory
    description: str
    quantity: Decimal
    unit_cost: Decimal | None
    currency: str
    location: str
    supplier_name: str
    start_date: dt.date | None
    end_date: dt.date | None
    licence_count: int | None
    seats_used: int | None
    support_level: str
    status: AssetStatus
    notes: str
    business_case_id: int | None


def unit_case_ids(session: Session, org_id: int) -> frozenset[int]:
    """The business cases an asset of the unit may be linked to: the unit's own."""
    from business_cases.models import BusinessCase

    return frozenset(
        session.scalars(select(BusinessCase.id).where(BusinessCase.buyer_org_id == org_id))
    )


def _case(
    raw: str | int | None, case_ids: Collection[int], errors: dict[str, str | Msg]
) -> int | None:
    text = str(raw if raw is not None else "").strip().lstrip("#")
    if not text:
        return None
    if not text.isdigit():
        errors["business_case"] = N_(
            "Write the business case's number, as on its page (e.g. 12), or leave it empty."
        )
        return None
    if int(text) not in case_ids:
        errors["business_case"] = Msg(
            N_("Your unit has no business case number %(value)s."), {"value": text}
        )
        return None
    return int(text)


def _date(raw: str | dt.date | None, path: str, errors: dict[str, str | Msg]) -> dt.date | None:
    if raw is None or isinstance(raw, dt.date):
        return raw
    if not raw.strip():
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        errors[path] = N_("Write the date as YYYY-MM-DD, e.g. 2026-12-31.")
        return None


def _count(raw: str, path: str, errors: dict[str, str | Msg]) -> int | None:
    if not raw.strip():
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        errors[path] = N_("Write a whole number, e.g. 250.")
        return None
    if value < 0:
        errors[path] = N_("The number cannot be negative.")
        return None
    return value


def _decimal(
    raw: str, path: str, errors: dict[str, str | Msg], *, positive: bool
) -> Decimal | None:
    text = raw.strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors[path] = N_("Write a number, e.g. 1200.50.")
        return None
    if not value.is_finite() or value < 0 or (positive and value == 0) or value >= Decimal("1e14"):
        errors[path] = (
            N_("The quantity must be more than zero.") if positive
            else N_("The amount cannot be negative.")
        )  # fmt: skip
        return None
    return value


#: Statuses a buyer may give an asset added by hand (the later ones are moves).
NEW_STATUSES = (AssetStatus.PLANNED, AssetStatus.ACTIVE, AssetStatus.RENEWED,
                AssetStatus.RETIRED)  # fmt: skip


def check_asset(
    data: AssetInput, *, new: bool = True, case_ids: Collection[int] = frozenset()
) -> CleanAsset:
    """Every rule of an asset's fields; AssetError with all the problems at once.
    ``case_ids``: the business cases it may be linked to (:func:`unit_case_ids`)."""
    errors: dict[str, str | Msg] = {}
    try:
        category = AssetCategory(data.category.strip())
    except ValueError:
        errors["category"] = Msg(
            N_("Unknown category %(value)r: use one of %(codes)s."),
            {"value": data.category.strip(), "codes": ", ".join(c.value for c in AssetCategory)},
        )
        category = AssetCategory.SERVICE
    description = data.description.strip()
    if not description:
        errors["description"] = N_("Say what the asset is.")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = Msg(N_("At most %(n)s characters."), {"n": MAX_DESCRIPTION})
    quantity = _decimal(data.quantity or "1", "quantity", errors, positive=True)
    if quantity is not None and quantity != quantity.quantize(Decimal("0.001")):
        errors["quantity"] = N_("Use at most three decimals.")
    unit_cost = _decimal(data.unit_cost, "unit_cost", errors, positive=False)
    if unit_cost is not None and unit_cost != unit_cost.quantize(Decimal("0.0001")):
        errors["unit_cost"] = N_("Use at most four decimals.")
    currency = (data.currency or "MXN").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        errors["currency"] = N_("Write a three-letter currency code, e.g. MXN.")
    start = _date(data.start_date, "start_date", errors)
    end = _date(data.end_date, "end_date", errors)
    if start and end and end < start:
        errors["end_date"] = N_("The end date cannot be before the start date.")
    licences = _count(data.licence_count, "licence_count", errors)
    seats = _count(data.seats_used, "seats_used", errors)
    if licences is not None and seats is not None and seats > licences:
        # Refused, not clamped: more seats in use than licences bought is a compliance
        # problem the unit must resolve (buy more, or correct the count).
        errors["seats_used"] = Msg(
            N_("Seats used (%(seats)s) cannot exceed the licences bought (%(licences)s)."),
            {"seats": seats, "licences": licences},
        )
    counts_given = licences is not None or seats is not None
    if counts_given and not counted(category) and "category" not in errors:
        errors["licence_count" if licences is not None else "seats_used"] = N_(
            "Licences and seats are counted for software licences and SaaS subscriptions only."
        )
    try:
        status = AssetStatus(data.status.strip() or "active")
        if new and status not in NEW_STATUSES:
            raise ValueError(status)
    except ValueError:
        errors["status"] = Msg(
            N_("Unknown status %(value)r: use one of %(codes)s."),
            {"value": data.status.strip(), "codes": ", ".join(s.value for s in NEW_STATUSES)},
        )
        status = AssetStatus.ACTIVE
    for name in ("location", "supplier_name", "support_level"):
        if len(getattr(data, name).strip()) > MAX_TEXT:
            errors[name] = Msg(N_("At most %(n)s characters."), {"n": MAX_TEXT})
    case_id = _case(data.business_case, case_ids, errors)
    if errors:
        raise AssetError(errors)
    assert quantity is not None or data.quantity
    return CleanAsset(
        category=category, description=description, quantity=quantity or Decimal(1),
        unit_cost=unit_cost, currency=currency, location=data.location.strip(),
        supplier_name=data.supplier_name.strip(), start_date=start, end_date=end,
        licence_count=licences, seats_used=seats, support_level=data.support_level.strip(),
        status=status, notes=data.notes.strip(), business_case_id=case_id,
    )  # fmt: skip
