"""Document expiry: reminders 30 and 7 days ahead, and expired tax certificates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from marketplace.accounts.models import User
from marketplace.audit.services import record
from marketplace.inbox.services import notify
from marketplace.suppliers.models import (
    DocumentKind,
    Supplier,
    SupplierDocument,
    SupplierStatus,
)
from marketplace.ticks import register

REMINDER_DAYS = (30, 7)


def _users(session: Session, supplier: Supplier) -> list[User]:
    return list(
        session.scalars(
            select(User).where(
                User.organisation_id == supplier.organisation_id, User.is_active.is_(True)
            )
        )
    )


@register
def document_expiry(session: Session, now: dt.datetime) -> str:
    """Send each expiry reminder once (recorded on the document) and flag verified
    suppliers whose current tax certificate has expired."""
    today = now.date()
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    docs = session.scalars(
        select(SupplierDocument)
        .where(
            SupplierDocument.expires_on.is_not(None),
            SupplierDocument.expires_on <= horizon,
            SupplierDocument.replaced_at.is_(None),
        )
        .options(joinedload(SupplierDocument.supplier))
        .order_by(SupplierDocument.id)
    ).all()
    reminders = expired = 0
    for doc in docs:
        assert doc.expires_on is not None
        days_left = (doc.expires_on - today).days
        supplier = doc.supplier
        if days_left < 0:
            if (
                doc.kind == DocumentKind.TAX_CERTIFICATE
                and supplier.status == SupplierStatus.VERIFIED
                and supplier.tax_certificate_expired_on is None
            ):
                supplier.tax_certificate_expired_on = doc.expires_on
                record(
                    session,
                    "supplier.tax_certificate_expired",
                    "supplier",
                    supplier.id,
                    details={"expired_on": doc.expires_on.isoformat()},
                    public=True,
                )
                for user in _users(session, supplier):
                    notify(
                        session,
                        user,
                        "supplier.document_expired",
                        "Your tax certificate has expired",
                        f"The tax certificate {doc.filename} expired on {doc.expires_on}. "
                        "Upload a current one to keep your registration complete.",
                    )
                expired += 1
            continue
        # The nearest threshold wins: a document uploaded with 5 days left gets only the
        # 7-day reminder, and the 30-day one is marked as passed so it never comes late.
        if days_left <= 7 and doc.reminder_7_sent_at is None:
            doc.reminder_7_sent_at = now
            doc.reminder_30_sent_at = doc.reminder_30_sent_at or now
            days = 7
        elif 7 < days_left <= 30 and doc.reminder_30_sent_at is None:
            doc.reminder_30_sent_at = now
            days = 30
        else:
            continue
        for user in _users(session, supplier):
            notify(
                session,
                user,
                f"supplier.document_expires_{days}",
                f"A document expires in {days_left} days",
                f"{doc.filename} expires on {doc.expires_on}. Upload a current version "
                "before then.",
            )
        reminders += 1
    session.flush()
    return f"{reminders} expiry reminders, {expired} expired tax certificates flagged"
