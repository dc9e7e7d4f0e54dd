"""Delivering notifications.

The inbox row is written in the caller's transaction. Mail, when configured, is a
best-effort copy: a mail server that is down never loses the notification. Without a
mail server, callers may pass ``outbox_dir``: the mail is then written there as an
``.eml`` file and announced in the server log (a mail catcher for development).
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from pathlib import Path
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
    outbox_dir: Path | None = None,
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
            log.exception("mail to user %s failed; the inbox copy stands", user.id)
            msg.mailed_at = None
    elif outbox_dir is not None:
        write_outbox(outbox_dir, msg.id, user.email, subject, body)
    return msg


log = logging.getLogger("tianguis.mail")

DEFAULT_SENDER = "no-reply@tianguis.local"


def _email(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    em = EmailMessage()
    em["From"], em["To"], em["Subject"] = sender, to, subject
    em.set_content(body)
    return em


def write_outbox(outbox_dir: Path, message_id: int, to: str, subject: str, body: str) -> Path:
    """Keep a mail that could not be sent (no MAIL_URL) as a file, and say so in the log."""
    outbox_dir.mkdir(parents=True, exist_ok=True)
    path = outbox_dir / f"{utcnow():%Y%m%dT%H%M%S}-{message_id}.eml"
    path.write_bytes(bytes(_email(DEFAULT_SENDER, to, subject, body)))
    log.warning("MAIL_URL is not set: mail to %s kept in %s\n%s\n\n%s", to, path, subject, body)
    return path


def send_mail(mail_url: str, to: str, subject: str, body: str) -> None:
    """Send through ``smtp://user:pass@host:port/?from=addr`` (smtps:// for TLS)."""
    url = urlparse(mail_url)
    sender = DEFAULT_SENDER
    for part in url.query.split("&"):
        if part.startswith("from="):
            sender = unquote(part[5:])
    em = _email(sender, to, subject, body)
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


def open_message(session: Session, user_id: int, message_id: int) -> Message | None:
    """The user's own message, marked read; None for anyone else's or a missing one."""
    msg = session.get(Message, message_id)
    if msg is None or msg.user_id != user_id:
        return None
    if msg.read_at is None:
        msg.read_at = utcnow()
    return msg
