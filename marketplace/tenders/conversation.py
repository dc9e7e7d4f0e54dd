"""The public conversation: prebases (draft documents) comments and tender enquiries.

Anyone logged in may comment on prebases; supplier users may ask during the enquiry
period. Only the owning unit's buyers answer. Answers are published (``planningUpdate``
for comments, ``tenderUpdate`` for enquiries) as ``clarifications`` documents, see
``marketplace.tenders.releases``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.audit.services import record as audit
from marketplace.db import utcnow
from marketplace.inbox.services import notify
from marketplace.tenders.errors import N_, Msg, TenderError
from marketplace.tenders.models import Tender
from marketplace.tenders.qa_models import DraftComment, DraftSpecification, Enquiry
from marketplace.tenders.services import begin_buyer_change
from marketplace.tenders.states import (
    DRAFT_STATES,
    PLANNING_UPDATE_TAG,
    UPDATE_TAG,
    Action,
    TenderState,
)
from marketplace.tenders.workflow import apply, apply_due, emit, lock

MAX_TEXT = 5000


def _text(value: str, field: str) -> str:
    value = value.strip()
    if len(value) < 5:
        raise TenderError(N_("Write at least 5 characters."), field)
    if len(value) > MAX_TEXT:
        raise TenderError(Msg(N_("Keep it under %(n)s characters."), {"n": MAX_TEXT}), field)
    return value


def draft_of(session: Session, tender: Tender) -> DraftSpecification | None:
    return session.scalar(
        select(DraftSpecification).where(DraftSpecification.tender_id == tender.id)
    )


def open_prebases(
    session: Session, tender: Tender, user: User, summary: str, url: str,
    comment_end: dt.datetime | None, now: dt.datetime | None = None,
) -> DraftSpecification:  # fmt: skip
    """Publish the draft documents for public comment until ``comment_end``."""
    now = now or utcnow()
    begin_buyer_change(session, tender, user, now)
    if tender.state != TenderState.PLANNING:
        raise TenderError(N_("Draft documents can only be opened for comment before publication."))
    if draft_of(session, tender) is not None:
        raise TenderError(
            N_("The draft documents of this process were already opened for comment.")
        )
    summary = _text(summary, "summary")
    url = url.strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise TenderError(N_("Use a full web address starting with https://."), "url")
    if comment_end is None or comment_end <= now:
        raise TenderError(N_("The comment period must end in the future."), "comment_end")
    draft = DraftSpecification(
        tender_id=tender.id, summary=summary, url=url, comment_start=now,
        comment_end=comment_end, published_by_user_id=user.id,
    )  # fmt: skip
    session.add(draft)
    session.flush()
    apply(session, tender, Action.OPEN_COMMENTS, actor=user, now=now)
    return draft


def add_comment(
    session: Session, tender: Tender, user: User, body: str, now: dt.datetime | None = None
) -> DraftComment:
    """A logged-in user's public comment on the prebases (during the comment period)."""
    now = now or utcnow()
    lock(session, tender)
    apply_due(session, tender, now)
    draft = draft_of(session, tender)
    if tender.state != TenderState.COMMENTS or draft is None or now >= draft.comment_end:
        raise TenderError(N_("The draft documents are not open for comments now."))
    if user.organisation_id == tender.buyer_org_id:
        raise TenderError(N_("The purchasing unit answers comments; it does not comment."))
    comment = DraftComment(
        draft_id=draft.id, author_user_id=user.id, author_org_id=user.organisation_id,
        body=_text(body, "body"), created_at=now,
    )  # fmt: skip
    session.add(comment)
    session.flush()
    audit(
        session, "tender.prebases_comment", "tender", tender.id,
        actor_user_id=user.id, actor_org_id=user.organisation_id,
        details={"ocid": tender.ocid, "comment": comment.id}, public=True,
    )  # fmt: skip
    _notify_buyers(session, tender, "Comment on draft documents", comment.body)
    return comment


def answer_comment(
    session: Session, tender: Tender, user: User, comment_id: int, answer: str,
    now: dt.datetime | None = None,
) -> DraftComment:  # fmt: skip
    """The buyer's public answer to a comment; publishes a ``planningUpdate``."""
    now = now or utcnow()
    begin_buyer_change(session, tender, user, now)
    draft = draft_of(session, tender)
    comment = session.get(DraftComment, comment_id)
    if draft is None or comment is None or comment.draft_id != draft.id:
        raise TenderError(N_("There is no such comment on this process."))
    if comment.answered_at is not None:
        raise TenderError(N_("This comment has already been answered."))
    if tender.state not in DRAFT_STATES:
        raise TenderError(N_("Comments are answered before the tender is published."))
    _publish_answer(
        session, tender, user, comment, answer, now, PLANNING_UPDATE_TAG,
        "tender.prebases_answer", {"ocid": tender.ocid, "comment": comment.id},
    )  # fmt: skip
    return comment


