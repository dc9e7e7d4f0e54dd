"""Awards: deciding the winner of a lot, the standstill period, cancellations, and the
unsuccessful outcome.

An award goes to the best-ranked eligible bid of a lot once every eligible bid is scored
(:func:`marketplace.awards.evaluation.rank_lots`). It starts ``pending`` with a standstill
period (``STANDSTILL_DAYS`` calendar days, default 10) during which losing bidders may
complain. When the period is over and no complaint is pending, the clock makes it
``active`` (``tianguis tick``, or any read through :func:`read_awards`), and the contract
may be signed. A lot nobody can win is declared ``unsuccessful`` with a reason; when
every lot is unsuccessful the tender is too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace import app_settings
from marketplace.accounts.models import User
from marketplace.audit.services import record as audit
from marketplace.awards import notices
from marketplace.awards.errors import N_, AwardError, Msg
from marketplace.awards.evaluation import (
    bid_price,
    ensure_evaluating,
    holding_award,
    lot_ids,
    lot_ranking,
    lot_title,
)
from marketplace.awards.models import Award, AwardStatus, Complaint, ComplaintStatus
from marketplace.bids.models import Bid, BidStatus
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.db import utcnow
from marketplace.publication.services import PublishedRelease
from marketplace.tenders.models import Tender
from marketplace.tenders.services import begin_buyer_change
from marketplace.tenders.states import Action, TenderState
from marketplace.tenders.workflow import apply, emit, lock

DEFAULT_STANDSTILL_DAYS = 10


#: Where the web app keeps its StandstillPolicy (``app.extensions``; see app_settings).
STANDSTILL_KEY = "tianguis.standstill"


@dataclass(frozen=True)
class StandstillPolicy:
    """How long losing bidders may complain after an award (calendar days)."""

    days: int = DEFAULT_STANDSTILL_DAYS


def standstill_from_config(days: int | str | None) -> StandstillPolicy:
    """The policy for ``STANDSTILL_DAYS`` (empty: the default); ValueError when negative."""
    policy = StandstillPolicy(int(days) if days not in (None, "") else DEFAULT_STANDSTILL_DAYS)
    if policy.days < 0:
        raise ValueError("STANDSTILL_DAYS cannot be negative")
    return policy


def current_standstill() -> StandstillPolicy:
    """The current web app's policy; the default (10 days) outside an app context."""
    return app_settings.current(STANDSTILL_KEY, StandstillPolicy, StandstillPolicy())


def _next_local_id(session: Session, tender: Tender) -> str:
    count = session.scalar(select(func.count(Award.id)).where(Award.tender_id == tender.id))
    return f"award-{(count or 0) + 1}"


def _check_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < 10:
        raise AwardError(N_("Explain the reason (at least 10 characters)."), "reason")
    if len(reason) > 5000:
        raise AwardError(Msg(N_("Use at most %(n)s characters."), {"n": 5000}), "reason")
    return reason


def _audit(session: Session, action: str, award: Award, user: User | None,
           published: PublishedRelease, **details: object) -> None:  # fmt: skip
    audit(
        session, action, "award", award.id,
        actor_user_id=user.id if user else None,
        actor_org_id=user.organisation_id if user else None,
        details={"ocid": award.tender.ocid, "award": award.local_id, "lot": award.related_lot,
                 "status": award.status.value, "release": published.id, **details},
        public=True,
    )  # fmt: skip


