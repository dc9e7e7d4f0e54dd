"""The rules of supplier ratings and late-payment complaints.

A rating goes ``draft`` (rated by one of the contract buyer's buyers, after a met
milestone or at the contract's end; the supplier is told and has 14 days to reply) →
``final`` (when the supplier replies, or when the 14 days end: ``tianguis tick`` and every
read of the supplier's ratings apply that). Becoming final publishes an ``implementation``
release of the contract's process carrying the rating and the reply.

Each action is one transaction in the caller's session: any error is raised before
anything is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.audit.services import record as audit
from marketplace.contracts.common import begin_change, tell_supplier
from marketplace.contracts.errors import N_, Msg, NotYourContract
from marketplace.contracts.life_models import ContractMilestone, MilestoneStatus
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.contracts.releases import IMPLEMENTATION_TAG, publish_contracts
from marketplace.db import utcnow
from marketplace.inbox.services import notify
from marketplace.performance.models import (
    AREAS,
    MARGINAL,
    REPLY_DAYS,
    LatePaymentComplaint,
    RatingStatus,
    SupplierRating,
)
from marketplace.tenders.errors import TenderError
from marketplace.tenders.workflow import lock

#: Longest narrative, reply or complaint kept.
MAX_TEXT = 4000


class PerformanceError(TenderError):
    """A rating or complaint rule was broken; ``errors`` maps field paths to messages."""


@dataclass
class RatingInput:
    #: Area column -> score as typed (0..4); see ``models.AREAS``.
    scores: dict[str, int | str | None] = field(default_factory=dict)
    narrative: str = ""
    #: The met milestone rated; None rates the contract's end.
    milestone_id: int | None = None


@dataclass
class ComplaintInput:
    description: str = ""
    due_date: dt.datetime | None = None


def _now(now: dt.datetime | None) -> dt.datetime:
    return (now or utcnow()).replace(microsecond=0)


def _score(raw: int | str | None) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        value = int(raw.strip())
    else:
        return None
    return value if 0 <= value <= 4 else None


def _next_id(session: Session, model: type[SupplierRating | LatePaymentComplaint],
             contract: Contract, prefix: str) -> str:  # fmt: skip
    count = session.scalar(
        select(func.count()).select_from(model).where(model.contract_id == contract.id)
    )
    return f"{prefix}-{(count or 0) + 1}"


def _tell_buyers(session: Session, contract: Contract, kind: str, subject: str, body: str,
                 link: str) -> None:  # fmt: skip
    for member in contract.tender.buyer.users:
        if member.role == Role.BUYER:
            notify(session, member, kind, subject, body, link=link)


def ensure_supplier_of(contract: Contract, user: User) -> None:
    """Only the users of the contract's supplier act for it."""
    supplier = contract.award.supplier
    if (
        user.role != Role.SUPPLIER
        or supplier is None
        or user.organisation_id != (supplier.organisation_id)
    ):
        raise NotYourContract()


def rate_supplier(
    session: Session, contract: Contract, user: User, data: RatingInput,
    now: dt.datetime | None = None,
) -> SupplierRating:  # fmt: skip
    """Rate the contract's supplier for a met milestone or at the contract's end."""
    now = _now(now)
    begin_change(session, contract, user, now)  # the contract buyer's buyers only
    if contract.status not in (ContractStatus.ACTIVE, ContractStatus.TERMINATED):
        raise PerformanceError(N_("Only a signed contract can be rated."))
    errors: dict[str, str | Msg] = {}
    scores: dict[str, int] = {}
    for column, _code in AREAS:
        value = _score(data.scores.get(column))
        if value is None:
            errors[column] = N_("Choose a level from unsatisfactory (0) to exceptional (4).")
        else:
            scores[column] = value
    narrative = data.narrative.strip()
    if not narrative:
        errors["narrative"] = N_("Explain the rating: the narrative is required.")
    elif len(narrative) > MAX_TEXT:
        errors["narrative"] = Msg(N_("Keep it under %(n)s characters."), {"n": MAX_TEXT})
    milestone: ContractMilestone | None = None
    if data.milestone_id is not None:
        milestone = session.get(ContractMilestone, data.milestone_id)
        if milestone is None or milestone.contract_id != contract.id:
            errors["milestone_id"] = N_("Choose a milestone of this contract.")
        elif milestone.status != MilestoneStatus.MET:
            errors["milestone_id"] = N_("Only a met milestone can be rated.")
    elif contract.status != ContractStatus.TERMINATED:
        errors["milestone_id"] = N_(
            "The contract has not ended: rate a met milestone, or wait for its end."
        )
    if "milestone_id" not in errors:
        taken = session.scalar(
            select(SupplierRating.id).where(
                SupplierRating.contract_id == contract.id,
                SupplierRating.milestone_id.is_(None)
                if milestone is None
                else SupplierRating.milestone_id == milestone.id,
            )
        )
        if taken is not None:
            errors["milestone_id"] = (
                N_("This milestone has already been rated.")
                if milestone
                else N_("The contract's end has already been rated.")
            )
    if errors:
        raise PerformanceError(errors)
    supplier = contract.award.supplier
    assert supplier is not None
    rating = SupplierRating(
        contract_id=contract.id, milestone_id=milestone.id if milestone else None,
        supplier_id=supplier.id, buyer_org_id=contract.tender.buyer_org_id,
        local_id=_next_id(session, SupplierRating, contract, "rating"),
        **scores, narrative=narrative, status=RatingStatus.DRAFT, rated_at=now,
        rated_by_user_id=user.id, reply_due=now + dt.timedelta(days=REPLY_DAYS),
        total=sum(scores.values()), low=int(min(scores.values()) <= MARGINAL),
    )  # fmt: skip
    session.add(rating)
    session.flush()
    what = milestone.title if milestone else contract.title
    tell_supplier(
        session, contract, "rating",
        f"Calificación de desempeño: {what}",
        f"{contract.tender.buyer.name} calificó su desempeño en el contrato "
        f"{contract.local_id}. Puede responder públicamente hasta el "
        f"{rating.reply_due:%Y-%m-%d %H:%M} UTC; después la calificación será pública.",
    )  # fmt: skip
    audit(session, "rating.created", "supplier_rating", rating.id,
          actor_user_id=user.id, actor_org_id=user.organisation_id,
          details={"contract": contract.local_id, "rating": rating.local_id})  # fmt: skip
    return rating


