"""Public process pages: the list, one process (built from its published record and
releases: timeline with what changed, tender, Q&A, bids with their commitment check,
awards, contracts, payments, red flags, links to the JSON), and the forms logged-in
users post there (prebases comments, supplier questions)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.buyer.tender_forms import show_errors
from app.db import db_session
from app.public import bp
from app.public.process_data import METHOD_WORDS, STATUS_WORDS, words
from app.public.process_flags import flag_context
from app.public.process_format import Formatter
from app.public.process_related import related
from app.public.process_view import BID_TEXTS, process_view
from app.search_support import search_backend
from app.security import login_required_any, role_required
from marketplace.accounts.models import Role
from marketplace.awards.services import read_awards
from marketplace.db import utcnow
from marketplace.publication.models import OcdsRecord
from marketplace.publication.queries import get_record
from marketplace.suppliers.services import supplier_for_org
from marketplace.tenders import conversation
from marketplace.tenders.errors import TenderError
from marketplace.tenders.models import Tender
from marketplace.tenders.queries import opportunities, public_processes, read_tender, tender_by_ocid
from marketplace.tenders.states import DRAFT_STATES, TenderState
from marketplace.tenders.workflow import conversation_of, plan_line_of


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment (public)"), validators=[InputRequired(), Length(max=5000)]
    )
    submit = SubmitField(_l("Publish comment"))


class EnquiryForm(FlaskForm):
    question = TextAreaField(
        _l("Your question (published without your name)"),
        validators=[InputRequired(), Length(max=5000)],
    )
    related_lot = SelectField(_l("About"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Ask"))


def _record_or_404(ocid: str) -> tuple[OcdsRecord, Tender | None]:
    """The published record and, for our own processes, the tender behind it (brought
    up to date first, so the page shows the release a due transition publishes)."""
    session = db_session()
    record = get_record(session, ocid)
    if record is not None and getattr(record, "publisher_name", None):
        return record, None  # imported: read-only, whatever our tenders hold
    tender = tender_by_ocid(session, ocid)
    if tender is not None:
        moved = read_tender(session, tender)
        # Awards follow their own clock (standstill): due steps apply on reads too.
        if read_awards(session, tender) or moved:
            session.commit()
            record = get_record(session, ocid)
    if record is None:
        abort(404)
    return record, tender


def _enquiry_form(tender: Tender) -> EnquiryForm:
    form = EnquiryForm()
    form.related_lot.choices = [SelectChoice("", _("The whole tender"))] + [
        SelectChoice(lot.local_id, lot.title) for lot in tender.lots
    ]
    return form


def _page(
    record: OcdsRecord, tender: Tender | None, status: int = 200, **forms: FlaskForm
) -> ResponseReturnValue:
    """The process page: everything from the published record and releases; the live
    conversation (questions and comments awaiting an answer) and its forms from the
    tender when the process is ours."""
    session = db_session()
    fmt = Formatter.for_request(STATUS_WORDS, BID_TEXTS)
    view = process_view(session, record, flag_context(search_backend()), fmt)
    conv = plan_line = None
    if tender is not None:
        forms.setdefault("comment_form", CommentForm())
        forms.setdefault("enquiry_form", _enquiry_form(tender))
        conv = conversation_of(session, tender)
        plan_line = plan_line_of(session, tender)
    functions = current_app.view_functions
    imported = view.publisher_name is not None
    return (
        render_template(
            "public/processes/detail.html",
            view=view,
            tender=tender,
            conv=conv,
            plan_line=plan_line,
            now=utcnow(),
            States=TenderState,
            fmt=fmt,
            method_words=lambda code: words(METHOD_WORDS, code),
            api="api.record" in functions and not imported,
            complaints_url=_complaints_url(tender),
            related=related(session, view.ocid, view.compiled),
            **forms,
        ),
        status,
    )


def _complaints_url(tender: Tender | None) -> str | None:
    """The complaints page of our published processes (drafts have none)."""
    if tender is None or tender.state in DRAFT_STATES:
        return None
    functions = current_app.view_functions
    endpoint = next(
        (e for e in ("public.process_complaints", "public.complaints") if e in functions), None
    )
    return url_for(endpoint, ocid=tender.ocid) if endpoint else None


@bp.get("/processes")
def processes() -> ResponseReturnValue:
    """Every process; ``?state=open`` for those taking questions or bids."""
    state = request.args.get("state", "")
    session = db_session()
    tenders = public_processes(session, utcnow(), state)
    session.commit()
    return render_template(
        "public/processes/list.html", tenders=tenders, state=state, States=TenderState, now=utcnow()
    )


@bp.get("/opportunities")
@role_required(Role.SUPPLIER)
def opportunities_page() -> ResponseReturnValue:
    """Open tenders matching the supplier's categories, or to which it is invited."""
    session = db_session()
    supplier = supplier_for_org(session, current_user.organisation_id)
    codes = [c.code for c in supplier.categories if c.scheme == "UNSPSC"] if supplier else []
    tenders = opportunities(session, current_user.organisation_id, codes, utcnow())
    session.commit()
    return render_template(
        "public/processes/opportunities.html", tenders=tenders, codes=codes, now=utcnow()
    )


@bp.get("/processes/<ocid>")
def process(ocid: str) -> ResponseReturnValue:
    """The public page of one process (ours or imported), from what was published."""
    record, tender = _record_or_404(ocid)
    return _page(record, tender)


@bp.post("/processes/<ocid>/comments")
@login_required_any
def process_comment(ocid: str) -> ResponseReturnValue:
    record, tender = _record_or_404(ocid)
    if tender is None:
        abort(404)
    form = CommentForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            conversation.add_comment(session, tender, current_user, form.body.data or "")
            session.commit()
        except TenderError as err:
            session.rollback()
            show_errors(form, err)
        else:
            flash(_("Comment published."), "success")
            return redirect(url_for("public.process", ocid=ocid) + "#prebases")
    return _page(record, tender, 422, comment_form=form)


@bp.post("/processes/<ocid>/enquiries")
@role_required(Role.SUPPLIER)
def process_enquiry(ocid: str) -> ResponseReturnValue:
    record, tender = _record_or_404(ocid)
    if tender is None:
        abort(404)
    form = _enquiry_form(tender)
    if form.validate_on_submit():
        session = db_session()
        try:
            conversation.ask(
                session, tender, current_user, form.question.data or "", form.related_lot.data or ""
            )
            session.commit()
        except TenderError as err:
            session.rollback()
            show_errors(form, err)
        else:
            flash(_("Question published. The answer will appear below it."), "success")
            return redirect(url_for("public.process", ocid=ocid) + "#enquiries")
    return _page(record, tender, 422, enquiry_form=form)
