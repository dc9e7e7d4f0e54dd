"""Supplier pages of performance: the company's ratings (reply publicly within 14 days)
and the late-payment complaint form of one of its contracts. Another company's rating
or contract is refused (403)."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from app.buyer.common import run_service
from app.buyer.contracts import own_contract
from app.buyer.opening import flat_errors, show_errors
from app.db import db_session
from app.security import role_required
from app.supplier import bp
from marketplace.accounts.models import Role
from marketplace.contracts.errors import NotYourContract
from marketplace.db import utcnow
from marketplace.performance.models import LatePaymentComplaint, RatingStatus, SupplierRating
from marketplace.performance.services import (
    ComplaintInput,
    PerformanceError,
    file_late_payment,
    finalise_due,
    reply_to_rating,
)
from marketplace.suppliers.services import supplier_for_org


class ReplyForm(FlaskForm):
    reply = TextAreaField(_l("Your public reply"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Publish the reply"))


class ComplaintForm(FlaskForm):
    due_date = DateField(_l("The payment was due on"), validators=[Optional()])
    description = TextAreaField(
        _l("Which payment is late (invoice, amount, what was agreed)"),
        validators=[Length(max=4000)],
    )
    submit = SubmitField(_l("File the complaint"))


def _render_list(forms: dict[int, ReplyForm] | None = None) -> str:
    session = db_session()
    supplier = supplier_for_org(session, current_user.organisation_id)
    ratings: list[SupplierRating] = []
    if supplier is not None:
        if finalise_due(session, utcnow(), supplier_id=supplier.id):
            session.commit()
        ratings = list(session.scalars(
            select(SupplierRating).where(SupplierRating.supplier_id == supplier.id)
            .order_by(SupplierRating.rated_at.desc(), SupplierRating.id.desc())
        ))  # fmt: skip
    forms = forms or {}
    for r in ratings:
        if r.status == RatingStatus.DRAFT and r.id not in forms:
            forms[r.id] = ReplyForm(prefix=f"r{r.id}", formdata=None)
    return render_template("supplier/ratings/list.html", ratings=ratings, forms=forms,
                           errors={k: flat_errors(f) for k, f in forms.items()})  # fmt: skip


@bp.get("/ratings")
@role_required(Role.SUPPLIER)
def my_ratings() -> ResponseReturnValue:
    return _render_list()


@bp.post("/ratings/<int:rating_id>/reply")
@role_required(Role.SUPPLIER)
def rating_reply(rating_id: int) -> ResponseReturnValue:
    session = db_session()
    rating = session.get(SupplierRating, rating_id)
    if rating is None:
        abort(404)
    form = ReplyForm(prefix=f"r{rating.id}")
    if form.validate_on_submit() and run_service(
        lambda: reply_to_rating(session, rating, current_user, form.reply.data or ""),
        form, refused=NotYourContract, broken_rule=PerformanceError, show=show_errors,
    ):  # fmt: skip
        flash(_("Reply published with the rating."))
        return redirect(url_for("supplier.my_ratings"))
    # Another company's rating is refused even when the form is incomplete.
    supplier = supplier_for_org(session, current_user.organisation_id)
    if supplier is None or rating.supplier_id != supplier.id:
        abort(403)
    return _render_list({rating.id: form}), 400


@bp.route("/contracts/<int:contract_id>/late-payment", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def late_payment(contract_id: int) -> ResponseReturnValue:
    session = db_session()
    contract = own_contract(contract_id)
    form = ComplaintForm()
    if form.validate_on_submit():
        day = form.due_date.data
        data = ComplaintInput(
            description=form.description.data or "",
            due_date=dt.datetime.combine(day, dt.time()) if day else None,
        )
        if run_service(
            lambda: file_late_payment(session, contract, current_user, data),
            form, refused=NotYourContract, broken_rule=PerformanceError, show=show_errors,
        ):  # fmt: skip
            flash(_("Complaint filed and published; the buyer was told."))
            return redirect(url_for("supplier.late_payment", contract_id=contract.id))
    complaints = list(session.scalars(
        select(LatePaymentComplaint).where(LatePaymentComplaint.contract_id == contract.id)
        .order_by(LatePaymentComplaint.id)
    ))  # fmt: skip
    status = 400 if form.is_submitted() else 200
    return render_template("supplier/ratings/late_payment.html", contract=contract, form=form,
                           errors=flat_errors(form), complaints=complaints), status  # fmt: skip
