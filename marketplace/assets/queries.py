"""Reading the register: a unit's register, the expiring views (a unit's, and across
government with public fields only), a supplier's assets, and actual against planned
cost (contract payments rolled up per asset and per business case)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from business_cases.lights import CostLight, cost_light
from marketplace.assets.models import Asset, AssetCategory, AssetEvent, AssetStatus
from marketplace.assets.states import LIVE
from marketplace.contracts.life_models import ContractPayment

#: Rows per page of every list.
PAGE = 100
#: Default horizon of the expiring views.
EXPIRING_DAYS = 90


@dataclass
class Page:
    rows: list[Asset]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE))


def _page(session: Session, query: Select[Asset], page: int) -> Page:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(
        query.options(selectinload(Asset.supplier), selectinload(Asset.owner))
        .limit(PAGE)
        .offset((max(page, 1) - 1) * PAGE)
    ).all()
    return Page(list(rows), total or 0, max(page, 1))


def register(
    session: Session, org_id: int, *, status: str = "", category: str = "", page: int = 1
) -> Page:
    """The unit's assets, soonest end first (no end date last)."""
    query = select(Asset).where(Asset.owner_org_id == org_id)
    if status in AssetStatus.__members__.values():
        query = query.where(Asset.status == AssetStatus(status))
    if category in AssetCategory.__members__.values():
        query = query.where(Asset.category == AssetCategory(category))
    query = query.order_by(Asset.end_date.is_(None), Asset.end_date, Asset.id)
    return _page(session, query, page)


def expiring(
    session: Session, today: dt.date, *, org_id: int | None = None, days: int = EXPIRING_DAYS,
    page: int = 1,
) -> Page:  # fmt: skip
    """Assets in use whose end date is within ``days`` ahead, or passed less than
    ``days`` ago without a renewal, retirement or disposal, soonest first; one unit's or
    every unit's. (Older undecided ones stay in the unit's register as renewal due.)"""
    query = select(Asset).where(
        Asset.end_date >= today - dt.timedelta(days=days),
        Asset.end_date <= today + dt.timedelta(days=days),
        Asset.status.in_(LIVE),
    )
    if org_id is not None:
        query = query.where(Asset.owner_org_id == org_id)
    return _page(session, query.order_by(Asset.end_date, Asset.id), page)


@dataclass
class SupplierAssets:
    """What the government holds from one supplier."""

    by_category: list[tuple[str, int, Decimal]] = field(default_factory=list)
    live: int = 0
    expiring: Page | None = None


def supplier_assets(
    session: Session, supplier_id: int, today: dt.date, page: int = 1
) -> SupplierAssets:
    counts = session.execute(
        select(
            Asset.category,
            func.count(Asset.id),
            func.coalesce(func.sum(Asset.quantity * Asset.unit_cost), 0),
        )
        .where(Asset.supplier_id == supplier_id, Asset.status.in_(LIVE))
        .group_by(Asset.category)
        .order_by(Asset.category)
    ).all()
    query = (
        select(Asset)
        .where(Asset.supplier_id == supplier_id, Asset.status.in_(LIVE))
        .order_by(Asset.end_date.is_(None), Asset.end_date, Asset.id)
    )
    return SupplierAssets(
        by_category=[(c.value, n, Decimal(v).quantize(Decimal("0.01"))) for c, n, v in counts],
        live=sum(n for _c, n, _v in counts),
        expiring=_page(session, query, page),
    )


def history(session: Session, asset: Asset) -> list[AssetEvent]:
    return list(
        session.scalars(
            select(AssetEvent).where(AssetEvent.asset_id == asset.id).order_by(AssetEvent.id)
        )
    )


# --- actual against planned cost ----------------------------------------------------


def _paid(session: Session, contract_ids: list[int]) -> Decimal:
    if not contract_ids:
        return Decimal(0)
    total = session.scalar(
        select(func.sum(ContractPayment.amount)).where(
            ContractPayment.contract_id.in_(contract_ids)
        )
    )
    return Decimal(total or 0)


def actual_cost(session: Session, asset: Asset) -> Decimal | None:
    """The contract's payments so far, shared among its assets in proportion to their
    planned cost (equally when a unit cost is unknown); None without a contract."""
    if asset.contract_id is None:
        return None
    paid = _paid(session, [asset.contract_id])
    siblings = session.scalars(select(Asset).where(Asset.contract_id == asset.contract_id)).all()
    costs = [a.planned_cost for a in siblings]
    if all(c is not None for c in costs) and sum(c for c in costs if c is not None) > 0:
        share = (asset.planned_cost or Decimal(0)) / sum(c for c in costs if c is not None)
    else:
        share = Decimal(1) / len(siblings)
    return (paid * share).quantize(Decimal("0.01"))


@dataclass
class ProjectCost:
    """A business case's planned TCO against what its contracts have paid."""

    case_id: int
    title: str
    planned: Decimal | None
    actual: Decimal
    light: CostLight

    @property
    def variance(self) -> Decimal | None:
        return None if self.planned is None else self.actual - self.planned


def project_cost(session: Session, case_id: int) -> ProjectCost | None:
    """The case's planned cost (the preferred option's undiscounted total, as the
    progress lights use) against the payments of the contracts of its assets; the
    light's thresholds are the case progress ones (business_cases/lights.py)."""
    from business_cases.models import BusinessCase
    from business_cases.progress import planned_cost

    case = session.get(BusinessCase, case_id)
    if case is None:
        return None
    contract_ids = list(
        session.scalars(
            select(Asset.contract_id)
            .where(Asset.business_case_id == case_id, Asset.contract_id.is_not(None))
            .distinct()
        )
    )
    ids = [c for c in contract_ids if c is not None]
    planned = planned_cost(case)
    actual = _paid(session, ids)
    return ProjectCost(case.id, case.title, planned, actual, cost_light(planned, actual, None))
