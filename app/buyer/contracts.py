"""Buyer pages of contracts: the overview of what needs action, signing an active award's
contract, and the contract page (amend, milestones, payments, complete or terminate).
Each POST validates its form, calls one service, commits (app/buyer/common.run_service)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    FormField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from app.buyer import bp
from app.buyer.common import run_service
from app.buyer.opening import flat_errors, show_errors
from app.db import db_session
from app.security import role_required
from marketplace.accounts.models import Role
from marketplace.awards.models import Award
from marketplace.awards.services import read_awards
from marketplace.contracts.errors import ContractError, NotYourContract, NotYourProcess
from marketplace.contracts.life_models import ContractMilestone
from marketplace.contracts.models import Contract
from marketplace.contracts.queries import (
    buyer_overview,
    contract_for,
    history,
    tenders_with_due_awards,
)
from marketplace.contracts.releases import COMPLETED, TERMINATED_EARLY, contract_lines
from marketplace.contracts.services import (
    DOCUMENT_TYPES,
    AmendmentInput,
    DocumentInput,
    MilestoneInput,
    PaymentInput,
    SignInput,
    add_milestone,
    amend_contract,
    end_contract,
    paid_total,
    record_payment,
    sign_contract,
    signed_contract_of,
    update_milestone,
)
from marketplace.db import utcnow

_DOC_TYPES = {
    "contractSigned": _l("Signed contract"),
    "contractAnnexe": _l("Annex"),
    "contractSchedule": _l("Schedule"),
    "contractGuarantees": _l("Guarantees"),
}


def _choices(*pairs: tuple[str, Any]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def at(day: dt.date | None, *, end_of_day: bool = False) -> dt.datetime | None:
    """A date typed in a form as naive UTC: today means now (so "today" is never in the
    future), an end date means the end of that day, any other date its start."""
    if day is None:
        return None
    now = utcnow().replace(microsecond=0)
    if end_of_day:
        return dt.datetime.combine(day, dt.time(23, 59, 59))
    return now if day == now.date() else dt.datetime.combine(day, dt.time())


class DocumentForm(FlaskForm):
    class Meta:
        csrf = False

    title = StringField(_l("Document title"), validators=[Length(max=300)])
    url = StringField(_l("Web address"), validators=[Length(max=1000)],
                      render_kw={"inputmode": "url"})  # fmt: skip
    document_type = SelectField(
        _l("Type"),
        choices=_choices(*((k, v) for k, v in _DOC_TYPES.items() if k in DOCUMENT_TYPES)),
    )


class SignForm(FlaskForm):
    title = StringField(_l("Contract title"), validators=[Length(max=300)])
    description = TextAreaField(_l("Description (public)"), validators=[Length(max=5000)])
    value = StringField(_l("Contract value"), render_kw={"inputmode": "decimal"})
    period_start = DateField(_l("Starts on"), validators=[Optional()])
    period_end = DateField(_l("Ends on"), validators=[Optional()])
    date_signed = DateField(_l("Signed on (empty: today)"), validators=[Optional()])
    documents = FieldList(FormField(DocumentForm), min_entries=2)
    submit = SubmitField(_l("Sign and publish the contract"))


class AmendForm(FlaskForm):
    rationale = TextAreaField(_l("Rationale (public)"), validators=[Length(max=5000)])
    value = StringField(_l("New value (empty: unchanged)"), render_kw={"inputmode": "decimal"})
    period_end = DateField(_l("New end date (empty: unchanged)"), validators=[Optional()])
    submit = SubmitField(_l("Publish the amendment"))


class MilestoneForm(FlaskForm):
    title = StringField(_l("Milestone"), validators=[Length(max=300)])
    type = SelectField(
        _l("Type"),
        choices=_choices(("delivery", _l("Delivery")), ("payment", _l("Payment")),
                         ("reporting", _l("Reporting"))),
    )  # fmt: skip
    due_date = DateField(_l("Due on"), validators=[Optional()])
    description = TextAreaField(_l("Description (public)"), validators=[Length(max=2000)])
    note = TextAreaField(_l("Internal note (never published)"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Add the milestone"))


class MilestoneStatusForm(FlaskForm):
    status = SelectField(
        _l("Result"),
        choices=_choices(("met", _l("Met")), ("partiallyMet", _l("Partially met")),
                         ("notMet", _l("Not met"))),
    )  # fmt: skip
    date_met = DateField(_l("Met on (empty: today)"), validators=[Optional()])
    submit = SubmitField(_l("Record"))


class PaymentForm(FlaskForm):
    amount = StringField(_l("Amount paid"), render_kw={"inputmode": "decimal"})
    date = DateField(_l("Paid on"), validators=[Optional()])
    milestone_id = SelectField(_l("For milestone"), choices=[], validate_choice=False)
    reference = StringField(_l("Invoice or payment order"), validators=[Length(max=120)])
    submit = SubmitField(_l("Record the payment"))


class EndForm(FlaskForm):
    outcome = RadioField(
        _l("How the contract ends"),
        choices=_choices((COMPLETED, _l("Completed as agreed")),
                         (TERMINATED_EARLY, _l("Terminated early"))),
        default=COMPLETED,
    )  # fmt: skip
    reason = TextAreaField(
        _l("Reason (public; required for an early termination)"), validators=[Length(max=5000)]
    )
    date = DateField(_l("Date (empty: today)"), validators=[Optional()])
    submit = SubmitField(_l("Close the contract"))


def _run(action: Callable[[], Any], form: Any) -> bool:
    return run_service(
        action, form, refused=NotYourProcess, broken_rule=ContractError, show=show_errors
    )


@bp.get("/contracts")
@role_required(Role.BUYER)
def contracts() -> ResponseReturnValue:
    session = db_session()
    now = utcnow().replace(microsecond=0)
    # Awards whose standstill is over become active first, so they show as ready to sign.
    if sum(
        read_awards(session, t, now)
        for t in tenders_with_due_awards(session, current_user.organisation_id, now)
    ):
        session.commit()
    overview = buyer_overview(session, current_user.organisation_id, now)
    return render_template("buyer/contracts/overview.html", overview=overview, now=now)


def _own_award(award_id: int) -> Award:
    award = db_session().get(Award, award_id)
    if award is None:
        abort(404)
    if award.tender.buyer_org_id != current_user.organisation_id:
        abort(403)
    return award


@bp.route("/awards/<int:award_id>/contract", methods=["GET", "POST"])
@role_required(Role.BUYER)
def contract_sign(award_id: int) -> ResponseReturnValue:
    award = _own_award(award_id)
    existing = signed_contract_of(db_session(), award)
    if existing is not None:
        return redirect(url_for("buyer.contract_detail", contract_id=existing.id))
    form = SignForm()
    if not form.is_submitted():
        form.value.data = f"{award.value_amount}" if award.value_amount is not None else ""
    if form.validate_on_submit():
        data = SignInput(
            period_start=at(form.period_start.data),
            period_end=at(form.period_end.data, end_of_day=True),
            value=form.value.data or "",
            date_signed=at(form.date_signed.data),
            title=form.title.data or "",
            description=form.description.data or "",
            documents=[
                DocumentInput(e.form.title.data or "", e.form.url.data or "",
                              e.form.document_type.data or "")
                for e in form.documents.entries
            ],
        )  # fmt: skip
        created: list[Contract] = []
        if _run(lambda: created.append(sign_contract(db_session(), award, current_user, data)),
                form):  # fmt: skip
            flash(_("Contract signed and published."), "success")
            return redirect(url_for("buyer.contract_detail", contract_id=created[0].id))
    return (
        render_template(
            "buyer/contracts/sign.html", form=form, award=award, errors=flat_errors(form)
        ),
        422 if form.is_submitted() else 200,
    )


def own_contract(contract_id: int) -> Contract:
    """The contract if the current user may see its private page (buyer of its unit, or
    user of its supplier); 403 for anyone else, 404 when there is none."""
    try:
        contract = contract_for(db_session(), contract_id, current_user)
    except NotYourContract:
        abort(403)
    if contract is None:
        abort(404)
    return contract


def _page(contract: Contract, status: int = 200, **forms: Any) -> ResponseReturnValue:
    session = db_session()
    rows = history(session, contract)
    payment_form = forms.get("payment") or PaymentForm(prefix="pay")
    payment_form.milestone_id.choices = _choices(
        ("", _("None")), *((str(m.id), f"{m.local_id} · {m.title}") for m in rows.milestones)
    )
    return (
        render_template(
            "buyer/contracts/detail.html",
            contract=contract,
            rows=rows,
            lines=contract_lines(session, contract),
            paid=paid_total(session, contract),
            amend_form=forms.get("amend") or AmendForm(prefix="amend"),
            milestone_form=forms.get("milestone") or MilestoneForm(prefix="ms"),
            status_forms={
                m.id: forms.get(f"status_{m.id}") or MilestoneStatusForm(prefix=f"m{m.id}")
                for m in rows.milestones
            },
            payment_form=payment_form,
            end_form=forms.get("end") or EndForm(prefix="end"),
            active=contract.status.value == "active",
            doc_types=_DOC_TYPES,
        ),
        status,
    )


@bp.get("/contracts/<int:contract_id>")
@role_required(Role.BUYER)
def contract_detail(contract_id: int) -> ResponseReturnValue:
    return _page(own_contract(contract_id))


def _done(contract: Contract, message: str) -> ResponseReturnValue:
    flash(message, "success")
    return redirect(url_for("buyer.contract_detail", contract_id=contract.id))


@bp.post("/contracts/<int:contract_id>/amend")
@role_required(Role.BUYER)
def contract_amend(contract_id: int) -> ResponseReturnValue:
    contract = own_contract(contract_id)
    form = AmendForm(prefix="amend")
    data = AmendmentInput(form.rationale.data or "", form.value.data or None,
                          at(form.period_end.data, end_of_day=True))  # fmt: skip
    if form.validate_on_submit() and _run(
        lambda: amend_contract(db_session(), contract, current_user, data), form
    ):
        return _done(contract, _("Amendment published."))
    return _page(contract, 422, amend=form)


@bp.post("/contracts/<int:contract_id>/milestones")
@role_required(Role.BUYER)
def contract_milestone_add(contract_id: int) -> ResponseReturnValue:
    contract = own_contract(contract_id)
    form = MilestoneForm(prefix="ms")
    data = MilestoneInput(
        form.title.data or "", at(form.due_date.data, end_of_day=True), form.type.data or "",
        form.description.data or "", form.note.data or "",
    )  # fmt: skip
    if form.validate_on_submit() and _run(
        lambda: add_milestone(db_session(), contract, current_user, data), form
    ):
        return _done(contract, _("Milestone added and published."))
    return _page(contract, 422, milestone=form)


@bp.post("/contract-milestones/<int:milestone_id>")
@role_required(Role.BUYER)
def contract_milestone_update(milestone_id: int) -> ResponseReturnValue:
    milestone = db_session().get(ContractMilestone, milestone_id)
    if milestone is None:
        abort(404)
    contract = own_contract(milestone.contract_id)
    form = MilestoneStatusForm(prefix=f"m{milestone.id}")
    if form.validate_on_submit() and _run(
        lambda: update_milestone(db_session(), milestone, current_user, form.status.data or "",
                                 at(form.date_met.data)),
        form,
    ):  # fmt: skip
        return _done(contract, _("Milestone updated and published."))
    return _page(contract, 422, **{f"status_{milestone.id}": form})


@bp.post("/contracts/<int:contract_id>/payments")
@role_required(Role.BUYER)
def contract_payment(contract_id: int) -> ResponseReturnValue:
    contract = own_contract(contract_id)
    form = PaymentForm(prefix="pay")
    raw = form.milestone_id.data or ""
    data = PaymentInput(form.amount.data or "", at(form.date.data),
                        int(raw) if raw.isdigit() else None, form.reference.data or "")  # fmt: skip
    if form.validate_on_submit() and _run(
        lambda: record_payment(db_session(), contract, current_user, data), form
    ):
        return _done(contract, _("Payment recorded and published."))
    return _page(contract, 422, payment=form)


@bp.post("/contracts/<int:contract_id>/end")
@role_required(Role.BUYER)
def contract_end(contract_id: int) -> ResponseReturnValue:
    contract = own_contract(contract_id)
    form = EndForm(prefix="end")
    if form.validate_on_submit() and _run(
        lambda: end_contract(db_session(), contract, current_user, form.outcome.data or "",
                             form.reason.data or "", at(form.date.data)),
        form,
    ):  # fmt: skip
        return _done(contract, _("Contract closed and published."))
    return _page(contract, 422, end=form)
