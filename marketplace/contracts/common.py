"""What every contract action shares: how it starts (only the unit's buyers, tender row
locked), amounts, the supplier's inbox messages, the public audit event, local ids."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.audit.services import record as audit
from marketplace.contracts.errors import N_, ContractError
from marketplace.contracts.life_models import (
    ContractAmendment,
    ContractMilestone,
    ContractPayment,
)
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.inbox.services import notify
from marketplace.publication.services import PublishedRelease
from marketplace.tenders.services import begin_buyer_change

CENT = Decimal("0.01")


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
    if amount != amount.quantize(CENT) or amount >= Decimal("1e16"):
        raise ContractError(N_("Use at most two decimals and sixteen digits."), path)
    return amount.quantize(CENT)


def money_text(amount: Decimal | None, currency: str) -> str:
    return f"{amount:,.2f} {currency}" if amount is not None else "—"


def begin_change(session: Session, contract: Contract, user: User, now: dt.datetime) -> None:
    """Only buyers of the contract's unit act on it; the tender row is locked."""
    begin_buyer_change(session, contract.tender, user, now)
    session.refresh(contract)


def ensure_active(contract: Contract, message: str, path: str = "") -> None:
    if contract.status != ContractStatus.ACTIVE:
        raise ContractError(message, path)


def tell_supplier(session: Session, contract: Contract, kind: str, subject: str, body: str) -> None:
    supplier = contract.award.supplier
    assert supplier is not None
    for member in supplier.organisation.users:
        notify(session, member, kind, subject, body, link=f"/supplier/contracts/{contract.id}")


def audit_contract(
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


def paid_total(session: Session, contract: Contract) -> Decimal:
    total = session.scalar(
        select(func.sum(ContractPayment.amount)).where(ContractPayment.contract_id == contract.id)
    )
    return Decimal(total or 0)


def next_local_id(
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
