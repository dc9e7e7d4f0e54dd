"""Saved searches: a user's named explorer search, its Atom feed token and alert watermark."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import Base, utcnow

NAME_LENGTH = 120
TOKEN_LENGTH = 64


class SavedSearch(Base):
    __tablename__ = "saved_search"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The owner: the only one who sees, alerts and deletes it.
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: The owner's name for it, unique among their saved searches.
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    #: The /search query string, normalised (``marketplace.search.saved.normalise``):
    #: the same search saved twice gives the same text; no page number.
    params: Mapped[str] = mapped_column(Text)
    #: Secret in the Atom feed URL (feed readers cannot log in); unguessable, unique.
    token: Mapped[str] = mapped_column(String(TOKEN_LENGTH), unique=True)
    #: Records changed after this time are checked by the next alert tick.
    last_checked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
