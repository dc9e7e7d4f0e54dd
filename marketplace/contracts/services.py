"""The buyer's actions on contracts: sign (from an active award), amend, plan and mark
milestones, record payments, complete or terminate.

Each is one call in the caller's transaction: the change, its OCDS release (tag from the
releaseTag codelist), its public audit event and the supplier's inbox messages commit
together (DESIGN.md §1). Every rule broken raises :class:`ContractError` with field
paths, before anything is written; acting on another unit's contract raises
:class:`NotYourProcess`.

Payments never exceed the contract's current value: a payment that would is refused
(amend the value first, with its rationale). Amendments may raise the value by at most
:data:`MAX_INCREASE` of the value signed, in total (LAASSP art. 52).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.audit.services import record as audit
from marketplace.awards.models import Award, AwardStatus
from marketplace.awards.services import apply_due_awards
from marketplace.contracts.errors import N_, ContractError, Msg
from marketplace.contracts.life_models import (
    ContractAmendment,
    ContractDocument,
    ContractMilestone,
    ContractPayment,
    MilestoneStatus,
)
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.contracts.releases import (
    AMENDMENT_TAG,
    COMPLETED,
    IMPLEMENTATION_TAG,
    SIGNED_TAG,
    TERMINATED_EARLY,
    TERMINATION_TAG,
    publish_contracts,
)
from marketplace.db import utcnow
from marketplace.inbox.services import notify
from marketplace.publication.services import PublishedRelease
from marketplace.tenders.models import Tender
from marketplace.tenders.services import begin_buyer_change
from marketplace.tenders.states import Action, TenderState
from marketplace.tenders.workflow import apply, last_release_id

#: Most the amendments may raise a contract's value, as a share of the value signed.
MAX_INCREASE = Decimal("0.20")
#: Shortest rationale of an amendment or reason of an early termination.
MIN_REASON = 10
MILESTONE_TYPES = ("delivery", "payment", "reporting")
#: Document types a buyer may attach (documentType codelist, contract stage).
DOCUMENT_TYPES = ("contractSigned", "contractAnnexe", "contractSchedule", "contractGuarantees")
_CENT = Decimal("0.01")
_SIGNED = (ContractStatus.ACTIVE, ContractStatus.TERMINATED)


@dataclass
class DocumentInput:
    title: str
    url: str
    document_type: str = "contractSigned"


@dataclass
class SignInput:
    """What the buyer writes when signing. ``value`` defaults to the awarded value."""

    period_start: dt.datetime | None
    period_end: dt.datetime | None
    value: Decimal | str | None = None
    date_signed: dt.datetime | None = None
    title: str = ""
    description: str = ""
    documents: list[DocumentInput] = field(default_factory=list)


@dataclass
class AmendmentInput:
    rationale: str
    value: Decimal | str | None = None
    period_end: dt.datetime | None = None


@dataclass
class MilestoneInput:
    title: str
    due_date: dt.datetime | None
    type: str = "delivery"
    description: str = ""
    note: str = ""


@dataclass
class PaymentInput:
    amount: Decimal | str | None
    date: dt.datetime | None
    milestone_id: int | None = None
    reference: str = ""


def parse_amount(raw: Decimal | str | None, path: str) -> Decimal:
    """A positive amount with at most two decimals, else ContractError at ``path``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ContractError(N_("Write the amount."), path)
    try:
        amount = raw if isinstance(raw, Decimal) else Decimal(raw.strip().replace(",", ""))
    except InvalidOperation:
        raise ContractError(N_("Write the amount as a number, e.g. 125000.50."), path) from None
    if not amount.is_finite() or amount <= 0:
        raise ContractError(N_("The amount must be more than zero."), path)
    if amount != amount.quantize(_CENT) or amount >= Decimal("1e16"):
        raise ContractError(N_("Use at most two decimals and sixteen digits."), path)
    return amount.quantize(_CENT)


def _money(amount: Decimal | None, currency: str) -> str:
    return f"{amount:,.2f} {currency}" if amount is not None else "—"


def _begin(session: Session, contract: Contract, user: User, now: dt.datetime) -> None:
    """Only buyers of the contract's unit act on it; the tender row is locked."""
    begin_buyer_change(session, contract.tender, user, now)
    session.refresh(contract)


