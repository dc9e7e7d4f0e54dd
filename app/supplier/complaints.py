"""Supplier page of a bid's results: the awards of the lots it bid for, with their
standstill periods, and the company's complaints (file one during the standstill; see the
buyer's resolution)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.buyer.opening import show_errors
from app.db import db_session
from app.security import role_required
from app.supplier import bp
from marketplace.accounts.models import Role
from marketplace.awards.complaints import file_complaint
from marketplace.awards.errors import AwardError, NotYourBid
from marketplace.awards.evaluation import bid_price
from marketplace.awards.models import Award, AwardStatus
from marketplace.awards.releases import tender_awards, tender_complaints
from marketplace.awards.services import read_awards
from marketplace.bids.models import Bid
from marketplace.db import utcnow
from marketplace.suppliers.services import supplier_for_org
from marketplace.tenders.queries import read_tender


class ComplaintForm(FlaskForm):
    award = SelectField(_l("Award"), validators=[InputRequired()])
    grounds = TextAreaField(
        _l("Grounds of the complaint (public)"),
        validators=[InputRequired(), Length(max=5000)],
    )
    submit = SubmitField(_l("File the complaint"))


def _own_bid(bid_id: int) -> Bid:
    """The company's own bid; 403 for another company's (no complaint on its behalf)."""
    session = db_session()
    bid = session.get(Bid, bid_id)
    if bid is None:
        abort(404)
    supplier = supplier_for_org(session, current_user.organisation_id)
    if supplier is None or bid.supplier_id != supplier.id:
        abort(403)
    moved = read_tender(session, bid.tender)
    if read_awards(session, bid.tender) or moved:
        session.commit()
    return bid


def _open_awards(bid: Bid, awards: list[Award]) -> list[Award]:
    """Awards this bid may complain about now: lost, in standstill."""
    now = utcnow()
    return [
        a for a in awards
        if a.status == AwardStatus.PENDING and a.supplier_id != bid.supplier_id
        and a.standstill_end is not None and now < a.standstill_end
    ]  # fmt: skip


def _page(bid: Bid, form: ComplaintForm | None = None, status: int = 200) -> ResponseReturnValue:
    session = db_session()
    awards = [a for a in tender_awards(session, bid.tender) if bid_price(bid, a.related_lot)
              is not None] if bid.disclosed is not None else []  # fmt: skip
    complaints = [c for c in tender_complaints(session, bid.tender)
                  if c.supplier_id == bid.supplier_id]  # fmt: skip
    open_awards = _open_awards(bid, awards)
    form = form or ComplaintForm()
    form.award.choices = [SelectChoice(str(a.id), f"{a.title} ({a.local_id})") for a in open_awards]
    return (
        render_template(
            "supplier/complaints/page.html",
            bid=bid, tender=bid.tender, awards=awards, complaints=complaints,
            can_complain=bool(open_awards), form=form,
        ),
        status,
    )  # fmt: skip


@bp.get("/bids/<int:bid_id>/complaints")
@role_required(Role.SUPPLIER)
def bid_complaints(bid_id: int) -> ResponseReturnValue:
    return _page(_own_bid(bid_id))


@bp.post("/bids/<int:bid_id>/complaints")
@role_required(Role.SUPPLIER)
def bid_complaint_file(bid_id: int) -> ResponseReturnValue:
    bid = _own_bid(bid_id)
    session = db_session()
    form = ComplaintForm()
    # Any award of the tender may be chosen; the service says why a wrong one is refused.
    form.award.choices = [
        SelectChoice(str(a.id), a.local_id) for a in tender_awards(session, bid.tender)
    ]
    if form.validate_on_submit():
        award = session.get(Award, int(form.award.data))
        assert award is not None and award.tender_id == bid.tender_id
        try:
            file_complaint(session, award, current_user, form.grounds.data or "", bid=bid)
            session.commit()
        except NotYourBid:
            session.rollback()
            abort(403)
        except AwardError as err:
            session.rollback()
            show_errors(form, err)
        else:
            flash(_("Complaint filed and published. The award is paused until the buyer "
                    "resolves it."), "success")  # fmt: skip
            return redirect(url_for("supplier.bid_complaints", bid_id=bid.id))
    return _page(bid, form, 422)
