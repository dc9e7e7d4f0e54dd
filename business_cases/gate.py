"""The business-case gate: a large ICT purchase is published only with an approved case.

A tender whose plan line is ICT and whose estimate (the tender's value, else the plan
line's amount) is over the threshold needs a business case linked to that plan line and
approved by finance (with or without observations). Under the threshold, or for a line
that is not ICT, there is no gate.

The threshold follows the "major" review threshold's conventions (services.ReviewPolicy):
strictly *over* the amount; an amount in a currency we cannot convert counts as over.
The web app's policy comes from its ``BUSINESS_CASE_GATE_MXN`` (default 500,000) and is
read from the current app; callers outside the app pass a policy or get the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from business_cases.evaluator import DEFAULT_USD_RATES
from business_cases.models import BusinessCase, CaseStatus
from marketplace import app_settings
from marketplace.plans.models import PlanLine
from marketplace.tenders.errors import N_, Msg, TenderError

APPROVED = frozenset({CaseStatus.APPROVED, CaseStatus.APPROVED_WITH_OBSERVATIONS})


#: Where the web app keeps its GatePolicy (``app.extensions``; see marketplace.app_settings).
POLICY_KEY = "tianguis.business_case_gate"
DEFAULT_THRESHOLD = Decimal("500000")


@dataclass(frozen=True)
class GatePolicy:
    """Over which estimate an ICT tender needs an approved business case."""

    threshold: Decimal = DEFAULT_THRESHOLD
    currency: str = "MXN"


#: The installation default, outside a web app unless the caller passes its own policy.
DEFAULT_POLICY = GatePolicy()


def policy_from_config(threshold: Decimal | str | int | None) -> GatePolicy:
    """The policy for ``BUSINESS_CASE_GATE_MXN`` (empty: the default threshold)."""
    if threshold in (None, ""):
        return DEFAULT_POLICY
    return GatePolicy(threshold=Decimal(str(threshold)))


def current_policy() -> GatePolicy:
    """The current web app's policy; :data:`DEFAULT_POLICY` outside an app context."""
    return app_settings.current(POLICY_KEY, GatePolicy, DEFAULT_POLICY)


def over_threshold(amount: Decimal, currency: str, gate: GatePolicy | None = None) -> bool:
    gate = gate or current_policy()
    if currency == gate.currency:
        return amount > gate.threshold
    rate, gate_rate = DEFAULT_USD_RATES.get(currency), DEFAULT_USD_RATES.get(gate.currency)
    if rate is None or gate_rate is None:
        return True  # cannot compare, so the case is required (like a "major" case)
    return amount * rate > gate.threshold * gate_rate


def linked_cases(session: Session, plan_line: PlanLine) -> list[BusinessCase]:
    """Cases linked to the plan line, most recently changed first."""
    return list(
        session.scalars(
            select(BusinessCase)
            .where(BusinessCase.plan_line_id == plan_line.id)
            .order_by(BusinessCase.updated_at.desc(), BusinessCase.id.desc())
        )
    )


def approved_case(session: Session, plan_line: PlanLine) -> BusinessCase | None:
    """The approved case linked to the plan line (the most recent if several)."""
    return next((c for c in linked_cases(session, plan_line) if c.status in APPROVED), None)


def money_text(amount: Decimal, currency: str) -> str:
    places = ",.0f" if amount == amount.to_integral_value() else ",.2f"
    return f"{currency} {format(amount, places)}"


def require_approved_case(
    session: Session,
    plan_line: PlanLine | None,
    amount: Decimal | None,
    currency: str | None,
    gate: GatePolicy | None = None,
) -> None:
    """Raise TenderError unless this purchase may go ahead without (or with) its case.

    ``amount``/``currency`` are the tender's estimate; None means "use the plan line's".
    """
    if plan_line is None or not plan_line.is_ict:
        return
    if amount is None or not currency:
        amount, currency = Decimal(plan_line.amount), plan_line.currency
    gate = gate or current_policy()
    if not over_threshold(amount, currency, gate):
        return
    cases = linked_cases(session, plan_line)
    if any(c.status in APPROVED for c in cases):
        return
    params: dict[str, object] = {
        "amount": money_text(amount, currency),
        "threshold": money_text(gate.threshold, gate.currency),
        "line": plan_line.title,
    }
    if not cases:
        raise TenderError(
            Msg(
                N_(
                    "This ICT purchase of %(amount)s needs an approved business case (the limit is "
                    "%(threshold)s), but no business case is linked to its plan line “%(line)s”. "
                    "Write a business case for that plan line and publish once finance approves it."
                ),
                params,
            )
        )
    params.update(case=cases[0].title, status=cases[0].status.value.replace("_", " "))
    raise TenderError(
        Msg(
            N_(
                "This ICT purchase of %(amount)s needs an approved business case (the limit is "
                "%(threshold)s); the case “%(case)s” is “%(status)s”. "
                "Publish once finance approves it."
            ),
            params,
        )
    )
