"""In-app notifications of evaluation results and complaints (English source text, like
the other services' notices)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.awards.models import Award, Complaint
from marketplace.bids.models import Bid
from marketplace.inbox.services import notify
from marketplace.suppliers.models import Supplier
from marketplace.tenders.models import Tender


def supplier_members(supplier: Supplier) -> list[User]:
    return [u for u in supplier.organisation.users if u.is_active]


def buyer_members(session: Session, tender: Tender) -> list[User]:
    return list(
        session.scalars(
            select(User).where(
                User.organisation_id == tender.buyer_org_id,
                User.role == Role.BUYER,
                User.is_active.is_(True),
            )
        )
    )


def _tell(session: Session, users: Iterable[User], kind: str, subject: str, body: str,
          link: str) -> None:  # fmt: skip
    for user in users:
        notify(session, user, kind, subject, body, link=link)


def award_decided(session: Session, award: Award, bidders: list[Bid]) -> None:
    """Tell every bidder of the lot: the winner that it won, the others that they may
    complain until the standstill ends."""
    tender = award.tender
    for bid in bidders:
        link = f"/supplier/bids/{bid.id}/complaints"
        if bid.supplier_id == award.supplier_id:
            _tell(session, supplier_members(bid.supplier), "award.won",
                  f"Award decided in your favour: {tender.title}",
                  f"{award.title}. The award becomes final when the standstill period ends "
                  f"({award.standstill_end} UTC) without a pending complaint.", link)  # fmt: skip
        else:
            winner = award.supplier.legal_name if award.supplier else ""
            _tell(session, supplier_members(bid.supplier), "award.decided",
                  f"Award decided: {tender.title}",
                  f"{award.title} was awarded to {winner}. You may file a complaint until "
                  f"{award.standstill_end} UTC.", link)  # fmt: skip


def award_active(session: Session, award: Award) -> None:
    if award.supplier is None or award.bid_id is None:
        return
    _tell(session, supplier_members(award.supplier), "award.active",
          f"Award final: {award.tender.title}",
          f"{award.title}: the standstill period is over; the contract can now be signed.",
          f"/supplier/bids/{award.bid_id}/complaints")  # fmt: skip


def award_cancelled(session: Session, award: Award) -> None:
    if award.supplier is None or award.bid_id is None:
        return
    _tell(session, supplier_members(award.supplier), "award.cancelled",
          f"Award cancelled: {award.tender.title}",
          f"{award.title} was cancelled. Reason: {award.status_reason}",
          f"/supplier/bids/{award.bid_id}/complaints")  # fmt: skip


def complaint_filed(session: Session, complaint: Complaint) -> None:
    tender = complaint.award.tender
    _tell(session, buyer_members(session, tender), "complaint.filed",
          f"Complaint filed: {tender.title}",
          f"{complaint.supplier.legal_name} filed a complaint against {complaint.award.title}. "
          "The award is paused until you resolve it.",
          f"/buyer/tenders/{tender.id}/evaluation#{complaint.local_id}")  # fmt: skip
    winner = complaint.award.supplier
    if winner is not None and complaint.award.bid_id is not None:
        _tell(session, supplier_members(winner), "complaint.filed",
              f"Complaint against your award: {tender.title}",
              f"{complaint.supplier.legal_name} filed a complaint; the award is paused until "
              "the buyer resolves it.",
              f"/supplier/bids/{complaint.award.bid_id}/complaints")  # fmt: skip


def complaint_resolved(session: Session, complaint: Complaint) -> None:
    award = complaint.award
    outcome = "upheld" if complaint.status.value == "upheld" else "rejected"
    body = f"The buyer {outcome} the complaint. Resolution: {complaint.resolution}"
    _tell(session, supplier_members(complaint.supplier), "complaint.resolved",
          f"Complaint resolved: {award.tender.title}", body,
          f"/supplier/bids/{complaint.bid_id}/complaints")  # fmt: skip
    if award.supplier is not None and award.bid_id is not None:
        _tell(session, supplier_members(award.supplier), "complaint.resolved",
              f"Complaint about your award resolved: {award.tender.title}", body,
              f"/supplier/bids/{award.bid_id}/complaints")  # fmt: skip
