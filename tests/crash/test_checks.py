"""The crash checks see what they are meant to catch: an acknowledged action missing, a
release without its action, an altered audit chain (no server, no kill here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from marketplace.audit.models import AuditEvent
from marketplace.publication.services import publish
from tests.crash.checks import check
from tests.crash.harness import (
    Ack,
    World,
    dispose_engines,
    drop_scratch,
    engine_for,
    scratch_url,
    seed,
)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    test_url = os.environ.get("TEST_DATABASE_URL")
    seeded = seed(scratch_url(test_url, tmp_path), tmp_path, suppliers=1)
    yield seeded
    dispose_engines()
    drop_scratch(test_url)


def test_a_seeded_database_passes_and_each_kind_of_damage_is_named(world: World) -> None:
    assert check(world, []).ok

    ghost = [
        Ack("bid", "999", "R1-0000000000"),
        Ack("question", "Pregunta que nunca llegó"),
        Ack("answer", "1", "Respuesta que nunca llegó"),
    ]
    found = check(world, ghost)
    assert found.lost == [
        "acknowledged bid 999 (R1-0000000000) is not stored",
        "acknowledged question Pregunta que nunca llegó is not stored",
        "acknowledged answer to question 1 is not stored",
    ]

    with Session(engine_for(world.url)) as session:
        publish(session, {
            "ocid": world.bid_ocid, "tag": ["tenderUpdate"], "date": "2026-01-01T00:00:00Z",
            "tender": {"id": world.bid_ocid},
            "bids": {"details": [{"id": "ghost", "status": "pending", "documents": [
                {"id": "commitment", "documentType": "submissionDocuments",
                 "description": "0" * 64}]}]},
        })  # fmt: skip
        first = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).first()
        assert first is not None
        session.execute(
            update(AuditEvent).where(AuditEvent.seq == first.seq).values(object_id="altered")
        )
        session.commit()
    found = check(world, [])
    release = f"{world.bid_ocid}-{world.releases_before[world.bid_ocid] + 1}"
    assert f"release {release} has 0 audit events" in found.orphans
    assert f"release {release} names bid ghost, not stored" in found.orphans
    assert f"record of {world.bid_ocid} shows bid ghost, not stored" in found.orphans
    assert found.chain == "audit chain: event 1 was altered"
    assert found.index == []