def _publish_answer(
    session: Session, tender: Tender, user: User, asked: DraftComment | Enquiry, answer: str,
    now: dt.datetime, tag: str, action: str, details: dict[str, object],
) -> None:  # fmt: skip
    """Record the buyer's public answer to a comment or question, publish the release
    that carries it (``tag``) and audit it, the release's id added to ``details``."""
    asked.answer = _text(answer, "answer")
    asked.answered_at = now
    asked.answered_by_user_id = user.id
    published = emit(session, tender, tag, now)
    audit(
        session, action, "tender", tender.id,
        actor_user_id=user.id, actor_org_id=user.organisation_id,
        details={**details, "release": published.id}, public=True,
    )  # fmt: skip


def ask(
    session: Session, tender: Tender, user: User, question: str, related_lot: str = "",
    now: dt.datetime | None = None,
) -> Enquiry:  # fmt: skip
    """A supplier's question during the enquiry period (public, without the asker's name)."""
    now = now or utcnow()
    if user.role != Role.SUPPLIER:
        raise TenderError(N_("Only supplier users can ask questions about a tender."))
    lock(session, tender)
    apply_due(session, tender, now)
    if tender.state != TenderState.ENQUIRIES:
        raise TenderError(N_("Questions are accepted only during the enquiry period."))
    if related_lot and related_lot not in {lot.local_id for lot in tender.lots}:
        raise TenderError(N_("Choose a lot of this tender."), "related_lot")
    number = 1 + (
        session.scalar(select(func.count(Enquiry.id)).where(Enquiry.tender_id == tender.id)) or 0
    )
    enquiry = Enquiry(
        tender_id=tender.id, local_id=str(number), author_user_id=user.id,
        author_org_id=user.organisation_id, question=_text(question, "question"),
        related_lot=related_lot, asked_at=now,
    )  # fmt: skip
    session.add(enquiry)
    session.flush()
    audit(
        session, "tender.enquiry", "tender", tender.id,
        actor_user_id=user.id, actor_org_id=user.organisation_id,
        details={"ocid": tender.ocid, "enquiry": enquiry.local_id}, public=True,
    )  # fmt: skip
    _notify_buyers(session, tender, f"Question {enquiry.local_id}", enquiry.question)
    return enquiry


def answer_enquiry(
    session: Session, tender: Tender, user: User, enquiry_id: int, answer: str,
    now: dt.datetime | None = None,
) -> Enquiry:  # fmt: skip
    """The buyer's public answer; publishes a ``tenderUpdate`` with the clarification."""
    now = now or utcnow()
    begin_buyer_change(session, tender, user, now)
    enquiry = session.get(Enquiry, enquiry_id)
    if enquiry is None or enquiry.tender_id != tender.id:
        raise TenderError(N_("There is no such question on this process."))
    if enquiry.answered_at is not None:
        raise TenderError(N_("This question has already been answered."))
    if tender.state not in (TenderState.ENQUIRIES, TenderState.TENDERING):
        raise TenderError(N_("Questions can be answered only until the deadline for bids."))
    _publish_answer(
        session, tender, user, enquiry, answer, now, UPDATE_TAG,
        "tender.enquiry_answer", {"ocid": tender.ocid, "enquiry": enquiry.local_id},
    )  # fmt: skip
    asker = session.get(User, enquiry.author_user_id)
    if asker is not None:
        notify(
            session, asker, "tender.enquiry_answered",
            f"Your question {enquiry.local_id} was answered", enquiry.answer,
            link=f"/processes/{tender.ocid}#enquiry-{enquiry.local_id}",
        )  # fmt: skip
    return enquiry


def _notify_buyers(session: Session, tender: Tender, subject: str, body: str) -> None:
    buyers = session.scalars(
        select(User).where(
            User.organisation_id == tender.buyer_org_id,
            User.role == Role.BUYER,
            User.is_active.is_(True),
        )
    ).all()
    for buyer in buyers:
        notify(
            session, buyer, "tender.conversation", f"{subject}: {tender.title}", body,
            link=f"/buyer/tenders/{tender.id}",
        )  # fmt: skip
