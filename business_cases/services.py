"""Business-case rules: writing a case, submitting it, rating it, deciding on it.

Each public function is one user action in the caller's transaction, with its audit
event; the caller commits. Bad input raises CaseInputError (every problem with its field
path, nothing changed); a broken rule raises CaseError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from business_cases import planning_release, workflow
from business_cases.evaluator import (
    DEFAULT_DISCOUNT_RATES,
    DEFAULT_OPTIMISM_BIAS,
    DEFAULT_USD_RATES,
    CaseEvaluation,
    CaseInput,
    Line,
    Option,
    case_evaluation_to_dict,
    evaluate,
)
from business_cases.evaluator_input import (
    FALLBACK_CURRENCIES,
    Checker,
    EvaluationInputError,
    FieldError,
)
from business_cases.models import (
    TEXT_FIELDS,
    BusinessCase,
    CaseDecision,
    CaseLine,
    CaseOption,
    CaseReview,
    CaseRisk,
    CaseStatus,
    CaseVersion,
    Criterion,
    DeliveryApproach,
    Outcome,
    Rating,
)
from business_cases.snapshots import SNAPSHOT_FORMAT, case_content, jsonable
from marketplace import app_settings
from marketplace.accounts.models import OrgKind, Role, User
from marketplace.audit.services import record
from marketplace.db import utcnow
from marketplace.inbox.services import notify
from marketplace.plans.models import PlanLine

CaseInputError = EvaluationInputError


class CaseError(ValueError):
    """A rule was broken (wrong state, wrong person, missing review).

    ``template`` is English with ``%(name)s`` placeholders filled from ``params`` (the
    app translates the template)."""

    def __init__(self, template: str, **params: Any) -> None:
        super().__init__(template % params if params else template)
        self.template = template
        self.params = params


@dataclass(frozen=True)
class ReviewPolicy:
    """When a case is "major" and needs two reviewers (configurable per installation)."""

    #: Undiscounted total cost of the costliest option, in USD.
    major_threshold_usd: Decimal = Decimal("1000000")
    #: A risk of likelihood × impact at or above this makes the case high risk.
    high_risk_score: int = 15
    reviewers_for_major: int = 2


#: Where the web app keeps its ReviewPolicy (``app.extensions``; see marketplace.app_settings).
REVIEW_POLICY_KEY = "tianguis.review_policy"


def current_review_policy() -> ReviewPolicy:
    """The current web app's policy; the defaults outside an app context."""
    return app_settings.current(REVIEW_POLICY_KEY, ReviewPolicy, ReviewPolicy())


# --- content --------------------------------------------------------------------------


def _text(data: Mapping[str, Any], key: str, c: Checker, *, required: bool = False,
          max_len: int | None = None) -> str:
    value = data.get(key) or ""
    if not isinstance(value, str):
        c.fail(key, "must be text")
        return ""
    value = value.strip()
    if required and not value:
        c.fail(key, "is required")
    if max_len and len(value) > max_len:
        c.fail(key, "must be at most %(n)s characters", n=max_len)
    return value


