"""Buyer pages for delivery monitoring of an approved case: the delivery plan, go-live and
the six-monthly progress reports (rules in business_cases/progress.py and
progress_actions.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, DecimalField, SelectField, SubmitField, TextAreaField
from wtforms.validators import Optional

from app.buyer import bp
from app.buyer.case_messages import MESSAGES, field_error_text, rule_error_text
from app.db import db_session
from app.security import role_required
from business_cases.benefit_models import BenefitMeasure
from business_cases.evaluator_input import EvaluationInputError, FieldError
from business_cases.models import BusinessCase
from business_cases.progress import CaseProgress, ProgressError, progress_of
from business_cases.progress_actions import record_delivery_plan, record_go_live, submit_report
from marketplace.accounts.models import Role
from marketplace.db import utcnow

# The services' English templates for this feature, for translation (case_messages.py
# looks every template up in MESSAGES).
MESSAGES.update(
    {
        "must be a date (YYYY-MM-DD)": _l("must be a date (YYYY-MM-DD)"),
        "must not be before the go-live date": _l("must not be before the go-live date"),
        "must not be before the case's approval (%(d)s)": _l(
            "must not be before the case's approval (%(d)s)"
        ),
        "is not a reporting period of this case": _l("is not a reporting period of this case"),
        "has already been reported": _l("has already been reported"),
        "is not due yet: the period ends on %(d)s": _l("is not due yet: the period ends on %(d)s"),
        "is not a benefit of this case": _l("is not a benefit of this case"),
        "Only buyers of the unit that owns this case can report progress.": _l(
            "Only buyers of the unit that owns this case can report progress."
        ),
        "Progress is reported once the case is approved.": _l(
            "Progress is reported once the case is approved."
        ),
        "The delivery plan is the baseline and is not changed; report new forecasts in the "
        "progress reports.": _l(
            "The delivery plan is the baseline and is not changed; report new forecasts in "
            "the progress reports."
        ),
        "Record the delivery plan first.": _l("Record the delivery plan first."),
        "Go-live has already been recorded.": _l("Go-live has already been recorded."),
        "Only finance reviewers acknowledge progress reports.": _l(
            "Only finance reviewers acknowledge progress reports."
        ),
        "This report has already been acknowledged.": _l(
            "This report has already been acknowledged."
        ),
    }
)


class _Form(FlaskForm):
    @property
    def csrf_failed(self) -> bool:
        return bool(self.csrf_token.errors)


class DeliveryPlanForm(_Form):
    planned_go_live = DateField(_l("Planned go-live"), validators=[Optional()])
    planned_completion = DateField(_l("Planned completion"), validators=[Optional()])
    save_plan = SubmitField(_l("Record the delivery plan"))


class GoLiveForm(_Form):
    go_live_on = DateField(_l("Date the service went live"), validators=[Optional()])
    record_go_live = SubmitField(_l("Record go-live"))


class ReportForm(_Form):
    period_end = SelectField(_l("Period"), choices=[])
    actual_cost = DecimalField(_l("Actual cost to date"), places=None, validators=[Optional()])
    forecast_cost = DecimalField(
        _l("Forecast total cost at completion"), places=None, validators=[Optional()]
    )
    forecast_go_live = DateField(_l("Forecast go-live"), validators=[Optional()])
    forecast_completion = DateField(_l("Forecast completion"), validators=[Optional()])
    narrative = TextAreaField(_l("Progress in the period"))
    risks = TextAreaField(_l("Risks update"))
    send_report = SubmitField(_l("Send the report to finance"))


def report_form(measures: list[BenefitMeasure], **kwargs: Any) -> ReportForm:
    """The report form with one measurement field per registered benefit."""

    class Form(ReportForm):
        pass

    for m in measures:
        label = f"{m.description} ({m.unit})" if m.unit else m.description
        setattr(Form, f"benefit_{m.id}", DecimalField(label, places=None, validators=[Optional()]))
    return Form(**kwargs)


def benefit_fields(form: ReportForm, measures: list[BenefitMeasure]) -> list[Any]:
    return [getattr(form, f"benefit_{m.id}") for m in measures]


def today() -> dt.date:
    return utcnow().date()


def case_progress(case: BusinessCase) -> CaseProgress:
    return progress_of(db_session(), case, today())


def _case(case_id: int) -> BusinessCase:
    case = db_session().get(BusinessCase, case_id)
    if case is None or case.buyer_org_id != current_user.organisation_id:
        abort(404)
    return case


def _measures(case: BusinessCase) -> list[BenefitMeasure]:
    return list(
        db_session().scalars(
            select(BenefitMeasure)
            .where(BenefitMeasure.case_id == case.id)
            .order_by(BenefitMeasure.id)
        )
    )


def _reportable(p: CaseProgress) -> list[tuple[str, str]]:
    return [
        (s.period.end.isoformat(), f"{s.period.start.isoformat()} – {s.period.end.isoformat()}")
        for s in p.periods
        if s.report is None and s.state != "upcoming"
    ]


def _render(
    case: BusinessCase,
    plan_form: DeliveryPlanForm | None = None,
    live_form: GoLiveForm | None = None,
    form: ReportForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    from app.buyer.cases import case_page_context

    p = case_progress(case)
    measures = _measures(case)
    form = form or report_form(measures, formdata=None)
    form.period_end.choices = _reportable(p)
    return render_template(
        "buyer/cases/progress.html",
        **case_page_context(case),
        plan_form=plan_form or DeliveryPlanForm(formdata=None),
        live_form=live_form or GoLiveForm(formdata=None),
        report_form=form,
        benefit_fields=benefit_fields(form, measures),
    ), status


def _place(form: FlaskForm, errors: list[FieldError]) -> None:
    for err in errors:
        name = err.path.replace("benefits.", "benefit_")
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, field_error_text(err)]


def _run(
    case: BusinessCase, form: FlaskForm, action: Any, render: Any
) -> ResponseReturnValue | None:
    """Validate the form, run the action, commit; or show what went wrong."""
    if not form.validate():
        return render(400)
    session = db_session()
    try:
        action(session)
        session.commit()
    except EvaluationInputError as exc:
        session.rollback()
        _place(form, exc.errors)
        return render(400)
    except ProgressError as exc:
        session.rollback()
        flash(rule_error_text(exc), "error")
        return render(409)
    return None


@bp.get("/cases/<int:case_id>/progress")
@role_required(Role.BUYER)
def case_progress_page(case_id: int) -> ResponseReturnValue:
    return _render(_case(case_id))


@bp.post("/cases/<int:case_id>/progress/plan")
@role_required(Role.BUYER)
def case_delivery_plan(case_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    form = DeliveryPlanForm()
    failed = _run(
        case, form,
        lambda s: record_delivery_plan(s, case, current_user, {
            "planned_go_live": form.planned_go_live.data,
            "planned_completion": form.planned_completion.data,
        }),
        lambda code: _render(case, plan_form=form, status=code),
    )  # fmt: skip
    if failed is not None:
        return failed
    flash(_("The delivery plan was recorded."), "success")
    return redirect(url_for("buyer.case_progress_page", case_id=case.id))


@bp.post("/cases/<int:case_id>/progress/go-live")
@role_required(Role.BUYER)
def case_go_live(case_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    form = GoLiveForm()
    failed = _run(
        case, form,
        lambda s: record_go_live(s, case, current_user, form.go_live_on.data, today()),
        lambda code: _render(case, live_form=form, status=code),
    )  # fmt: skip
    if failed is not None:
        return failed
    flash(_("Go-live was recorded: progress reports are due every six months."), "success")
    return redirect(url_for("buyer.case_progress_page", case_id=case.id))


@bp.post("/cases/<int:case_id>/progress/reports")
@role_required(Role.BUYER)
def case_report(case_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    measures = _measures(case)
    form = report_form(measures)
    # Any period may be named; the service says whether it can be reported on.
    form.period_end.choices = [(form.period_end.data or "", form.period_end.data or "")]
    data = {
        "period_end": form.period_end.data or None,
        **{n: getattr(form, n).data for n in ("actual_cost", "forecast_cost",
                                              "forecast_go_live", "forecast_completion",
                                              "narrative", "risks")},
        "benefits": {str(m.id): getattr(form, f"benefit_{m.id}").data for m in measures},
    }  # fmt: skip
    failed = _run(
        case, form,
        lambda s: submit_report(s, case, current_user, data, today()),
        lambda code: _render(case, form=form, status=code),
    )  # fmt: skip
    if failed is not None:
        return failed
    flash(_("The progress report was sent to finance."), "success")
    return redirect(url_for("buyer.case_progress_page", case_id=case.id))
