"""The performance section of a tender's releases (our extension,
ocds/extensions/performance): each signed contract's *final* ratings in
``contracts[].performanceRatings`` (scores, narrative, the buyer organisation, the
supplier's reply beside it) and the supplier's late-payment complaints in
``contracts[].latePaymentComplaints``. Registered after the contracts part (this
module's models import the contracts models first). Draft ratings and the people who
rated, replied or complained are never published."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.contracts.life_models import ContractMilestone
from marketplace.contracts.models import Contract
from marketplace.performance.models import (
    AREAS,
    LEVELS,
    LatePaymentComplaint,
    RatingStatus,
    SupplierRating,
)
from marketplace.tenders.models import Tender
from marketplace.tenders.releases import buyer_party_id, iso
from marketplace.tenders.workflow import release_part


def rating_summary(rating: SupplierRating, milestone_local_id: str | None,
                   rater: dict[str, str]) -> dict[str, Any]:  # fmt: skip
    """The public summary of one final rating (the extension's PerformanceRating)."""
    data: dict[str, Any] = {
        "id": rating.local_id,
        "date": iso(rating.rated_at),
        "stage": "milestone" if milestone_local_id else "contractEnd",
        "ratedBy": rater,
        "scores": {
            code: {"score": getattr(rating, column), "level": LEVELS[getattr(rating, column)]}
            for column, code in AREAS
        },  # fmt: skip
        "narrative": rating.narrative,
        "status": rating.status.value,
    }
    if milestone_local_id:
        data["relatedMilestone"] = milestone_local_id
    if rating.final_at:
        data["dateFinal"] = iso(rating.final_at)
    if rating.replied_at:
        data["reply"] = {"date": iso(rating.replied_at), "text": rating.reply}
    return data


@release_part
def performance_part(session: Session, tender: Tender, release: dict[str, Any]) -> None:
    """Add each published contract's final ratings and late-payment complaints."""
    sections = release.get("contracts")
    if not sections:
        return
    rater = {"id": buyer_party_id(tender.buyer), "name": tender.buyer.name}
    ratings: dict[str, list[dict[str, Any]]] = {}
    for local_id, rating, milestone_id in session.execute(
        select(Contract.local_id, SupplierRating, ContractMilestone.local_id)
        .join(SupplierRating, SupplierRating.contract_id == Contract.id)
        .outerjoin(ContractMilestone, ContractMilestone.id == SupplierRating.milestone_id)
        .where(Contract.tender_id == tender.id, SupplierRating.status == RatingStatus.FINAL)
        .order_by(SupplierRating.id)
    ):
        ratings.setdefault(local_id, []).append(rating_summary(rating, milestone_id, rater))
    complaints: dict[str, list[dict[str, Any]]] = {}
    for local_id, complaint in session.execute(
        select(Contract.local_id, LatePaymentComplaint)
        .join(LatePaymentComplaint, LatePaymentComplaint.contract_id == Contract.id)
        .where(Contract.tender_id == tender.id)
        .order_by(LatePaymentComplaint.id)
    ):
        complaints.setdefault(local_id, []).append(
            {"id": complaint.local_id, "date": iso(complaint.filed_at),
             "dueDate": iso(complaint.due_date), "description": complaint.description}
        )  # fmt: skip
    for section in sections:
        if section.get("id") in ratings:
            section["performanceRatings"] = ratings[section["id"]]
        if section.get("id") in complaints:
            section["latePaymentComplaints"] = complaints[section["id"]]
