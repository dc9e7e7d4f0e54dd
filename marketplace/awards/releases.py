"""The ``awards`` section of a tender's releases.

Each Award row is an OCDS award with ``relatedLots``, ``relatedBid`` (bid extension) and
its supplier, whose ``parties`` entry is the tenderer's entry with the ``supplier`` role
added (one entry per organisation). Documents carry what OCDS 1.1.5 has no field for:

- ``evaluation-<lot>`` (``evaluationReports``): the lot's ranking as JSON (price,
  price score, average quality and technical scores, total, rank per bid), published
  with the award decision;
- ``complaint-<n>`` (``complaints``): a losing bidder's complaint and, once given, the
  buyer's resolution;
- ``cancellation`` (``cancellationDetails``): why the award was cancelled.

The standstill period's end is said in the award's description. A lot declared
unsuccessful gets the lot status ``unsuccessful``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

# A module import: evaluation imports the models, which import this module.
from marketplace.awards import evaluation
from marketplace.awards.models import Award, AwardStatus, Complaint, ComplaintStatus
from marketplace.suppliers.ocds import supplier_party
from marketplace.tenders.models import Tender
from marketplace.tenders.releases import iso, money, number, process_url
from marketplace.tenders.workflow import release_part

if TYPE_CHECKING:
    from marketplace.awards.evaluation import LotRanking

STATUS_ES = {
    ComplaintStatus.PENDING: "pendiente de resolución",
    ComplaintStatus.UPHELD: "procedente",
    ComplaintStatus.REJECTED: "improcedente",
}


def tender_awards(session: Session, tender: Tender) -> list[Award]:
    return list(
        session.scalars(select(Award).where(Award.tender_id == tender.id).order_by(Award.id))
    )


def tender_complaints(session: Session, tender: Tender) -> list[Complaint]:
    return list(
        session.scalars(
            select(Complaint).where(Complaint.tender_id == tender.id).order_by(Complaint.id)
        )
    )


def _dec(value: Decimal | None) -> int | float | None:
    return None if value is None else number(value)


def evaluation_json(ranking: LotRanking) -> str:
    """The published evaluation of a lot (stable keys, Spanish-neutral numbers)."""
    rows = [
        {
            "bid": r.bid.public_id,
            "tenderer": r.bid.supplier.party_id,
            "price": _dec(r.price),
            "priceScore": _dec(r.price_score),
            "quality": _dec(r.quality),
            "technical": _dec(r.technical),
            "evaluators": r.evaluators,
            "total": _dec(r.total),
            "rank": r.rank,
            "comments": r.comments,
        }
        for r in ranking.rows
    ]
    disqualified = [b.public_id for b in ranking.disqualified]
    return json.dumps(
        {"lot": ranking.lot, "ranking": rows, "disqualified": disqualified},
        ensure_ascii=False, sort_keys=True,
    )  # fmt: skip


def complaint_document(complaint: Complaint, ocid: str) -> dict[str, Any]:
    text = f"Inconformidad: {complaint.grounds}\n\nEstado: {STATUS_ES[complaint.status]}."
    if complaint.status != ComplaintStatus.PENDING:
        text += f"\n\nResolución del comprador: {complaint.resolution}"
    doc: dict[str, Any] = {
        "id": complaint.local_id,
        "documentType": "complaints",
        "title": f"Inconformidad de {complaint.supplier.legal_name}",
        "description": text,
        "url": f"{process_url(ocid)}/complaints#{complaint.local_id}",
        "datePublished": iso(complaint.filed_at),
    }
    if complaint.resolved_at is not None:
        doc["dateModified"] = iso(complaint.resolved_at)
    return doc


def _award(
    award: Award, tender: Tender, rankings: dict[str, LotRanking], complaints: list[Complaint]
) -> dict[str, Any]:
    assert tender.ocid
    entry: dict[str, Any] = {
        "id": award.local_id,
        "title": award.title or None,
        "status": award.status.value,
        "date": iso(award.date),
    }
    description = award.description
    if award.standstill_end is not None and award.status != AwardStatus.UNSUCCESSFUL:
        description += (
            f"\n\nPeriodo de inconformidades (standstill) hasta el {iso(award.standstill_end)}."
        )
    if award.status_reason:
        description += f"\n\nMotivo: {award.status_reason}"
    entry["description"] = description.strip() or None
    entry["value"] = money(award.value_amount, award.currency)
    if award.supplier is not None:
        entry["suppliers"] = [{"id": award.supplier.party_id, "name": award.supplier.legal_name}]
    if award.related_lot:
        entry["relatedLots"] = [award.related_lot]
    docs: list[dict[str, Any]] = []
    if award.bid is not None:
        entry["relatedBid"] = award.bid.public_id
    ranking = rankings.get(award.related_lot)
    # The ranking the decision stood on (scores are frozen while an award holds the lot).
    if ranking is not None and award.status in (AwardStatus.PENDING, AwardStatus.ACTIVE):
        docs.append({
            "id": f"evaluation-{award.related_lot or 'tender'}",
            "documentType": "evaluationReports",
            "title": "Evaluación y orden de prelación de las propuestas",
            "description": evaluation_json(ranking),
            "format": "application/json",
            "datePublished": iso(award.date),
        })  # fmt: skip
    docs.extend(complaint_document(c, tender.ocid) for c in complaints)
    if award.status == AwardStatus.CANCELLED:
        docs.append({
            "id": "cancellation",
            "documentType": "cancellationDetails",
            "title": "Motivo de la cancelación de la adjudicación",
            "description": award.status_reason,
            "datePublished": iso(award.updated_at),
        })  # fmt: skip
    if docs:
        entry["documents"] = docs
    return {k: v for k, v in entry.items() if v is not None}


def _merge_party(release: dict[str, Any], party: dict[str, Any], role: str) -> None:
    """Add ``role`` to the party's existing entry, or add the entry: one per id."""
    parties: list[dict[str, Any]] = release.setdefault("parties", [])
    for existing in parties:
        if existing["id"] == party["id"]:
            if role not in existing.setdefault("roles", []):
                existing["roles"].append(role)
            return
    parties.append(party)


# Registered after the bids part (awards.models imports bids.models first), so the
# tenderers' parties entries exist when the suppliers' role is merged in.
@release_part
def awards_part(session: Session, tender: Tender, release: dict[str, Any]) -> None:
    awards = tender_awards(session, tender)
    if not awards:
        return
    rankings = {r.lot: r for r in evaluation.rank_lots(session, tender)}
    by_award: dict[int, list[Complaint]] = {}
    for complaint in tender_complaints(session, tender):
        by_award.setdefault(complaint.award_id, []).append(complaint)
    release["awards"] = [_award(a, tender, rankings, by_award.get(a.id, [])) for a in awards]
    for award in awards:
        if award.supplier is not None:
            _merge_party(release, supplier_party(award.supplier, ["supplier"]), "supplier")
    unsuccessful = {a.related_lot for a in awards if a.status == AwardStatus.UNSUCCESSFUL}
    for lot in release["tender"].get("lots", []):
        if lot["id"] in unsuccessful:
            lot["status"] = "unsuccessful"
