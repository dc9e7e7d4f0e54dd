"""Importing other publishers' OCDS into the explorer, read-only (``tianguis ocds import``).

Each file is one transaction, each item (a release, or a record with its releases) one
savepoint inside it: an item is stored whole or not at all, and a file whose reading
fails part-way (invalid JSON, a gzip bomb, no publisher) leaves nothing behind. Items
are idempotent: a release already imported with the same content is "unchanged"; the
same (ocid, release id) with other content is a "conflict" and skipped, as is an ocid
that is ours or that another publisher already supplied.

Imported releases go to ``ocds_imported_release``; the compiled record goes to
``ocds_record`` with ``publisher_name`` set (our API, bulk files and red-flag summaries
leave such records out); a ``search_outbox`` row puts it in the search index.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from marketplace.db import Base, utcnow
from marketplace.publication.import_models import COMPILED, RELEASE, ImportedRelease
from marketplace.publication.models import OcdsRecord, SearchOutbox
from marketplace.publication.services import canonical_json, parse_ocds_datetime
from ocds.files import MAX_DECOMPRESSED
from ocds.findings import Finding
from ocds.importing import Candidate, FileProblem, Note, ReadOptions, read_file, record_releases
from ocds.merge import compile_record
from ocds.schema import OcdsSchema

IMPORTED = "imported"
UNCHANGED = "unchanged"
CONFLICT = "conflict"
INVALID = "invalid"


@dataclass
class Outcome:
    """What happened to one item (or to a whole file, with ``where == "file"``)."""

    file: str
    where: str
    ident: str | None
    status: str
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Summary:
    files: int = 0
    files_failed: int = 0
    imported: int = 0
    unchanged: int = 0
    conflicts: int = 0
    invalid: int = 0
    warnings: int = 0
    processes: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not (self.files_failed or self.conflicts or self.invalid)

    def add(self, other: Summary) -> None:
        self.files += other.files
        self.files_failed += other.files_failed
        self.imported += other.imported
        self.unchanged += other.unchanged
        self.conflicts += other.conflicts
        self.invalid += other.invalid
        self.warnings += other.warnings
        self.processes |= other.processes


class _Conflict(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.finding = Finding(path, message, "conflict")


def import_files(
    session: Session,
    paths: Iterable[str | Path],
    schema: OcdsSchema,
    *,
    default_publisher: str | None = None,
    own_prefix: str | None = None,
    max_bytes: int | None = None,
    report: Callable[[Outcome], None] = lambda outcome: None,
) -> Summary:
    """Import every file, committing each one that could be read; ``report`` sees outcomes."""
    options = ReadOptions(schema, default_publisher, own_prefix, max_bytes or MAX_DECOMPRESSED)
    total = Summary()
    for path in paths:
        total.add(import_file(session, path, options, report))
    return total


def import_file(
    session: Session, path: str | Path, options: ReadOptions, report: Callable[[Outcome], None]
) -> Summary:
    summary = Summary(files=1)
    for event in read_file(path, options):
        if isinstance(event, FileProblem):
            session.rollback()
            report(
                Outcome(
                    event.file,
                    "file",
                    None,
                    INVALID,
                    [Finding("", f"{event.message}; nothing imported from this file", "file")],
                )
            )
            return Summary(files=1, files_failed=1)
        if isinstance(event, Note):
            if event.warnings:
                summary.warnings += len(event.warnings)
                report(Outcome(event.file, event.where, None, "note", event.warnings))
            continue
        outcome = import_item(session, event, options.schema)
        summary.warnings += sum(1 for f in outcome.findings if f.severity == "warning")
        if outcome.status == IMPORTED:
            summary.imported += 1
            summary.processes.add(str(_ocid(event.data)))
        elif outcome.status == UNCHANGED:
            summary.unchanged += 1
        elif outcome.status == CONFLICT:
            summary.conflicts += 1
        else:
            summary.invalid += 1
        report(outcome)
    session.commit()
    return summary


def import_item(session: Session, candidate: Candidate, schema: OcdsSchema) -> Outcome:
    """Store one checked release or record in its own savepoint, or say why not."""
    where, ident = candidate.where, candidate.ident
    if not candidate.valid:
        return Outcome(
            candidate.file, where, ident, INVALID, [*candidate.errors, *candidate.warnings]
        )
    assert candidate.publisher is not None
    data: dict[str, Any] = candidate.data
    source = f"{Path(candidate.file).name}: {where}"[:1000]
    try:
        with session.begin_nested():
            if candidate.kind == "release":
                changed = _store_releases(
                    session, schema, data["ocid"], [data], candidate.publisher, source
                )
            elif (releases := record_releases(data)) is not None:
                changed = _store_releases(
                    session, schema, data["ocid"], releases, candidate.publisher, source
                )
            else:
                changed = _store_compiled(
                    session, data["ocid"], data["compiledRelease"], candidate.publisher, source
                )
    except _Conflict as exc:
        return Outcome(candidate.file, where, ident, CONFLICT, [exc.finding])
    except (SQLAlchemyError, ValueError, TypeError, KeyError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Outcome(
            candidate.file,
            where,
            ident,
            INVALID,
            [Finding("", f"could not be stored: {message}", "import")],
        )
    if not changed:  # its warnings were reported when it was imported
        return Outcome(candidate.file, where, ident, UNCHANGED)
    return Outcome(candidate.file, where, ident, IMPORTED, list(candidate.warnings))


def _ocid(data: Any) -> Any:
    return data.get("ocid") if isinstance(data, dict) else None


def _digest(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


# Table-level statements with bound parameters, compiled once and cached (as in
# services.py): building ORM statements per item cost more than the database work.
_RELEASES = Base.metadata.tables[ImportedRelease.__tablename__]
_RECORDS = Base.metadata.tables[OcdsRecord.__tablename__]
_OWNER = select(_RECORDS.c.publisher_name).where(_RECORDS.c.ocid == bindparam("key"))
_STORED = select(
    _RELEASES.c.release_id, _RELEASES.c.kind, _RELEASES.c.sha256, _RELEASES.c.date
).where(_RELEASES.c.ocid == bindparam("key"))
_HISTORY = (
    select(_RELEASES.c.data, _RELEASES.c.date)
    .where(_RELEASES.c.ocid == bindparam("key"))
    .order_by(_RELEASES.c.date, _RELEASES.c.id)
)
_INSERT_RELEASE = insert(_RELEASES)
_DELETE_RELEASES = delete(_RELEASES).where(_RELEASES.c.ocid == bindparam("key"))
_INSERT_RECORD = insert(_RECORDS)
_UPDATE_RECORD = update(_RECORDS).where(_RECORDS.c.ocid == bindparam("key"))
_INSERT_OUTBOX = insert(Base.metadata.tables[SearchOutbox.__tablename__])


@dataclass(frozen=True)
class _Stored:
    kind: str
    sha256: str
    date: dt.datetime


def _check_owner(session: Session, ocid: str, publisher: str) -> bool:
    """Whether the ocid already has a record; a conflict when it is not this publisher's."""
    row = session.execute(_OWNER, {"key": ocid}).one_or_none()
    if row is None:
        return False
    if row.publisher_name is None:
        raise _Conflict("ocid", f"{ocid!r} is one of our own processes; it cannot be imported")
    if row.publisher_name != publisher:
        raise _Conflict(
            "ocid", f"{ocid!r} was imported from {row.publisher_name!r}, not {publisher!r}"
        )
    return True