def _finalise(session: Session, rating: SupplierRating, now: dt.datetime) -> None:
    rating.status = RatingStatus.FINAL
    rating.final_at = now
    published = publish_contracts(session, rating.contract.tender, IMPLEMENTATION_TAG, now)
    audit(session, "rating.final", "supplier_rating", rating.id,
          details={"contract": rating.contract.local_id, "rating": rating.local_id,
                   "release": published.id}, public=True)  # fmt: skip


def reply_to_rating(
    session: Session, rating: SupplierRating, user: User, text: str,
    now: dt.datetime | None = None,
) -> SupplierRating:  # fmt: skip
    """The supplier's public reply, within 14 days; the rating becomes final with it."""
    now = _now(now)
    ensure_supplier_of(rating.contract, user)
    lock(session, rating.contract.tender)
    session.refresh(rating)
    reply = text.strip()
    if rating.status != RatingStatus.DRAFT or now > rating.reply_due:
        raise PerformanceError(
            Msg(N_("The reply period ended on %(date)s."),
                {"date": f"{rating.reply_due:%Y-%m-%d %H:%M} UTC"}), "reply"
        )  # fmt: skip
    if not reply:
        raise PerformanceError(N_("Write the reply."), "reply")
    if len(reply) > MAX_TEXT:
        raise PerformanceError(Msg(N_("Keep it under %(n)s characters."), {"n": MAX_TEXT}),
                               "reply")  # fmt: skip
    rating.reply = reply
    rating.replied_at = now
    rating.replied_by_user_id = user.id
    _finalise(session, rating, now)
    _tell_buyers(
        session, rating.contract, "rating_reply",
        f"Respuesta a su calificación {rating.local_id}",
        f"El proveedor respondió a la calificación {rating.local_id} del contrato "
        f"{rating.contract.local_id}; la calificación ya es pública.",
        f"/buyer/contracts/{rating.contract_id}/ratings",
    )  # fmt: skip
    return rating


def finalise_due(session: Session, now: dt.datetime | None = None,
                 supplier_id: int | None = None) -> int:  # fmt: skip
    """Make final every draft rating whose reply period has ended (all, or one
    supplier's); returns how many."""
    now = _now(now)
    query = select(SupplierRating).where(
        SupplierRating.status == RatingStatus.DRAFT, SupplierRating.reply_due < now
    )
    if supplier_id is not None:
        query = query.where(SupplierRating.supplier_id == supplier_id)
    ratings = list(session.scalars(query.order_by(SupplierRating.reply_due)))
    for rating in ratings:
        lock(session, rating.contract.tender)
        session.refresh(rating)
        if rating.status == RatingStatus.DRAFT:
            _finalise(session, rating, rating.reply_due)
    return len(ratings)


def file_late_payment(
    session: Session, contract: Contract, user: User, data: ComplaintInput,
    now: dt.datetime | None = None,
) -> LatePaymentComplaint:  # fmt: skip
    """A supplier's complaint that the buyer paid late under its own signed contract."""
    now = _now(now)
    ensure_supplier_of(contract, user)
    lock(session, contract.tender)
    session.refresh(contract)
    if contract.status not in (ContractStatus.ACTIVE, ContractStatus.TERMINATED):
        raise PerformanceError(N_("Only a signed contract's payments can be late."))
    errors: dict[str, str | Msg] = {}
    description = data.description.strip()
    if not description:
        errors["description"] = N_("Say which payment is late and what was agreed.")
    elif len(description) > MAX_TEXT:
        errors["description"] = Msg(N_("Keep it under %(n)s characters."), {"n": MAX_TEXT})
    if data.due_date is None:
        errors["due_date"] = N_("Give the date the payment was due.")
    elif data.due_date >= now:
        errors["due_date"] = N_("A payment due today or later is not late yet.")
    if errors:
        raise PerformanceError(errors)
    assert data.due_date is not None
    supplier = contract.award.supplier
    assert supplier is not None
    complaint = LatePaymentComplaint(
        contract_id=contract.id, buyer_org_id=contract.tender.buyer_org_id,
        supplier_id=supplier.id,
        local_id=_next_id(session, LatePaymentComplaint, contract, "late-payment"),
        description=description, due_date=data.due_date, filed_at=now,
        filed_by_user_id=user.id,
    )  # fmt: skip
    session.add(complaint)
    session.flush()
    published = publish_contracts(session, contract.tender, IMPLEMENTATION_TAG, now)
    audit(session, "late_payment.filed", "late_payment_complaint", complaint.id,
          actor_user_id=user.id, actor_org_id=user.organisation_id,
          details={"contract": contract.local_id, "release": published.id},
          public=True)  # fmt: skip
    _tell_buyers(
        session, contract, "late_payment",
        f"Queja por pago tardío: {contract.local_id}",
        f"{supplier.legal_name} presentó una queja por pago tardío en el contrato "
        f"{contract.local_id}: {description[:300]}",
        f"/buyer/contracts/{contract.id}/ratings",
    )  # fmt: skip
    return complaint
