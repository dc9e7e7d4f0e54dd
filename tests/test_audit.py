"""The audit chain detects edits, deletions and truncation."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from marketplace.audit.models import AuditEvent
from marketplace.audit.services import record, verify


def _three_events(db: Session) -> list[AuditEvent]:
    return [record(db, "test.created", "thing", i, details={"n": i}, public=True) for i in range(3)]


def test_chain_of_untouched_events_verifies(db: Session) -> None:
    before = verify(db).checked
    _three_events(db)
    db.flush()
    result = verify(db)
    assert result.ok
    assert result.checked == before + 3


def test_edited_event_is_detected(db: Session) -> None:
    events = _three_events(db)
    db.flush()
    target = events[1].seq
    db.execute(update(AuditEvent).where(AuditEvent.seq == target).values(details={"n": 99}))
    result = verify(db)
    assert not result.ok
    assert result.bad_seq == target


def test_deleted_middle_event_is_detected(db: Session) -> None:
    events = _three_events(db)
    db.flush()
    target = events[1].seq
    db.execute(delete(AuditEvent).where(AuditEvent.seq == target))
    result = verify(db)
    assert not result.ok
    assert result.bad_seq == target


def test_truncated_tail_is_detected(db: Session) -> None:
    events = _three_events(db)
    db.flush()
    db.execute(delete(AuditEvent).where(AuditEvent.seq == events[-1].seq))
    result = verify(db)
    assert not result.ok
    assert "deleted" in (result.problem or "")


def test_chain_links_each_event_to_the_previous(db: Session) -> None:
    events = _three_events(db)
    db.flush()
    rows = db.scalars(
        select(AuditEvent).where(AuditEvent.seq >= events[0].seq).order_by(AuditEvent.seq)
    ).all()
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
