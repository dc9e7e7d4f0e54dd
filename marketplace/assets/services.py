"""The asset register's rules: assets from a signed contract, assets added or edited by
hand, lifecycle moves, renewal alerts (driven by the tick).

Every write is one call in the caller's transaction: the change, its history row and,
for an asset of a contract, the contract's ``implementation`` release (the asset
summaries are public in ``contracts[].assets``) commit together. Rules broken raise
:class:`AssetError` with field paths before anything is written; an asset of another
unit raises :class:`NotYourAsset`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.assets.models import (
    Asset,
    AssetAlert,
    AssetCategory,
    AssetEvent,
    AssetSource,
    AssetStatus,
)
from marketplace.assets.states import ALERT_DAYS, BUYER_MOVES, LIVE, RENEWABLE
from marketplace.contracts.hooks import on_signed
from marketplace.contracts.models import Contract
from marketplace.db import utcnow
from marketplace.inbox.services import notify
from marketplace.tenders.errors import N_, Msg, TenderError

#: Longest free texts.
MAX_DESCRIPTION = 300
MAX_TEXT = 300


class AssetError(TenderError):
    """An asset rule was broken; ``errors`` maps field paths to messages."""


class NotYourAsset(PermissionError):
    """The asset belongs to another purchasing unit."""

    def __init__(self) -> None:
        super().__init__("This asset belongs to another purchasing unit.")


# --- from a signed contract ----------------------------------------------------------

_SAAS_WORDS = ("saas", "suscrip", "subscription", "nube", "cloud", "en línea")
_TELECOM_WORDS = ("enlace", "internet", "telefon", "telecom", "conectividad", "red wan")


def category_for(classification_id: str, description: str) -> AssetCategory:
    """A category from the item's UNSPSC code and words: 4323… software (a subscription
    when it says so), other 43… hardware, 83… telecom, 81… services (telecom or a
    subscription when they say so)."""
    code, words = classification_id or "", description.lower()
    if code.startswith("4323"):
        saas = any(w in words for w in _SAAS_WORDS)
        return AssetCategory.SAAS if saas else AssetCategory.SOFTWARE_LICENCE
    if code.startswith("43"):
        return AssetCategory.HARDWARE
    if code.startswith("83") or any(w in words for w in _TELECOM_WORDS):
        return AssetCategory.TELECOM
    if any(w in words for w in _SAAS_WORDS):
        return AssetCategory.SAAS
    return AssetCategory.SERVICE


def _counted(category: AssetCategory) -> bool:
    return category in (AssetCategory.SOFTWARE_LICENCE, AssetCategory.SAAS)


def _event(
    session: Session, asset: Asset, action: str, user: User | None, now: dt.datetime,
    before: AssetStatus | None = None, details: str = "",
) -> None:  # fmt: skip
    session.add(AssetEvent(
        asset_id=asset.id, at=now, by_user_id=user.id if user else None, action=action,
        from_status=before.value if before else "", to_status=asset.status.value,
        details=details,
    ))  # fmt: skip


def _case_of(session: Session, contract: Contract) -> int | None:
    from business_cases.models import BusinessCase
    from marketplace.plans.models import PlanLine

    return session.scalar(
        select(BusinessCase.id)
        .join(PlanLine, BusinessCase.plan_line_id == PlanLine.id)
        .where(PlanLine.tender_id == contract.tender_id)
        .order_by(BusinessCase.id)
        .limit(1)
    )


@on_signed
def assets_from_contract(
    session: Session, contract: Contract, user: User, now: dt.datetime
) -> list[Asset]:
    """Each item of the signed contract becomes an asset of the buyer's unit (planned
    when the contract starts later, else active), before the signing release is built."""
    from marketplace.contracts.releases import contract_lines

    start = contract.period_start.date() if contract.period_start else None
    end = contract.period_end.date() if contract.period_end else None
    status = AssetStatus.PLANNED if start and start > now.date() else AssetStatus.ACTIVE
    case_id = _case_of(session, contract)
    made = []
    for n, line in enumerate(contract_lines(session, contract), start=1):
        category = category_for(line.item.classification_id, line.item.description)
        counted = _counted(category)
        asset = Asset(
            owner_org_id=contract.tender.buyer_org_id, category=category,
            description=line.item.description[:MAX_DESCRIPTION], quantity=line.quantity,
            unit_cost=line.unit_price, currency=line.currency,
            supplier_id=contract.award.supplier_id, contract_id=contract.id,
            local_id=f"asset-{n}", item_local_id=line.item.local_id, business_case_id=case_id,
            start_date=start, end_date=end, status=status, source=AssetSource.CONTRACT,
            licence_count=int(line.quantity) if counted else None,
        )  # fmt: skip
        session.add(asset)
        session.flush()
        _event(session, asset, "created", user, now, details=f"{contract.local_id} firmado")
        made.append(asset)
    return made


# --- by hand ---------------------------------------------------------------------------


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


def check_asset(data: AssetInput, *, new: bool = True) -> CleanAsset:
    """Every rule of an asset's fields; AssetError with all the problems at once."""
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
    if counts_given and not _counted(category) and "category" not in errors:
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
    if errors:
        raise AssetError(errors)
    assert quantity is not None or data.quantity
    return CleanAsset(
        category=category, description=description, quantity=quantity or Decimal(1),
        unit_cost=unit_cost, currency=currency, location=data.location.strip(),
        supplier_name=data.supplier_name.strip(), start_date=start, end_date=end,
        licence_count=licences, seats_used=seats, support_level=data.support_level.strip(),
        status=status, notes=data.notes.strip(),
    )  # fmt: skip