def _stored(session: Session, ocid: str) -> dict[str, _Stored]:
    """release id -> what is stored for the ocid."""
    rows = session.execute(_STORED, {"key": ocid})
    return {release_id: _Stored(kind, sha, date) for release_id, kind, sha, date in rows}


def _release_row(
    ocid: str, release_id: str, kind: str, release: dict[str, Any], digest: str,
    publisher: str, source: str, date: dt.datetime, now: dt.datetime,
) -> dict[str, Any]:  # fmt: skip
    return {
        "ocid": ocid, "release_id": release_id, "kind": kind, "date": date, "data": release,
        "sha256": digest, "publisher_name": publisher, "source": source, "imported_at": now,
    }  # fmt: skip


def _store_releases(
    session: Session,
    schema: OcdsSchema,
    ocid: str,
    releases: list[dict[str, Any]],
    publisher: str,
    source: str,
) -> bool:
    exists = _check_owner(session, ocid, publisher)
    stored = _stored(session, ocid) if exists else {}
    if any(row.kind == COMPILED for row in stored.values()):
        raise _Conflict(
            "ocid",
            f"{ocid!r} was imported as a compiled record without its "
            "releases; its releases cannot be added to it",
        )
    new: dict[str, tuple[dict[str, Any], str]] = {}
    for index, release in enumerate(releases):
        release_id, digest = release["id"], _digest(release)
        path = "id" if len(releases) == 1 else f"releases/{index}/id"
        previous = stored[release_id].sha256 if release_id in stored else None
        if previous is None and release_id in new:
            previous = new[release_id][1]
        if previous is not None and previous != digest:
            raise _Conflict(
                path, f"release {release_id!r} was already imported with different content"
            )
        if previous is None:
            new[release_id] = (release, digest)
    if not new:
        return False
    now = utcnow()
    session.execute(
        _INSERT_RELEASE,
        [
            _release_row(
                ocid,
                release_id,
                RELEASE,
                release,
                digest,
                publisher,
                source,
                parse_ocds_datetime(release["date"]),
                now,
            )  # fmt: skip
            for release_id, (release, digest) in new.items()
        ],
    )
    rows = session.execute(_HISTORY, {"key": ocid}).all()
    with warnings.catch_warnings():
        # ocdsmerge warns about odd ids (the checks have reported them already).
        warnings.simplefilter("ignore")
        compiled = compile_record([data for data, _ in rows], schema)
    dates = [date for _, date in rows]
    _put_record(session, ocid, compiled, len(rows), min(dates), max(dates), publisher, exists)
    return True


