"""Delivering notifications.

The inbox row is written in the caller's transaction. Mail, when configured, is a
best-effort copy: a mail server that is down never loses the notification.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.inbox.models import Message


def notify(
    session: Session,
    user: User,
    kind: str,
    subject: str,
    body: str,
    link: str | None = None,
    mail_url: str | None = None,
) -> Message:
    msg = Message(user_id=user.id, kind=kind, subject=subject, body=body, link=link)
    session.add(msg)
    session.flush()
    if mail_url:
        try:
            send_mail(mail_url, user.email, subject, body)
            msg.mailed_at = utcnow()
        except (OSError, smtplib.SMTPException):
            # The in-app copy stands; the user still sees the message.
            msg.mailed_at = None
    return msg


def send_mail(mail_url: str, to: str, subject: str, body: str) -> None:
    """Send through ``smtp://user:pass@host:port/?from=addr`` (smtps:// for TLS)."""
    url = urlparse(mail_url)
    sender = "no-reply@tianguis.local"
    for part in url.query.split("&"):
        if part.startswith("from="):
            sender = unquote(part[5:])
    em = EmailMessage()
    em["From"], em["To"], em["Subject"] = sender, to, subject
    em.set_content(body)
    smtp_cls = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with smtp_cls(url.hostname or "localhost", url.port or 25, timeout=10) as smtp:
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(em)


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count(Message.id)).where(Message.user_id == user_id, Message.read_at.is_(None))
    ) or 0


def messages_for(session: Session, user_id: int, limit: int = 100) -> list[Message]:
    return list(
        session.scalars(
            select(Message)
            .where(Message.user_id == user_id)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(limit)
        )
    )


def mark_read(session: Session, user_id: int, message_id: int) -> bool:
    result = session.execute(
        update(Message)
        .where(Message.id == message_id, Message.user_id == user_id, Message.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
