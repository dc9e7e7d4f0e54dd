"""Publishing OCDS releases: validate, append to the log, recompile the record, enqueue search.

Everything happens in the caller's transaction, so a domain change and its release commit
together or not at all (DESIGN.md §1). Only the record of the release's ocid is touched.

Inside :func:`deferred_compile` (sealed bids on PostgreSQL, the last minute before a
deadline) a release is appended and its record only counts it as pending: the compiled
release, hundreds of kilobytes once a tender has a thousand bids, is not read, merged and
rewritten while the tender is locked. :mod:`marketplace.publication.catch_up` merges the
pending releases later, many at once, and any publication without deferral merges them
first; readers that show the record merge them on the fly meanwhile.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from marketplace import app_settings
from marketplace.db import Base, utcnow
from marketplace.publication.models import OcdsRecord, OcdsRelease, SearchOutbox
from marketplace.publication.queries import releases_by_ocid
from ocds.merge import compile_record, merge_onto_compiled
from ocds.schema import OcdsSchema, load_schema
from ocds.validate import Finding, validate_release

DEFAULT_OCID_PREFIX = "ocds-tgs001"


#: Where the web app keeps its PublicationSettings (``app.extensions``; see app_settings).
SETTINGS_KEY = "tianguis.publication"


@dataclass(frozen=True)
class PublicationSettings:
    """One installation's publication settings: the web app's from its configuration (read
    from the current app), the defaults for scripts without an app unless they pass theirs."""

    ocid_prefix: str = DEFAULT_OCID_PREFIX
    schema_dir: str | None = None
    extensions_dir: str | None = None
    #: Where our own extensions (ocds/extensions/) are served: ``<public URL>/ocds/extensions/``.
    own_extensions_url: str | None = None


DEFAULT_SETTINGS = PublicationSettings()


def current_settings() -> PublicationSettings:
    """The current web app's settings; :data:`DEFAULT_SETTINGS` outside an app context."""
    return app_settings.current(SETTINGS_KEY, PublicationSettings, DEFAULT_SETTINGS)


def configured_schema(settings: PublicationSettings | None = None) -> OcdsSchema:
    """The patched schema for ``settings`` (default: :func:`current_settings`)."""
    settings = settings or current_settings()
    return load_schema(
        settings.schema_dir, settings.extensions_dir, own_extensions_url=settings.own_extensions_url
    )


def ocid_for(
    process_id: int | str, prefix: str | None = None, settings: PublicationSettings | None = None
) -> str:
    """The ocid of one of our processes: ``<OCID_PREFIX>-<process id>``."""
    return f"{prefix or (settings or current_settings()).ocid_prefix}-{process_id}"


