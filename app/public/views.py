"""Home page and the public audit trail."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.db import db_session
from app.public import bp
from marketplace.accounts.models import Organisation
from marketplace.audit.models import AuditEvent

AUDIT_PAGE_SIZE = 50


@bp.get("/")
def home() -> ResponseReturnValue:
    return render_template("public/home.html")


@bp.get("/audit")
def audit_log() -> ResponseReturnValue:
    """Procurement actions (who, what, when) without personal data: organisations, not people."""
    before = request.args.get("before", type=int)
    query = select(AuditEvent, Organisation.name).outerjoin(
        Organisation, Organisation.id == AuditEvent.actor_org_id
    ).where(AuditEvent.public.is_(True))
    if before:
        query = query.where(AuditEvent.seq < before)
    rows = db_session().execute(
        query.order_by(AuditEvent.seq.desc()).limit(AUDIT_PAGE_SIZE + 1)
    ).all()
    more = len(rows) > AUDIT_PAGE_SIZE
    rows = rows[:AUDIT_PAGE_SIZE]
    next_before = rows[-1][0].seq if more and rows else None
    return render_template("public/audit.html", rows=rows, next_before=next_before)
