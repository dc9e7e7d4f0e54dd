"""Messages delivered to a user's in-app inbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import Base, utcnow


class Message(Base):
    __tablename__ = "inbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: Machine-readable kind, e.g. "password_reset", "supplier.verified", "tender.new_match".
    kind: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: Optional link the message points to (path within the site).
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: When the copy by e-mail was handed to the mail server (null: in-app only).
    mailed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
