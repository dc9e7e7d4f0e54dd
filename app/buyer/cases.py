"""Buyer pages for ICT business cases: list, write, edit, submit, revise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.buyer import bp
from app.buyer.case_forms import (
    CATEGORY_LABELS,
    SECTION_LABELS,
    TEXT_LABELS,
    CaseForm,
    form_data_from_content,
)
from app.buyer.case_messages import field_error_text, rule_error_text
from app.db import db_session
from app.security import role_required
from business_cases import workflow
from business_cases.chart import cash_flow_svg
from business_cases.evaluator import case_evaluation_to_dict
from business_cases.evaluator_input import EvaluationInputError
from business_cases.models import SECTIONS, BusinessCase
from business_cases.services import (
    CaseError,
    create_case,
    evaluate_case,
    ict_plan_lines,
    start_revision,
    submit_case,
    update_case,
)
from business_cases.snapshots import case_content, diff_snapshots
from marketplace.accounts.models import Role
from marketplace.plans.models import PlanLine


@bp.app_template_global()
def plan_line_cases(lines: list[PlanLine]) -> dict[int, list[BusinessCase]]:
    """The business cases linked to each of these plan lines (for the plan page)."""
    ids = [line.id for line in lines]
    out: dict[int, list[BusinessCase]] = {}
    if not ids:
        return out
    for case in db_session().scalars(
        select(BusinessCase).where(BusinessCase.plan_line_id.in_(ids))
        .order_by(BusinessCase.updated_at.desc(), BusinessCase.id.desc())
    ):
        out.setdefault(case.plan_line_id or 0, []).append(case)
    return out


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token (submit, start a revision)."""


def _own_case(case_id: int) -> BusinessCase:
    case = db_session().get(BusinessCase, case_id)
    if case is None or case.buyer_org_id != current_user.organisation_id:
        abort(404)
    return case


@bp.get("/cases")
@role_required(Role.BUYER)
def cases_list() -> ResponseReturnValue:
    cases = db_session().scalars(
        select(BusinessCase)
        .where(BusinessCase.buyer_org_id == current_user.organisation_id)
        .order_by(BusinessCase.updated_at.desc(), BusinessCase.id.desc())
    ).all()
    return render_template("buyer/cases/list.html", cases=cases)


def _render_form(form: CaseForm, case: BusinessCase | None, status: int = 200
                 ) -> ResponseReturnValue:
    form.set_plan_lines(ict_plan_lines(db_session(), current_user.organisation_id))
    return render_template("buyer/cases/form.html", form=form, case=case, sections=SECTIONS,
                           section_labels=SECTION_LABELS, text_labels=TEXT_LABELS,
                           ), status


def _save(form: CaseForm, case: BusinessCase | None) -> ResponseReturnValue:
    """Shared POST handling of the new and edit pages."""
    if form.add_rows.data:
        # Only more rows: nothing is saved, but the token is still checked.
        form.validate()
        if not form.csrf_failed:
            for f in form:
                if f.name != "csrf_token":
                    _clear_errors(f)
        form.add_blank_rows()
        return _render_form(form, case, 400 if form.csrf_failed else 200)
    if not form.validate():
        form.ensure_blank_rows()
        return _render_form(form, case, 400)
    session = db_session()
    data = form.to_data()
    try:
        if case is None:
            case = create_case(session, current_user, data)
        else:
            update_case(session, case, current_user, data)
        session.commit()
    except EvaluationInputError as exc:
        session.rollback()
        form.place_errors(exc.errors)
        form.ensure_blank_rows()
        return _render_form(form, case, 400)
    except CaseError as exc:
        session.rollback()
        form.general_errors.append((None, rule_error_text(exc)))
        return _render_form(form, case, 409)
    flash(_("Draft saved."), "success")
    return redirect(url_for("buyer.case_detail", case_id=case.id))


def _clear_errors(field: object) -> None:
    from wtforms import FieldList, FormField

    if isinstance(field, FieldList):
        for entry in field:
            _clear_errors(entry)
    elif isinstance(field, FormField):
        for sub in field.form:
            _clear_errors(sub)
    else:
        field.errors = []  # type: ignore[attr-defined]


@bp.route("/cases/new", methods=["GET", "POST"])
@role_required(Role.BUYER)
def case_new() -> ResponseReturnValue:
    form = CaseForm()
    if form.is_submitted():
        return _save(form, None)
    form.ensure_blank_rows()
    return _render_form(form, None)


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@role_required(Role.BUYER)
def case_edit(case_id: int) -> ResponseReturnValue:
    case = _own_case(case_id)
    if case.status not in workflow.EDITABLE:
        flash(_("Only a draft can be changed."), "error")
        return redirect(url_for("buyer.case_detail", case_id=case.id))
    if FlaskForm().is_submitted():
        return _save(CaseForm(), case)
    form = CaseForm(data=form_data_from_content(case_content(case)))
    form.ensure_blank_rows()
    return _render_form(form, case)


