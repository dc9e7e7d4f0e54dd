"""Buyer pages for the benefit realisation register of an approved case."""

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
from wtforms import DateField, DecimalField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from app.buyer import bp
from app.buyer.case_messages import field_error_text, rule_error_text
from app.db import db_session
from app.security import role_required
from business_cases.benefit_models import BenefitMeasure
from business_cases.benefits import REGISTER_STATES, BenefitError, add_benefit, light_of
from business_cases.benefits import record_reading as record_benefit_reading
from business_cases.evaluator_input import EvaluationInputError
from business_cases.models import BusinessCase
from marketplace.accounts.models import Role


class BenefitForm(FlaskForm):
    description = StringField(_l("Expected benefit"))
    indicator = TextAreaField(_l("Indicator and source of the figures"))
    unit = StringField(_l("Unit (e.g. days, %, MXN)"))
    baseline = DecimalField(_l("Baseline"), places=None, validators=[Optional()])
    target = DecimalField(_l("Target"), places=None, validators=[Optional()])
    start_on = DateField(_l("Baseline date"), validators=[Optional()])
    due_on = DateField(_l("Target date"), validators=[Optional()])
    owner = StringField(_l("Owner"))
    add_benefit = SubmitField(_l("Add to the register"))

    @property
    def csrf_failed(self) -> bool:
        return bool(self.csrf_token.errors)


class ReadingForm(FlaskForm):
    measured_on = DateField(_l("Date measured"), validators=[Optional()])
    value = DecimalField(_l("Value"), places=None, validators=[Optional()])
    note = StringField(_l("Note"))
    record = SubmitField(_l("Record the measurement"))

    @property
    def csrf_failed(self) -> bool:
        return bool(self.csrf_token.errors)


def benefit_rows(case: BusinessCase, day: dt.date | None = None) -> list[tuple[Any, Any]]:
    """(measure, traffic light) of each registered benefit of the case."""
    measures = db_session().scalars(
        select(BenefitMeasure).where(BenefitMeasure.case_id == case.id)
        .order_by(BenefitMeasure.id)
    ).all()
    today = day or dt.date.today()
    return [(m, light_of(m, today)) for m in measures]


def _case(case_id: int) -> BusinessCase:
    case = db_session().get(BusinessCase, case_id)
    if case is None or case.buyer_org_id != current_user.organisation_id:
        abort(404)
    return case


def _render(case: BusinessCase, benefit_form: BenefitForm | None = None,
            reading_forms: dict[int, ReadingForm] | None = None, status: int = 200
            ) -> ResponseReturnValue:
    from app.buyer.cases import case_page_context

    rows = benefit_rows(case)
    forms = {m.id: ReadingForm(formdata=None, prefix=f"m{m.id}") for m, _light in rows}
    forms.update(reading_forms or {})
    return render_template(
        "buyer/cases/benefits.html", **case_page_context(case), rows=rows,
        benefit_form=benefit_form or BenefitForm(formdata=None), reading_forms=forms,
        can_edit=case.status in REGISTER_STATES,
    ), status


def _place(form: FlaskForm, errors: list[Any]) -> None:
    for err in errors:
        field = getattr(form, err.path, None)
        if field is not None:
            field.errors = [*field.errors, field_error_text(err)]


@bp.get("/cases/<int:case_id>/benefits")
@role_required(Role.BUYER)
def case_benefits(case_id: int) -> ResponseReturnValue:
    return _render(_case(case_id))


@bp.post("/cases/<int:case_id>/benefits")
@role_required(Role.BUYER)
def case_benefit_add(case_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    form = BenefitForm()
    if not form.validate():
        return _render(case, benefit_form=form, status=400)
    session = db_session()
    data = {name: getattr(form, name).data for name in
            ("description", "indicator", "unit", "baseline", "target", "start_on", "due_on",
             "owner")}
    try:
        add_benefit(session, case, current_user, data)
        session.commit()
    except EvaluationInputError as exc:
        session.rollback()
        _place(form, exc.errors)
        return _render(case, benefit_form=form, status=400)
    except BenefitError as exc:
        session.rollback()
        flash(rule_error_text(exc), "error")
        return _render(case, benefit_form=form, status=409)
    flash(_("The benefit was added to the register."), "success")
    return redirect(url_for("buyer.case_benefits", case_id=case.id))


@bp.post("/cases/<int:case_id>/benefits/<int:measure_id>/readings")
@role_required(Role.BUYER)
def case_benefit_reading(case_id: int, measure_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    measure = db_session().get(BenefitMeasure, measure_id)
    if measure is None or measure.case_id != case.id:
        abort(404)
    form = ReadingForm(prefix=f"m{measure.id}")
    if not form.validate():
        return _render(case, reading_forms={measure.id: form}, status=400)
    session = db_session()
    try:
        record_benefit_reading(session, measure, current_user, form.measured_on.data,
                               form.value.data, form.note.data or "")
        session.commit()
    except EvaluationInputError as exc:
        session.rollback()
        _place(form, exc.errors)
        return _render(case, reading_forms={measure.id: form}, status=400)
    except BenefitError as exc:
        session.rollback()
        flash(rule_error_text(exc), "error")
        return _render(case, reading_forms={measure.id: form}, status=409)
    flash(_("The measurement was recorded."), "success")
    return redirect(url_for("buyer.case_benefits", case_id=case.id))
