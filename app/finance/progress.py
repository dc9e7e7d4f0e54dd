"""Finance acknowledges a unit's progress report (the report shows on the case page)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField

from app.buyer.case_messages import rule_error_text
from app.db import db_session
from app.finance import bp
from app.security import role_required
from business_cases.progress import ProgressError
from business_cases.progress_actions import acknowledge_report
from business_cases.progress_models import ProgressReport
from marketplace.accounts.models import Role


class AcknowledgeForm(FlaskForm):
    comment = TextAreaField(_l("Comment for the unit (optional)"))
    acknowledge = SubmitField(_l("Acknowledge the report"))


@bp.post("/reports/<int:report_id>/acknowledge")
@role_required(Role.FINANCE)
def report_acknowledge(report_id: int) -> ResponseReturnValue:
    session = db_session()
    report = session.get(ProgressReport, report_id)
    if report is None:
        abort(404)
    back = redirect(url_for("finance.case_detail", case_id=report.case_id, _anchor="progress"))
    form = AcknowledgeForm()
    if not form.validate():
        flash(_("This form had expired, so nothing was done. Please try again."), "error")
        return back
    try:
        acknowledge_report(session, report, current_user, form.comment.data or "")
        session.commit()
    except ProgressError as exc:
        session.rollback()
        flash(rule_error_text(exc), "error")
        return back
    flash(_("The report was acknowledged and the unit was told."), "success")
    return back
