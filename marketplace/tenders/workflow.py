"""Moving a tender between states: one function applies a transition, publishes its
release, records who and when (transition row + public audit event), all in the caller's
transaction. Timed transitions are applied by :func:`apply_due` (reads) and
:func:`tick` (``tianguis tick``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.audit.services import record as audit
from marketplace.plans.models import PlanLine
from marketplace.publication.models import OcdsRecord
from marketplace.publication.services import PublishedRelease, publish
from marketplace.tenders.models import Tender, TenderTransition
from marketplace.tenders.qa_models import Amendment, DraftComment, DraftSpecification, Enquiry
from marketplace.tenders.releases import Conversation, build_release, iso
from marketplace.tenders.states import Action, TenderState, Transition, transition_for


def conversation_of(session: Session, tender: Tender) -> Conversation:
    draft = session.scalar(
        select(DraftSpecification).where(DraftSpecification.tender_id == tender.id)
    )
    comments: list[DraftComment] = list(draft.comments) if draft is not None else []
    enquiries = session.scalars(
        select(Enquiry).where(Enquiry.tender_id == tender.id).order_by(Enquiry.id)
    ).all()
    amendments = session.scalars(
        select(Amendment).where(Amendment.tender_id == tender.id).order_by(Amendment.id)
    ).all()
    return Conversation(draft, comments, list(enquiries), list(amendments))


def plan_line_of(session: Session, tender: Tender) -> PlanLine | None:
    return session.scalar(select(PlanLine).where(PlanLine.tender_id == tender.id))


def last_release_id(session: Session, tender: Tender) -> str | None:
    count = session.scalar(select(OcdsRecord.release_count).where(OcdsRecord.ocid == tender.ocid))
    return f"{tender.ocid}-{count}" if count else None


#: Adds a later stage's part (bids, awards, contracts) to every release of a tender, so
#: a release made by this module (a clock transition, an answer) stays a full snapshot.
ReleasePart = Callable[[Session, Tender, dict[str, Any]], None]
_RELEASE_PARTS: dict[str, ReleasePart] = {}


def release_part(fn: ReleasePart) -> ReleasePart:
    """Register ``fn(session, tender, release)``, which may add to the release dict.

    Register from a module that is always imported (e.g. the stage's ``models``), keyed
    by qualified name so re-imports are harmless.
    """
    _RELEASE_PARTS[f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def tender_release(session: Session, tender: Tender, tag: str) -> dict[str, Any]:
    """The full release of ``tender`` now: this module's sections plus registered parts."""
    session.flush()
    release = build_release(
        tender,
        tag,
        plan_line=plan_line_of(session, tender),
        conversation=conversation_of(session, tender),
    )
    for part in _RELEASE_PARTS.values():
        part(session, tender, release)
    return release


def emit(
    session: Session, tender: Tender, tag: str, now: dt.datetime, extra_tags: Sequence[str] = ()
) -> PublishedRelease:
    """Publish the release describing ``tender`` now, tagged ``tag`` (and ``extra_tags``,
    e.g. ``awardCancellation`` when a cancellation also closes awards), same transaction."""
    release = tender_release(session, tender, tag)
    release["tag"] += [t for t in extra_tags if t not in release["tag"]]
    release["date"] = iso(now)
    return publish(session, release)


@dataclass
class Closed:
    """What a cancellation step closed: release tags to add to the cancellation release,
    and what to record once that release is published (e.g. audit events naming it)."""

    tags: list[str] = field(default_factory=list)
    after: list[Callable[[PublishedRelease], None]] = field(default_factory=list)


#: Closes a later stage's open parts of a tender being cancelled (pending or active
#: awards, unsigned contracts) before the cancellation release is built; may refuse the
#: cancellation by raising (before changing anything).
CancelStep = Callable[[Session, Tender, User, str, dt.datetime], Closed]
_CANCEL_STEPS: dict[str, CancelStep] = {}


def cancel_step(fn: CancelStep) -> CancelStep:
    """Register ``fn(session, tender, user, reason, now)`` (from an always-imported
    module, keyed by qualified name so re-imports are harmless)."""
    _CANCEL_STEPS[f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def run_cancel_steps(
    session: Session, tender: Tender, user: User, reason: str, now: dt.datetime
) -> Closed:
    closed = Closed()
    for fn in _CANCEL_STEPS.values():
        part = fn(session, tender, user, reason, now)
        closed.tags += [t for t in part.tags if t not in closed.tags]
        closed.after += part.after
    return closed


def next_check(tender: Tender, session: Session) -> dt.datetime | None:
    """When the clock next moves this tender, from its state and periods."""
    if tender.state == TenderState.COMMENTS:
        draft = session.scalar(
            select(DraftSpecification).where(DraftSpecification.tender_id == tender.id)
        )
        return draft.comment_end if draft else None
    if tender.state == TenderState.ENQUIRIES:
        return tender.enquiry_end
    if tender.state == TenderState.TENDERING:
        return tender.tender_end
    return None


def apply(
    session: Session,
    tender: Tender,
    action: Action,
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str = "",
    target: TenderState | None = None,
    extra_tags: Sequence[str] = (),
) -> PublishedRelease:
    """Make the transition ``action`` from the tender's state; publish and record it.

    Raises ``TransitionRefused`` when the state machine does not allow it. Guards about
    the tender's content are checked by the service before calling this.
    """
    # A new process (START) has no previous state even though its row is already flushed.
    source = None if action == Action.START else tender.state
    move: Transition = transition_for(action, source, target)
    tender.state = move.target
    tender.state_changed_at = now
    tender.state_changed_by_user_id = actor.id if actor else None
    tender.next_check_at = next_check(tender, session)
    published = emit(session, tender, move.tag, now, extra_tags)
    session.add(
        TenderTransition(
            tender_id=tender.id,
            action=action.value,
            from_state=source.value if source else None,
            to_state=move.target.value,
            tag=move.tag,
            at=now,
            actor_user_id=actor.id if actor else None,
            actor_org_id=actor.organisation_id if actor else None,
            reason=reason,
            release_id=published.id,
        )
    )
    audit(
        session,
        f"tender.{action.value}",
        "tender",
        tender.id,
        actor_user_id=actor.id if actor else None,
        actor_org_id=actor.organisation_id if actor else None,
        details={
            "ocid": tender.ocid,
            "from": source.value if source else None,
            "to": move.target.value,
            "release": published.id,
            **({"reason": reason} if reason else {}),
        },
        public=True,
    )
    return published


_TIMED_ACTION = {
    TenderState.COMMENTS: Action.CLOSE_COMMENTS,
    TenderState.ENQUIRIES: Action.CLOSE_ENQUIRIES,
    TenderState.TENDERING: Action.CLOSE_TENDERING,
}


def lock(session: Session, tender: Tender) -> None:
    """Reload the tender under a row lock (PostgreSQL; SQLite serialises writers anyway),
    so a state check and the transition after it cannot interleave with another request
    acting on the same tender (a double publish, a tick racing a read)."""
    session.flush()
    session.refresh(tender, with_for_update=True)


def apply_due(session: Session, tender: Tender, now: dt.datetime) -> int:
    """Apply every timed transition due at ``now`` (a read of an overdue tender calls
    this first). Returns how many were applied; several when the clock jumped far."""
    applied = 0
    if tender.next_check_at is not None and tender.next_check_at <= now:
        lock(session, tender)
    while tender.next_check_at is not None and tender.next_check_at <= now:
        action = _TIMED_ACTION.get(tender.state)
        if action is None:
            tender.next_check_at = None
            break
        # Dated when applied: releases are published in time order, and the due instant
        # is public anyway (it is the period's end date).
        apply(session, tender, action, actor=None, now=now)
        applied += 1
    return applied


def tick(session: Session, now: dt.datetime) -> int:
    """Apply the due transitions of every tender (``tianguis tick``); returns the count."""
    due = session.scalars(
        select(Tender)
        .where(Tender.next_check_at.is_not(None), Tender.next_check_at <= now)
        .order_by(Tender.next_check_at, Tender.id)
    ).all()
    return sum(apply_due(session, tender, now) for tender in due)
