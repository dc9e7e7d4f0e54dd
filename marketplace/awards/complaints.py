"""Complaints against an award: a losing bidder of the lot files one during the
standstill period; it is public at once and pauses the award until the buyer resolves it.

Upheld, the award is cancelled (``awardCancellation``) and the lot may be awarded again;
rejected, the award goes on and becomes active at once when the standstill is already
over and no other complaint is pending.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.audit.services import record as audit
from marketplace.awards import notices
from marketplace.awards.errors import N_, AwardError, Msg, NotYourBid
from marketplace.awards.evaluation import bid_price
from marketplace.awards.models import Award, AwardStatus, Complaint, ComplaintStatus
from marketplace.awards.services import _cancel, activate, pending_complaints
from marketplace.bids.models import Bid, BidStatus
from marketplace.bids.services import live_bid
from marketplace.db import utcnow
from marketplace.suppliers.services import supplier_for_org
from marketplace.tenders.services import ensure_buyer_of
from marketplace.tenders.states import TenderState
from marketplace.tenders.workflow import emit, lock

MIN_GROUNDS, MAX_TEXT = 20, 5000


def _complainant_bid(session: Session, award: Award, user: User, bid: Bid | None) -> Bid:
    supplier = (
        supplier_for_org(session, user.organisation_id) if user.role == Role.SUPPLIER else None
    )
    if supplier is None:
        raise AwardError(N_("Only bidders of this tender can complain."))
    if bid is not None and bid.supplier_id != supplier.id:
        raise NotYourBid()  # a complaint on another supplier's behalf
    bid = bid or live_bid(session, award.tender, supplier)
    if bid is None or bid.tender_id != award.tender_id or bid.disclosed is None:
        raise AwardError(N_("Only bidders of this tender can complain."))
    if bid_price(bid, award.related_lot) is None:
        raise AwardError(N_("Only bidders of this lot can complain about its award."))
    if bid.status == BidStatus.WITHDRAWN:
        raise AwardError(N_("Only bidders of this tender can complain."))
    return bid


def file_complaint(
    session: Session,
    award: Award,
    user: User,
    grounds: str,
    *,
    bid: Bid | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """File ``user``'s company's complaint against ``award`` (``awardUpdate`` release)."""
    now = (now or utcnow()).replace(microsecond=0)
    tender = award.tender
    lock(session, tender)
    bid = _complainant_bid(session, award, user, bid)
    if award.supplier_id == bid.supplier_id:
        raise AwardError(N_("The awarded supplier cannot complain about its own award."))
    if (
        tender.state != TenderState.EVALUATION
        or award.status != AwardStatus.PENDING
        or award.standstill_end is None
        or now >= award.standstill_end
    ):
        raise AwardError(N_("Complaints are accepted only during the standstill period."))
    already = session.scalar(
        select(Complaint.id).where(
            Complaint.award_id == award.id,
            Complaint.supplier_id == bid.supplier_id,
            Complaint.status == ComplaintStatus.PENDING,
        )
    )
    if already is not None:
        raise AwardError(N_("Your company already has a pending complaint about this award."))
    grounds = grounds.strip()
    if len(grounds) < MIN_GROUNDS:
        raise AwardError(
            Msg(N_("Explain the complaint (at least %(n)s characters)."), {"n": MIN_GROUNDS}),
            "grounds",
        )
    if len(grounds) > MAX_TEXT:
        raise AwardError(Msg(N_("Use at most %(n)s characters."), {"n": MAX_TEXT}), "grounds")
    count = session.scalar(select(func.count(Complaint.id)).where(Complaint.tender_id == tender.id))
    complaint = Complaint(
        tender_id=tender.id, award_id=award.id, local_id=f"complaint-{(count or 0) + 1}",
        bid_id=bid.id, supplier_id=bid.supplier_id, filed_by_user_id=user.id, filed_at=now,
        grounds=grounds, status=ComplaintStatus.PENDING,
    )  # fmt: skip
    session.add(complaint)
    session.flush()
    published = emit(session, tender, "awardUpdate", now)
    audit(
        session, "complaint.filed", "award_complaint", complaint.id,
        actor_user_id=user.id, actor_org_id=user.organisation_id,
        details={"ocid": tender.ocid, "award": award.local_id, "complaint": complaint.local_id,
                 "release": published.id},
        public=True,
    )  # fmt: skip
    notices.complaint_filed(session, complaint)
    return complaint


def resolve_complaint(
    session: Session,
    complaint: Complaint,
    user: User,
    *,
    upheld: bool,
    resolution: str,
    now: dt.datetime | None = None,
) -> None:
    """The buyer's public answer. Upheld cancels the award; rejected lets it go on."""
    now = (now or utcnow()).replace(microsecond=0)
    award = complaint.award
    tender = award.tender
    ensure_buyer_of(tender.buyer_org_id, user)
    lock(session, tender)
    session.refresh(complaint)
    if complaint.status != ComplaintStatus.PENDING:
        raise AwardError(N_("This complaint has already been resolved."))
    resolution = resolution.strip()
    if len(resolution) < 10:
        raise AwardError(N_("Explain the resolution (at least 10 characters)."), "resolution")
    if len(resolution) > MAX_TEXT:
        raise AwardError(Msg(N_("Use at most %(n)s characters."), {"n": MAX_TEXT}), "resolution")
    complaint.status = ComplaintStatus.UPHELD if upheld else ComplaintStatus.REJECTED
    complaint.resolution = resolution
    complaint.resolved_at = now
    complaint.resolved_by_user_id = user.id
    session.flush()
    notices.complaint_resolved(session, complaint)
    if upheld and award.status in (AwardStatus.PENDING, AwardStatus.ACTIVE):
        # The cancellation release carries the resolved complaint too.
        _cancel(session, award, user, f"Inconformidad procedente ({complaint.local_id}): "
                f"{resolution}", now)  # fmt: skip
        release_id = None
    else:
        if (
            award.status == AwardStatus.PENDING
            and award.standstill_end is not None
            and award.standstill_end <= now
            and pending_complaints(session, award) == 0
        ):
            activate(session, award)
        release_id = emit(session, tender, "awardUpdate", now).id
    audit(
        session, "complaint.resolved", "award_complaint", complaint.id,
        actor_user_id=user.id, actor_org_id=user.organisation_id,
        details={"ocid": tender.ocid, "complaint": complaint.local_id,
                 "status": complaint.status.value, "award_status": award.status.value,
                 "release": release_id},
        public=True,
    )  # fmt: skip
