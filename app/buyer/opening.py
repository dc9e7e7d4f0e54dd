"""Buyer pages of the bid opening: open the sealed bids once after the deadline, see them
with their commitment check, download their documents, disqualify with a reason."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import Field, FieldList, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.buyer import bp
from app.buyer.common import own_tender, run_service
from app.db import db_session
from app.security import role_required
from marketplace.accounts.models import Role
from marketplace.bids.errors import BidError, NotYourProcess
from marketplace.bids.models import Bid, BidDocument, BidOpening, BidStatus
from marketplace.bids.opening import disclosure_matches, disqualify_bid, open_bids, open_document
from marketplace.bids.releases import bid_content, tender_bids
from marketplace.db import utcnow
from marketplace.tenders.models import Tender
from marketplace.tenders.states import TenderState


def bid_secret() -> str:
    """The server secret bid keys derive from: ``BID_SECRET``, else ``SECRET_KEY``."""
    secret: str = current_app.config.get("BID_SECRET") or current_app.config["SECRET_KEY"]
    return secret


def _fields(form: FlaskForm) -> Iterator[Field]:
    for f in form:
        if isinstance(f, FieldList):
            yield from f.entries
        else:
            yield f


def show_errors(form: FlaskForm, err: BidError) -> None:
    """Put each of a service's errors next to its field (or at the top of the form)."""
    fields = {f.name: f for f in _fields(form)}
    for path, msg in err.errors.items():
        message = _(msg.text, **msg.params) if msg.params else _(msg.text)
        target = fields.get(f"{form._prefix}{path}" if path else "")  # noqa: SLF001
        if target is not None:
            target.errors = [*target.errors, message]
        else:
            form.form_errors.append(message)


def flat_errors(form: FlaskForm) -> list[tuple[str, str]]:
    """(field id, message) of every field error, for the summary at the top of the form."""
    return [(f.id, m) for f in _fields(form) if f.name != "csrf_token" for m in f.errors]


class OpenBidsForm(FlaskForm):
    submit = SubmitField(_l("Open the bids"))


class DisqualifyForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the disqualification (public)"),
        validators=[InputRequired(), Length(max=5000)],
    )
    submit = SubmitField(_l("Disqualify"))


def _run(action: Callable[[], Any], form: Any) -> bool:
    return run_service(action, form, refused=NotYourProcess, broken_rule=BidError, show=show_errors)


def _page(tender: Tender, status: int = 200, **forms: Any) -> ResponseReturnValue:
    session = db_session()
    opening = session.scalar(select(BidOpening).where(BidOpening.tender_id == tender.id))
    bids = tender_bids(session, tender)
    opened = [b for b in bids if b.disclosed is not None]
    rows = [
        {
            "bid": b,
            "content": bid_content(b),
            "prices": [
                (p["lot"], Decimal(p["amount"]), p["currency"]) for p in bid_content(b)["prices"]
            ],
            "matches": disclosure_matches(session, b),
            "form": forms.get(f"disqualify_{b.id}") or DisqualifyForm(prefix=f"b{b.id}"),
        }
        for b in opened
    ]
    lots = {lot.local_id: lot.title for lot in tender.lots}
    # The tender's own buyer page, when the tender pages are installed.
    tender_url = (
        url_for("buyer.tender_detail", tender_id=tender.id)
        if "buyer.tender_detail" in current_app.view_functions
        else None
    )
    now = utcnow()
    return (
        render_template(
            "buyer/opening/page.html",
            tender=tender,
            opening=opening,
            rows=rows,
            sealed=sum(1 for b in bids if b.status != BidStatus.WITHDRAWN),
            lots=lots,
            tender_url=tender_url,
            now=now,
            can_open=opening is None
            and tender.state == TenderState.EVALUATION
            and tender.tender_end is not None
            and now >= tender.tender_end,
            open_form=forms.get("open_form") or OpenBidsForm(),
        ),
        status,
    )


@bp.get("/tenders/<int:tender_id>/bids")
@role_required(Role.BUYER)
def bids_page(tender_id: int) -> ResponseReturnValue:
    return _page(own_tender(tender_id))


@bp.post("/tenders/<int:tender_id>/bids/open")
@role_required(Role.BUYER)
def bids_open(tender_id: int) -> ResponseReturnValue:
    tender = own_tender(tender_id)
    form = OpenBidsForm()
    if form.validate_on_submit() and _run(
        lambda: open_bids(db_session(), tender, current_user, secret=bid_secret()), form
    ):
        flash(_("Bids opened and published."), "success")
        return redirect(url_for("buyer.bids_page", tender_id=tender.id))
    return _page(tender, 422, open_form=form)


def _own_bid(bid_id: int) -> Bid:
    bid = db_session().get(Bid, bid_id)
    if bid is None:
        abort(404)
    if bid.tender.buyer_org_id != current_user.organisation_id:
        abort(403)
    return bid


@bp.post("/bids/<int:bid_id>/disqualify")
@role_required(Role.BUYER)
def bid_disqualify(bid_id: int) -> ResponseReturnValue:
    bid = _own_bid(bid_id)
    form = DisqualifyForm(prefix=f"b{bid.id}")
    if form.validate_on_submit() and _run(
        lambda: disqualify_bid(db_session(), bid, current_user, form.reason.data or ""), form
    ):
        flash(_("Bid disqualified."), "success")
        return redirect(url_for("buyer.bids_page", tender_id=bid.tender_id))
    return _page(bid.tender, 422, **{f"disqualify_{bid.id}": form})


@bp.get("/bids/<int:bid_id>/documents/<int:position>")
@role_required(Role.BUYER)
def bid_document(bid_id: int, position: int) -> ResponseReturnValue:
    bid = _own_bid(bid_id)
    document = db_session().scalar(
        select(BidDocument).where(BidDocument.bid_id == bid.id, BidDocument.position == position)
    )
    if document is None:
        abort(404)
    try:
        meta, data = open_document(db_session(), document, current_user, secret=bid_secret())
    except NotYourProcess:
        abort(403)
    except BidError:
        abort(404)
    response = send_file(
        io.BytesIO(data),
        mimetype=str(meta["format"]),
        as_attachment=True,
        download_name=str(meta["title"]),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