def _store_compiled(
    session: Session, ocid: str, compiled: dict[str, Any], publisher: str, source: str
) -> bool:
    """A record published without its releases: its compiled release stands for it."""
    exists = _check_owner(session, ocid, publisher)
    stored = _stored(session, ocid) if exists else {}
    if any(row.kind == RELEASE for row in stored.values()):
        raise _Conflict(
            "compiledRelease",
            f"{ocid!r} was imported from its releases; a "
            "compiled release alone cannot replace them",
        )
    release_id, digest = compiled["id"], _digest(compiled)
    date = parse_ocds_datetime(compiled["date"])
    if release_id in stored:
        if stored[release_id].sha256 == digest:
            return False
        raise _Conflict(
            "compiledRelease/id",
            f"compiled release {release_id!r} was already imported with different content",
        )
    if any(row.date > date for row in stored.values()):
        raise _Conflict(
            "compiledRelease/date",
            f"an imported compiled release of {ocid!r} is newer than this one",
        )
    now = utcnow()
    session.execute(_DELETE_RELEASES, {"key": ocid})
    session.execute(
        _INSERT_RELEASE,
        _release_row(ocid, release_id, COMPILED, compiled, digest, publisher, source, date, now),
    )
    _put_record(session, ocid, compiled, 1, date, date, publisher, exists)
    return True


def _put_record(
    session: Session,
    ocid: str,
    compiled: dict[str, Any],
    count: int,
    first: dt.datetime,
    last: dt.datetime,
    publisher: str,
    exists: bool,
) -> None:
    now = utcnow()
    values = {
        "compiled": compiled,
        "release_count": count,
        "updated_at": now,
        "first_release_date": first,
        "last_release_date": last,
        "year": first.year,
        "publisher_name": publisher,
    }
    if exists:
        session.execute(_UPDATE_RECORD, {"key": ocid, **values})
    else:
        session.execute(_INSERT_RECORD, {"ocid": ocid, **values})
    session.execute(_INSERT_OUTBOX, {"ocid": ocid, "enqueued_at": now})
    loaded = session.identity_map.get(session.identity_key(OcdsRecord, ocid))
    if loaded is not None:
        session.expire(loaded)
