"""Writing and verifying the audit chain.

Each event's hash is ``sha256(prev_hash + canonical(row))`` where canonical(row) is the
JSON of the row's fields with sorted keys. Verification recomputes the chain from the
genesis hash, so any edited, inserted or deleted row is detected, and the head row
catches truncation of the tail.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from marketplace.audit.models import AuditEvent, AuditHead
from marketplace.db import utcnow

GENESIS_HASH = "0" * 64


def canonical(event: AuditEvent) -> str:
    return json.dumps(
        {
            "seq": event.seq,
            "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
            "actor_user_id": event.actor_user_id,
            "actor_org_id": event.actor_org_id,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "details": event.details,
            "public": bool(event.public),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + canonical(event)).encode()).hexdigest()


def record(
    session: Session,
    action: str,
    object_type: str,
    object_id: str | int,
    *,
    actor_user_id: int | None = None,
    actor_org_id: int | None = None,
    details: dict[str, Any] | None = None,
    public: bool = False,
) -> AuditEvent:
    """Append an event in the caller's transaction (it commits or rolls back with the action)."""
    session.flush()
    # Taking the head row's write lock first makes concurrent appends queue up
    # instead of forking the chain.
    updated = session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
    )
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        session.add(AuditHead(id=1, seq=1, hash=GENESIS_HASH))
        session.flush()
        prev_hash = GENESIS_HASH
        seq = 1
    else:
        head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
        seq, prev_hash = head.seq, head.hash
    event = AuditEvent(
        seq=seq,
        occurred_at=utcnow(),
        actor_user_id=actor_user_id,
        actor_org_id=actor_org_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details or {},
        public=public,
        prev_hash=prev_hash,
    )
    event.hash = chain_hash(prev_hash, event)
    session.add(event)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=event.hash))
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    #: Human-readable problem, naming the first bad sequence number.
    problem: str | None = None
    bad_seq: int | None = None


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Recompute the chain; report the first event whose stored hash does not match."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.seq > last_seq)
            .order_by(AuditEvent.seq)
            .limit(batch)
        ).all()
        if not rows:
            break
        for event in rows:
            if event.seq != expected_seq:
                return VerifyResult(
                    False, expected_seq - 1, f"event {expected_seq} is missing", expected_seq
                )
            if event.prev_hash != prev_hash or chain_hash(prev_hash, event) != event.hash:
                return VerifyResult(
                    False, expected_seq - 1, f"event {event.seq} was altered", event.seq
                )
            prev_hash = event.hash
            expected_seq += 1
            last_seq = event.seq
        session.expunge_all()
    head = session.get(AuditHead, 1)
    count = expected_seq - 1
    if head is None:
        if count:
            return VerifyResult(False, count, "the chain head is missing", None)
        return VerifyResult(True, 0)
    if head.seq != count or head.hash != prev_hash:
        return VerifyResult(
            False, count, f"events after {count} were deleted (head is at {head.seq})", count + 1
        )
    return VerifyResult(True, count)