def _ensure_active(contract: Contract, message: str, path: str = "") -> None:
    if contract.status != ContractStatus.ACTIVE:
        raise ContractError(message, path)


def _tell_supplier(
    session: Session, contract: Contract, kind: str, subject: str, body: str
) -> None:
    supplier = contract.award.supplier
    assert supplier is not None
    for member in supplier.organisation.users:
        notify(session, member, kind, subject, body, link=f"/supplier/contracts/{contract.id}")


def _audit(
    session: Session, action: str, contract: Contract, user: User, published: PublishedRelease,
    **details: object,
) -> None:  # fmt: skip
    audit(
        session, action, "contract", contract.id,
        actor_user_id=user.id, actor_org_id=user.organisation_id,
        details={"ocid": contract.tender.ocid, "contract": contract.local_id,
                 "release": published.id, **details},
        public=True,
    )  # fmt: skip


def signed_contract_of(session: Session, award: Award) -> Contract | None:
    return session.scalar(
        select(Contract).where(Contract.award_id == award.id, Contract.status.in_(_SIGNED))
    )


def _check_documents(documents: list[DocumentInput]) -> list[DocumentInput]:
    given = [d for d in documents if d.title.strip() or d.url.strip()]
    errors: dict[str, str | Msg] = {}
    for row, doc in enumerate(documents):
        if not (doc.title.strip() or doc.url.strip()):
            continue
        if not doc.title.strip():
            errors[f"documents-{row}-title"] = N_("Give the document a title.")
        if not doc.url.strip().startswith(("https://", "http://")):
            errors[f"documents-{row}-url"] = N_("Write the document's web address (https://…).")
        if doc.document_type not in DOCUMENT_TYPES:
            errors[f"documents-{row}-document_type"] = N_("Choose a document type.")
    if errors:
        raise ContractError(errors)
    if not any(d.document_type == "contractSigned" for d in given):
        raise ContractError(
            N_("Publish the signed contract: give its title and web address."), "documents-0-url"
        )
    return given


def _check_award(session: Session, award: Award) -> None:
    if award.status == AwardStatus.PENDING:
        raise ContractError(
            N_("This award is still in its standstill period (or has a complaint pending): "
               "the contract can be signed once the award is active.")
        )  # fmt: skip
    if award.status != AwardStatus.ACTIVE:
        raise ContractError(N_("This award is not active: no contract can be signed for it."))
    if award.tender.state not in (TenderState.EVALUATION, TenderState.COMPLETE):
        raise ContractError(N_("This process is not awarding contracts."))
    if signed_contract_of(session, award) is not None:
        raise ContractError(N_("A contract has already been signed for this award."))


