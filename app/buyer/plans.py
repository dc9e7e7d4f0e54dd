"""Buyer pages of the annual procurement plan: list, add, edit, start a process."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.buyer import bp
from app.buyer.tender_forms import ConfirmForm, PlanLineForm, show_errors, translate
from app.db import db_session
from app.security import role_required
from marketplace.accounts.models import Role
from marketplace.db import utcnow
from marketplace.plans.models import PlanLine
from marketplace.plans.services import (
    PlanLineInput,
    add_plan_line,
    plan_of,
    update_plan_line,
)
from marketplace.tenders.errors import NotYourProcess, TenderError
from marketplace.tenders.services import start_process


def _own_line(line_id: int) -> PlanLine:
    line = db_session().get(PlanLine, line_id)
    if line is None:
        abort(404)
    if line.buyer_org_id != current_user.organisation_id:
        abort(403)
    return line


def _input(form: PlanLineForm) -> PlanLineInput:
    return PlanLineInput(
        year=form.year.data or 0,
        title=form.title.data or "",
        rationale=form.rationale.data or "",
        category_code=form.category_code.data or "",
        main_category=form.main_category.data,
        amount=form.amount.data,
        currency=(form.currency.data or "").strip().upper(),
        quarter=form.quarter.data or 0,
        budget_source=form.budget_source.data or "",
        is_ict=bool(form.is_ict.data),
    )


@bp.get("/plan")
@role_required(Role.BUYER)
def plan() -> ResponseReturnValue:
    year = request.args.get("year", type=int)
    lines = plan_of(db_session(), current_user.organisation_id, year)
    total: dict[str, object] = {}
    for line in lines:
        total[line.currency] = total.get(line.currency, 0) + line.amount  # type: ignore[operator]
    return render_template(
        "buyer/plan.html", lines=lines, year=year, total=total, start_form=ConfirmForm()
    )


@bp.route("/plan/new", methods=["GET", "POST"])
@role_required(Role.BUYER)
def plan_line_new() -> ResponseReturnValue:
    form = PlanLineForm()
    if request.method == "GET":
        form.year.data = utcnow().year
        form.is_ict.data = True
    if form.validate_on_submit():
        session = db_session()
        try:
            add_plan_line(session, current_user, _input(form))
            session.commit()
        except TenderError as err:
            session.rollback()
            show_errors(form, err)
        else:
            flash(_("Plan line added."), "success")
            return redirect(url_for("buyer.plan"))
    return render_template("buyer/plan_line_form.html", form=form, line=None)


@bp.route("/plan/<int:line_id>/edit", methods=["GET", "POST"])
@role_required(Role.BUYER)
def plan_line_edit(line_id: int) -> ResponseReturnValue:
    line = _own_line(line_id)
    form = PlanLineForm(obj=line)
    if form.validate_on_submit():
        session = db_session()
        try:
            update_plan_line(session, line, current_user, _input(form))
            session.commit()
        except TenderError as err:
            session.rollback()
            show_errors(form, err)
        else:
            flash(_("Plan line saved."), "success")
            return redirect(url_for("buyer.plan"))
    return render_template("buyer/plan_line_form.html", form=form, line=line)


@bp.post("/plan/<int:line_id>/start")
@role_required(Role.BUYER)
def plan_line_start(line_id: int) -> ResponseReturnValue:
    """Turn the line into a process in planning (publishes the planning release)."""
    line = _own_line(line_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("The form had expired; nothing was done. Try again."), "error")
        return redirect(url_for("buyer.plan"))
    session = db_session()
    try:
        tender = start_process(session, line, current_user)
        session.commit()
    except NotYourProcess:
        session.rollback()
        abort(403)
    except TenderError as err:
        session.rollback()
        flash(translate(err.message), "error")
        return redirect(url_for("buyer.plan"))
    flash(_("Process started and published in planning."), "success")
    return redirect(url_for("buyer.tender_detail", tender_id=tender.id))
