"""Mini-competition call-offs: a short sealed-bid round among a lot's admitted
suppliers. It is an ordinary ``limited`` tender (invitations = the admitted suppliers,
price-only criteria, bids open at once), so bids, opening, awards, standstill and the
contract run through the existing services and pages unchanged. While it takes bids,
the lot's listing prices are frozen (:func:`running_competition`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.frameworks.calloff_models import CallOff, CallOffKind
from marketplace.frameworks.calloffs import (
    ensure_can_call_off,
    parse_quantity,
    start_calloff_process,
)
from marketplace.frameworks.errors import N_, FrameworkError, Msg
from marketplace.frameworks.models import Admission, FrameworkLot
from marketplace.tenders.models import Invitation, ProcurementMethod, Tender
from marketplace.tenders.states import Action, TenderState
from marketplace.tenders.workflow import apply

#: A mini-competition takes bids for between these many days.
MIN_DAYS, MAX_DAYS = 2, 15


@dataclass
class MiniInput:
    description: str
    quantity: str
    unit: str
    days: int = 5
    justification: str = ""


def running_competition(session: Session, lot: FrameworkLot, now: dt.datetime) -> CallOff | None:
    """A mini-competition of ``lot`` still taking bids at ``now``, if any."""
    return session.scalar(
        select(CallOff)
        .join(Tender, CallOff.tender_id == Tender.id)
        .where(
            CallOff.lot_id == lot.id,
            CallOff.kind == CallOffKind.MINI,
            Tender.state == TenderState.TENDERING,
            Tender.tender_end > now,
        )
        .limit(1)
    )


def start_mini_competition(
    session: Session, user: User, lot: FrameworkLot, data: MiniInput, now: dt.datetime
) -> CallOff:
    """Invite every supplier admitted to ``lot`` to quote by a deadline ``days`` away."""
    now = now.replace(microsecond=0)  # bids are timed to the second
    framework = lot.framework
    ensure_can_call_off(user, framework, now)
    description = data.description.strip()
    if len(description) < 10:
        raise FrameworkError(N_("Describe what you need (at least 10 characters)."), "description")
    quantity = parse_quantity(data.quantity)
    if not data.unit.strip():
        raise FrameworkError(N_("Say what unit the quantity is in."), "unit")
    if not MIN_DAYS <= data.days <= MAX_DAYS:
        raise FrameworkError(
            Msg(N_("Give suppliers between %(min)s and %(max)s days to quote."),
                {"min": MIN_DAYS, "max": MAX_DAYS}),
            "days",
        )  # fmt: skip
    deadline = now + dt.timedelta(days=data.days)
    if deadline > framework.end_date:
        raise FrameworkError(N_("The framework expires before this deadline."), "days")
    admitted = list(
        session.scalars(select(Admission).where(Admission.lot_id == lot.id).order_by(Admission.id))
    )
    if len(admitted) < 2:
        raise FrameworkError(
            N_("A mini-competition needs at least two admitted suppliers in the lot.")
        )
    tender = start_calloff_process(
        session, user, framework, lot, method=ProcurementMethod.LIMITED,
        title=f"Minicompetencia: {description}"[:300],
        rationale="Minicompetencia entre los proveedores admitidos en el lote del acuerdo marco."
        + (f" {data.justification.strip()}" if data.justification.strip() else ""),
        description=description, quantity=quantity, unit=data.unit.strip(), category="",
        value=None, now=now,
    )  # fmt: skip
    calloff = CallOff(
        framework_id=framework.id, lot_id=lot.id, tender_id=tender.id, kind=CallOffKind.MINI,
        quantity=quantity, justification=data.justification.strip(),
        buyer_org_id=user.organisation_id, created_at=now,
    )  # fmt: skip
    session.add(calloff)
    for admission in admitted:
        tender.invitations.append(Invitation(supplier_org_id=admission.supplier.organisation_id))
    apply(session, tender, Action.START, actor=user, now=now)
    tender.published_at = now
    tender.tender_start = now
    tender.tender_end = deadline
    tender.bid_validity_days = 30
    apply(session, tender, Action.PUBLISH, actor=user, now=now, target=TenderState.TENDERING)
    return calloff