def case_page_context(case: BusinessCase) -> dict[str, Any]:
    """What the buyer and finance case pages (and the PDF) show about a case."""
    result = evaluate_case(case)
    evaluation = case_evaluation_to_dict(result) if result is not None else None
    chart = ""
    if evaluation is not None:
        chart = cash_flow_svg(
            evaluation["cash_flows"],
            title=_("Cash flows by year, preferred option (%(c)s)", c=case.currency),
            labels={"costs": _("Costs"), "benefits": _("Benefits"),
                    "cumulative": _("Cumulative net"), "year": _("Year")},
        )
    from app.buyer.case_benefits import benefit_rows
    from app.buyer.case_progress import case_progress as progress_now

    return {
        "case": case, "evaluation": evaluation, "chart": chart,
        "diffs": _diffs(case), "sections": SECTIONS, "section_labels": SECTION_LABELS,
        "text_labels": TEXT_LABELS, "category_labels": CATEGORY_LABELS,
        "benefit_rows": benefit_rows(case), "progress": progress_now(case),
    }


@bp.get("/cases/<int:case_id>")
@role_required(Role.BUYER)
def case_detail(case_id: int) -> ResponseReturnValue:
    case = _own_case(case_id)
    return render_template(
        "buyer/cases/detail.html", **case_page_context(case), action_form=ActionForm(),
        actions=workflow.available(case.status, Role.BUYER), problems=None,
        pdf_endpoint=_pdf_endpoint(),
    )


def _pdf_endpoint() -> str | None:
    return "buyer.case_pdf" if "buyer.case_pdf" in current_app.view_functions else None


def _diffs(case: BusinessCase) -> list[tuple[int, list[dict[str, object]]]]:
    """Changes from each submitted version to the next."""
    versions = case.versions
    return [(b.version, diff_snapshots(a.snapshot, b.snapshot))
            for a, b in zip(versions, versions[1:], strict=False)]


def _case_action(
    case: BusinessCase, form: FlaskForm, action: Callable[[Session, BusinessCase, Any], object]
) -> ResponseReturnValue | None:
    """Run one of the buyer's workflow actions on the case and commit; None when done.

    Otherwise the response to send: back to the case, with a message, when the form had
    expired or the action broke a rule. An EvaluationInputError is rolled back and raised
    for the caller to show.
    """
    back = redirect(url_for("buyer.case_detail", case_id=case.id))
    if not form.validate():
        flash(_("This form had expired, so nothing was done. Please try again."), "error")
        return back
    session = db_session()
    try:
        action(session, case, current_user)
        session.commit()
    except EvaluationInputError:
        session.rollback()
        raise
    except CaseError as exc:
        session.rollback()
        flash(rule_error_text(exc), "error")
        return back
    return None


@bp.post("/cases/<int:case_id>/submit")
@role_required(Role.BUYER)
def case_submit(case_id: int) -> ResponseReturnValue:
    case = _own_case(case_id)
    form = ActionForm()
    try:
        refused = _case_action(case, form, submit_case)
    except EvaluationInputError as exc:
        return render_template(
            "buyer/cases/detail.html", **case_page_context(case), action_form=form,
            actions=workflow.available(case.status, Role.BUYER),
            problems=[(e.path, field_error_text(e)) for e in exc.errors],
            pdf_endpoint=_pdf_endpoint(),
        ), 400
    if refused is not None:
        return refused
    flash(_("Submitted to finance for review."), "success")
    return redirect(url_for("buyer.case_detail", case_id=case.id))


@bp.post("/cases/<int:case_id>/revise")
@role_required(Role.BUYER)
def case_revise(case_id: int) -> ResponseReturnValue:
    case = _own_case(case_id)
    refused = _case_action(case, ActionForm(), start_revision)
    if refused is not None:
        return refused
    flash(_("Version %(v)s started: edit and submit it again.", v=case.version), "success")
    return redirect(url_for("buyer.case_edit", case_id=case.id))


def render_case_pdf(case: BusinessCase, public: bool = False) -> Response:
    """The case, its evaluation with the chart, the ratings and decisions, as a PDF.

    ``public``: the published copy, without the names of the officials who wrote and
    reviewed it."""
    from app.finance.forms import CRITERION_LABELS
    from business_cases.models import CaseReview
    from business_cases.pdf import html_to_pdf
    from marketplace.db import utcnow

    reviews = db_session().scalars(
        select(CaseReview).where(CaseReview.case_id == case.id,
                                 CaseReview.version == case.version)
        .order_by(CaseReview.reviewer_id, CaseReview.id)
    ).all()
    html = render_template(
        "buyer/cases/pdf.html", **case_page_context(case), reviews=reviews,
        criterion_labels=CRITERION_LABELS, printed_at=utcnow().strftime("%Y-%m-%d %H:%M UTC"),
        public=public,
    )
    pdf = html_to_pdf(html, base_url=request.url_root)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="business-case-{case.id}-v{case.version}.pdf"'
    )
    return response


@bp.get("/cases/<int:case_id>.pdf")
@role_required(Role.BUYER)
def case_pdf(case_id: int) -> ResponseReturnValue:
    return render_case_pdf(_own_case(case_id))


# The benefit register pages share this blueprint; imported here so app/buyer/__init__.py
# keeps a single import of this feature.
from app.buyer import case_benefits, case_progress  # noqa: E402,F401