def decide_award(
    session: Session,
    bid: Bid,
    lot: str,
    user: User,
    *,
    now: dt.datetime | None = None,
    standstill_days: int | None = None,
) -> Award:
    """Award ``lot`` to ``bid`` (the best-ranked one), starting its standstill period.

    Publishes an ``award`` release with the award ``pending``, the supplier as a party
    and the lot's evaluation; tells every bidder of the lot.
    """
    now = (now or utcnow()).replace(microsecond=0)
    tender = bid.tender
    begin_buyer_change(session, tender, user, now)
    apply_due_awards(session, tender, now)
    ensure_evaluating(session, tender)
    if lot not in lot_ids(tender):
        raise AwardError(N_("This tender has no such lot."), "lot")
    if bid.status == BidStatus.DISQUALIFIED:
        raise AwardError(N_("A disqualified bid cannot be awarded."))
    price = bid_price(bid, lot)
    if price is None:
        raise AwardError(N_("This bid did not bid for that lot."), "lot")
    if holding_award(session, tender, lot) is not None:
        raise AwardError(N_("This lot already has an award; cancel it before awarding again."))
    ranking = lot_ranking(session, tender, lot)
    if not ranking.complete:
        raise AwardError(
            Msg(N_("Score every bid of this lot first (%(n)s left)."), {"n": ranking.to_score})
        )
    best = ranking.best
    if best is None or best.bid.id != bid.id:
        raise AwardError(N_("The award goes to the best-ranked bid of the lot."))
    days = current_standstill().days if standstill_days is None else int(standstill_days)
    award = Award(
        tender_id=tender.id,
        local_id=_next_local_id(session, tender),
        related_lot=lot,
        bid_id=bid.id,
        supplier_id=bid.supplier_id,
        status=AwardStatus.PENDING,
        title=f"Adjudicación: {lot_title(tender, lot)}",
        description=f"Propuesta mejor evaluada (puntuación total {best.total}).",
        value_amount=price,
        currency=bid.currency or tender.currency,
        date=now,
        standstill_end=now + dt.timedelta(days=days),
        decided_by_user_id=user.id,
    )
    session.add(award)
    if bid.status == BidStatus.OPENED:
        bid.status = BidStatus.VALID
        bid.decided_at = now
        bid.decided_by_user_id = user.id
    session.flush()
    published = emit(session, tender, "award", now)
    _audit(session, "award.decided", award, user, published, bid=bid.public_id)
    notices.award_decided(session, award, [r.bid for r in ranking.rows])
    return award


def declare_unsuccessful(
    session: Session, tender: Tender, lot: str, user: User, reason: str,
    now: dt.datetime | None = None,
) -> Award:  # fmt: skip
    """Record that ``lot`` cannot be awarded (no eligible bid left), with a public reason.

    When every lot has ended unsuccessful, the tender becomes ``unsuccessful`` too.
    """
    now = (now or utcnow()).replace(microsecond=0)
    begin_buyer_change(session, tender, user, now)
    apply_due_awards(session, tender, now)
    ensure_evaluating(session, tender)
    if lot not in lot_ids(tender):
        raise AwardError(N_("This tender has no such lot."), "lot")
    if holding_award(session, tender, lot) is not None:
        raise AwardError(N_("This lot already has an award; cancel it first."))
    if lot_ranking(session, tender, lot).rows:
        raise AwardError(
            N_("Valid bids remain for this lot: award it, or disqualify them with a reason.")
        )
    reason = _check_reason(reason)
    award = Award(
        tender_id=tender.id, local_id=_next_local_id(session, tender), related_lot=lot,
        status=AwardStatus.UNSUCCESSFUL, title=f"Desierto: {lot_title(tender, lot)}",
        currency=tender.currency, date=now, status_reason=reason, decided_by_user_id=user.id,
    )  # fmt: skip
    session.add(award)
    session.flush()
    published = emit(session, tender, "award", now)
    _audit(session, "award.unsuccessful", award, user, published, reason=reason)
    if all(
        (held := holding_award(session, tender, each)) is not None
        and held.status == AwardStatus.UNSUCCESSFUL
        for each in lot_ids(tender)
    ):
        apply(session, tender, Action.FAIL, actor=user, now=now, reason=reason)
    return award


def _contract_started(session: Session, award: Award) -> bool:
    return (
        session.scalar(
            select(Contract.id).where(
                Contract.award_id == award.id, Contract.status != ContractStatus.CANCELLED
            )
        )
        is not None
    )


