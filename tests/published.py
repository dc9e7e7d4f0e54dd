"""What a process has published, read back for assertions: its release log (oldest
first), how many releases, and its compiled record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.publication.models import OcdsRecord, OcdsRelease


def releases(db: Session, ocid: str) -> list[dict[str, Any]]:
    rows = db.scalars(
        select(OcdsRelease).where(OcdsRelease.ocid == ocid).order_by(OcdsRelease.sequence)
    ).all()
    return [r.data for r in rows]


def release_count(db: Session, ocid: str) -> int:
    return db.scalar(select(func.count(OcdsRelease.id)).where(OcdsRelease.ocid == ocid)) or 0


def compiled(db: Session, ocid: str) -> dict[str, Any]:
    record = db.get(OcdsRecord, ocid)
    assert record is not None
    db.refresh(record)
    return record.compiled