def sign_contract(
    session: Session, award: Award, user: User, data: SignInput, now: dt.datetime | None = None
) -> Contract:
    """Sign the contract of an active award; publish a ``contract`` release. When every
    active award of the tender then has a signed contract (and none is pending), the
    tender moves to ``complete`` in that same release."""
    now = (now or utcnow()).replace(microsecond=0)
    tender = award.tender
    begin_buyer_change(session, tender, user, now)
    # An award whose standstill ended without a complaint is active even before the tick.
    apply_due_awards(session, tender, now)
    session.refresh(award)
    _check_award(session, award)
    errors: dict[str, str | Msg] = {}
    value = award.value_amount
    if data.value is not None and not (isinstance(data.value, str) and not data.value.strip()):
        try:
            value = parse_amount(data.value, "value")
        except ContractError as err:
            errors.update(err.errors)
    if value is None and "value" not in errors:
        errors["value"] = N_("Write the contract value.")
    elif value is not None and award.value_amount is not None and value > award.value_amount:
        errors["value"] = Msg(
            N_("The contract value cannot exceed the awarded value (%(award)s)."),
            {"award": _money(award.value_amount, award.currency)},
        )
    if data.period_start is None:
        errors["period_start"] = N_("Give the date the contract starts.")
    if data.period_end is None:
        errors["period_end"] = N_("Give the date the contract ends.")
    elif data.period_start is not None and data.period_end <= data.period_start:
        errors["period_end"] = N_("The end date must be after the start date.")
    signed_at = (data.date_signed or now).replace(microsecond=0)
    if signed_at > now:
        errors["date_signed"] = N_("The signing date cannot be in the future.")
    elif signed_at < award.date:
        errors["date_signed"] = N_("The contract cannot be signed before the award.")
    documents: list[DocumentInput] = []
    try:
        documents = _check_documents(data.documents)
    except ContractError as err:
        errors.update(err.errors)
    if errors:
        raise ContractError(errors)

    count = session.scalar(select(func.count(Contract.id)).where(Contract.tender_id == tender.id))
    contract = Contract(
        tender_id=tender.id,
        tender=tender,
        award_id=award.id,
        award=award,
        local_id=f"contract-{(count or 0) + 1}",
        status=ContractStatus.ACTIVE,
        title=data.title.strip() or f"Contrato: {award.title or tender.title}"[:300],
        description=data.description.strip(),
        value_amount=value,
        currency=award.currency,
        period_start=data.period_start,
        period_end=data.period_end,
        date_signed=signed_at,
        signed_by_user_id=user.id,
    )
    session.add(contract)
    session.flush()
    for n, doc in enumerate(documents, start=1):
        session.add(ContractDocument(
            contract_id=contract.id, local_id=f"doc-{n}", document_type=doc.document_type,
            title=doc.title.strip(), url=doc.url.strip(), date_published=now,
            added_by_user_id=user.id,
        ))  # fmt: skip
    session.flush()
    if tender.state == TenderState.EVALUATION and _all_contracted(session, tender):
        # One release: the transition's tag for COMPLETE is ``contract`` (states.py).
        published = apply(session, tender, Action.COMPLETE, actor=user, now=now,
                          reason=f"{contract.local_id} firmado")  # fmt: skip
    else:
        published = publish_contracts(session, tender, SIGNED_TAG, now)
    _audit(session, "contract.signed", contract, user, published,
           value=str(value), currency=contract.currency)  # fmt: skip
    _tell_supplier(
        session, contract, "contract.signed", f"Contract signed: {tender.title}",
        f"Contract {contract.local_id} was signed on {signed_at} UTC for "
        f"{_money(value, contract.currency)}, from {data.period_start} to {data.period_end}.",
    )  # fmt: skip
    return contract


def _all_contracted(session: Session, tender: Tender) -> bool:
    """Every active award has a signed contract, and no award is still pending."""
    awards = session.scalars(select(Award).where(Award.tender_id == tender.id)).all()
    if any(a.status == AwardStatus.PENDING for a in awards):
        return False
    active = [a for a in awards if a.status == AwardStatus.ACTIVE]
    return bool(active) and all(signed_contract_of(session, a) is not None for a in active)


def signed_value(session: Session, contract: Contract) -> Decimal | None:
    """The value at signing (before any amendment)."""
    first = session.scalar(
        select(ContractAmendment)
        .where(
            ContractAmendment.contract_id == contract.id, ContractAmendment.old_value.is_not(None)
        )
        .order_by(ContractAmendment.id)
        .limit(1)
    )
    return first.old_value if first is not None else contract.value_amount


def paid_total(session: Session, contract: Contract) -> Decimal:
    total = session.scalar(
        select(func.sum(ContractPayment.amount)).where(ContractPayment.contract_id == contract.id)
    )
    return Decimal(total or 0)


def _next_id(
    session: Session,
    model: type[ContractAmendment | ContractMilestone | ContractPayment],
    contract: Contract,
    prefix: str,
) -> str:
    """The next identifier within the contract: ``<prefix>-<n>`` (rows are never deleted)."""
    count = session.scalar(
        select(func.count()).select_from(model).where(model.contract_id == contract.id)
    )
    return f"{prefix}-{(count or 0) + 1}"