def validate_content(
    data: Mapping[str, Any], currencies: frozenset[str] = FALLBACK_CURRENCIES
) -> dict[str, Any]:
    """Check what a buyer wrote (a draft may be incomplete; see submission_problems)."""
    c = Checker()
    out: dict[str, Any] = {"title": _text(data, "title", c, required=True, max_len=300)}
    plan_line = data.get("plan_line_id")
    out["plan_line_id"] = None
    if plan_line not in (None, ""):
        try:
            out["plan_line_id"] = int(plan_line)
        except (TypeError, ValueError):
            c.fail("plan_line_id", "must be an ICT plan line of your unit")
    currency = str(data.get("currency") or "").strip().upper()
    if currency not in currencies:
        c.fail("currency", "must be an ISO 4217 currency code, e.g. MXN")
    out["currency"] = currency
    jurisdiction = data.get("jurisdiction") or "MX"
    if jurisdiction not in DEFAULT_DISCOUNT_RATES:
        c.fail("jurisdiction", "must be one of %(choices)s",
               choices=", ".join(DEFAULT_DISCOUNT_RATES))
    out["jurisdiction"] = jurisdiction
    rate = data.get("discount_rate")
    if rate is None or rate == "":
        out["discount_rate"] = DEFAULT_DISCOUNT_RATES.get(jurisdiction, Decimal("0.10"))
    else:
        out["discount_rate"] = c.number(rate, "discount_rate", minimum=Decimal(-1),
                                        strict_min=True)
    usd = data.get("usd_rate")
    out["usd_rate"] = (
        DEFAULT_USD_RATES.get(currency) if usd is None or usd == ""
        else c.number(usd, "usd_rate", minimum=Decimal(0), strict_min=True)
    )
    home = data.get("unit_home_cost")
    out["unit_home_cost"] = (
        Decimal("25000") if home is None or home == ""
        else c.number(home, "unit_home_cost", minimum=Decimal(0), strict_min=True)
    )
    try:
        out["delivery_approach"] = DeliveryApproach(data.get("delivery_approach") or "agile")
    except ValueError:
        c.fail("delivery_approach", "must be traditional, modular or agile")
    for name in TEXT_FIELDS:
        out[name] = _text(data, name, c)

    out["options"] = []
    for i, raw in enumerate(data.get("options") or []):
        p = f"options[{i}]"
        name = _text(raw, "name", c, max_len=200)
        if not name:
            c.fail(f"{p}.name", "is required")
        lines = c.lines(raw.get("lines") or [], f"{p}.lines", require_cost=False)
        out["options"].append({
            "name": name,
            "description": _text(raw, "description", c),
            "do_minimum": bool(raw.get("do_minimum")),
            "lines": [
                {**vars(ln), "description": str(src.get("description") or "")[:300]}
                for ln, src in zip(lines, raw.get("lines") or [], strict=False)
            ],
        })
    out["risks"] = []
    for i, raw in enumerate(data.get("risks") or []):
        p = f"risks[{i}]"
        desc = str(raw.get("description") or "").strip()
        if not desc:
            c.fail(f"{p}.description", "is required")
        scores = {}
        for key in ("likelihood", "impact"):
            n = c.number(raw.get(key), f"{p}.{key}", minimum=Decimal(1), maximum=Decimal(5))
            if n is not None and n != n.to_integral_value():
                c.fail(f"{p}.{key}", "must be a whole number from 1 to 5")
            scores[key] = int(n) if n is not None else 1
        out["risks"].append({
            "description": desc, **scores,
            "mitigation": str(raw.get("mitigation") or "").strip(),
            "owner": str(raw.get("owner") or "").strip()[:200],
        })
    if c.errors:
        raise CaseInputError(c.errors)
    return out


def _apply_content(case: BusinessCase, content: Mapping[str, Any]) -> None:
    for key in ("title", "plan_line_id", "currency", "jurisdiction", "discount_rate",
                "usd_rate", "unit_home_cost", "delivery_approach", *TEXT_FIELDS):
        setattr(case, key, content[key])
    case.options = [
        CaseOption(
            position=i, name=o["name"], description=o["description"],
            is_do_minimum=o["do_minimum"],
            lines=[CaseLine(position=j, **ln) for j, ln in enumerate(o["lines"])],
        )
        for i, o in enumerate(content["options"])
    ]
    case.risks = [CaseRisk(position=i, **r) for i, r in enumerate(content["risks"])]


def _check_plan_line(session: Session, buyer_org_id: int, plan_line_id: int | None) -> None:
    """A case may only justify an ICT line of its own unit's plan."""
    if plan_line_id is None:
        return
    line = session.get(PlanLine, plan_line_id)
    if line is None or line.buyer_org_id != buyer_org_id or not line.is_ict:
        raise CaseInputError([FieldError("plan_line_id", "must be an ICT plan line of your unit")])


