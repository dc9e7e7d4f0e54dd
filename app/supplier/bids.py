"""Supplier pages of sealed bids: the bid form, the receipt with the commitment, my bids,
withdraw and re-confirm. Each POST validates its form, calls one service, commits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    MultipleFileField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length

from app.buyer.opening import bid_secret, flat_errors, show_errors
from app.db import db_session
from app.security import role_required
from app.supplier import bp
from marketplace.accounts.models import Role
from marketplace.bids.errors import BidError, NotYourBid
from marketplace.bids.models import Bid, BidStatus
from marketplace.bids.services import (
    MAX_DOCUMENTS,
    MAX_NOTE,
    BidInput,
    DocumentUpload,
    PriceInput,
    live_bid,
    may_bid,
    own_bid,
    reconfirm_bid,
    submit_bid,
    supplier_bids,
    withdraw_bid,
)
from marketplace.db import sqlite_write_first, utcnow
from marketplace.publication.services import deferred_compile
from marketplace.suppliers.services import supplier_for_org
from marketplace.tenders.models import Tender
from marketplace.tenders.queries import opportunities, read_tender
from marketplace.tenders.states import TenderState


class BidForm(FlaskForm):
    prices = FieldList(StringField(_l("Price"), render_kw={"inputmode": "decimal"}))
    technical_note = TextAreaField(
        _l("Technical note (sealed with the bid)"), validators=[Length(max=MAX_NOTE)]
    )
    documents = MultipleFileField(_l("Documents (PDF, PNG or JPEG; sealed with the bid)"))
    declarations = BooleanField(
        _l(
            "I declare, on behalf of my company, that the information in this bid is true, that "
            "we are not barred from public contracts, and that this bid was prepared "
            "independently of other bidders."
        )
    )
    submit = SubmitField(_l("Seal and submit the bid"))


class ActionForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))


def _run(action: Callable[[], Any], form: FlaskForm) -> Any:
    """Call one service and commit; on a broken rule roll back and show it on the form.

    The record's compiled release is brought up to date after the commit, at the end of
    the request (app/db.py), so the tender stays locked only for the bid itself."""
    session = db_session()
    try:
        with deferred_compile():
            result = action()
        session.commit()
    except NotYourBid:
        session.rollback()
        abort(403)
    except BidError as err:
        session.rollback()
        show_errors(form, err)
        return None
    return result if result is not None else True


def _lot_rows(tender: Tender) -> list[tuple[str, str]]:
    """(lot id, label) of each price row; one row for the whole tender when it has no lots."""
    return [(lot.local_id, lot.title) for lot in tender.lots] or [("", _("Whole tender"))]


def _tender(tender_id: int) -> Tender:
    session = db_session()
    tender = session.get(Tender, tender_id)
    if tender is None or tender.published_at is None:
        abort(404)
    _up_to_date(tender)
    return tender


def _up_to_date(tender: Tender) -> None:
    """Apply a due timed transition (the deadline) before showing the tender.

    Right after a deadline every bidder reads at once and the first read publishes the
    change: the reading transaction ends first, so that on SQLite the one that writes
    waits for the write lock (the others then find nothing left to do)."""
    if tender.next_check_at is None or tender.next_check_at > utcnow():
        return
    session = db_session()
    session.commit()
    with sqlite_write_first():
        read_tender(session, tender)
        session.commit()


@bp.route("/tenders/<int:tender_id>/bid", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def bid_form(tender_id: int) -> ResponseReturnValue:
    tender = _tender(tender_id)
    rows = _lot_rows(tender)
    form = BidForm()
    while len(form.prices.entries) < len(rows):
        form.prices.append_entry()
    if form.validate_on_submit():
        data = BidInput(
            prices=[
                PriceInput(lot, entry.data or "")
                for (lot, _label), entry in zip(rows, form.prices.entries, strict=False)
            ],
            technical_note=form.technical_note.data or "",
            declarations_accepted=bool(form.declarations.data),
            documents=_uploads(),
        )
        # Bids arrive together before a deadline: end the reading transaction so that
        # the bid's own begins holding SQLite's write lock (queues, never "locked").
        db_session().commit()
        with sqlite_write_first():
            bid = _run(
                lambda: submit_bid(
                    db_session(), tender, current_user, data, secret=bid_secret(),
                    max_document_bytes=int(current_app.config["UPLOAD_MAX_BYTES"]),
                ),
                form,
            )  # fmt: skip
        if bid:
            flash(_("Bid sealed and submitted. Keep your receipt."), "success")
            return redirect(url_for("supplier.bid_receipt", bid_id=bid.id))
        db_session().refresh(tender)
    supplier = supplier_for_org(db_session(), current_user.organisation_id)
    current = live_bid(db_session(), tender, supplier) if supplier else None
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "supplier/bids/form.html",
            form=form,
            tender=tender,
            rows=list(zip(rows, form.prices.entries, strict=False)),
            errors=flat_errors(form),
            current=current,
            max_documents=MAX_DOCUMENTS,
            open_for_bids=tender.state == TenderState.TENDERING,
            not_invited=supplier is not None and not may_bid(tender, supplier),
            now=utcnow(),
        ),
        status,
    )


def _uploads() -> list[DocumentUpload]:
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    uploads = []
    for storage in request.files.getlist("documents"):
        if not storage or not storage.filename:
            continue
        # One byte over the limit is enough for the service to refuse the file.
        uploads.append(DocumentUpload(storage.filename, storage.stream.read(limit + 1)))
    return uploads


@bp.get("/bids")
@role_required(Role.SUPPLIER)
def my_bids() -> ResponseReturnValue:
    session = db_session()
    supplier = supplier_for_org(session, current_user.organisation_id)
    bids = supplier_bids(session, supplier) if supplier else []
    codes = [c.code for c in supplier.categories if c.scheme == "UNSPSC"] if supplier else []
    now = utcnow()
    open_tenders = [
        t
        for t in opportunities(session, current_user.organisation_id, codes, now)
        if t.state == TenderState.TENDERING
    ]
    session.commit()
    return render_template(
        "supplier/bids/list.html", bids=bids, open_tenders=open_tenders, supplier=supplier, now=now
    )


def _own(bid_id: int) -> Bid:
    try:
        return own_bid(db_session(), bid_id, current_user)
    except NotYourBid:
        abort(404)


def _receipt(bid: Bid, status: int = 200, form: ActionForm | None = None) -> ResponseReturnValue:
    return (
        render_template(
            "supplier/bids/receipt.html",
            bid=bid,
            tender=bid.tender,
            form=form or ActionForm(),
            can_change=bid.status in (BidStatus.SUBMITTED, BidStatus.NEEDS_RECONFIRMATION)
            and bid.tender.state == TenderState.TENDERING,
            now=utcnow(),
        ),
        status,
    )


@bp.get("/bids/<int:bid_id>")
@role_required(Role.SUPPLIER)
def bid_receipt(bid_id: int) -> ResponseReturnValue:
    bid = _own(bid_id)
    _up_to_date(bid.tender)
    return _receipt(bid)


@bp.post("/bids/<int:bid_id>/withdraw")
@role_required(Role.SUPPLIER)
def bid_withdraw(bid_id: int) -> ResponseReturnValue:
    bid = _own(bid_id)
    form = ActionForm()
    if form.validate_on_submit() and _run(
        lambda: withdraw_bid(db_session(), bid, current_user), form
    ):
        flash(_("Bid withdrawn. You may submit a new one before the deadline."), "success")
        return redirect(url_for("supplier.bid_receipt", bid_id=bid.id))
    return _receipt(bid, 422, form)


@bp.post("/bids/<int:bid_id>/reconfirm")
@role_required(Role.SUPPLIER)
def bid_reconfirm(bid_id: int) -> ResponseReturnValue:
    bid = _own(bid_id)
    form = ActionForm()
    if form.validate_on_submit() and _run(
        lambda: reconfirm_bid(db_session(), bid, current_user), form
    ):
        flash(_("Bid confirmed: it counts at the opening."), "success")
        return redirect(url_for("supplier.bid_receipt", bid_id=bid.id))
    return _receipt(bid, 422, form)
