"""Sealed bids published with a deferred compile: the tender stays locked only for the bid,
and its record catches up after the commit, exactly as if compiled at once.

On PostgreSQL the bid form publishes inside ``deferred_compile``: the record counts the
release as pending, the request merges it after its commit (``catch_up``), and meanwhile
(or after a crash in between) the process page, the API, search sync and bulk export all
show or write the record with it. SQLite rewrites a whole row to change one column, so it
compiles at once; the web test runs on both.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.publication import catch_up as records
from marketplace.publication.catch_up import catch_up, record_compiled
from marketplace.publication.models import OcdsRecord, SearchOutbox
from marketplace.publication.queries import releases_by_ocid
from marketplace.publication.services import deferred_compile, publish
from ocds.merge import compile_record
from ocds.schema import OcdsSchema
from tests.bid_helpers import bidder, tendering
from tests.factories import login_as
from tests.publication.helpers import tender_release
from tests.search.conftest import ON_POSTGRES
from tests.test_bids_web import submit

OCID = "ocds-tgs001-9050"
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="deferral is PostgreSQL's")


def sealed(ocid: str, bid: str, date: str, status: str = "pending") -> dict[str, Any]:
    """A sealed-bid release as the bid form publishes it: the bid's id, date, status."""
    return {
        "ocid": ocid,
        "date": date,
        "tag": ["tenderUpdate"],
        "initiationType": "tender",
        "tender": {"id": f"{ocid}-tender"},
        "bids": {"details": [{"id": bid, "date": date, "status": status}]},
    }


def record(db: Session, ocid: str = OCID) -> OcdsRecord:
    db.expire_all()
    found = db.get(OcdsRecord, ocid)
    assert found is not None
    return found


def bid_ids(compiled: dict[str, Any]) -> list[tuple[str, str]]:
    return [(d["id"], d["status"]) for d in (compiled.get("bids") or {}).get("details", [])]


def full_compile(db: Session, schema: OcdsSchema, ocid: str = OCID) -> dict[str, Any]:
    return compile_record(releases_by_ocid(db, [ocid])[ocid], schema)


@postgres_only
def test_deferred_releases_wait_and_catch_up_merges_them_all(
    db: Session, schema: OcdsSchema
) -> None:
    publish(db, tender_release(OCID, "2026-01-01T00:00:00Z"), schema=schema)
    with deferred_compile():
        for n in range(3):
            publish(db, sealed(OCID, f"b{n}", f"2026-01-02T00:00:0{n}Z"), schema=schema)
        publish(db, sealed(OCID, "b0", "2026-01-02T00:00:05Z", "withdrawn"), schema=schema)
    stale = record(db)
    assert (stale.release_count, stale.pending_releases) == (5, 4)
    assert bid_ids(stale.compiled) == []  # not rewritten while the tender was locked
    # Shown with every release all the same.
    expected = [("b0", "withdrawn"), ("b1", "pending"), ("b2", "pending")]
    assert bid_ids(record_compiled(db, stale)) == expected

    # A search sync ran meanwhile and read the record without them (it was locked).
    db.execute(update(SearchOutbox).where(SearchOutbox.ocid == OCID).values(processed_at=utcnow()))
    assert catch_up(db, [OCID]) == 1
    queued = db.scalars(select(SearchOutbox.processed_at).where(SearchOutbox.ocid == OCID)).all()
    assert len(queued) == 5 and queued[-1] is None  # read again; still one row per release
    fresh = record(db)
    assert fresh.pending_releases == 0
    assert fresh.compiled == full_compile(db, schema)
    assert bid_ids(fresh.compiled) == expected
    assert catch_up(db, [OCID]) == 0  # nothing left


@postgres_only
def test_a_publication_without_deferral_merges_the_pending_ones_first(
    db: Session, schema: OcdsSchema
) -> None:
    publish(db, tender_release(OCID, "2026-01-01T00:00:00Z"), schema=schema)
    with deferred_compile():
        publish(db, sealed(OCID, "b1", "2026-01-02T00:00:00Z"), schema=schema)
    publish(db, tender_release(OCID, "2026-01-03T00:00:00Z", title="Laptops, 16 GB"), schema=schema)
    fresh = record(db)
    assert fresh.pending_releases == 0
    assert fresh.compiled["tender"]["title"] == "Laptops, 16 GB"
    assert bid_ids(fresh.compiled) == [("b1", "pending")]
    assert fresh.compiled == full_compile(db, schema)


@postgres_only
def test_a_pending_release_dated_earlier_is_merged_in_date_order(
    db: Session, schema: OcdsSchema
) -> None:
    publish(db, tender_release(OCID, "2026-01-05T00:00:00Z"), schema=schema)
    with deferred_compile():
        publish(db, sealed(OCID, "b1", "2026-01-06T00:00:00Z"), schema=schema)
        publish(db, sealed(OCID, "b1", "2026-01-04T00:00:00Z", "withdrawn"), schema=schema)
    catch_up(db)
    fresh = record(db)
    assert fresh.compiled == full_compile(db, schema)
    assert bid_ids(fresh.compiled) == [("b1", "pending")]  # the later status wins


@postgres_only
def test_after_a_crash_pages_show_the_pending_bids_and_search_sync_catches_up(
    client: FlaskClient,
    db: Session,
    schema: OcdsSchema,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The request that published died before catching up: nothing is shown stale, and
    the next search sync merges the release and indexes the record again."""
    from app.search_support import publishers, search_backend

    publish(db, tender_release(OCID, "2026-01-01T00:00:00Z"), schema=schema)
    with deferred_compile():
        publish(db, sealed(OCID, "bid-after-crash", "2026-01-02T00:00:00Z"), schema=schema)
    db.commit()
    api = client.get(f"/api/records/{OCID}").get_json()
    assert bid_ids(api["records"][0]["compiledRelease"]) == [("bid-after-crash", "pending")]
    assert "bid-after-crash" in client.get(f"/processes/{OCID}").get_data(as_text=True)

    monkeypatch.setitem(client.application.config, "SEARCH_INDEX_DIR", str(tmp_path / "index"))
    with client.application.test_request_context():
        search_backend().sync(db, publishers=publishers())
    fresh = record(db)
    assert fresh.pending_releases == 0
    assert bid_ids(fresh.compiled) == [("bid-after-crash", "pending")]
    assert db.query(SearchOutbox).filter_by(ocid=OCID, processed_at=None).count() == 0


def test_bids_through_the_form_are_in_their_record_at_once(
    client: FlaskClient, db: Session, schema: OcdsSchema, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each bid is in the record as the API shows it; every CATCH_UP_EVERY bids (here 3)
    the request that reaches the count rewrites the stored compiled release."""
    monkeypatch.setattr(records, "CATCH_UP_EVERY", 3)
    tender, _owner = tendering(db, utcnow().replace(microsecond=0) - dt.timedelta(minutes=5))
    db.flush()
    assert tender.ocid is not None
    for n in range(1, 5):
        _supplier, user = bidder(db)
        db.commit()
        login_as(client, user)
        assert submit(client, db, tender).status_code == 302
        api = client.get(f"/api/records/{tender.ocid}").get_json()
        assert len(bid_ids(api["records"][0]["compiledRelease"])) == n
        stored = record(db, tender.ocid)
        # Deferred on PostgreSQL: pending until the third, caught up by it; then one.
        assert stored.pending_releases == ((n % 3) if ON_POSTGRES else 0)
        assert len(bid_ids(stored.compiled)) == (3 * (n // 3) if ON_POSTGRES else n)
    assert record_compiled(db, record(db, tender.ocid)) == full_compile(db, schema, tender.ocid)
