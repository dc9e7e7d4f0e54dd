"""The public page of a process's complaints: every complaint against its awards, with
the buyer's resolution (the same facts as the ``complaints`` documents of its awards)."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from app.db import db_session
from app.public import bp
from marketplace.awards.releases import tender_awards, tender_complaints
from marketplace.awards.services import read_awards
from marketplace.tenders.queries import read_tender, tender_by_ocid
from marketplace.tenders.states import DRAFT_STATES


@bp.get("/processes/<ocid>/complaints")
def process_complaints(ocid: str) -> ResponseReturnValue:
    session = db_session()
    tender = tender_by_ocid(session, ocid)
    if tender is None or tender.state in DRAFT_STATES:
        abort(404)
    moved = read_tender(session, tender)
    if read_awards(session, tender) or moved:
        session.commit()
    awards = {a.id: a for a in tender_awards(session, tender)}
    return render_template(
        "public/complaints.html",
        tender=tender,
        complaints=tender_complaints(session, tender),
        awards=awards,
    )
