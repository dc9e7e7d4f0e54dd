"""Demo contract changes, after the contracts step signed and paid the active awards:
one contract is amended (more value and a later end date, with the reason) and paid
again, another is terminated early with its reason, so the demo has contracts in those
states too. Works on ``ctx["bid_processes"]`` (from ``marketplace/demo/bids.py``); only
contracts still active are touched, so a second run writes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.contracts.releases import TERMINATED_EARLY
from marketplace.contracts.services import (
    AmendmentInput,
    PaymentInput,
    amend_contract,
    end_contract,
    paid_total,
    record_payment,
)
from marketplace.db import utcnow

DAY = dt.timedelta(days=1)
TERMINATION = (
    "El proveedor incumplió los tiempos de atención pactados tres meses seguidos; se "
    "rescinde el contrato conforme a su cláusula décima."
)


def load(session: Session, rng: random.Random, ctx: dict[str, Any]) -> str:
    processes: dict[str, int] = ctx.get("bid_processes") or {}
    now = utcnow().replace(second=0, microsecond=0)
    done = []
    amended = _active_contract(session, processes.get("amended"))
    if amended is not None:
        _amend(session, amended, now)
        done.append("amended")
    ended = _active_contract(session, processes.get("terminated"))
    if ended is not None and ended.date_signed is not None:
        end_contract(session, ended, _buyer(session, ended), TERMINATED_EARLY, TERMINATION,
                     now=min(now - DAY, ended.date_signed + 60 * DAY))  # fmt: skip
        done.append("terminated early")
    return f"contracts changed: {', '.join(done) or 'none'}"


def _active_contract(session: Session, tender_id: int | None) -> Contract | None:
    if tender_id is None:
        return None
    return session.scalar(
        select(Contract)
        .where(Contract.tender_id == tender_id, Contract.status == ContractStatus.ACTIVE)
        .order_by(Contract.id)
    )


def _buyer(session: Session, contract: Contract) -> User:
    user = session.scalar(
        select(User)
        .where(User.organisation_id == contract.tender.buyer_org_id, User.role == Role.BUYER)
        .order_by(User.id)
    )
    assert user is not None, "the contract's unit has a buyer: it signed the contract"
    return user


def _amend(session: Session, contract: Contract, now: dt.datetime) -> None:
    """Ten per cent more nodes and two more months, then a payment against the amendment."""
    buyer = _buyer(session, contract)
    signed = contract.date_signed or now - 90 * DAY
    at = min(now - 2 * DAY, signed + 45 * DAY)
    value = contract.value_amount
    assert value is not None and contract.period_end is not None
    amend_contract(
        session, contract, buyer,
        AmendmentInput("Se amplía el alcance a cuatro planteles más, con los mismos precios "
                       "unitarios, y el plazo de ejecución dos meses.",
                       value=(value * Decimal("1.10")).quantize(Decimal("0.01")),
                       period_end=contract.period_end + 60 * DAY),
        now=at,
    )  # fmt: skip
    assert contract.value_amount is not None
    rest = contract.value_amount - paid_total(session, contract)
    third = (rest / 3).quantize(Decimal("0.01"))
    if third > 0:
        record_payment(session, contract, buyer,
                       PaymentInput(third, at + DAY, None, f"OP-{contract.id:05d}-A"),
                       now=at + DAY)  # fmt: skip
