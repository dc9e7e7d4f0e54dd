"""Document expiry reminders (30 and 7 days, once each) and expired tax certificates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.audit.models import AuditEvent
from marketplace.db import utcnow
from marketplace.inbox.models import Message
from marketplace.suppliers.documents import add_document
from marketplace.suppliers.models import Supplier
from marketplace.suppliers.ticks import document_expiry
from marketplace.ticks import registered, run_due
from tests.supplier_helpers import PDF, make_supplier


def _kinds(db: Session, user_id: int) -> list[str]:
    return list(
        db.scalars(select(Message.kind).where(Message.user_id == user_id).order_by(Message.id))
    )


def _at(days: int) -> dt.datetime:
    """Noon UTC, ``days`` from today."""
    today = utcnow().date()
    return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(12))


def test_expiry_tick_is_registered() -> None:
    assert "marketplace.suppliers.ticks.document_expiry" in registered()


def test_reminders_at_30_and_7_days_then_expiry_is_flagged(db: Session) -> None:
    supplier, user = make_supplier(db, verified=True)
    expires = utcnow().date() + dt.timedelta(days=40)
    add_document(db, supplier, user, "tax_certificate", "sat.pdf", PDF, expires, max_bytes=10**6)
    before = _kinds(db, user.id)

    run_due(db, _at(5))  # 35 days left: nothing yet
    assert _kinds(db, user.id) == before

    run_due(db, _at(10))  # 30 days left
    run_due(db, _at(11))  # already sent: not again
    assert _kinds(db, user.id) == [*before, "supplier.document_expires_30"]

    run_due(db, _at(33))  # 7 days left
    run_due(db, _at(35))
    assert _kinds(db, user.id)[len(before) :] == [
        "supplier.document_expires_30",
        "supplier.document_expires_7",
    ]

    assert supplier.tax_certificate_expired_on is None
    run_due(db, _at(40))  # the last valid day: still fine
    assert supplier.tax_certificate_expired_on is None
    run_due(db, _at(41))
    run_due(db, _at(45))
    db.refresh(supplier)
    assert supplier.tax_certificate_expired_on == expires
    assert _kinds(db, user.id).count("supplier.document_expired") == 1
    event = db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "supplier.tax_certificate_expired",
            AuditEvent.object_id == str(supplier.id),
        )
    )
    assert event is not None and event.public

    # A new certificate clears the flag.
    add_document(
        db,
        supplier,
        user,
        "tax_certificate",
        "sat-2.pdf",
        PDF,
        expires + dt.timedelta(days=365),
        max_bytes=10**6,
    )
    assert supplier.tax_certificate_expired_on is None


def test_late_upload_gets_only_the_nearest_reminder(db: Session) -> None:
    supplier, user = make_supplier(db)
    expires = utcnow().date() + dt.timedelta(days=5)
    add_document(db, supplier, user, "proof_of_address", "cfe.pdf", PDF, expires, max_bytes=10**6)
    before = len(_kinds(db, user.id))
    document_expiry(db, _at(0))
    document_expiry(db, _at(1))
    assert _kinds(db, user.id)[before:] == ["supplier.document_expires_7"]


def test_replaced_documents_send_no_reminders(db: Session) -> None:
    supplier, user = make_supplier(db)
    soon = utcnow().date() + dt.timedelta(days=20)
    add_document(db, supplier, user, "tax_certificate", "old.pdf", PDF, soon, max_bytes=10**6)
    add_document(
        db,
        supplier,
        user,
        "tax_certificate",
        "new.pdf",
        PDF,
        soon + dt.timedelta(days=300),
        max_bytes=10**6,
    )
    before = len(_kinds(db, user.id))
    document_expiry(db, _at(1))
    assert len(_kinds(db, user.id)) == before


def test_pending_supplier_is_not_flagged(db: Session) -> None:
    supplier, user = make_supplier(db)
    add_document(
        db,
        supplier,
        user,
        "tax_certificate",
        "sat.pdf",
        PDF,
        utcnow().date() + dt.timedelta(days=2),
        max_bytes=10**6,
    )
    document_expiry(db, _at(10))
    assert db.get(Supplier, supplier.id).tax_certificate_expired_on is None  # type: ignore[union-attr]
