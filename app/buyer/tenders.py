"""Buyer pages of one process: the draft tender form, prebases, publish, answers,
amendments and cancellation. Each POST validates its form, calls one service, commits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.buyer import bp
from app.buyer.common import own_tender, run_service
from app.buyer.frameworks import framework_handover
from app.buyer.tender_forms import (
    FRAMEWORK_METHOD,
    AmendForm,
    AnswerForm,
    CancelForm,
    ConfirmForm,
    PrebasesForm,
    TenderForm,
    flat_errors,
    local_to_utc,
    show_errors,
    tender_form_data,
)
from app.db import db_session
from app.security import role_required
from marketplace.accounts.models import Organisation, OrgKind, Role
from marketplace.db import utcnow
from marketplace.tenders import conversation
from marketplace.tenders.errors import NotYourProcess, TenderError
from marketplace.tenders.models import Tender
from marketplace.tenders.rules import DocumentInput
from marketplace.tenders.services import (
    AmendmentInput,
    amend_tender,
    cancel_tender,
    draft_input,
    publish_tender,
    save_draft,
)
from marketplace.tenders.states import AMENDABLE_STATES, DRAFT_STATES, FINAL_STATES, TenderState
from marketplace.tenders.workflow import conversation_of, plan_line_of


def _run(action: Callable[[], Any], form: Any) -> bool:
    return run_service(
        action, form, refused=NotYourProcess, broken_rule=TenderError, show=show_errors
    )


def _supplier_choices() -> list[SelectChoice]:
    orgs = db_session().scalars(
        select(Organisation)
        .where(Organisation.kind == OrgKind.SUPPLIER)
        .order_by(Organisation.name)
    )
    return [SelectChoice(org.id, org.name) for org in orgs]


def _detail(tender: Tender, status: int = 200, **forms: Any) -> ResponseReturnValue:
    session = db_session()
    conv = conversation_of(session, tender)
    context = {
        "publish_form": ConfirmForm(),
        "prebases_form": PrebasesForm(),
        "cancel_form": CancelForm(),
        "answer_forms": {},
        "new_answer_form": AnswerForm,
        **forms,
    }
    return (
        render_template(
            "buyer/tender.html",
            tender=tender,
            conv=conv,
            plan_line=plan_line_of(session, tender),
            now=utcnow(),
            States=TenderState,
            can_edit=tender.state in DRAFT_STATES,
            can_amend=tender.state in AMENDABLE_STATES,
            can_cancel=tender.state not in FINAL_STATES,
            **context,
        ),
        status,
    )


@bp.get("/tenders/<int:tender_id>")
@role_required(Role.BUYER)
def tender_detail(tender_id: int) -> ResponseReturnValue:
    return _detail(own_tender(tender_id))


@bp.route("/tenders/<int:tender_id>/edit", methods=["GET", "POST"])
@role_required(Role.BUYER)
def tender_edit(tender_id: int) -> ResponseReturnValue:
    tender = own_tender(tender_id)
    if tender.state not in DRAFT_STATES:
        flash(_("This tender is already published: change it with an amendment."), "error")
        return redirect(url_for("buyer.tender_detail", tender_id=tender.id))
    if request.method == "GET":
        form = TenderForm(data=tender_form_data(draft_input(tender)))
    else:
        form = TenderForm()
    form.invited.choices = _supplier_choices()
    form.set_lot_choices()
    framework = form.procurement_method.data == FRAMEWORK_METHOD
    if request.method == "POST" and framework and not form.add_rows.data:
        # A framework is its own process: its form takes over what was typed (nothing saved).
        return framework_handover(tender)
    if request.method == "POST" and form.add_rows.data:
        # Adding rows saves nothing: the page comes back with what was typed plus blanks.
        form.add_blank_rows()
    elif form.validate_on_submit():
        session = db_session()
        if _run(lambda: save_draft(session, tender, current_user, form.to_input()), form):
            flash(_("Draft saved. It stays private until you publish it."), "success")
            return redirect(url_for("buyer.tender_detail", tender_id=tender.id))
    status = 422 if request.method == "POST" and (flat_errors(form) or form.form_errors) else 200
    return (
        render_template(
            "buyer/tender_form.html",
            form=form,
            tender=tender,
            errors=flat_errors(form),
            now=utcnow(),
        ),
        status,
    )


@bp.post("/tenders/<int:tender_id>/publish")
@role_required(Role.BUYER)
def tender_publish(tender_id: int) -> ResponseReturnValue:
    tender = own_tender(tender_id)
    form = ConfirmForm()
    if form.validate_on_submit() and _run(
        lambda: publish_tender(db_session(), tender, current_user), form
    ):
        flash(_("Tender published."), "success")
        return redirect(url_for("buyer.tender_detail", tender_id=tender.id))
    db_session().refresh(tender)
    return _detail(tender, 422, publish_form=form)


@bp.post("/tenders/<int:tender_id>/prebases")
@role_required(Role.BUYER)
def tender_prebases(tender_id: int) -> ResponseReturnValue:
    tender = own_tender(tender_id)
    form = PrebasesForm()
    if form.validate_on_submit() and _run(
        lambda: conversation.open_prebases(
            db_session(), tender, current_user, form.summary.data or "", form.url.data or "",
            local_to_utc(form.comment_end.data),
        ),
        form,
    ):  # fmt: skip
        flash(_("Draft documents published for public comment."), "success")
        return redirect(url_for("buyer.tender_detail", tender_id=tender.id))
    db_session().refresh(tender)
    return _detail(tender, 422, prebases_form=form)


def _answer(tender_id: int, kind: str, target_id: int) -> ResponseReturnValue:
    tender = own_tender(tender_id)
    form = AnswerForm()
    service = conversation.answer_comment if kind == "comment" else conversation.answer_enquiry
    if form.validate_on_submit() and _run(
        lambda: service(db_session(), tender, current_user, target_id, form.answer.data or ""),
        form,
    ):
        flash(_("Answer published."), "success")
        return redirect(url_for("buyer.tender_detail", tender_id=tender.id))
    db_session().refresh(tender)
    return _detail(tender, 422, answer_forms={(kind, target_id): form})


@bp.post("/tenders/<int:tender_id>/comments/<int:comment_id>/answer")
@role_required(Role.BUYER)
def comment_answer(tender_id: int, comment_id: int) -> ResponseReturnValue:
    return _answer(tender_id, "comment", comment_id)


@bp.post("/tenders/<int:tender_id>/enquiries/<int:enquiry_id>/answer")
@role_required(Role.BUYER)
def enquiry_answer(tender_id: int, enquiry_id: int) -> ResponseReturnValue:
    return _answer(tender_id, "enquiry", enquiry_id)


@bp.post("/tenders/<int:tender_id>/cancel")
@role_required(Role.BUYER)
def tender_cancel(tender_id: int) -> ResponseReturnValue:
    tender = own_tender(tender_id)
    form = CancelForm()
    if form.validate_on_submit() and _run(
        lambda: cancel_tender(db_session(), tender, current_user, form.reason.data or ""), form
    ):
        flash(_("Process cancelled."), "success")
        return redirect(url_for("buyer.tender_detail", tender_id=tender.id))
    db_session().refresh(tender)
    return _detail(tender, 422, cancel_form=form)


@bp.route("/tenders/<int:tender_id>/amend", methods=["GET", "POST"])
@role_required(Role.BUYER)
def tender_amend(tender_id: int) -> ResponseReturnValue:
    tender = own_tender(tender_id)
    if request.method == "GET" and tender.state not in AMENDABLE_STATES:
        flash(_("Only a tender open for enquiries or bids can be amended."), "error")
        return redirect(url_for("buyer.tender_detail", tender_id=tender.id))
    form = AmendForm()
    if form.validate_on_submit():
        data = AmendmentInput(
            rationale=form.rationale.data or "",
            note=form.note.data or "",
            material=bool(form.material.data),
            description=form.description.data or None,
            enquiry_end=local_to_utc(form.enquiry_end.data),
            tender_end=local_to_utc(form.tender_end.data),
            value_amount=form.value_amount.data,
            eligibility_criteria=form.eligibility_criteria.data or None,
            document=DocumentInput(
                form.document_type.data, form.document_title.data or "", "",
                form.document_url.data or "",
            ),
        )  # fmt: skip
        if _run(lambda: amend_tender(db_session(), tender, current_user, data), form):
            flash(_("Amendment published."), "success")
            return redirect(url_for("buyer.tender_detail", tender_id=tender.id))
        db_session().refresh(tender)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "buyer/tender_amend.html", form=form, tender=tender, now=utcnow()
    ), status
