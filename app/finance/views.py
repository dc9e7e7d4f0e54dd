"""Finance pages: the business-case portfolio, reviewing and deciding."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.buyer import case_progress as progress_pages
from app.buyer.case_messages import field_error_text, rule_error_text
from app.buyer.cases import case_page_context, render_case_pdf
from app.db import db_session
from app.finance import bp
from app.finance.forms import CRITERION_LABELS, DecisionForm, ReviewForm
from app.security import role_required
from business_cases.evaluator_input import EvaluationInputError
from business_cases.models import BusinessCase, CaseReview, CaseStatus, Criterion, Outcome, Rating
from business_cases.portfolio import portfolio
from business_cases.services import (
    CaseError,
    ReviewPolicy,
    current_review_policy,
    decide_case,
    major_reasons,
    rate_case,
    reviewers_done,
    reviewers_needed,
)
from marketplace.accounts.models import Role


def review_policy() -> ReviewPolicy:
    """This app's (BUSINESS_CASE_MAJOR_USD, BUSINESS_CASE_HIGH_RISK_SCORE)."""
    return current_review_policy()


@bp.get("/")
@role_required(Role.FINANCE)
def dashboard() -> ResponseReturnValue:
    wanted = request.args.get("status") or None
    status = CaseStatus(wanted) if wanted in {s.value for s in CaseStatus} else None
    day = progress_pages.today()
    rows, totals = portfolio(db_session(), review_policy(), status, day)
    _all_rows, all_totals = (rows, totals) if status is None else portfolio(
        db_session(), review_policy(), day=day)
    return render_template("finance/dashboard.html", rows=rows, totals=all_totals,
                           statuses=list(CaseStatus), status=status)


def _case(case_id: int) -> BusinessCase:
    case = db_session().get(BusinessCase, case_id)
    if case is None:
        abort(404)
    return case


def _render(case: BusinessCase, review: ReviewForm | None = None,
            decision: DecisionForm | None = None, status: int = 200) -> ResponseReturnValue:
    session = db_session()
    reviews = session.scalars(
        select(CaseReview).where(CaseReview.case_id == case.id,
                                 CaseReview.version == case.version)
        .order_by(CaseReview.reviewer_id, CaseReview.id)
    ).all()
    if review is None:
        review = ReviewForm(formdata=None)
        mine = {r.criterion: r for r in reviews if r.reviewer_id == current_user.id}
        for c in Criterion:
            if c in mine:
                review.rating(c).data = mine[c].rating.value
                review.comment(c).data = mine[c].comment
        review.mitigation.data = case.mitigation
    policy = review_policy()
    return render_template(
        "finance/case.html", **case_page_context(case), review=review,
        decision=decision or DecisionForm(formdata=None), reviews=reviews,
        criteria=list(Criterion), criterion_labels=CRITERION_LABELS,
        major=major_reasons(case, policy), needed=reviewers_needed(case, policy),
        done=reviewers_done(session, case), pdf_endpoint=_pdf_endpoint(),
        ack_form=AcknowledgeForm(formdata=None),
    ), status


def _pdf_endpoint() -> str | None:
    return "finance.case_pdf" if "finance.case_pdf" in current_app.view_functions else None


@bp.get("/cases/<int:case_id>")
@role_required(Role.FINANCE)
def case_detail(case_id: int) -> ResponseReturnValue:
    return _render(_case(case_id))


@bp.post("/cases/<int:case_id>/review")
@role_required(Role.FINANCE)
def case_review(case_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    form = ReviewForm()
    if not form.validate():
        return _render(case, review=form, status=400)
    ratings = {
        c: (Rating(form.rating(c).data), form.comment(c).data or "")
        for c in Criterion if form.rating(c).data
    }
    session = db_session()
    try:
        rate_case(session, case, current_user, ratings, form.mitigation.data)
        session.commit()
    except EvaluationInputError as exc:
        session.rollback()
        for err in exc.errors:
            name = err.path.replace("ratings.", "rating_")
            field = getattr(form, name, None)
            if field is not None:
                field.errors = [*field.errors, field_error_text(err)]
        return _render(case, review=form, status=400)
    except CaseError as exc:
        session.rollback()
        flash(rule_error_text(exc), "error")
        return _render(case, review=form, status=409)
    flash(_("Your ratings were saved."), "success")
    return redirect(url_for("finance.case_detail", case_id=case.id))


@bp.post("/cases/<int:case_id>/decide")
@role_required(Role.FINANCE)
def case_decide(case_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    form = DecisionForm()
    if not form.validate():
        return _render(case, decision=form, status=400)
    session = db_session()
    try:
        decide_case(session, case, current_user, Outcome(form.outcome.data),
                    form.comment.data or "", review_policy())
        session.commit()
    except EvaluationInputError as exc:
        session.rollback()
        form.comment.errors = [field_error_text(e) for e in exc.errors]
        return _render(case, decision=form, status=400)
    except CaseError as exc:
        session.rollback()
        form.outcome.errors = [rule_error_text(exc)]
        return _render(case, decision=form, status=409)
    flash(_("The decision was recorded and the unit was told."), "success")
    return redirect(url_for("finance.case_detail", case_id=case.id))


@bp.get("/cases/<int:case_id>.pdf")
@role_required(Role.FINANCE)
def case_pdf(case_id: int) -> ResponseReturnValue:
    return render_case_pdf(_case(case_id))


# Acknowledging progress reports (shown on the case page) shares this blueprint.
from app.finance.progress import AcknowledgeForm  # noqa: E402