def ict_plan_lines(session: Session, buyer_org_id: int) -> list[PlanLine]:
    """The ICT plan lines a case of this unit may be linked to, newest year first."""
    return list(session.scalars(
        select(PlanLine).where(PlanLine.buyer_org_id == buyer_org_id, PlanLine.is_ict.is_(True))
        .order_by(PlanLine.year.desc(), PlanLine.title, PlanLine.id)))


def _require_buyer_of(case: BusinessCase, user: User) -> None:
    if user.role != Role.BUYER or user.organisation_id != case.buyer_org_id:
        raise CaseError("Only buyers of the unit that owns this case can change it.")


def create_case(session: Session, author: User, data: Mapping[str, Any]) -> BusinessCase:
    if author.role != Role.BUYER:
        raise CaseError("Only buyers write business cases.")
    content = validate_content(data)
    _check_plan_line(session, author.organisation_id, content["plan_line_id"])
    case = BusinessCase(buyer_org_id=author.organisation_id, author_id=author.id,
                        status=CaseStatus.DRAFT, version=1)
    _apply_content(case, content)
    session.add(case)
    session.flush()
    _audit(session, case, author, "business_case.created", {"title": case.title})
    return case


def update_case(session: Session, case: BusinessCase, user: User,
                data: Mapping[str, Any]) -> BusinessCase:
    _require_buyer_of(case, user)
    if case.status not in workflow.EDITABLE:
        raise CaseError("Only a draft can be changed.")
    content = validate_content(data)
    _check_plan_line(session, case.buyer_org_id, content["plan_line_id"])
    _apply_content(case, content)
    session.flush()
    _audit(session, case, user, "business_case.updated", {})
    return case


# --- evaluation -----------------------------------------------------------------------


def evaluation_input(case: BusinessCase) -> CaseInput | None:
    """The evaluator's input for the case's options; None while no option has a cost."""
    options = tuple(
        Option(o.name, tuple(Line(ln.kind, ln.category, ln.year, ln.amount) for ln in o.lines),
               o.is_do_minimum)
        for o in case.options
    )
    if not any(ln.kind == "cost" for o in options for ln in o.lines):
        return None
    return CaseInput(
        currency=case.currency, discount_rate=Decimal(case.discount_rate), lines=(),
        options=options, unit_home_cost=Decimal(case.unit_home_cost),
        usd_rate=None if case.usd_rate is None else Decimal(case.usd_rate),
        optimism_bias=DEFAULT_OPTIMISM_BIAS, mitigation=Decimal(case.mitigation or 0),
    )


def evaluate_case(case: BusinessCase) -> CaseEvaluation | None:
    inp = evaluation_input(case)
    return None if inp is None else evaluate(inp)


def major_reasons(case: BusinessCase, policy: ReviewPolicy) -> list[str]:
    """Why the case is "major" (empty when it is not)."""
    reasons = []
    totals = [sum((ln.amount for ln in o.lines if ln.kind == "cost"), Decimal(0))
              for o in case.options]
    top = max(totals, default=Decimal(0))
    if case.usd_rate is None:
        reasons.append("cost cannot be converted to USD")  # so it is treated as major
    elif top * Decimal(case.usd_rate) > policy.major_threshold_usd:
        reasons.append(f"total cost over USD {policy.major_threshold_usd:,.0f}")
    if any(r.likelihood * r.impact >= policy.high_risk_score for r in case.risks):
        reasons.append(f"a risk scores {policy.high_risk_score} or more")
    return reasons


def submission_problems(case: BusinessCase) -> list[FieldError]:
    """What must be complete before finance sees the case."""
    problems = [FieldError(name, "is required to submit") for name in TEXT_FIELDS
                if not getattr(case, name).strip()]
    do_min = [o for o in case.options if o.is_do_minimum]
    if len(do_min) != 1 or len(case.options) < 3:
        problems.append(FieldError("options", 'needs one "do minimum" option and at least '
                                              "two others"))
    for i, o in enumerate(case.options):
        if not any(ln.kind == "cost" for ln in o.lines):
            problems.append(FieldError(f"options[{i}].lines", "needs at least one cost line"))
    if not case.risks:
        problems.append(FieldError("risks", "list at least one risk"))
    return problems


