"""The data review of our own publication (``/data-quality``), computed and cached.

``compute`` streams our release log and our compiled records in keyset batches (memory
stays flat) through ``ocds.quality.QualityReport``. The result is cached as JSON in a
file (``data-quality.json`` in the bulk directory): ``tianguis ocds export`` refreshes
it, and ``cached_or_compute`` recomputes it on demand when the publication changed and
the cached copy is older than ``max_age`` seconds, so a page view is a file read.
Imported processes (other publishers) are not part of it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.publication import queries
from marketplace.publication.bulk import atomic_path
from marketplace.publication.models import OcdsRelease
from marketplace.publication.services import format_ocds_datetime
from ocds.quality import QualityReport
from ocds.schema import OcdsSchema

log = logging.getLogger(__name__)

CACHE_NAME = "data-quality.json"
BATCH = 500
#: How old a cached review may be, once the publication has changed, before a page
#: view recomputes it.
MAX_AGE = 300


def source_state(session: Session) -> dict[str, Any]:
    """What the review was computed from: cheap to read, changes with every release."""
    last = queries.last_publication(session)
    return {
        "releases": session.scalar(select(func.count()).select_from(OcdsRelease)) or 0,
        "last_publication": format_ocds_datetime(last) if last else None,
    }


def _releases(session: Session) -> Any:
    last: str | None = None
    while True:
        query = select(OcdsRelease.id, OcdsRelease.data).order_by(OcdsRelease.id).limit(BATCH)
        if last is not None:
            query = query.where(OcdsRelease.id > last)
        rows = session.execute(query).all()
        if not rows:
            return
        for _, data in rows:
            yield data
        last = rows[-1].id


def compute(session: Session, schema: OcdsSchema) -> dict[str, Any]:
    """Validation findings and field coverage of our releases and compiled records."""
    state = source_state(session)
    report = QualityReport(schema)
    for release in _releases(session):
        report.add_release(release)
    for batch in queries.iter_records(session, batch=BATCH):
        for row in batch:
            report.add_compiled(json.loads(row.compiled_json))
    return {"generated_at": format_ocds_datetime(utcnow()), "source": state, **report.as_dict()}


def save(directory: Path, review: dict[str, Any]) -> Path:
    path = directory / CACHE_NAME
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(review, ensure_ascii=False), encoding="utf-8")
    return path


def load(directory: Path) -> dict[str, Any] | None:
    try:
        review = json.loads((directory / CACHE_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return review if isinstance(review, dict) and "source" in review else None


def refresh(session: Session, schema: OcdsSchema, directory: Path) -> dict[str, Any]:
    """Compute and cache; an unwritable directory costs the cache, never the answer."""
    review = compute(session, schema)
    try:
        save(directory, review)
    except OSError:
        log.warning("could not cache the data-quality review in %s", directory, exc_info=True)
    return review


def cached_or_compute(
    session: Session,
    schema: OcdsSchema,
    directory: Path,
    *,
    max_age: int = MAX_AGE,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The cached review when it is current (or young enough), else a new one, saved."""
    review = load(directory)
    if review is not None:
        if review["source"] == source_state(session):
            return review
        try:
            generated = dt.datetime.fromisoformat(review["generated_at"].replace("Z", ""))
        except (KeyError, AttributeError, ValueError):
            generated = None
        if generated is not None and ((now or utcnow()) - generated).total_seconds() < max_age:
            return review
    return refresh(session, schema, directory)
