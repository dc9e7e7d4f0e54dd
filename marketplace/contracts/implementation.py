"""A signed contract's implementation: milestones (planned, then met, partially met or not
met) and payments, each an ``implementation`` release. Payments never add up to more than
the contract's current value: such a payment is refused (amend the value first)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.contracts.common import (
    audit_contract,
    begin_change,
    ensure_active,
    money_text,
    next_local_id,
    paid_total,
    parse_amount,
    tell_supplier,
)
from marketplace.contracts.errors import N_, ContractError, Msg
from marketplace.contracts.life_models import ContractMilestone, ContractPayment, MilestoneStatus
from marketplace.contracts.models import Contract
from marketplace.contracts.releases import IMPLEMENTATION_TAG, publish_contracts
from marketplace.db import utcnow

MILESTONE_TYPES = ("delivery", "payment", "reporting")


@dataclass
class MilestoneInput:
    title: str
    due_date: dt.datetime | None
    type: str = "delivery"
    description: str = ""
    #: The buyer's internal note (never published, never shown to the supplier).
    note: str = ""


@dataclass
class PaymentInput:
    amount: Decimal | str | None
    date: dt.datetime | None
    milestone_id: int | None = None
    #: Invoice or payment order number (shown to both parties, not published).
    reference: str = ""


def add_milestone(
    session: Session, contract: Contract, user: User, data: MilestoneInput,
    now: dt.datetime | None = None,
) -> ContractMilestone:  # fmt: skip
    """Plan a delivery, payment or reporting milestone within the contract period;
    publishes an ``implementation`` release."""
    now = (now or utcnow()).replace(microsecond=0)
    begin_change(session, contract, user, now)
    ensure_active(contract, N_("Milestones can be planned only on an active contract."))
    errors: dict[str, str | Msg] = {}
    if not data.title.strip():
        errors["title"] = N_("Give the milestone a title.")
    if data.type not in MILESTONE_TYPES:
        errors["type"] = N_("Choose delivery, payment or reporting.")
    due = data.due_date
    if due is None:
        errors["due_date"] = N_("Give the due date.")
    elif (contract.period_start and due < contract.period_start) or (
        contract.period_end and due > contract.period_end
    ):
        errors["due_date"] = N_("The due date must fall within the contract period.")
    if errors:
        raise ContractError(errors)
    assert due is not None
    milestone = ContractMilestone(
        contract_id=contract.id,
        local_id=next_local_id(session, ContractMilestone, contract, "milestone"),
        title=data.title.strip(), description=data.description.strip(), type=data.type,
        due_date=due, status=MilestoneStatus.SCHEDULED, date_modified=now,
        note=data.note.strip(), by_user_id=user.id,
    )  # fmt: skip
    session.add(milestone)
    published = publish_contracts(session, contract.tender, IMPLEMENTATION_TAG, now)
    audit_contract(session, "contract.milestone_added", contract, user, published,
           milestone=milestone.local_id)  # fmt: skip
    return milestone


def update_milestone(
    session: Session, milestone: ContractMilestone, user: User, status: str,
    date_met: dt.datetime | None = None, now: dt.datetime | None = None,
) -> None:  # fmt: skip
    """Record a milestone as met (on ``date_met``), partially met or not met; publishes
    an ``implementation`` release."""
    now = (now or utcnow()).replace(microsecond=0)
    contract = milestone.contract
    begin_change(session, contract, user, now)
    ensure_active(contract, N_("Milestones can be updated only on an active contract."))
    try:
        new_status = MilestoneStatus(status)
    except ValueError:
        raise ContractError(N_("Choose met, partially met or not met."), "status") from None
    if new_status == MilestoneStatus.SCHEDULED:
        raise ContractError(N_("Choose met, partially met or not met."), "status")
    met = (date_met or now).replace(microsecond=0) if new_status == MilestoneStatus.MET else None
    if met is not None and met > now:
        raise ContractError(N_("The date met cannot be in the future."), "date_met")
    if met is not None and contract.date_signed and met < contract.date_signed:
        raise ContractError(N_("The date met cannot be before the signing."), "date_met")
    milestone.status = new_status
    milestone.date_met = met
    milestone.date_modified = now
    published = publish_contracts(session, contract.tender, IMPLEMENTATION_TAG, now)
    audit_contract(session, "contract.milestone_updated", contract, user, published,
           milestone=milestone.local_id, status=new_status.value)  # fmt: skip


def record_payment(
    session: Session, contract: Contract, user: User, data: PaymentInput,
    now: dt.datetime | None = None,
) -> ContractPayment:  # fmt: skip
    """Record a payment to the supplier; publishes an ``implementation`` release with the
    transaction. Refused when the payments would exceed the contract's current value."""
    now = (now or utcnow()).replace(microsecond=0)
    begin_change(session, contract, user, now)
    ensure_active(contract, N_("Payments can be recorded only on an active contract."))
    errors: dict[str, str | Msg] = {}
    amount: Decimal | None = None
    try:
        amount = parse_amount(data.amount, "amount")
    except ContractError as err:
        errors.update(err.errors)
    if data.date is None:
        errors["date"] = N_("Give the payment date.")
    elif data.date > now:
        errors["date"] = N_("The payment date cannot be in the future.")
    elif contract.date_signed and data.date < contract.date_signed:
        errors["date"] = N_("The payment date cannot be before the signing.")
    milestone = None
    if data.milestone_id is not None:
        milestone = session.get(ContractMilestone, data.milestone_id)
        if milestone is None or milestone.contract_id != contract.id:
            errors["milestone_id"] = N_("Choose a milestone of this contract.")
    if amount is not None and contract.value_amount is not None:
        paid = paid_total(session, contract)
        if paid + amount > contract.value_amount:
            errors["amount"] = Msg(
                N_("Payments would total %(total)s, more than the contract value %(value)s: "
                   "amend the contract first."),
                {"total": money_text(paid + amount, contract.currency),
                 "value": money_text(contract.value_amount, contract.currency)},
            )  # fmt: skip
    if len(data.reference.strip()) > 120:
        errors["reference"] = N_("Use at most 120 characters.")
    if errors:
        raise ContractError(errors)
    assert amount is not None and data.date is not None
    payment = ContractPayment(
        contract_id=contract.id,
        local_id=next_local_id(session, ContractPayment, contract, "payment"),
        date=data.date.replace(microsecond=0), amount=amount, currency=contract.currency,
        milestone_id=milestone.id if milestone else None, reference=data.reference.strip(),
        recorded_at=now, by_user_id=user.id,
    )  # fmt: skip
    session.add(payment)
    published = publish_contracts(session, contract.tender, IMPLEMENTATION_TAG, now)
    audit_contract(session, "contract.payment", contract, user, published,
           payment=payment.local_id, amount=str(amount))  # fmt: skip
    tell_supplier(
        session, contract, "contract.payment", f"Payment recorded: {contract.title}",
        f"Payment {payment.local_id} of {money_text(amount, contract.currency)} on "
        f"{payment.date:%Y-%m-%d}" + (f" (ref. {payment.reference})" if payment.reference else "")
        + ".",
    )  # fmt: skip
    return payment
