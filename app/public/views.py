"""Home page and the public audit trail."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from app.db import db_session
from app.public import bp
from marketplace.accounts.models import Organisation
from marketplace.audit.models import AuditEvent
from marketplace.db import utcnow
from marketplace.publication.models import OcdsRecord, OcdsRelease
from marketplace.suppliers.models import Supplier, SupplierStatus
from marketplace.tenders.models import Tender
from marketplace.tenders.queries import public_processes

AUDIT_PAGE_SIZE = 50


HOME_LIST_SIZE = 6


@bp.get("/")
def home() -> ResponseReturnValue:
    """What is open now, what closes soon, the latest published steps, and a search box."""
    session = db_session()
    now = utcnow()
    open_now = public_processes(session, now, "open", limit=50)
    closing_soon = sorted(
        (t for t in open_now if t.tender_end and t.tender_end >= now),
        key=lambda t: t.tender_end or now,
    )[:HOME_LIST_SIZE]
    latest = list(
        session.execute(
            select(OcdsRelease.ocid, OcdsRelease.date, OcdsRelease.tags)
            .order_by(OcdsRelease.date.desc(), OcdsRelease.id.desc())
            .limit(HOME_LIST_SIZE)
        )
    )
    titles: dict[str | None, str] = {
        ocid: title
        for ocid, title in session.execute(
            select(Tender.ocid, Tender.title).where(Tender.ocid.in_([r.ocid for r in latest]))
        )
    }
    counts = {
        "open": len(open_now),
        "processes": session.scalar(
            select(func.count()).select_from(OcdsRecord).where(OcdsRecord.publisher_name.is_(None))
        )
        or 0,
        "suppliers": session.scalar(
            select(func.count())
            .select_from(Supplier)
            .where(Supplier.status == SupplierStatus.VERIFIED)
        )
        or 0,
    }
    session.commit()  # reading overdue tenders may have applied their due transitions
    return render_template(
        "public/home.html",
        open_now=open_now[:HOME_LIST_SIZE],
        closing_soon=closing_soon,
        latest=latest,
        titles=titles,
        counts=counts,
        now=now,
    )


@bp.get("/audit")
def audit_log() -> ResponseReturnValue:
    """Procurement actions (who, what, when) without personal data: organisations, not people."""
    before = request.args.get("before", type=int)
    query = (
        select(AuditEvent, Organisation.name)
        .outerjoin(Organisation, Organisation.id == AuditEvent.actor_org_id)
        .where(AuditEvent.public.is_(True))
    )
    if before:
        query = query.where(AuditEvent.seq < before)
    rows = (
        db_session().execute(query.order_by(AuditEvent.seq.desc()).limit(AUDIT_PAGE_SIZE + 1)).all()
    )
    more = len(rows) > AUDIT_PAGE_SIZE
    rows = rows[:AUDIT_PAGE_SIZE]
    next_before = rows[-1][0].seq if more and rows else None
    return render_template("public/audit.html", rows=rows, next_before=next_before)
