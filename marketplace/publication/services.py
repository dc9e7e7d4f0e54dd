"""Publishing OCDS releases: validate, append to the log, recompile the record, enqueue search.

Everything happens in the caller's transaction, so a domain change and its release commit
together or not at all (DESIGN.md §1). Only the record of the release's ocid is touched.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ocdsmerge.merge import CompiledRelease
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.publication.models import OcdsRecord, OcdsRelease, SearchOutbox
from ocds.merge import compile_record, merger
from ocds.schema import OcdsSchema, load_schema
from ocds.validate import Finding, validate_release

DEFAULT_OCID_PREFIX = "ocds-tgs001"


@dataclass
class PublicationSettings:
    """What the app configures once (``configure``); scripts without an app get the defaults."""

    ocid_prefix: str = DEFAULT_OCID_PREFIX
    schema_dir: str | None = None
    extensions_dir: str | None = None


settings = PublicationSettings()


def configure(
    ocid_prefix: str | None = None,
    schema_dir: str | None = None,
    extensions_dir: str | None = None,
) -> None:
    settings.ocid_prefix = ocid_prefix or DEFAULT_OCID_PREFIX
    settings.schema_dir = schema_dir
    settings.extensions_dir = extensions_dir


def configured_schema() -> OcdsSchema:
    return load_schema(settings.schema_dir, settings.extensions_dir)


def ocid_for(process_id: int | str, prefix: str | None = None) -> str:
    """The ocid of one of our processes: ``<OCID_PREFIX>-<process id>``."""
    return f"{prefix or settings.ocid_prefix}-{process_id}"


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
    compiled: dict[str, Any] = field(repr=False)


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


def publish(
    session: Session, release: dict[str, Any], *, schema: OcdsSchema | None = None
) -> PublishedRelease:
    """Validate and append ``release`` (a copy: the argument is not changed) to the log.

    Fills ``id`` (``<ocid>-<n>``), ``date`` (now) when missing, and ``initiationType``.
    Raises ``InvalidRelease`` before writing anything when the release does not validate.
    """
    schema = schema or configured_schema()
    release = copy.deepcopy(release)
    ocid = release.get("ocid")
    if not isinstance(ocid, str) or not ocid:
        raise InvalidRelease([_finding("ocid", "a release needs an ocid", "required")])

    record = session.execute(
        select(OcdsRecord).where(OcdsRecord.ocid == ocid).with_for_update()
    ).scalar_one_or_none()
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
    session.add(
        OcdsRelease(
            id=release["id"],
            ocid=ocid,
            sequence=sequence,
            date=date,
            tags=list(release.get("tag") or []),
            data=release,
            sha256=digest,
            created_at=now,
        )
    )
    if record is None:
        compiled = compile_record([release], schema)
        record = OcdsRecord(
            ocid=ocid,
            compiled=compiled,
            release_count=1,
            updated_at=now,
            first_release_date=date,
            last_release_date=date,
            year=date.year,
        )
        session.add(record)
    else:
        if date >= record.last_release_date:
            compiled = merge_onto(record.compiled, release, schema)
        else:
            # An out-of-order date changes the merge order: recompile from the whole log.
            session.flush()
            compiled = compile_record(releases_of(session, ocid), schema)
        record.compiled = compiled
        record.release_count = sequence
        record.updated_at = now
        record.first_release_date = min(record.first_release_date, date)
        record.last_release_date = max(record.last_release_date, date)
    session.add(SearchOutbox(ocid=ocid, enqueued_at=now))
    session.flush()
    return PublishedRelease(release["id"], ocid, sequence, digest, release, compiled)


def merge_onto(
    compiled: dict[str, Any], release: dict[str, Any], schema: OcdsSchema
) -> dict[str, Any]:
    """Merge one release onto a compiled release.

    ocdsmerge merges releases in date order, one after the other, so merging the newest
    release onto the previous compiled release gives what a full recompile would (the
    tests compare both). Appending costs the size of one record, not of its history.
    """
    merged = CompiledRelease(data=compiled, merge_rules=merger(schema).merge_rules)
    merged.append(release)
    return merged.asdict()


def releases_of(session: Session, ocid: str) -> list[dict[str, Any]]:
    """The ocid's releases in publication order."""
    return list(
        session.scalars(
            select(OcdsRelease.data).where(OcdsRelease.ocid == ocid).order_by(OcdsRelease.sequence)
        )
    )


def _finding(path: str, message: str, check: str) -> Finding:
    return Finding(path=path, message=message, check=check, severity="error")
