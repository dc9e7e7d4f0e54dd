"""publish(): the release log, the compiled record and the outbox, in the caller's transaction."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.publication.models import OcdsRecord, OcdsRelease, SearchOutbox
from marketplace.publication.services import (
    InvalidRelease,
    canonical_json,
    merge_onto,
    ocid_for,
    publish,
)
from ocds.merge import compile_record
from ocds.schema import OcdsSchema
from tests.publication.helpers import award_release, tender_release

OCID = "ocds-tgs001-9001"


def counts(db: Session) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(OcdsRelease)) or 0,
        db.scalar(select(func.count()).select_from(OcdsRecord)) or 0,
        db.scalar(select(func.count()).select_from(SearchOutbox)) or 0,
    )


def test_ocid_for_uses_the_configured_prefix() -> None:
    assert ocid_for(42) == "ocds-tgs001-42"
    assert ocid_for("7", prefix="ocds-abc123") == "ocds-abc123-7"


def test_publish_fills_ids_and_compiles_the_record(db: Session, schema: OcdsSchema) -> None:
    release = tender_release(OCID)
    release.pop("initiationType")
    first = publish(db, release, schema=schema)
    assert "id" not in release and "date" not in release  # the caller's dict is untouched
    assert first.id == f"{OCID}-1" and first.sequence == 1
    assert first.release["initiationType"] == "tender"
    assert first.release["date"].endswith("Z")

    loaded = db.get(OcdsRecord, OCID)
    second = publish(db, award_release(OCID, "2999-01-01T00:00:00Z"), schema=schema)
    assert loaded is not None and loaded.release_count == 2  # not a stale copy
    assert second.id == f"{OCID}-2"

    row = db.get(OcdsRelease, second.id)
    assert row is not None and row.tags == ["award", "contract"] and row.sequence == 2
    import hashlib

    assert row.sha256 == hashlib.sha256(canonical_json(row.data).encode()).hexdigest()
    record = db.get(OcdsRecord, OCID)
    assert record is not None and record.release_count == 2
    assert record.compiled["tender"]["status"] == "complete"
    assert record.compiled["tender"]["title"] == "Laptops"  # kept from the first release
    assert record.compiled["awards"][0]["id"] == "award-1"
    assert record.compiled["tag"] == ["compiled"]
    assert record.year == int(first.release["date"][:4])
    outbox = db.scalars(select(SearchOutbox.ocid).where(SearchOutbox.ocid == OCID)).all()
    assert outbox == [OCID, OCID]


def test_invalid_release_is_refused_and_nothing_is_written(db: Session, schema: OcdsSchema) -> None:
    publish(db, tender_release(OCID, "2024-01-01T00:00:00Z"), schema=schema)
    before = counts(db)
    compiled_before = db.get(OcdsRecord, OCID).compiled  # type: ignore[union-attr]
    bad = tender_release(OCID, "2024-02-01T00:00:00Z")
    bad["tender"]["value"]["amount"] = "a lot"
    with pytest.raises(InvalidRelease) as caught:
        publish(db, bad, schema=schema)
    assert any(f.path == "tender/value/amount" for f in caught.value.findings)
    with pytest.raises(InvalidRelease) as caught:
        publish(db, {"tag": ["tender"]}, schema=schema)
    assert caught.value.findings[0].path == "ocid"
    db.expire_all()
    assert counts(db) == before
    assert db.get(OcdsRecord, OCID).compiled == compiled_before  # type: ignore[union-attr]


def test_incremental_merge_equals_a_full_recompile(db: Session, schema: OcdsSchema) -> None:
    first = tender_release(OCID, "2024-01-01T00:00:00Z")
    first["tender"]["description"] = "Ten laptops"
    releases = [
        first,
        award_release(OCID, "2024-03-01T00:00:00Z"),
    ]
    amendment = tender_release(OCID, "2024-03-01T00:00:00Z", title="Laptops and docks")
    amendment["tag"] = ["tenderAmendment"]
    amendment["tender"]["items"].append({"id": "2", "description": "Dock", "quantity": 10})
    amendment["tender"]["description"] = None  # a null removes it from the compiled release
    releases.append(amendment)
    published = [publish(db, r, schema=schema) for r in releases]
    stored = [p.release for p in published]
    record = db.get(OcdsRecord, OCID)
    assert record is not None
    assert record.compiled == compile_record(stored, schema)
    assert "description" not in record.compiled["tender"]
    assert [i["id"] for i in record.compiled["tender"]["items"]] == ["1", "2"]
    # and merge_onto itself, step by step
    compiled = compile_record(stored[:1], schema)
    for release in stored[1:]:
        previous = copy.deepcopy(compiled)
        merged = merge_onto(compiled, release, schema)
        assert compiled == previous  # shares what it does not change, changes nothing
        compiled = merged
    assert compiled == compile_record(stored, schema)


def test_an_out_of_order_date_recompiles_from_the_log(db: Session, schema: OcdsSchema) -> None:
    late = tender_release(OCID, "2024-05-01T00:00:00Z", title="Newer title")
    early = tender_release(OCID, "2024-01-01T00:00:00Z", title="Older title")
    stored = [publish(db, r, schema=schema).release for r in (late, early)]
    record = db.get(OcdsRecord, OCID)
    assert record is not None
    assert record.compiled["tender"]["title"] == "Newer title"
    assert record.compiled == compile_record(stored, schema)
    assert record.first_release_date.month == 1 and record.last_release_date.month == 5
    assert record.year == 2024


def test_dates_with_offsets_are_stored_as_utc(db: Session, schema: OcdsSchema) -> None:
    published = publish(db, tender_release(OCID, "2024-12-31T20:00:00-06:00"), schema=schema)
    row = db.get(OcdsRelease, published.id)
    assert row is not None and row.date.isoformat() == "2025-01-01T02:00:00"
    assert row.data["date"] == "2024-12-31T20:00:00-06:00"
