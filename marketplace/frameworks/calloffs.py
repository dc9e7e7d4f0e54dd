"""Buying from a framework's catalogue (call-offs). Each call-off is its own process run
through the ordinary tender workflow, award and contract services, so its contract
feeds the asset register on signing; :mod:`calloff_models` adds ``relatedProcesses``.

- Direct award: one listing, quantity × price at most the ceiling, with a justification;
  the process is published, awarded to the listing's supplier and signed in one action.
- Mini-competition: :mod:`marketplace.frameworks.minicomp`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.awards.models import Award, AwardStatus
from marketplace.contracts.models import Contract
from marketplace.contracts.services import DocumentInput, SignInput, sign_contract
from marketplace.frameworks.calloff_models import CallOff, CallOffKind
from marketplace.frameworks.errors import N_, FrameworkError, Msg, NotAllowed
from marketplace.frameworks.models import Admission, Framework, FrameworkLot, Listing
from marketplace.publication.services import ocid_for
from marketplace.tenders.models import Item, ProcurementMethod, Tender
from marketplace.tenders.states import Action, TenderState
from marketplace.tenders.workflow import apply, emit

#: Default ceiling of a direct call-off (CALLOFF_DIRECT_CEILING_MXN overrides it).
DEFAULT_CEILING = Decimal("300000")
#: UNSPSC "computer services" when a listing's category is not itself a UNSPSC code.
ICT_SERVICES = "81110000"


@dataclass
class DirectInput:
    quantity: str
    justification: str
    #: Web address of the signed order/contract (published with the contract).
    contract_url: str = ""
    #: The contract ends then (default: when the framework ends).
    period_end: dt.datetime | None = None


def parse_quantity(text: str) -> Decimal:
    try:
        quantity = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise FrameworkError(N_("Enter the quantity as a number."), "quantity") from None
    if not quantity.is_finite() or quantity <= 0 or quantity >= Decimal("1e12"):
        raise FrameworkError(N_("The quantity must be a positive number."), "quantity")
    if quantity != quantity.quantize(Decimal("0.001")):
        raise FrameworkError(N_("Use at most three decimals in the quantity."), "quantity")
    return quantity


def ensure_can_call_off(user: User, framework: Framework, now: dt.datetime) -> None:
    """Any purchasing unit may buy from a running framework."""
    if user.role != Role.BUYER:
        raise NotAllowed("Only a buyer may call off from a framework.")
    if now >= framework.end_date:
        raise FrameworkError(N_("The framework has expired: no new call-offs."))
    if now < framework.start_date:
        raise FrameworkError(N_("The framework has not started yet."))


def start_calloff_process(
    session: Session, user: User, framework: Framework, lot: FrameworkLot, *,
    method: ProcurementMethod, title: str, rationale: str, description: str,
    quantity: Decimal, unit: str, category: str, value: Decimal | None, now: dt.datetime,
) -> Tender:  # fmt: skip
    """The call-off's own process, not yet started: the caller links it to the framework
    (a CallOff row) and then applies START, so even the first release is related."""
    code = category if category.isdigit() and len(category) == 8 else ICT_SERVICES
    tender = Tender(
        buyer_org_id=user.organisation_id,
        state=TenderState.PLANNING,
        title=title[:300],
        description=description,
        main_category="services",
        is_ict=True,
        value_amount=value,
        currency=framework.currency,
        procurement_method=method,
        method_details=f"Contratación derivada del acuerdo marco {framework.ocid}, {lot.title}",
        method_rationale=rationale,
        weight_price=100,
        eligibility_criteria=f"Proveedores admitidos en {lot.title} del acuerdo marco",
        created_at=now,
        items=[
            Item(
                local_id="item-1", description=description[:2000], classification_id=code,
                classification_description=category[:300], quantity=quantity, unit_name=unit,
            )
        ],
    )  # fmt: skip
    session.add(tender)
    session.flush()
    tender.ocid = ocid_for(tender.id)
    session.flush()
    session.refresh(tender)
    return tender


def direct_calloff(
    session: Session, user: User, listing: Listing, data: DirectInput, *,
    ceiling: Decimal, now: dt.datetime,
) -> CallOff:  # fmt: skip
    """Buy ``listing`` directly: published, awarded and contracted in one transaction."""
    now = now.replace(microsecond=0)  # as the contract services record it
    admission: Admission = listing.admission
    framework = admission.framework
    ensure_can_call_off(user, framework, now)
    if not listing.active:
        raise FrameworkError(N_("This listing has been withdrawn from the catalogue."))
    quantity = parse_quantity(data.quantity)
    justification = data.justification.strip()
    if len(justification) < 20:
        raise FrameworkError(
            N_("Justify the direct award (at least 20 characters)."), "justification"
        )
    value = (listing.unit_price * quantity).quantize(Decimal("0.01"))
    if value > ceiling:
        raise FrameworkError(
            Msg(
                N_("%(value)s is above the direct call-off ceiling of %(ceiling)s: "
                   "run a mini-competition among the lot's suppliers."),
                {"value": f"{value:,.2f}", "ceiling": f"{ceiling:,.2f}"},
            ),
            "quantity",
        )  # fmt: skip
    if not data.contract_url.strip().startswith(("https://", "http://")):
        raise FrameworkError(
            N_("Give the web address of the signed order (https://…)."), "contract_url"
        )
    end = data.period_end or framework.end_date
    if end <= now:
        raise FrameworkError(N_("The contract must end in the future."), "period_end")
    tender = start_calloff_process(
        session, user, framework, admission.lot, method=ProcurementMethod.DIRECT,
        title=f"Contratación derivada: {listing.description}", rationale=justification,
        description=listing.description, quantity=quantity, unit=listing.unit,
        category=listing.category, value=value, now=now,
    )  # fmt: skip
    calloff = CallOff(
        framework_id=framework.id, lot_id=admission.lot_id, tender_id=tender.id,
        kind=CallOffKind.DIRECT, listing_id=listing.id, quantity=quantity,
        justification=justification, buyer_org_id=user.organisation_id, created_at=now,
        unit_price=listing.unit_price,
    )  # fmt: skip
    session.add(calloff)
    apply(session, tender, Action.START, actor=user, now=now)
    tender.published_at = now
    tender.tender_start = now
    tender.tender_end = now
    apply(session, tender, Action.PUBLISH, actor=user, now=now, target=TenderState.TENDERING)
    apply(session, tender, Action.CLOSE_TENDERING, actor=user, now=now)
    award = Award(
        tender_id=tender.id, tender=tender, local_id="award-1", supplier_id=admission.supplier_id,
        status=AwardStatus.ACTIVE,
        title=f"{admission.supplier.legal_name}: {listing.description}"[:300],
        description=justification, value_amount=value, currency=framework.currency, date=now,
        decided_by_user_id=user.id,
    )  # fmt: skip
    session.add(award)
    emit(session, tender, "award", now)
    sign_contract(
        session, award, user,
        SignInput(period_start=now, period_end=end, date_signed=now,
                  title=f"Contrato derivado: {listing.description}"[:300],
                  documents=[DocumentInput("Pedido firmado", data.contract_url.strip())]),
        now=now,
    )  # fmt: skip
    return calloff


def contract_of(session: Session, calloff: CallOff) -> Contract | None:
    return session.scalar(select(Contract).where(Contract.tender_id == calloff.tender_id))
