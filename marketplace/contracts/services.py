"""The buyer's actions on contracts: sign (from an active award), amend, complete or
terminate. Milestones and payments: :mod:`marketplace.contracts.implementation`.

Each is one call in the caller's transaction: the change, its OCDS release (tag from the
releaseTag codelist), its public audit event and the supplier's inbox messages commit
together (DESIGN.md §1). Every rule broken raises :class:`ContractError` with field
paths, before anything is written; acting on another unit's contract raises
:class:`NotYourProcess`.

Amendments may raise the value by at most
:data:`MAX_INCREASE` of the value signed, in total (LAASSP art. 52).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.awards.models import Award, AwardStatus
from marketplace.awards.services import apply_due_awards
from marketplace.contracts.common import (
    CENT,
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
from marketplace.contracts.hooks import run_on_signed
from marketplace.contracts.implementation import (
    MILESTONE_TYPES,
    MilestoneInput,
    PaymentInput,
    add_milestone,
    record_payment,
    update_milestone,
)
from marketplace.contracts.life_models import (
    ContractAmendment,
    ContractDocument,
)
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.contracts.releases import (
    AMENDMENT_TAG,
    COMPLETED,
    SIGNED_TAG,
    TERMINATED_EARLY,
    TERMINATION_TAG,
    publish_contracts,
)
from marketplace.db import utcnow
from marketplace.tenders.models import Tender
from marketplace.tenders.services import begin_buyer_change
from marketplace.tenders.states import Action, TenderState
from marketplace.tenders.workflow import apply, last_release_id

# Every contract action is importable from here (milestones and payments live in
# implementation.py, the shared steps in common.py).
__all__ = [
    "MILESTONE_TYPES", "AmendmentInput", "DocumentInput", "MilestoneInput", "PaymentInput",
    "SignInput", "add_milestone", "amend_contract", "end_contract", "paid_total",
    "parse_amount", "record_payment", "sign_contract", "signed_contract_of", "signed_value",
    "update_milestone",
]  # fmt: skip

#: Most the amendments may raise a contract's value, as a share of the value signed.
MAX_INCREASE = Decimal("0.20")
#: Shortest rationale of an amendment or reason of an early termination.
MIN_REASON = 10
#: Document types a buyer may attach (documentType codelist, contract stage).
DOCUMENT_TYPES = ("contractSigned", "contractAnnexe", "contractSchedule", "contractGuarantees")
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
            {"award": money_text(award.value_amount, award.currency)},
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
    run_on_signed(session, contract, user, now)  # e.g. the asset register (same release)
    if tender.state == TenderState.EVALUATION and _all_contracted(session, tender):
        # One release: the transition's tag for COMPLETE is ``contract`` (states.py).
        published = apply(session, tender, Action.COMPLETE, actor=user, now=now,
                          reason=f"{contract.local_id} firmado")  # fmt: skip
    else:
        published = publish_contracts(session, tender, SIGNED_TAG, now)
    audit_contract(session, "contract.signed", contract, user, published,
           value=str(value), currency=contract.currency)  # fmt: skip
    tell_supplier(
        session, contract, "contract.signed", f"Contract signed: {tender.title}",
        f"Contract {contract.local_id} was signed on {signed_at} UTC for "
        f"{money_text(value, contract.currency)}, from {data.period_start} to {data.period_end}.",
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


def amend_contract(
    session: Session, contract: Contract, user: User, data: AmendmentInput,
    now: dt.datetime | None = None,
) -> ContractAmendment:  # fmt: skip
    """Change the value and/or the end date of an active contract, with a public
    rationale; publishes a ``contractAmendment`` release."""
    now = (now or utcnow()).replace(microsecond=0)
    begin_change(session, contract, user, now)
    ensure_active(contract, N_("Only an active contract can be amended."))
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
        ceiling = (base * (1 + MAX_INCREASE)).quantize(CENT)
        paid = paid_total(session, contract)
        if new_value == contract.value_amount:
            errors["value"] = N_("The value is unchanged.")
        elif new_value > ceiling:
            errors["value"] = Msg(
                N_("Amendments may raise the value by at most 20%% of the value signed "
                   "(up to %(ceiling)s)."), {"ceiling": money_text(ceiling, contract.currency)},
            )  # fmt: skip
        elif new_value < paid:
            errors["value"] = Msg(
                N_("The value cannot be less than what has been paid (%(paid)s)."),
                {"paid": money_text(paid, contract.currency)},
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
        changes.append(f"Valor: {money_text(contract.value_amount, contract.currency)} → "
                       f"{money_text(new_value, contract.currency)}")  # fmt: skip
    if new_end is not None:
        changes.append(f"Fin del periodo: {contract.period_end:%Y-%m-%d} → {new_end:%Y-%m-%d}")
    amendment = ContractAmendment(
        contract_id=contract.id,
        local_id=next_local_id(session, ContractAmendment, contract, "amendment"),
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
    audit_contract(session, "contract.amended", contract, user, published,
           amendment=amendment.local_id, rationale=rationale)  # fmt: skip
    tell_supplier(
        session, contract, "contract.amended", f"Contract amended: {contract.title}",
        f"{amendment.description}\n\nRationale: {rationale}",
    )  # fmt: skip
    return amendment


def end_contract(
    session: Session, contract: Contract, user: User, outcome: str, reason: str,
    date: dt.datetime | None = None, now: dt.datetime | None = None,
) -> None:  # fmt: skip
    """Close an active contract as ``completed`` or ``terminated`` early (reason
    required); publishes a ``contractTermination`` release (status ``terminated``)."""
    now = (now or utcnow()).replace(microsecond=0)
    begin_change(session, contract, user, now)
    ensure_active(contract, N_("Only an active contract can be completed or terminated."))
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
    audit_contract(session, f"contract.{outcome}", contract, user, published,
           **({"reason": reason} if reason else {}))  # fmt: skip
    word = "completed" if outcome == COMPLETED else "terminated early"
    tell_supplier(
        session, contract, f"contract.{outcome}", f"Contract {word}: {contract.title}",
        f"Contract {contract.local_id} was {word} on {ended:%Y-%m-%d}."
        + (f"\n\nReason: {reason}" if reason else ""),
    )  # fmt: skip
