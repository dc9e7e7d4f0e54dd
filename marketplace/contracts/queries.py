"""Reading contracts by audience: the buyer's unit (everything, with what needs action),
the supplier (its own contracts only, with payment references). The public reads the
compiled record instead."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.awards.models import Award, AwardStatus
from marketplace.contracts.errors import NotYourContract
from marketplace.contracts.life_models import (
    ContractAmendment,
    ContractDocument,
    ContractMilestone,
    ContractPayment,
    MilestoneStatus,
)
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.suppliers.models import Supplier
from marketplace.tenders.models import Tender

#: How far ahead the buyer's overview looks for milestones due and contracts ending.
MILESTONES_AHEAD = dt.timedelta(days=14)
ENDING_AHEAD = dt.timedelta(days=30)


@dataclass
class BuyerOverview:
    """A purchasing unit's contracts, and what needs action first."""

    awaiting_signature: list[Award] = field(default_factory=list)
    milestones_due: list[ContractMilestone] = field(default_factory=list)
    ending_soon: list[Contract] = field(default_factory=list)
    active: list[Contract] = field(default_factory=list)
    ended: list[Contract] = field(default_factory=list)


def buyer_overview(session: Session, org_id: int, now: dt.datetime) -> BuyerOverview:
    signed = select(Contract.award_id).where(
        Contract.status.in_([ContractStatus.ACTIVE, ContractStatus.TERMINATED])
    )
    awaiting = session.scalars(
        select(Award)
        .join(Tender, Award.tender_id == Tender.id)
        .where(
            Tender.buyer_org_id == org_id,
            Award.status == AwardStatus.ACTIVE,
            Award.id.not_in(signed),
        )
        .order_by(Award.date, Award.id)
    ).all()
    contracts = session.scalars(
        select(Contract)
        .join(Tender, Contract.tender_id == Tender.id)
        .where(Tender.buyer_org_id == org_id)
        .order_by(Contract.period_end, Contract.id)
    ).all()
    active = [c for c in contracts if c.status == ContractStatus.ACTIVE]
    due = session.scalars(
        select(ContractMilestone)
        .where(
            ContractMilestone.contract_id.in_([c.id for c in active]),
            ContractMilestone.status == MilestoneStatus.SCHEDULED,
            ContractMilestone.due_date <= now + MILESTONES_AHEAD,
        )
        .order_by(ContractMilestone.due_date)
    ).all()
    return BuyerOverview(
        awaiting_signature=list(awaiting),
        milestones_due=list(due),
        ending_soon=[c for c in active if c.period_end and c.period_end <= now + ENDING_AHEAD],
        active=active,
        ended=[c for c in contracts if c.status == ContractStatus.TERMINATED],
    )


def tenders_with_due_awards(session: Session, org_id: int, now: dt.datetime) -> list[Tender]:
    """The unit's tenders with a pending award whose standstill is over (to bring up to
    date before listing the awards waiting for a contract)."""
    return list(
        session.scalars(
            select(Tender)
            .where(
                Tender.buyer_org_id == org_id,
                Tender.id.in_(
                    select(Award.tender_id).where(
                        Award.status == AwardStatus.PENDING, Award.standstill_end <= now
                    )
                ),
            )
            .order_by(Tender.id)
        )
    )


def supplier_contracts(session: Session, supplier: Supplier) -> list[Contract]:
    """The supplier's signed contracts, newest first."""
    return list(
        session.scalars(
            select(Contract)
            .join(Award, Contract.award_id == Award.id)
            .where(
                Award.supplier_id == supplier.id,
                Contract.status.in_([ContractStatus.ACTIVE, ContractStatus.TERMINATED]),
            )
            .order_by(Contract.date_signed.desc(), Contract.id.desc())
        )
    )


def contract_for(session: Session, contract_id: int, user: User) -> Contract | None:
    """The contract if ``user`` may see its private page: a buyer of its unit, or a user
    of the supplier it was signed with. None when missing; NotYourContract otherwise."""
    contract = session.get(Contract, contract_id)
    if contract is None:
        return None
    if user.role == Role.BUYER and contract.tender.buyer_org_id == user.organisation_id:
        return contract
    supplier = contract.award.supplier
    if (
        user.role == Role.SUPPLIER
        and supplier is not None
        and supplier.organisation_id == user.organisation_id
        and contract.status != ContractStatus.PENDING
    ):
        return contract
    raise NotYourContract()


@dataclass
class ContractHistory:
    documents: list[ContractDocument]
    amendments: list[ContractAmendment]
    milestones: list[ContractMilestone]
    payments: list[ContractPayment]


def history(session: Session, contract: Contract) -> ContractHistory:
    """Everything that happened to the contract, each list in the order it happened."""
    cid = contract.id
    return ContractHistory(
        documents=list(session.scalars(
            select(ContractDocument).where(ContractDocument.contract_id == cid)
            .order_by(ContractDocument.id))),
        amendments=list(session.scalars(
            select(ContractAmendment).where(ContractAmendment.contract_id == cid)
            .order_by(ContractAmendment.id))),
        milestones=list(session.scalars(
            select(ContractMilestone).where(ContractMilestone.contract_id == cid)
            .order_by(ContractMilestone.due_date, ContractMilestone.id))),
        payments=list(session.scalars(
            select(ContractPayment).where(ContractPayment.contract_id == cid)
            .order_by(ContractPayment.date, ContractPayment.id))),
    )  # fmt: skip