def require_buyer(user: User) -> None:
    if user.role != Role.BUYER or user.organisation_id is None:
        raise NotYourAsset()


def require_owner(asset: Asset, user: User) -> None:
    require_buyer(user)
    if asset.owner_org_id != user.organisation_id:
        raise NotYourAsset()


def add_asset(
    session: Session, user: User, data: AssetInput, now: dt.datetime | None = None,
    source: AssetSource = AssetSource.MANUAL,
) -> Asset:  # fmt: skip
    """An asset added by hand (or imported) to the user's unit."""
    now = (now or utcnow()).replace(microsecond=0)
    require_buyer(user)
    clean = check_asset(data)
    assert user.organisation_id is not None
    asset = Asset(owner_org_id=user.organisation_id, source=source, **clean.__dict__)
    session.add(asset)
    session.flush()
    _event(session, asset, "created", user, now,
           details="importado de CSV" if source == AssetSource.IMPORT else "")  # fmt: skip
    return asset


_LABELS = {
    "category": "Categoría", "description": "Descripción", "quantity": "Cantidad",
    "unit_cost": "Costo unitario", "currency": "Moneda", "location": "Ubicación",
    "supplier_name": "Proveedor", "start_date": "Inicio", "end_date": "Fin",
    "licence_count": "Licencias", "seats_used": "Puestos usados",
    "support_level": "Soporte", "notes": "Notas",
}  # fmt: skip


def update_asset(
    session: Session, asset: Asset, user: User, data: AssetInput, now: dt.datetime | None = None
) -> Asset:
    """Edit an asset's fields (its status moves with :func:`move_asset`). For an asset of
    a contract, the contract's fields (category, supplier, currency) stay as signed."""
    now = (now or utcnow()).replace(microsecond=0)
    require_owner(asset, user)
    data.status = asset.status.value
    clean = check_asset(data, new=False)
    changes = []
    for name, label in _LABELS.items():
        if asset.contract_id is not None and name in ("category", "supplier_name", "currency"):
            continue
        old, new = getattr(asset, name), getattr(clean, name)
        if old != new and not (old is not None and new is not None and str(old) == str(new)):
            changes.append(f"{label}: {old if old not in (None, '') else '—'} → "
                           f"{new if new not in (None, '') else '—'}")  # fmt: skip
            setattr(asset, name, new)
    if not changes:
        raise AssetError(N_("Nothing changed."))
    session.flush()
    _event(session, asset, "edited", user, now, details="; ".join(changes))
    _publish(session, asset, now)
    return asset


