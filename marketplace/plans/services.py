"""Annual plan rules: adding and editing plan lines of one's own purchasing unit.

A line that has become a process is frozen: its published planning release describes it,
and later changes go through the process (amendments), not the plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.audit.services import record as audit
from marketplace.plans.models import PlanLine
from marketplace.tenders.errors import N_, Msg, TenderError
from marketplace.tenders.rules import MAIN_CATEGORIES
from marketplace.tenders.services import ensure_buyer_of

_UNSPSC = re.compile(r"^\d{8}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass
class PlanLineInput:
    year: int
    title: str
    rationale: str
    category_code: str
    main_category: str
    amount: Decimal | None
    currency: str
    quarter: int
    budget_source: str
    is_ict: bool = True


def validate_plan_line(data: PlanLineInput) -> dict[str, str | Msg]:
    errors: dict[str, str | Msg] = {}
    if not 2000 <= data.year <= 2100:
        errors["year"] = N_("Use a four-digit year.")
    if not data.title.strip():
        errors["title"] = N_("Say what will be bought.")
    if not _UNSPSC.match(data.category_code.strip()):
        errors["category_code"] = N_("Use an 8-digit UNSPSC code, e.g. 43211500.")
    if data.main_category not in MAIN_CATEGORIES:
        errors["main_category"] = N_("Choose goods, services or works.")
    if data.amount is None or data.amount <= 0:
        errors["amount"] = N_("The estimated amount must be more than zero.")
    if not _CURRENCY.match(data.currency or ""):
        errors["currency"] = N_("Use a three-letter ISO 4217 currency code, e.g. MXN.")
    if data.quarter not in (1, 2, 3, 4):
        errors["quarter"] = N_("Choose a quarter from 1 to 4.")
    if not data.budget_source.strip():
        errors["budget_source"] = N_("Name the budget source (programme, budget line).")
    return errors


def _copy(line: PlanLine, data: PlanLineInput) -> None:
    line.year = data.year
    line.title = data.title.strip()
    line.rationale = data.rationale.strip()
    line.category_code = data.category_code.strip()
    line.main_category = data.main_category
    assert data.amount is not None
    line.amount = data.amount
    line.currency = data.currency
    line.quarter = data.quarter
    line.budget_source = data.budget_source.strip()
    line.is_ict = data.is_ict


def add_plan_line(session: Session, user: User, data: PlanLineInput) -> PlanLine:
    """Add a line to the plan of the user's purchasing unit."""
    errors = validate_plan_line(data)
    if errors:
        raise TenderError(errors)
    line = PlanLine(buyer_org_id=user.organisation_id)
    ensure_buyer_of(line.buyer_org_id, user)
    _copy(line, data)
    session.add(line)
    session.flush()
    _audit_line(session, line, user, "plan_line.added")
    return line


def update_plan_line(session: Session, line: PlanLine, user: User, data: PlanLineInput) -> None:
    ensure_buyer_of(line.buyer_org_id, user)
    if line.started:
        raise TenderError(N_("This line has become a process; change the process instead."))
    errors = validate_plan_line(data)
    if errors:
        raise TenderError(errors)
    _copy(line, data)
    _audit_line(session, line, user, "plan_line.updated")


def plan_of(session: Session, org_id: int, year: int | None = None) -> list[PlanLine]:
    query = select(PlanLine).where(PlanLine.buyer_org_id == org_id)
    if year is not None:
        query = query.where(PlanLine.year == year)
    return list(session.scalars(query.order_by(PlanLine.year, PlanLine.quarter, PlanLine.id)))


def _audit_line(session: Session, line: PlanLine, user: User, action: str) -> None:
    """Put a change to a plan line on the public trail: what is planned, for how much."""
    audit(
        session, action, "plan_line", line.id,
        actor_user_id=user.id, actor_org_id=user.organisation_id,
        details={"title": line.title, "amount": str(line.amount), "currency": line.currency},
        public=True,
    )  # fmt: skip