def snapshot(case: BusinessCase) -> dict[str, Any]:
    result = evaluate_case(case)
    return jsonable({
        "format": SNAPSHOT_FORMAT,
        "version": case.version,
        "content": case_content(case),
        "evaluation": None if result is None else case_evaluation_to_dict(result),
    })


# --- transitions ----------------------------------------------------------------------


def _audit(session: Session, case: BusinessCase, user: User, action: str,
           details: dict[str, Any]) -> None:
    record(session, action, "business_case", case.id, actor_user_id=user.id,
           actor_org_id=user.organisation_id, details={"version": case.version, **details})


def _move(session: Session, case: BusinessCase, user: User, name: str,
          details: dict[str, Any] | None = None) -> None:
    t = workflow.TRANSITIONS[name]
    if case.status != t.source:
        raise CaseError("A case in state %(status)s cannot take the step %(step)s.",
                        status=case.status.value, step=name)
    if user.role != t.role:
        raise CaseError("Only %(role)s users can take the step %(step)s.",
                        role=t.role.value, step=name)
    before = case.status
    case.status = t.target
    _audit(session, case, user, t.action,
           {"from": before.value, "to": t.target.value, **(details or {})})


def _lock(session: Session, case: BusinessCase) -> BusinessCase:
    # Row lock on PostgreSQL so two reviewers deciding at once queue up; SQLite
    # serialises writers anyway.
    session.execute(select(BusinessCase.id).where(BusinessCase.id == case.id).with_for_update())
    session.refresh(case)
    return case


def submit_case(session: Session, case: BusinessCase, user: User,
                now: dt.datetime | None = None) -> CaseVersion:
    _require_buyer_of(case, user)
    _lock(session, case)
    problems = submission_problems(case)
    if problems:
        raise CaseInputError(problems)
    _move(session, case, user, "submit")
    version = CaseVersion(case_id=case.id, version=case.version, snapshot=snapshot(case),
                          submitted_by_id=user.id, submitted_at=now or utcnow())
    session.add(version)
    session.flush()
    for reviewer in finance_users(session):
        notify(session, reviewer, "business_case.submitted",
               f"Business case submitted: {case.title}",
               f"{case.buyer.name} submitted version {case.version} for review.",
               link=f"/finance/cases/{case.id}")
    return version


def start_revision(session: Session, case: BusinessCase, user: User) -> BusinessCase:
    """Iteration requested → a new draft, version + 1, with the previous content."""
    _require_buyer_of(case, user)
    _lock(session, case)
    _move(session, case, user, "start_revision", {"new_version": case.version + 1})
    case.version += 1
    return case


