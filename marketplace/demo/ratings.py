"""Demo supplier ratings, after the contracts step met milestones and completed some
contracts: each met milestone and each completed contract is rated by the contract's
buyer; some suppliers replied (final, reply beside it), some let the 14 days pass (final
by the tick), the latest ratings still await a reply (draft); a few suppliers complained
of late payments. A contract already rated or complained about is skipped, so a second
run writes nothing."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.contracts.life_models import ContractMilestone, MilestoneStatus
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.db import utcnow
from marketplace.performance.models import AREAS, LatePaymentComplaint, SupplierRating
from marketplace.performance.services import (
    ComplaintInput,
    RatingInput,
    file_late_payment,
    finalise_due,
    rate_supplier,
    reply_to_rating,
)

DAY = dt.timedelta(days=1)
NARRATIVES = {
    "good": "Entregó completo y a tiempo, con actas firmadas y soporte atento a las incidencias.",
    "fair": "Cumplió lo pactado; la documentación de entrega llegó incompleta y hubo que "
    "pedirla dos veces.",
    "poor": "Entregó con retraso de dos semanas y sin las licencias de respaldo; se levantó "
    "acta de incumplimiento parcial.",
}
REPLIES = (
    "Reconocemos el retraso: el fabricante retuvo el embarque en aduana. Se entregaron las "
    "licencias faltantes la semana siguiente.",
    "Agradecemos la calificación. La documentación se completó al día siguiente de la solicitud.",
)


def _member(users: list[User], role: Role) -> User | None:
    return next((u for u in sorted(users, key=lambda u: u.id) if u.role == role), None)


def _scores(rng: random.Random, tone: str) -> dict[str, int | str | None]:
    base = {"good": (3, 4), "fair": (2, 3), "poor": (0, 2)}[tone]
    return {column: rng.randint(*base) for column, _code in AREAS}


def load(session: Session, rng: random.Random, ctx: dict[str, Any]) -> str:
    if session.scalar(select(SupplierRating.id).limit(1)) is not None:
        # Later steps (framework call-offs) add contracts; rating those on a second run
        # would make the demo write again.
        return "ratings already present"
    now = utcnow().replace(second=0, microsecond=0)
    rated = replied = complaints = 0
    contracts = session.scalars(
        select(Contract)
        .where(Contract.status.in_([ContractStatus.ACTIVE, ContractStatus.TERMINATED]))
        .order_by(Contract.id)
    ).all()
    for n, contract in enumerate(contracts):
        if session.scalar(select(SupplierRating.id).where(
            SupplierRating.contract_id == contract.id).limit(1)) is not None:  # fmt: skip
            continue
        buyer = _member(contract.tender.buyer.users, Role.BUYER)
        supplier = contract.award.supplier
        supplier_user = _member(supplier.organisation.users, Role.SUPPLIER) if supplier else None
        if buyer is None or supplier_user is None:
            continue
        targets: list[tuple[int | None, dt.datetime]] = [
            (m.id, m.date_met + 2 * DAY)
            for m in session.scalars(
                select(ContractMilestone).where(
                    ContractMilestone.contract_id == contract.id,
                    ContractMilestone.status == MilestoneStatus.MET,
                )
            )
            if m.date_met is not None
        ]
        if contract.status == ContractStatus.TERMINATED and contract.ended_at is not None:
            targets.append((None, contract.ended_at + DAY))
        for k, (milestone_id, at) in enumerate(targets):
            # Every fourth rating is a few days old and still awaits the reply.
            recent = rated % 4 == 2
            if recent:  # rated late, a few days ago (still after the milestone was met)
                at = max(at, now - rng.randint(1, 5) * DAY)
            at = min(at, now - DAY)
            tone = ("good", "fair", "poor")[(n + k) % 3]
            rating = rate_supplier(
                session, contract, buyer,
                RatingInput(_scores(rng, tone), NARRATIVES[tone], milestone_id), now=at,
            )  # fmt: skip
            rated += 1
            reply_at = at + rng.randint(1, 10) * DAY
            if not recent and tone != "good" and (n + k) % 2 == 0 and reply_at <= now:
                reply_to_rating(session, rating, supplier_user, REPLIES[(n + k) % 2], now=reply_at)
                replied += 1
        if n % 4 == 1 and contract.period_start is not None:
            due = contract.period_start + 20 * DAY
            filed = due + 12 * DAY
            if filed <= now and not session.scalar(select(LatePaymentComplaint.id).where(
                    LatePaymentComplaint.contract_id == contract.id).limit(1)):  # fmt: skip
                file_late_payment(
                    session, contract, supplier_user,
                    ComplaintInput(f"La factura F-{contract.id:04d}-1 venció el "
                                   f"{due:%Y-%m-%d} y sigue sin pagarse; el contrato fija "
                                   "pago a 20 días naturales.", due), now=filed,
                )  # fmt: skip
                complaints += 1
    final = finalise_due(session, now)
    return (
        f"ratings: {rated} ({replied} replied, {final} final after 14 days), "
        f"late-payment complaints: {complaints}"
    )