def amend_contract(
    session: Session, contract: Contract, user: User, data: AmendmentInput,
    now: dt.datetime | None = None,
) -> ContractAmendment:  # fmt: skip
    """Change the value and/or the end date of an active contract, with a public
    rationale; publishes a ``contractAmendment`` release."""
    now = (now or utcnow()).replace(microsecond=0)
    _begin(session, contract, user, now)
    _ensure_active(contract, N_("Only an active contract can be amended."))
    errors: dict[str, str | Msg] = {}
    rationale = data.rationale.strip()
    if len(rationale) < MIN_REASON:
        errors["rationale"] = Msg(
            N_("Explain why the contract changes (at least %(n)s characters)."), {"n": MIN_REASON}
        )
    new_value: Decimal | None = None
    if data.value is not None and not (isinstance(data.value, str) and not data.value.strip()):
        try:
            new_value = parse_amount(data.value, "value")
        except ContractError as err:
            errors.update(err.errors)
    if new_value is not None:
        base = signed_value(session, contract) or new_value
        ceiling = (base * (1 + MAX_INCREASE)).quantize(_CENT)
        paid = paid_total(session, contract)
        if new_value == contract.value_amount:
            errors["value"] = N_("The value is unchanged.")
        elif new_value > ceiling:
            errors["value"] = Msg(
                N_("Amendments may raise the value by at most 20%% of the value signed "
                   "(up to %(ceiling)s)."), {"ceiling": _money(ceiling, contract.currency)},
            )  # fmt: skip
        elif new_value < paid:
            errors["value"] = Msg(
                N_("The value cannot be less than what has been paid (%(paid)s)."),
                {"paid": _money(paid, contract.currency)},
            )
    new_end = data.period_end
    if new_end is not None:
        if contract.period_start is not None and new_end <= contract.period_start:
            errors["period_end"] = N_("The end date must be after the start date.")
        elif new_end == contract.period_end:
            errors["period_end"] = N_("The end date is unchanged.")
    if new_value is None and new_end is None and not errors:
        errors["value"] = N_("Change the value, the end date, or both.")
    if errors:
        raise ContractError(errors)

    changes = []
    if new_value is not None:
        changes.append(f"Valor: {_money(contract.value_amount, contract.currency)} → "
                       f"{_money(new_value, contract.currency)}")  # fmt: skip
    if new_end is not None:
        changes.append(f"Fin del periodo: {contract.period_end:%Y-%m-%d} → {new_end:%Y-%m-%d}")
    amendment = ContractAmendment(
        contract_id=contract.id,
        local_id=_next_id(session, ContractAmendment, contract, "amendment"),
        date=now,
        rationale=rationale,
        description="; ".join(changes) + ".",
        old_value=contract.value_amount if new_value is not None else None,
        new_value=new_value,
        old_period_end=contract.period_end if new_end is not None else None,
        new_period_end=new_end,
        amends_release_id=last_release_id(session, contract.tender),
        by_user_id=user.id,
    )
    session.add(amendment)
    if new_value is not None:
        contract.value_amount = new_value
    if new_end is not None:
        contract.period_end = new_end
    published = publish_contracts(session, contract.tender, AMENDMENT_TAG, now)
    amendment.release_id = published.id
    _audit(session, "contract.amended", contract, user, published,
           amendment=amendment.local_id, rationale=rationale)  # fmt: skip
    _tell_supplier(
        session, contract, "contract.amended", f"Contract amended: {contract.title}",
        f"{amendment.description}\n\nRationale: {rationale}",
    )  # fmt: skip
    return amendment


