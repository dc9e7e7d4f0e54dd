"""Demo contracts: every active award without a contract gets one, signed through the real
service a few days after its standstill, with a delivery milestone; those signed long
enough ago have it met and half paid, and one in three of those is paid in full and
completed. Idempotent: an award with a signed contract is skipped."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.awards.models import Award, AwardStatus
from marketplace.contracts.services import (
    DocumentInput,
    MilestoneInput,
    PaymentInput,
    SignInput,
    add_milestone,
    end_contract,
    record_payment,
    sign_contract,
    signed_contract_of,
    update_milestone,
)
from marketplace.db import utcnow

DAY = dt.timedelta(days=1)


def _buyer_of(session: Session, award: Award) -> User | None:
    return session.scalar(
        select(User)
        .where(User.organisation_id == award.tender.buyer_org_id, User.role == Role.BUYER)
        .order_by(User.id)
    )


def load(session: Session, rng: random.Random, ctx: dict[str, Any]) -> str:
    now = utcnow().replace(second=0, microsecond=0)
    awards = session.scalars(
        select(Award).where(Award.status == AwardStatus.ACTIVE).order_by(Award.date, Award.id)
    ).all()
    signed = paid = completed = 0
    for award in awards:
        user = _buyer_of(session, award)
        if user is None or signed_contract_of(session, award) is not None:
            continue
        # Signed a few days after the standstill, never in the future.
        at = min(now - DAY, (award.standstill_end or award.date) + rng.randint(1, 5) * DAY)
        if at < award.date:
            continue
        start = at + 3 * DAY
        contract = sign_contract(
            session, award, user,
            SignInput(period_start=start, period_end=start + rng.choice((180, 365)) * DAY,
                      date_signed=at,
                      documents=[DocumentInput("Contrato firmado",
                                               f"https://contratos.example.org/{award.tender.ocid}"
                                               f"/{award.local_id}.pdf")]),
            now=at,
        )  # fmt: skip
        signed += 1
        met = start + 10 * DAY
        milestone = add_milestone(
            session, contract, user,
            MilestoneInput("Entrega e instalación", met, "delivery",
                           "Entrega en sitio con acta de recepción."), now=at,
        )  # fmt: skip
        value = contract.value_amount
        if met + 4 * DAY >= now or value is None:
            continue
        update_milestone(session, milestone, user, "met", met, now=met)
        half = (value / 2).quantize(Decimal("0.01"))
        record_payment(session, contract, user,
                       PaymentInput(half, met + DAY, milestone.id, f"OP-{contract.id:05d}-1"),
                       now=met + DAY)  # fmt: skip
        paid += 1
        if paid % 3 == 1:
            record_payment(session, contract, user,
                           PaymentInput(value - half, met + 2 * DAY, None,
                                        f"OP-{contract.id:05d}-2"), now=met + 2 * DAY)  # fmt: skip
            end_contract(session, contract, user, "completed", "Bienes entregados y pagados.",
                         now=met + 3 * DAY)  # fmt: skip
            completed += 1
    return f"signed: {signed}, paid: {paid}, completed: {completed}"
