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
from collections.abc import Collection
from dataclasses import dataclass

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
from marketplace.assets.rules import (
    MAX_DESCRIPTION,
    NEW_STATUSES,
    AssetError,
    AssetInput,
    CleanAsset,
    check_asset,
    counted,
    unit_case_ids,
)
from marketplace.assets.states import ALERT_DAYS, BUYER_MOVES, LIVE, RENEWABLE
from marketplace.contracts.hooks import on_signed
from marketplace.contracts.models import Contract
from marketplace.db import utcnow
from marketplace.inbox.services import notify
from marketplace.tenders.errors import N_, Msg

__all__ = [
    "NEW_STATUSES", "AssetError", "AssetInput", "CleanAsset", "NotYourAsset", "add_asset",
    "check_asset", "move_asset", "unit_case_ids", "update_asset",
]  # fmt: skip


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
        is_counted = counted(category)
        asset = Asset(
            owner_org_id=contract.tender.buyer_org_id, category=category,
            description=line.item.description[:MAX_DESCRIPTION], quantity=line.quantity,
            unit_cost=line.unit_price, currency=line.currency,
            supplier_id=contract.award.supplier_id, contract_id=contract.id,
            local_id=f"asset-{n}", item_local_id=line.item.local_id, business_case_id=case_id,
            start_date=start, end_date=end, status=status, source=AssetSource.CONTRACT,
            licence_count=int(line.quantity) if is_counted else None,
        )  # fmt: skip
        session.add(asset)
        session.flush()
        _event(session, asset, "created", user, now, details=f"{contract.local_id} firmado")
        made.append(asset)
    return made


# --- by hand (field rules: rules.py) --------------------------------------------------


def require_buyer(user: User) -> None:
    if user.role != Role.BUYER or user.organisation_id is None:
        raise NotYourAsset()


def require_owner(asset: Asset, user: User) -> None:
    require_buyer(user)
    if asset.owner_org_id != user.organisation_id:
        raise NotYourAsset()


def add_asset(
    session: Session, user: User, data: AssetInput, now: dt.datetime | None = None,
    source: AssetSource = AssetSource.MANUAL, case_ids: Collection[int] | None = None,
) -> Asset:  # fmt: skip
    """An asset added by hand (or imported) to the user's unit, linked to one of the
    unit's business cases if given (``case_ids``: the unit's, when already known)."""
    now = (now or utcnow()).replace(microsecond=0)
    require_buyer(user)
    assert user.organisation_id is not None
    if case_ids is None:
        case_ids = unit_case_ids(session, user.organisation_id)
    clean = check_asset(data, case_ids=case_ids)
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
    "support_level": "Soporte", "notes": "Notas", "business_case_id": "Caso de negocio",
}  # fmt: skip
#: Kept as signed for an asset of a contract (its case comes from the tender's plan line).
_FROM_CONTRACT = ("category", "supplier_name", "currency", "business_case_id")


def update_asset(
    session: Session, asset: Asset, user: User, data: AssetInput, now: dt.datetime | None = None
) -> Asset:
    """Edit an asset's fields (its status moves with :func:`move_asset`). For an asset of
    a contract, the contract's fields (category, supplier, currency, business case) stay
    as signed."""
    now = (now or utcnow()).replace(microsecond=0)
    require_owner(asset, user)
    data.status = asset.status.value
    if asset.contract_id is not None:
        data.business_case = ""  # kept as signed (below)
    clean = check_asset(data, new=False, case_ids=unit_case_ids(session, asset.owner_org_id))
    changes = []
    for name, label in _LABELS.items():
        if asset.contract_id is not None and name in _FROM_CONTRACT:
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
