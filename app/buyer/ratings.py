"""Buyer page of a contract's supplier ratings: rate a met milestone or the contract's
end (five areas, five levels, a required narrative), see each rating's state and the
supplier's reply, and the supplier's late-payment complaints."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from app.buyer import bp
from app.buyer.common import run_service
from app.buyer.opening import flat_errors, show_errors
from app.db import db_session
from app.security import role_required
from marketplace.accounts.models import Role
from marketplace.contracts.errors import NotYourProcess
from marketplace.contracts.life_models import ContractMilestone, MilestoneStatus
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.db import utcnow
from marketplace.performance.aggregates import SupplierPerformance, supplier_performance
from marketplace.performance.models import LatePaymentComplaint, SupplierRating
from marketplace.performance.services import (
    PerformanceError,
    RatingInput,
    finalise_due,
    rate_supplier,
)

#: Score -> label, best first.
LEVEL_LABELS = {
    4: _l("Exceptional"),
    3: _l("Very good"),
    2: _l("Satisfactory"),
    1: _l("Marginal"),
    0: _l("Unsatisfactory"),
}
AREA_LABELS = {
    "quality": _l("Quality"),
    "schedule": _l("Schedule"),
    "cost_control": _l("Cost control"),
    "management": _l("Management"),
    "compliance": _l("Regulatory compliance"),
}
#: The value of the milestone choice that rates the contract's end.
CONTRACT_END = "end"


def _level_field(label: Any) -> RadioField:
    return RadioField(label, choices=[SelectChoice(str(k), v) for k, v in LEVEL_LABELS.items()],
                      validate_choice=False)  # fmt: skip


class RatingForm(FlaskForm):
    milestone_id = SelectField(_l("What you rate"), choices=[], validate_choice=False)
    quality = _level_field(AREA_LABELS["quality"])
    schedule = _level_field(AREA_LABELS["schedule"])
    cost_control = _level_field(AREA_LABELS["cost_control"])
    management = _level_field(AREA_LABELS["management"])
    compliance = _level_field(AREA_LABELS["compliance"])
    narrative = TextAreaField(
        _l("Narrative (public once final; explain each level)"), validators=[Length(max=4000)]
    )
    submit = SubmitField(_l("Send the rating to the supplier"))


def _own_contract(contract_id: int) -> Contract:
    contract = db_session().get(Contract, contract_id)
    if contract is None:
        abort(404)
    if current_user.role != Role.BUYER or (
        contract.tender.buyer_org_id != current_user.organisation_id
    ):
        abort(403)
    return contract


def _choices(contract: Contract, rated: set[int | None]) -> list[SelectChoice]:
    session = db_session()
    met = session.scalars(
        select(ContractMilestone)
        .where(
            ContractMilestone.contract_id == contract.id,
            ContractMilestone.status == MilestoneStatus.MET,
        )  # fmt: skip
        .order_by(ContractMilestone.id)
    )
    choices = [SelectChoice(str(m.id), _("Milestone: %(title)s", title=m.title)) for m in met
               if m.id not in rated]  # fmt: skip
    if contract.status == ContractStatus.TERMINATED and None not in rated:
        choices.append(SelectChoice(CONTRACT_END, _("The contract's end")))
    return choices


@bp.route("/contracts/<int:contract_id>/ratings", methods=["GET", "POST"])
@role_required(Role.BUYER)
def contract_ratings(contract_id: int) -> ResponseReturnValue:
    contract = _own_contract(contract_id)
    session = db_session()
    if finalise_due(session, utcnow(), supplier_id=contract.award.supplier_id):
        session.commit()
    ratings = list(session.scalars(
        select(SupplierRating).where(SupplierRating.contract_id == contract.id)
        .order_by(SupplierRating.id)
    ))  # fmt: skip
    complaints = list(session.scalars(
        select(LatePaymentComplaint).where(LatePaymentComplaint.contract_id == contract.id)
        .order_by(LatePaymentComplaint.id)
    ))  # fmt: skip
    form = RatingForm()
    form.milestone_id.choices = _choices(contract, {r.milestone_id for r in ratings})
    if form.validate_on_submit():
        raw = form.milestone_id.data or ""
        data = RatingInput(
            scores={column: form[column].data for column in AREA_LABELS},
            narrative=form.narrative.data or "",
            milestone_id=int(raw) if raw.isdigit() else None,
        )
        if raw not in (CONTRACT_END, "") and not raw.isdigit():
            form.milestone_id.errors = [_("Choose what you rate.")]
        elif run_service(
            lambda: rate_supplier(session, contract, current_user, data),
            form, refused=NotYourProcess, broken_rule=PerformanceError, show=show_errors,
        ):  # fmt: skip
            flash(_("Rating sent. The supplier has 14 days to reply; then it is public."))
            return redirect(url_for("buyer.contract_ratings", contract_id=contract.id))
    return render_template(
        "buyer/ratings/contract.html", contract=contract, ratings=ratings,
        complaints=complaints, form=form, errors=flat_errors(form),
        levels=LEVEL_LABELS, areas=AREA_LABELS,
    )  # fmt: skip


@bp.app_template_global()
def supplier_track_record(supplier_id: int | None) -> SupplierPerformance | None:
    """A bidder's final ratings in figures, for the evaluation page (shown to the
    evaluators, never used in the score)."""
    if supplier_id is None:
        return None
    return supplier_performance(db_session(), supplier_id)
