"""Buyer dashboard: my processes by state, with what needs action."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.buyer import bp
from app.db import db_session
from app.security import role_required
from marketplace.accounts.models import Role
from marketplace.db import utcnow
from marketplace.tenders.queries import buyer_overview, unstarted_plan_lines

#: The services name the next steps in English; these are their translated labels.
NEEDS_LABELS = {
    "Write the tender": _l("Write the tender"),
    "Publish the tender": _l("Publish the tender"),
    "Answer comments": _l("Answer comments"),
    "Answer questions": _l("Answer questions"),
    "Evaluate bids": _l("Evaluate bids"),
}


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
