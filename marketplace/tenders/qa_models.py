"""Public conversation around a tender: draft-document (prebases) comments, enquiries
(questions and answers) and amendments. All of it is public once written; questions are
shown without the asker's name so competitors cannot see who is interested."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import Base, utcnow
from marketplace.tenders.models import Tender


class DraftSpecification(Base):
    """The draft tender documents (prebases) put out for public comment, once per tender."""

    __tablename__ = "draft_specification"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), unique=True)
    #: Summary of the draft: what is asked, main requirements.
    summary: Mapped[str] = mapped_column(Text)
    #: Where the full draft can be read (document metadata only).
    url: Mapped[str] = mapped_column(String(1000), default="")
    #: Comments are accepted between these instants (naive UTC).
    comment_start: Mapped[dt.datetime] = mapped_column(DateTime)
    comment_end: Mapped[dt.datetime] = mapped_column(DateTime)
    published_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    tender: Mapped[Tender] = relationship()
    comments: Mapped[list[DraftComment]] = relationship(
        back_populates="draft", cascade="all, delete-orphan", order_by="DraftComment.id"
    )


class DraftComment(Base):
    """A public comment on the prebases and the buyer's public answer."""

    __tablename__ = "draft_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft_specification.id"), index=True)
    #: Who commented (kept for moderation; the public page shows the organisation kind only).
    author_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: The buyer's answer; empty until answered.
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    answered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    draft: Mapped[DraftSpecification] = relationship(back_populates="comments")


class Enquiry(Base):
    """A supplier's question during the enquiry period and the buyer's answer."""

    __tablename__ = "tender_enquiry"
    __table_args__ = (UniqueConstraint("tender_id", "local_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    #: Number within the process (``1``, ``2``...), shown as "Question 2".
    local_id: Mapped[str] = mapped_column(String(40))
    #: Who asked (never published).
    author_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    question: Mapped[str] = mapped_column(Text)
    #: The lot the question is about (local id), if any.
    related_lot: Mapped[str] = mapped_column(String(40), default="")
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    answered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    tender: Mapped[Tender] = relationship()


class Amendment(Base):
    """A change to a published tender, published as ``tender.amendments``."""

    __tablename__ = "tender_amendment"
    __table_args__ = (UniqueConstraint("tender_id", "local_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    #: Amendment number within the process (``1``, ``2``...).
    local_id: Mapped[str] = mapped_column(String(40))
    date: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Why the change was made (public).
    rationale: Mapped[str] = mapped_column(Text)
    #: What changed, in words (public); generated from the changed fields plus the buyer's note.
    description: Mapped[str] = mapped_column(Text)
    #: Material amendments change what bidders offer: bids must be re-confirmed (later session).
    material: Mapped[bool] = mapped_column(Boolean, default=False)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: Release ids before and after the change (amendsReleaseID / releaseID).
    amends_release_id: Mapped[str | None] = mapped_column(String(120))
    release_id: Mapped[str | None] = mapped_column(String(120))

    tender: Mapped[Tender] = relationship()