def rate_case(session: Session, case: BusinessCase, reviewer: User,
              ratings: Mapping[Criterion, tuple[Rating, str]],
              mitigation: Decimal | None = None) -> list[CaseReview]:
    """Record (or replace) one reviewer's ratings of the submitted version."""
    if reviewer.role != Role.FINANCE:
        raise CaseError("Only finance reviewers rate business cases.")
    if reviewer.id == case.author_id:
        raise CaseError("The author of a case cannot review it.")
    if case.status != CaseStatus.SUBMITTED:
        raise CaseError("Only a submitted case can be reviewed.")
    missing = [c for c in Criterion if c not in ratings]
    errors = [FieldError(f"ratings.{c.value}", "rate every criterion") for c in missing]
    errors += [FieldError(f"ratings.{c.value}", "explain a rating that is not fully met")
               for c, (rating, comment) in ratings.items()
               if rating != Rating.FULLY_MET and not comment.strip()]
    if mitigation is not None and not Decimal(0) <= mitigation <= Decimal(1):
        errors.append(FieldError("mitigation", "must be between 0 and 1"))
    if errors:
        raise CaseInputError(errors)
    existing = {r.criterion: r for r in session.scalars(select(CaseReview).where(
        CaseReview.case_id == case.id, CaseReview.version == case.version,
        CaseReview.reviewer_id == reviewer.id))}
    out = []
    for criterion, (rating, comment) in ratings.items():
        row = existing.get(criterion) or CaseReview(
            case_id=case.id, version=case.version, reviewer_id=reviewer.id, criterion=criterion)
        row.rating, row.comment = rating, comment.strip()
        session.add(row)
        out.append(row)
    if mitigation is not None:
        case.mitigation = mitigation
    session.flush()
    _audit(session, case, reviewer, "business_case.rated",
           {"ratings": {c.value: r.value for c, (r, _) in ratings.items()},
            **({"mitigation": str(mitigation)} if mitigation is not None else {})})
    return out


def reviewers_done(session: Session, case: BusinessCase) -> list[int]:
    """Ids of reviewers who rated every criterion of the current version."""
    counts: dict[int, int] = {}
    for r in session.scalars(select(CaseReview).where(
            CaseReview.case_id == case.id, CaseReview.version == case.version)):
        counts[r.reviewer_id] = counts.get(r.reviewer_id, 0) + 1
    return sorted(uid for uid, n in counts.items() if n == len(Criterion))


def reviewers_needed(case: BusinessCase, policy: ReviewPolicy) -> int:
    return policy.reviewers_for_major if major_reasons(case, policy) else 1


def decide_case(session: Session, case: BusinessCase, user: User, outcome: Outcome,
                comment: str, policy: ReviewPolicy | None = None,
                now: dt.datetime | None = None) -> CaseDecision:
    """Finance's decision on the submitted version. An approval also publishes the
    process's planning release with the case (planning_release.publish_approved_case)."""
    policy = policy or ReviewPolicy()
    now = now or utcnow()
    if user.role != Role.FINANCE:
        raise CaseError("Only finance reviewers decide on business cases.")
    if user.id == case.author_id:
        raise CaseError("The author of a case cannot decide on it.")
    _lock(session, case)
    if case.status in workflow.CLOSED:
        raise CaseError("This case has already been decided.")
    if case.status != CaseStatus.SUBMITTED:
        raise CaseError("Only a submitted case can be decided.")
    needed, done = reviewers_needed(case, policy), reviewers_done(session, case)
    if len(done) < needed:
        raise CaseError(
            "This case needs complete ratings from %(needed)s different reviewer(s) "
            "before a decision; it has %(done)s.", needed=needed, done=len(done)
        )
    comment = comment.strip()
    if outcome != Outcome.APPROVED and not comment:
        raise CaseInputError([FieldError("comment", "explain the decision")])
    _move(session, case, user, workflow.OUTCOME_TRANSITION[outcome],
          {"outcome": outcome.value, "reviewers": done})
    decision = CaseDecision(case_id=case.id, version=case.version, outcome=outcome,
                            comment=comment, decided_by_id=user.id, decided_at=now)
    session.add(decision)
    session.flush()
    if case.status in workflow.CLOSED and case.status != CaseStatus.REJECTED:
        planning_release.publish_approved_case(session, case, now)
    author = session.get(User, case.author_id)
    if author is not None:
        notify(session, author, "business_case.decided",
               f"Business case {outcome.value.replace('_', ' ')}: {case.title}",
               comment or "Approved.", link=f"/buyer/cases/{case.id}")
    return decision


def finance_users(session: Session) -> list[User]:
    from marketplace.accounts.models import Organisation

    return list(session.scalars(
        select(User).join(Organisation).where(
            User.role == Role.FINANCE, User.is_active.is_(True),
            Organisation.kind == OrgKind.FINANCE)
        .order_by(User.id)))