class InvalidRelease(ValueError):
    """The release does not validate; nothing was written."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        summary = "; ".join(f"{f.path}: {f.message}" for f in findings[:5])
        super().__init__(f"invalid OCDS release ({len(findings)} problems): {summary}")


@dataclass(frozen=True)
class PublishedRelease:
    id: str
    ocid: str
    sequence: int
    sha256: str
    release: dict[str, Any] = field(repr=False)
    #: The record's compiled release after this one; None when its compile was deferred.
    compiled: dict[str, Any] | None = field(repr=False)


#: Session.info key: {ocid: releases waiting to be merged into its record} after this
#: session's deferred publications (for ``catch_up``).
PENDING_KEY = "tianguis.pending_records"

_DEFERRED = contextvars.ContextVar("tianguis_deferred_compile", default=False)


@contextmanager
def deferred_compile() -> Iterator[None]:
    """Releases published inside are merged into their record later (on PostgreSQL:
    SQLite rewrites a whole row to change one column of it, so there is nothing to save).

    The caller makes sure someone catches up: the web app does it at the end of a request
    that leaves a record with ``CATCH_UP_EVERY`` pending releases (one rewrite for that
    many bids), ``search sync`` and the next publication without deferral do it for the
    rest (``marketplace.publication.catch_up``).
    """
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def parse_ocds_datetime(value: str) -> dt.datetime:
    """An OCDS date-time as naive UTC; ``ValueError`` when it is not ISO 8601."""
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def format_ocds_datetime(value: dt.datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"


# Table-level statements with bound parameters: compiled once and cached, where
# statements carrying the values (the release JSON) would be keyed on them every time.
_RECORDS = Base.metadata.tables[OcdsRecord.__tablename__]
_INSERT_RELEASE = insert(Base.metadata.tables[OcdsRelease.__tablename__])
_INSERT_RECORD = insert(_RECORDS)
_INSERT_OUTBOX = insert(Base.metadata.tables[SearchOutbox.__tablename__])
_SELECT_RECORD = (
    select(
        OcdsRecord.release_count,
        OcdsRecord.pending_releases,
        OcdsRecord.compiled,
        OcdsRecord.first_release_date,
        OcdsRecord.last_release_date,
    )
    .where(OcdsRecord.ocid == bindparam("key"))
    # Appends to one ocid queue up here instead of racing for the next sequence number.
    .with_for_update()
)
#: The same without the compiled release, for a deferred compile.
_SELECT_COUNTS = (
    select(
        OcdsRecord.release_count,
        OcdsRecord.pending_releases,
        OcdsRecord.first_release_date,
        OcdsRecord.last_release_date,
    )
    .where(OcdsRecord.ocid == bindparam("key"))
    .with_for_update()
)
_UPDATE_RECORD = update(_RECORDS).where(_RECORDS.c.ocid == bindparam("key"))


def publish(
    session: Session, release: dict[str, Any], *, schema: OcdsSchema | None = None
) -> PublishedRelease:
    """Validate and append ``release`` to the log (the caller's dict is not changed).

    Fills ``id`` (``<ocid>-<n>``), ``date`` (now) when missing, and ``initiationType``.
    Raises ``InvalidRelease`` before writing anything when the release does not validate.
    Writes with plain statements rather than the unit of work: this is on the path of
    every domain action.
    """
    schema = schema or configured_schema()
    # Only top-level keys are filled in, so a shallow copy leaves the caller's dict alone.
    release = dict(release)
    ocid = release.get("ocid")
    if not isinstance(ocid, str) or not ocid:
        raise InvalidRelease([_finding("ocid", "a release needs an ocid", "required")])

    defer = _DEFERRED.get() and session.get_bind().dialect.name == "postgresql"
    record = session.execute(
        _SELECT_COUNTS if defer else _SELECT_RECORD, {"key": ocid}
    ).one_or_none()
    sequence = (record.release_count if record else 0) + 1
    release["id"] = f"{ocid}-{sequence}"
    release.setdefault("date", format_ocds_datetime(utcnow()))
    release.setdefault("initiationType", "tender")

    result = validate_release(release, schema)
    if not result.valid:
        raise InvalidRelease(list(result.errors))
    try:
        date = parse_ocds_datetime(release["date"])
    except (TypeError, ValueError):
        raise InvalidRelease([_finding("date", "not an ISO 8601 date-time", "format")]) from None

    digest = hashlib.sha256(canonical_json(release).encode()).hexdigest()
    now = utcnow()
    session.execute(
        _INSERT_RELEASE,
        {
            "id": release["id"],
            "ocid": ocid,
            "sequence": sequence,
            "date": date,
            "tags": list(release.get("tag") or []),
            "data": release,
            "sha256": digest,
            "created_at": now,
        },
    )
    compiled: dict[str, Any] | None
    if record is None:
        compiled = compile_record([release], schema)
        session.execute(
            _INSERT_RECORD,
            {
                "ocid": ocid,
                "compiled": compiled,
                "release_count": 1,
                "updated_at": now,
                "first_release_date": date,
                "last_release_date": date,
                "year": date.year,
                "pending_releases": 0,
            },
        )
    else:
        changes = {
            "key": ocid,
            "release_count": sequence,
            "updated_at": now,
            "first_release_date": min(record.first_release_date, date),
            "last_release_date": max(record.last_release_date, date),
        }
        if defer:
            compiled = None
            changes["pending_releases"] = record.pending_releases + 1
            session.info.setdefault(PENDING_KEY, {})[ocid] = changes["pending_releases"]
        else:
            pending = pending_releases(session, ocid, record.release_count, record.pending_releases)
            compiled = merged(session, ocid, record.compiled, [*pending, release], schema)
            changes.update(compiled=compiled, pending_releases=0)
        session.execute(_UPDATE_RECORD, changes)
    session.execute(_INSERT_OUTBOX, {"ocid": ocid, "enqueued_at": now})
    # The statements above bypass the identity map: a record object the caller loaded
    # earlier would show the old compiled release.
    loaded = session.identity_map.get(session.identity_key(OcdsRecord, ocid))
    if loaded is not None:
        session.expire(loaded)
    return PublishedRelease(release["id"], ocid, sequence, digest, release, compiled)


def pending_releases(
    session: Session, ocid: str, release_count: int, pending: int
) -> list[dict[str, Any]]:
    """The last ``pending`` releases of ``ocid`` (not merged into its record yet)."""
    if not pending:
        return []
    return list(
        session.scalars(
            select(OcdsRelease.data)
            .where(OcdsRelease.ocid == ocid, OcdsRelease.sequence > release_count - pending)
            .order_by(OcdsRelease.sequence)
        )
    )


def merged(
    session: Session,
    ocid: str,
    compiled: dict[str, Any],
    releases: list[dict[str, Any]],
    schema: OcdsSchema,
) -> dict[str, Any]:
    """``compiled`` with ``releases`` (the newest of ``ocid``, in sequence order) merged."""
    for release in releases:
        # ocdsmerge orders releases by their date strings; a release that sorts last can
        # be merged onto the stored compiled release, any other changes the merge order.
        if release["date"] < compiled.get("date", ""):
            return compile_record(releases_by_ocid(session, [ocid])[ocid], schema)
        compiled = merge_onto(compiled, release, schema)
    return compiled


def merge_onto(
    compiled: dict[str, Any], release: dict[str, Any], schema: OcdsSchema
) -> dict[str, Any]:
    """Merge one release onto a compiled release.

    Releases are merged in date order, one after the other, so merging the newest
    release onto the previous compiled release gives what a full recompile would (the
    tests compare both): the compiled release stands in for the history it sums up.
    Appending then costs the size of one record, not of its history; and only the parts
    of the compiled release that ``release`` reaches are copied and merged into, so a
    small release onto a large record costs the size of the release.
    """
    return merge_onto_compiled(compiled, release, schema)


def _finding(path: str, message: str, check: str) -> Finding:
    return Finding(path=path, message=message, check=check, severity="error")
