"""What the ratings add up to, per supplier (final ratings only), and the late-payment
complaints per buyer. Every figure is one SQL aggregate query, whatever the number of
ratings: the supplier page and the buyer's evaluation page stay fast."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Organisation
from marketplace.contracts.life_models import ContractMilestone
from marketplace.contracts.models import Contract
from marketplace.performance.models import (
    AREAS,
    LatePaymentComplaint,
    RatingStatus,
    SupplierRating,
)
from marketplace.tenders.models import Tender


@dataclass(frozen=True)
class YearAverage:
    year: int
    average: float
    count: int


@dataclass(frozen=True)
class SupplierPerformance:
    """A supplier's final ratings in figures."""

    count: int
    #: Area column -> average score (0..4), in ``AREAS`` order.
    by_area: dict[str, float]
    #: Average of all five areas over all ratings.
    overall: float
    #: Share (0..1) of ratings with at least one area marginal or worse.
    low_share: float
    #: Average per year of finalisation, oldest first.
    trend: list[YearAverage] = field(default_factory=list)

    @property
    def direction(self) -> str:
        """``up``, ``down`` or ``flat``: the last year against the one before."""
        if len(self.trend) < 2:
            return "flat"
        delta = self.trend[-1].average - self.trend[-2].average
        return "up" if delta >= 0.25 else "down" if delta <= -0.25 else "flat"


_FINAL = SupplierRating.status == RatingStatus.FINAL


def _area_columns() -> list[object]:
    return [func.avg(getattr(SupplierRating, column)) for column, _code in AREAS]


def performance_of(session: Session, supplier_ids: Iterable[int]) -> dict[int, SupplierPerformance]:
    """The figures of several suppliers at once (two queries); suppliers without a final
    rating are absent."""
    ids = sorted(set(supplier_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(
            SupplierRating.supplier_id,
            func.count(SupplierRating.id),
            func.avg(SupplierRating.total),
            func.avg(SupplierRating.low),
            *_area_columns(),
        )
        .where(_FINAL, SupplierRating.supplier_id.in_(ids))
        .group_by(SupplierRating.supplier_id)
    ).all()
    year = extract("year", SupplierRating.final_at)
    trends: dict[int, list[YearAverage]] = {}
    for supplier_id, y, average, count in session.execute(
        select(
            SupplierRating.supplier_id,
            year,
            func.avg(SupplierRating.total),
            func.count(SupplierRating.id),
        )  # fmt: skip
        .where(_FINAL, SupplierRating.supplier_id.in_(ids))
        .group_by(SupplierRating.supplier_id, year)
        .order_by(SupplierRating.supplier_id, year)
    ):
        trends.setdefault(supplier_id, []).append(
            YearAverage(int(y), round(float(average) / len(AREAS), 2), count)
        )
    result = {}
    for supplier_id, count, total, low, *areas in rows:
        result[supplier_id] = SupplierPerformance(
            count=count,
            by_area={c: round(float(a), 2) for (c, _code), a in zip(AREAS, areas, strict=True)},
            overall=round(float(total) / len(AREAS), 2),
            low_share=float(low),
            trend=trends.get(supplier_id, []),
        )
    return result


def supplier_performance(session: Session, supplier_id: int) -> SupplierPerformance | None:
    return performance_of(session, [supplier_id]).get(supplier_id)


@dataclass(frozen=True)
class PublicRating:
    """A final rating as the supplier page lists it (no person named)."""

    rating: SupplierRating
    buyer_name: str
    ocid: str | None
    contract_local_id: str
    milestone_title: str | None


def recent_final_ratings(session: Session, supplier_id: int, limit: int = 10) -> list[PublicRating]:
    """The supplier's latest final ratings with their replies (one query, newest first)."""
    rows = session.execute(
        select(
            SupplierRating,
            Organisation.name,
            Tender.ocid,
            Contract.local_id,
            ContractMilestone.title,
        )  # fmt: skip
        .join(Contract, Contract.id == SupplierRating.contract_id)
        .join(Tender, Tender.id == Contract.tender_id)
        .join(Organisation, Organisation.id == SupplierRating.buyer_org_id)
        .outerjoin(ContractMilestone, ContractMilestone.id == SupplierRating.milestone_id)
        .where(_FINAL, SupplierRating.supplier_id == supplier_id)
        .order_by(SupplierRating.final_at.desc(), SupplierRating.id.desc())
        .limit(limit)
    ).all()
    return [PublicRating(*row) for row in rows]


def late_payment_count(session: Session, buyer_org_id: int) -> int:
    return (
        session.scalar(
            select(func.count(LatePaymentComplaint.id)).where(
                LatePaymentComplaint.buyer_org_id == buyer_org_id
            )
        )
        or 0
    )


def is_overdue(rating: SupplierRating, now: dt.datetime) -> bool:
    return rating.status == RatingStatus.DRAFT and rating.reply_due < now


def buyer_of_party(session: Session, party_id: str) -> Organisation | None:
    """The purchasing unit of an OCDS buyer party id (its code, else ``org-<id>``)."""
    org = session.scalar(select(Organisation).where(Organisation.code == party_id))
    if org is None and party_id.startswith("org-") and party_id[4:].isdigit():
        org = session.get(Organisation, int(party_id[4:]))
    return org


def late_payments_of_party(session: Session, party_id: str) -> int:
    """Late-payment complaints filed against the buyer with this OCDS party id."""
    org = buyer_of_party(session, party_id)
    return late_payment_count(session, org.id) if org is not None else 0