def move_asset(
    session: Session, asset: Asset, user: User, to: str, new_end: dt.date | None = None,
    note: str = "", now: dt.datetime | None = None,
) -> Asset:  # fmt: skip
    """A lifecycle move by a buyer of the unit; a renewal needs a later end date."""
    now = (now or utcnow()).replace(microsecond=0)
    require_owner(asset, user)
    try:
        target = AssetStatus(to)
    except ValueError:
        raise AssetError(N_("Choose what happens to the asset."), "status") from None
    if target not in BUYER_MOVES[asset.status]:
        raise AssetError(
            Msg(N_("An asset that is %(now)s cannot become %(to)s."),
                {"now": asset.status.value, "to": target.value}), "status",
        )  # fmt: skip
    details = note.strip()
    if target == AssetStatus.RENEWED:
        if new_end is None:
            raise AssetError(N_("Give the new end date of the renewal."), "end_date")
        if asset.end_date is not None and new_end <= asset.end_date:
            raise AssetError(N_("The new end date must be after the current one."), "end_date")
        if asset.start_date is not None and new_end < asset.start_date:
            raise AssetError(N_("The end date cannot be before the start date."), "end_date")
        details = f"Fin: {asset.end_date or '—'} → {new_end}" + (f". {details}" if details else "")
        asset.end_date = new_end
    before = asset.status
    asset.status = target
    session.flush()
    _event(session, asset, "renewed" if target == AssetStatus.RENEWED else "status", user, now,
           before, details)  # fmt: skip
    _publish(session, asset, now)
    return asset


def _publish(session: Session, asset: Asset, now: dt.datetime) -> None:
    """An asset of a contract is public: publish the contract's implementation release."""
    if asset.contract_id is None:
        return
    from marketplace.assets.releases import publish_asset_change

    publish_asset_change(session, asset, now)


# --- the tick ------------------------------------------------------------------------


@dataclass
class TickResult:
    activated: int = 0
    renewal_due: int = 0
    alerts: int = 0


def _buyers(session: Session, org_id: int) -> list[User]:
    return list(session.scalars(
        select(User).where(User.organisation_id == org_id, User.role == Role.BUYER,
                           User.is_active.is_(True)).order_by(User.id)
    ))  # fmt: skip


def due_alert(days_left: int, already: int | None) -> int | None:
    """The alert to send with ``days_left`` to the end, given the most urgent one already
    sent for this end date (None: none). Only the most urgent threshold crossed goes out,
    and never one less urgent than what was sent (a tick missed for days sends the 7-day
    alert, not the 30-day one late)."""
    crossed = [d for d in ALERT_DAYS if days_left <= d]
    if not crossed or days_left < 0:
        return None
    due = min(crossed)
    return due if already is None or due < already else None


def apply_due(session: Session, now: dt.datetime) -> TickResult:
    """Planned assets whose start has come become active; live assets whose end is 30,
    15 or 7 days away get their alert (once each) and become renewal due."""
    today = now.date()
    result = TickResult()
    for asset in session.scalars(
        select(Asset).where(Asset.status == AssetStatus.PLANNED, Asset.start_date <= today)
        .order_by(Asset.id)
    ):  # fmt: skip
        asset.status = AssetStatus.ACTIVE
        session.flush()
        _event(session, asset, "status", None, now, AssetStatus.PLANNED, "Inicio del periodo")
        _publish(session, asset, now)
        result.activated += 1
    horizon = today + dt.timedelta(days=max(ALERT_DAYS))
    candidates = session.scalars(
        select(Asset)
        .where(Asset.status.in_([s for s in LIVE if s != AssetStatus.PLANNED]),
               Asset.end_date.is_not(None), Asset.end_date >= today, Asset.end_date <= horizon)
        .order_by(Asset.end_date, Asset.id)
    ).all()  # fmt: skip
    for asset in candidates:
        assert asset.end_date is not None
        already = session.scalar(
            select(func.min(AssetAlert.days_before)).where(
                AssetAlert.asset_id == asset.id, AssetAlert.end_date == asset.end_date
            )
        )
        days = due_alert((asset.end_date - today).days, already)
        if days is None:
            continue
        session.add(AssetAlert(asset_id=asset.id, days_before=days, end_date=asset.end_date,
                               created_at=now, owner_org_id=asset.owner_org_id))  # fmt: skip
        left = (asset.end_date - today).days
        for buyer in _buyers(session, asset.owner_org_id):
            notify(
                session, buyer, "asset.renewal",
                f"Renewal due in {left} days: {asset.description}",
                f"{asset.description} ({asset.category.value}, {asset.supplier_label or '—'}) "
                f"ends on {asset.end_date:%Y-%m-%d}. Renew it, retire it or dispose of it.",
                link=f"/buyer/assets/{asset.id}",
            )  # fmt: skip
        result.alerts += 1
        if asset.status in RENEWABLE:
            before = asset.status
            asset.status = AssetStatus.RENEWAL_DUE
            session.flush()
            _event(session, asset, "status", None, now, before,
                   f"Vence el {asset.end_date:%Y-%m-%d}")  # fmt: skip
            _publish(session, asset, now)
            result.renewal_due += 1
    session.flush()
    return result
