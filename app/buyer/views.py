"""Buyer dashboard: my processes by state, with what needs action."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.buyer import bp
from app.db import db_session
from app.security import role_required
from marketplace.accounts.models import Role
from marketplace.awards.models import Award, AwardStatus
from marketplace.bids.models import Bid
from marketplace.bids.releases import is_opened
from marketplace.contracts.services import signed_contract_of
from marketplace.db import utcnow
from marketplace.tenders.models import Tender
from marketplace.tenders.queries import buyer_overview, unstarted_plan_lines
from marketplace.tenders.states import TenderState

#: The services name the next steps in English; these are their translated labels.
NEEDS_LABELS = {
    "Write the tender": _l("Write the tender"),
    "Publish the tender": _l("Publish the tender"),
    "Answer comments": _l("Answer comments"),
    "Answer questions": _l("Answer questions"),
    "Evaluate bids": _l("Evaluate bids"),
}


@dataclass(frozen=True)
class Action:
    """A next step on the dashboard: what to do, and the page where it is done."""

    label: str
    url: str


@bp.app_template_global()
def bid_and_contract_actions(tender: Tender) -> list[Action]:
    """The steps around the evaluation the dashboard names for ``tender``: open its bids
    once the deadline has passed, sign the contract of each award whose standstill is
    over. (Scores, awards and complaints: ``evaluation_todo_for``.)"""
    session = db_session()
    if tender.state != TenderState.EVALUATION:
        return []
    if not is_opened(session, tender):
        bids = session.scalar(select(Bid.id).where(Bid.tender_id == tender.id).limit(1))
        label = _("Open the bids") if bids is not None else _("Open the bids (none received)")
        return [Action(label, url_for("buyer.bids_page", tender_id=tender.id))]
    active = session.scalars(
        select(Award)
        .where(Award.tender_id == tender.id, Award.status == AwardStatus.ACTIVE)
        .order_by(Award.id)
    )
    return [
        Action(
            _("Sign the contract: %(award)s", award=award.title or award.local_id),
            url_for("buyer.contract_sign", award_id=award.id),
        )
        for award in active
        if signed_contract_of(session, award) is None
    ]


@bp.get("/")
@role_required(Role.BUYER)
def dashboard() -> ResponseReturnValue:
    session = db_session()
    now = utcnow()
    overview = buyer_overview(session, current_user.organisation_id, now)
    session.commit()  # overdue tenders were moved on by the read
    return render_template(
        "buyer/dashboard.html",
        overview=overview,
        unstarted=unstarted_plan_lines(session, current_user.organisation_id),
        needs_labels=NEEDS_LABELS,
        now=now,
    )