def cancel_award(
    session: Session, award: Award, user: User, reason: str, now: dt.datetime | None = None
) -> None:
    """Withdraw an award before its contract exists (``awardCancellation``); the lot may
    then be awarded again (after re-scoring or disqualifying)."""
    now = (now or utcnow()).replace(microsecond=0)
    tender = award.tender
    begin_buyer_change(session, tender, user, now)
    if award.status not in (AwardStatus.PENDING, AwardStatus.ACTIVE):
        raise AwardError(N_("Only a pending or active award can be cancelled."))
    if tender.state != TenderState.EVALUATION:
        raise AwardError(
            Msg(N_("This process is %(state)s, not in evaluation."), {"state": tender.state.value})
        )
    if _contract_started(session, award):
        raise AwardError(N_("A contract already exists for this award."))
    reason = _check_reason(reason)
    _cancel(session, award, user, reason, now)


def _cancel(session: Session, award: Award, user: User, reason: str, now: dt.datetime) -> None:
    award.status = AwardStatus.CANCELLED
    award.status_reason = reason
    award.updated_at = now
    session.flush()
    published = emit(session, award.tender, "awardCancellation", now)
    _audit(session, "award.cancelled", award, user, published, reason=reason)
    notices.award_cancelled(session, award)


def pending_complaints(session: Session, award: Award) -> int:
    return (
        session.scalar(
            select(func.count(Complaint.id)).where(
                Complaint.award_id == award.id, Complaint.status == ComplaintStatus.PENDING
            )
        )
        or 0
    )


def _due(session: Session, tender: Tender, now: dt.datetime) -> list[Award]:
    """Pending awards of ``tender`` whose standstill is over and that no complaint pauses."""
    awards = session.scalars(
        select(Award)
        .where(
            Award.tender_id == tender.id,
            Award.status == AwardStatus.PENDING,
            Award.standstill_end.is_not(None),
            Award.standstill_end <= now,
        )
        .order_by(Award.id)
    ).all()
    return [a for a in awards if pending_complaints(session, a) == 0]


def activate(session: Session, award: Award) -> None:
    """The standstill is over without a pending complaint: the award becomes final (the
    caller publishes)."""
    award.status = AwardStatus.ACTIVE
    notices.award_active(session, award)


def apply_due_awards(session: Session, tender: Tender, now: dt.datetime) -> int:
    """Make active every award of ``tender`` whose standstill is over and not paused; one
    ``awardUpdate`` release for them. Returns how many."""
    # A cancelled (or otherwise closed) tender's pending awards never become active.
    if tender.state != TenderState.EVALUATION or not _due(session, tender, now):
        return 0
    lock(session, tender)
    due = _due(session, tender, now)
    for award in due:
        activate(session, award)
    if due:
        session.flush()
        published = emit(session, tender, "awardUpdate", now)
        for award in due:
            _audit(session, "award.active", award, None, published)
    return len(due)


def read_awards(session: Session, tender: Tender, now: dt.datetime | None = None) -> bool:
    """Bring a tender's awards up to date before showing them; True when something moved
    (the caller commits)."""
    return apply_due_awards(session, tender, (now or utcnow()).replace(microsecond=0)) > 0


def tick(session: Session, now: dt.datetime) -> int:
    """Activate every due award (``tianguis tick``); returns the count."""
    now = now.replace(microsecond=0)
    tender_ids = session.scalars(
        select(Award.tender_id)
        .join(Tender, Tender.id == Award.tender_id)
        .where(
            Tender.state == TenderState.EVALUATION,
            Award.status == AwardStatus.PENDING,
            Award.standstill_end.is_not(None),
            Award.standstill_end <= now,
        )
        .distinct()
    ).all()
    total = 0
    for tender_id in sorted(tender_ids):
        tender = session.get(Tender, tender_id)
        if tender is not None:
            total += apply_due_awards(session, tender, now)
    return total
