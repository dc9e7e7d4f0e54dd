"""Buyer actions on a tender: start from a plan line, save the draft, publish, amend,
cancel. Each is one call in the caller's transaction: the change, its release and its
audit event commit together (DESIGN.md §1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from business_cases.gate import require_approved_case
from marketplace.accounts.models import Organisation, OrgKind, Role, User
from marketplace.audit.services import record as audit
from marketplace.db import utcnow
from marketplace.inbox.services import notify
from marketplace.plans.models import PlanLine
from marketplace.publication.services import ocid_for
from marketplace.tenders.errors import N_, Msg, NotYourProcess, TenderError
from marketplace.tenders.models import (
    Invitation,
    Item,
    Lot,
    Tender,
    TenderDocument,
)
from marketplace.tenders.qa_models import Amendment
from marketplace.tenders.rules import DocumentInput, ItemInput, LotInput, TenderInput, validate
from marketplace.tenders.states import (
    AMENDABLE_STATES,
    AMENDMENT_TAG,
    DRAFT_STATES,
    FINAL_STATES,
    Action,
    TenderState,
)
from marketplace.tenders.workflow import (
    apply,
    apply_due,
    emit,
    last_release_id,
    lock,
    plan_line_of,
    run_cancel_steps,
)


def ensure_buyer_of(org_id: int, user: User) -> None:
    """Only buyers of the owning purchasing unit may change its plan and processes."""
    if user.organisation_id != org_id or user.role != Role.BUYER:
        raise NotYourProcess()


def begin_buyer_change(session: Session, tender: Tender, user: User, now: dt.datetime) -> None:
    """How every change by the buyer to a process starts: only its buyers may make it; the
    tender row is locked, and transitions due by ``now`` are applied first, so the rules
    see the state the process is really in."""
    ensure_buyer_of(tender.buyer_org_id, user)
    lock(session, tender)
    apply_due(session, tender, now)


def start_process(
    session: Session, line: PlanLine, user: User, now: dt.datetime | None = None
) -> Tender:
    """Turn a plan line into a process in ``planning`` and publish the planning release."""
    now = now or utcnow()
    ensure_buyer_of(line.buyer_org_id, user)
    if line.tender_id is not None:
        raise TenderError(N_("This plan line has already become a process."))
    tender = Tender(
        buyer_org_id=line.buyer_org_id,
        buyer=line.buyer,
        state=TenderState.PLANNING,
        title=line.title,
        description=line.rationale,
        main_category=line.main_category,
        is_ict=line.is_ict,
        value_amount=line.amount,
        currency=line.currency,
        created_at=now,
    )
    session.add(tender)
    session.flush()
    tender.ocid = ocid_for(tender.id)
    line.tender_id = tender.id
    apply(session, tender, Action.START, actor=user, now=now)
    return tender


def draft_input(tender: Tender) -> TenderInput:
    """The stored draft as form input (to edit it, or to re-check it before publishing)."""
    lot_number = {lot.local_id: n for n, lot in enumerate(tender.lots, start=1)}
    return TenderInput(
        title=tender.title,
        description=tender.description,
        main_category=tender.main_category,
        value_amount=tender.value_amount,
        currency=tender.currency,
        procurement_method=tender.procurement_method,
        method_details=tender.method_details,
        method_rationale=tender.method_rationale,
        weight_price=tender.weight_price,
        weight_quality=tender.weight_quality,
        weight_technical=tender.weight_technical,
        eligibility_criteria=tender.eligibility_criteria,
        enquiry_end=tender.enquiry_end,
        tender_end=tender.tender_end,
        bid_validity_days=tender.bid_validity_days,
        deposits_guarantees=tender.deposits_guarantees,
        variant_policy=tender.variant_policy,
        multiple_bids_allowed=tender.multiple_bids_allowed,
        languages=tender.languages,
        lots=[LotInput(lot.title, lot.description, lot.value_amount) for lot in tender.lots],
        items=[
            ItemInput(
                i.description,
                i.classification_id,
                i.classification_description,
                i.quantity,
                i.unit_name,
                i.unit_code,
                lot_number.get(i.related_lot),
            )
            for i in tender.items
        ],
        documents=[
            DocumentInput(
                d.document_type,
                d.title,
                d.description,
                d.url,
                d.format,
                lot_number.get(d.related_lot),
            )
            for d in tender.documents
        ],
        invited_org_ids=[inv.supplier_org_id for inv in tender.invitations],
    )


def save_draft(
    session: Session, tender: Tender, user: User, data: TenderInput, now: dt.datetime | None = None
) -> None:
    """Store the draft tender (private until published). Raises TenderError with every
    broken rule; nothing is changed then."""
    now = now or utcnow()
    begin_buyer_change(session, tender, user, now)
    if tender.state not in DRAFT_STATES:
        raise TenderError(N_("This tender is already published: change it with an amendment."))
    errors = validate(data, now)
    errors.update(_check_invited(session, data.invited_org_ids))
    if errors:
        raise TenderError(errors)
    for name in (
        "title", "description", "main_category", "value_amount", "currency",
        "procurement_method", "method_details", "method_rationale", "weight_price",
        "weight_quality", "weight_technical", "eligibility_criteria", "enquiry_end",
        "tender_end", "bid_validity_days", "deposits_guarantees", "variant_policy",
        "multiple_bids_allowed", "languages",
    ):  # fmt: skip
        value = getattr(data, name)
        setattr(tender, name, value.strip() if isinstance(value, str) else value)
    _replace_parts(session, tender, data, now)
    audit(
        session, "tender.draft_saved", "tender", tender.id,
        actor_user_id=user.id, actor_org_id=user.organisation_id,
    )  # fmt: skip


def _check_invited(session: Session, org_ids: list[int]) -> dict[str, str | Msg]:
    if not org_ids:
        return {}
    found = session.scalar(
        select(func.count(Organisation.id)).where(
            Organisation.id.in_(set(org_ids)), Organisation.kind == OrgKind.SUPPLIER
        )
    )
    if found != len(set(org_ids)):
        return {"invited": N_("Only registered suppliers can be invited.")}
    return {}


def _replace_parts(session: Session, tender: Tender, data: TenderInput, now: dt.datetime) -> None:
    # Old rows go first (flush) so the new ones can reuse the local ids lot-1, item-1...
    tender.lots.clear()
    tender.items.clear()
    tender.documents.clear()
    tender.invitations.clear()
    session.flush()
    lot_ids: dict[int, str] = {}
    for n, lot in enumerate(data.lots, start=1):
        if lot.blank():
            continue
        lot_ids[n] = f"lot-{n}"
        tender.lots.append(
            Lot(local_id=lot_ids[n], title=lot.title.strip(), description=lot.description.strip(),
                value_amount=lot.value_amount, position=n)
        )  # fmt: skip
    for n, item in enumerate((i for i in data.items if not i.blank()), start=1):
        assert item.quantity is not None
        tender.items.append(
            Item(
                local_id=f"item-{n}",
                description=item.description.strip(),
                classification_scheme="UNSPSC",
                classification_id=item.classification_id.strip(),
                classification_description=item.classification_description.strip(),
                quantity=item.quantity,
                unit_name=item.unit_name.strip(),
                unit_code=item.unit_code.strip().upper(),
                related_lot=lot_ids.get(item.lot or 0, ""),
                position=n,
            )
        )
    for n, doc in enumerate((d for d in data.documents if not d.blank()), start=1):
        tender.documents.append(_document(doc, n, now, lot_ids.get(doc.lot or 0, "")))
    for org_id in dict.fromkeys(data.invited_org_ids):
        tender.invitations.append(Invitation(supplier_org_id=org_id, created_at=now))


def _document(
    doc: DocumentInput, number: int, now: dt.datetime, related_lot: str = ""
) -> TenderDocument:
    """The ``number``-th document of a tender, published ``now``."""
    return TenderDocument(
        local_id=f"doc-{number}",
        document_type=doc.document_type,
        title=doc.title.strip(),
        description=doc.description.strip(),
        url=doc.url.strip(),
        format=doc.format.strip(),
        related_lot=related_lot,
        date_published=now,
        position=number,
    )


def publish_tender(
    session: Session, tender: Tender, user: User, now: dt.datetime | None = None
) -> None:
    """Publish the call for bids (``tender`` release); guards re-checked at this instant."""
    now = now or utcnow()
    begin_buyer_change(session, tender, user, now)
    if tender.state not in DRAFT_STATES:
        raise TenderError(N_("This tender has already been published."))
    if tender.state == TenderState.COMMENTS:
        raise TenderError(
            N_("The draft documents are still open for comments; publish after the comment period.")
        )
    if tender.tender_end is None:
        raise TenderError(N_("Fill in and save the tender before publishing it."))
    errors = validate(draft_input(tender), now)
    if errors:
        raise TenderError(errors)
    require_approved_case(
        session, plan_line_of(session, tender), tender.value_amount, tender.currency
    )
    tender.published_at = now
    tender.enquiry_start = now if tender.enquiry_end else None
    # ProZorro's order: bids are accepted once the enquiry period is over.
    tender.tender_start = tender.enquiry_end or now
    target = TenderState.ENQUIRIES if tender.enquiry_end else TenderState.TENDERING
    apply(session, tender, Action.PUBLISH, actor=user, now=now, target=target)
    for invitation in tender.invitations:
        for member in invitation.supplier.users:
            notify(
                session, member, "tender.invitation",
                f"Invitation to quote: {tender.title}",
                f"{tender.buyer.name} invites you to submit a bid before {tender.tender_end} UTC.",
                link=f"/processes/{tender.ocid}",
            )  # fmt: skip


def cancel_tender(
    session: Session, tender: Tender, user: User, reason: str, now: dt.datetime | None = None
) -> None:
    """Cancel the process with a public reason (``tenderCancellation`` release).

    Its pending or active awards and unsigned contracts are cancelled in that same
    release (tagged ``awardCancellation`` too when an award was); a process with a
    signed contract is refused (registered steps: :func:`workflow.cancel_step`)."""
    now = now or utcnow()
    begin_buyer_change(session, tender, user, now)
    if tender.state in FINAL_STATES:
        raise TenderError(
            Msg(N_("This process is already %(state)s."), {"state": tender.state.value})
        )
    reason = reason.strip()
    if len(reason) < 10:
        raise TenderError(N_("Explain the cancellation (at least 10 characters)."), "reason")
    closed = run_cancel_steps(session, tender, user, reason, now)
    tender.cancelled_at = now
    tender.cancellation_reason = reason
    published = apply(session, tender, Action.CANCEL, actor=user, now=now, reason=reason,
                      extra_tags=closed.tags)  # fmt: skip
    for done in closed.after:
        done(published)


@dataclass
class AmendmentInput:
    """What an amendment changes (None: unchanged) and why."""

    rationale: str = ""
    note: str = ""
    material: bool = False
    description: str | None = None
    enquiry_end: dt.datetime | None = None
    tender_end: dt.datetime | None = None
    value_amount: Decimal | None = None
    eligibility_criteria: str | None = None
    document: DocumentInput | None = None


def amend_tender(
    session: Session, tender: Tender, user: User, data: AmendmentInput,
    now: dt.datetime | None = None,
) -> Amendment:  # fmt: skip
    """Change a published tender during its enquiry or tender period (``tenderAmendment``)."""
    now = now or utcnow()
    begin_buyer_change(session, tender, user, now)
    if tender.state not in AMENDABLE_STATES:
        raise TenderError(
            Msg(
                N_("Only a tender open for enquiries or bids can be amended (it is %(state)s)."),
                {"state": tender.state.value},
            )
        )
    errors: dict[str, str | Msg] = {}
    if not data.rationale.strip():
        errors["rationale"] = N_("Explain why the tender is amended.")
    changes = _amendment_changes(tender, data, now, errors)
    if not changes and not errors:
        errors[""] = N_("Nothing to amend: change at least one field or add a document.")
    if errors:
        raise TenderError(errors)
    number = 1 + (
        session.scalar(select(func.count(Amendment.id)).where(Amendment.tender_id == tender.id))
        or 0
    )
    description = "; ".join(changes)
    if data.note.strip():
        description += f". {data.note.strip()}"
    amendment = Amendment(
        tender_id=tender.id,
        local_id=str(number),
        date=now,
        rationale=data.rationale.strip(),
        description=description,
        material=data.material,
        actor_user_id=user.id,
        amends_release_id=last_release_id(session, tender),
    )
    session.add(amendment)
    _apply_amendment(tender, data, now)
    tender.next_check_at = (
        tender.enquiry_end if tender.state == TenderState.ENQUIRIES else tender.tender_end
    )
    published = emit(session, tender, AMENDMENT_TAG, now)
    amendment.release_id = published.id
    audit(
        session, "tender.amended", "tender", tender.id,
        actor_user_id=user.id, actor_org_id=user.organisation_id,
        details={"ocid": tender.ocid, "amendment": amendment.local_id,
                 "material": data.material, "release": published.id},
        public=True,
    )  # fmt: skip
    return amendment


def _amendment_changes(
    tender: Tender, data: AmendmentInput, now: dt.datetime, errors: dict[str, str | Msg]
) -> list[str]:
    """Validate the changes and describe them in Spanish (the release's language)."""
    changes: list[str] = []
    enquiry_end = tender.enquiry_end
    if data.enquiry_end is not None and data.enquiry_end != tender.enquiry_end:
        if tender.state != TenderState.ENQUIRIES:
            errors["enquiry_end"] = N_("The enquiry period is over; it cannot be changed.")
        elif data.enquiry_end <= now:
            errors["enquiry_end"] = N_("The enquiry period must end in the future.")
        else:
            enquiry_end = data.enquiry_end
            changes.append(
                f"Fin del periodo de aclaraciones: {tender.enquiry_end} → {data.enquiry_end} UTC"
            )
    tender_end = data.tender_end or tender.tender_end
    if data.tender_end is not None and data.tender_end != tender.tender_end:
        changes.append(f"Fecha límite de propuestas: {tender.tender_end} → {data.tender_end} UTC")
    if tender_end is not None:
        if tender_end <= now:
            errors["tender_end"] = N_("The deadline for bids must be in the future.")
        elif enquiry_end is not None and tender_end <= enquiry_end:
            errors["tender_end"] = N_(
                "The deadline for bids must come after the enquiry period ends."
            )
    if data.description is not None and data.description.strip() != tender.description:
        changes.append("Descripción modificada")
    if data.value_amount is not None and data.value_amount != tender.value_amount:
        if data.value_amount < 0:
            errors["value_amount"] = N_("The estimated value cannot be negative.")
        changes.append(
            f"Valor estimado: {tender.value_amount} → {data.value_amount} {tender.currency}"
        )
    if (
        data.eligibility_criteria is not None
        and data.eligibility_criteria.strip() != tender.eligibility_criteria
    ):
        changes.append("Criterios de elegibilidad modificados")
    if data.document is not None and not data.document.blank():
        if not data.document.title.strip():
            errors["document_title"] = N_("Give the document a title.")
        changes.append(f"Documento añadido: {data.document.title.strip()}")
    return changes


def _apply_amendment(tender: Tender, data: AmendmentInput, now: dt.datetime) -> None:
    if data.enquiry_end is not None and tender.state == TenderState.ENQUIRIES:
        tender.enquiry_end = data.enquiry_end
        tender.tender_start = data.enquiry_end
    if data.tender_end is not None:
        tender.tender_end = data.tender_end
    if data.description is not None:
        tender.description = data.description.strip()
    if data.value_amount is not None:
        tender.value_amount = data.value_amount
    if data.eligibility_criteria is not None:
        tender.eligibility_criteria = data.eligibility_criteria.strip()
    if data.document is not None and not data.document.blank():
        tender.documents.append(_document(data.document, len(tender.documents) + 1, now))