def add_milestone(
    session: Session, contract: Contract, user: User, data: MilestoneInput,
    now: dt.datetime | None = None,
) -> ContractMilestone:  # fmt: skip
    """Plan a delivery, payment or reporting milestone within the contract period;
    publishes an ``implementation`` release."""
    now = (now or utcnow()).replace(microsecond=0)
    _begin(session, contract, user, now)
    _ensure_active(contract, N_("Milestones can be planned only on an active contract."))
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
        local_id=_next_id(session, ContractMilestone, contract, "milestone"),
        title=data.title.strip(), description=data.description.strip(), type=data.type,
        due_date=due, status=MilestoneStatus.SCHEDULED, date_modified=now,
        note=data.note.strip(), by_user_id=user.id,
    )  # fmt: skip
    session.add(milestone)
    published = publish_contracts(session, contract.tender, IMPLEMENTATION_TAG, now)
    _audit(session, "contract.milestone_added", contract, user, published,
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
    _begin(session, contract, user, now)
    _ensure_active(contract, N_("Milestones can be updated only on an active contract."))
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
    _audit(session, "contract.milestone_updated", contract, user, published,
           milestone=milestone.local_id, status=new_status.value)  # fmt: skip


def record_payment(
    session: Session, contract: Contract, user: User, data: PaymentInput,
    now: dt.datetime | None = None,
) -> ContractPayment:  # fmt: skip
    """Record a payment to the supplier; publishes an ``implementation`` release with the
    transaction. Refused when the payments would exceed the contract's current value."""
    now = (now or utcnow()).replace(microsecond=0)
    _begin(session, contract, user, now)
    _ensure_active(contract, N_("Payments can be recorded only on an active contract."))
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
                {"total": _money(paid + amount, contract.currency),
                 "value": _money(contract.value_amount, contract.currency)},
            )  # fmt: skip
    if len(data.reference.strip()) > 120:
        errors["reference"] = N_("Use at most 120 characters.")
    if errors:
        raise ContractError(errors)
    assert amount is not None and data.date is not None
    payment = ContractPayment(
        contract_id=contract.id,
        local_id=_next_id(session, ContractPayment, contract, "payment"),
        date=data.date.replace(microsecond=0), amount=amount, currency=contract.currency,
        milestone_id=milestone.id if milestone else None, reference=data.reference.strip(),
        recorded_at=now, by_user_id=user.id,
    )  # fmt: skip
    session.add(payment)
    published = publish_contracts(session, contract.tender, IMPLEMENTATION_TAG, now)
    _audit(session, "contract.payment", contract, user, published,
           payment=payment.local_id, amount=str(amount))  # fmt: skip
    _tell_supplier(
        session, contract, "contract.payment", f"Payment recorded: {contract.title}",
        f"Payment {payment.local_id} of {_money(amount, contract.currency)} on "
        f"{payment.date:%Y-%m-%d}" + (f" (ref. {payment.reference})" if payment.reference else "")
        + ".",
    )  # fmt: skip
    return payment


def end_contract(
    session: Session, contract: Contract, user: User, outcome: str, reason: str,
    date: dt.datetime | None = None, now: dt.datetime | None = None,
) -> None:  # fmt: skip
    """Close an active contract as ``completed`` or ``terminated`` early (reason
    required); publishes a ``contractTermination`` release (status ``terminated``)."""
    now = (now or utcnow()).replace(microsecond=0)
    _begin(session, contract, user, now)
    _ensure_active(contract, N_("Only an active contract can be completed or terminated."))
    errors: dict[str, str | Msg] = {}
    if outcome not in (COMPLETED, TERMINATED_EARLY):
        errors["outcome"] = N_("Choose completed or terminated early.")
    reason = reason.strip()
    if outcome == TERMINATED_EARLY and len(reason) < MIN_REASON:
        errors["reason"] = Msg(
            N_("Give the reason for the termination (at least %(n)s characters)."),
            {"n": MIN_REASON},
        )
    ended = (date or now).replace(microsecond=0)
    if ended > now:
        errors["date"] = N_("The date cannot be in the future.")
    elif contract.date_signed and ended < contract.date_signed:
        errors["date"] = N_("The date cannot be before the signing.")
    if errors:
        raise ContractError(errors)
    contract.status = ContractStatus.TERMINATED
    contract.outcome = outcome
    contract.status_reason = reason
    contract.ended_at = ended
    if outcome == TERMINATED_EARLY and contract.period_end and ended < contract.period_end:
        # The period in force ends when the contract was terminated (asset register).
        contract.period_end = ended
    published = publish_contracts(session, contract.tender, TERMINATION_TAG, now)
    _audit(session, f"contract.{outcome}", contract, user, published,
           **({"reason": reason} if reason else {}))  # fmt: skip
    word = "completed" if outcome == COMPLETED else "terminated early"
    _tell_supplier(
        session, contract, f"contract.{outcome}", f"Contract {word}: {contract.title}",
        f"Contract {contract.local_id} was {word} on {ended:%Y-%m-%d}."
        + (f"\n\nReason: {reason}" if reason else ""),
    )  # fmt: skip
