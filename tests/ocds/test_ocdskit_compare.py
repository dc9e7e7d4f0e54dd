"""The demo's publication against the reference tools: every release and record it
publishes is valid, and ocdskit compiles the same records from its releases.

ocdskit runs with our patched schema (1.1.5 + our extensions) given as a dict, and with
the network cut off, so nothing can be fetched from the extensions' URLs.
"""

from __future__ import annotations

import socket
from collections import defaultdict
from typing import Any

import ocdskit.combine
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.demo import load_demo
from marketplace.publication.models import OcdsRecord, OcdsRelease
from marketplace.publication.services import configured_schema
from ocds.merge import local_refs_schema
from ocds.validate import validate_record, validate_release
from tests.publication.helpers import package_validator, schema_errors


@pytest.fixture
def demo(app: Flask, db: Session) -> dict[str, list[dict[str, Any]]]:
    """The demo loaded into the test's transaction; its releases by ocid, in order."""
    load_demo(db, processes=8, seed=5)
    releases: dict[str, list[dict[str, Any]]] = defaultdict(list)
    query = select(OcdsRelease.ocid, OcdsRelease.data).order_by(
        OcdsRelease.ocid, OcdsRelease.sequence
    )
    for ocid, data in db.execute(query):
        releases[ocid].append(data)
    assert len(releases) >= 8
    return dict(releases)


def _no_network(*args: object, **kwargs: object) -> None:
    raise AssertionError("ocdskit tried to use the network")


def test_demo_publication_is_valid_and_ocdskit_compiles_the_same_records(
    app: Flask,
    db: Session,
    client: FlaskClient,
    demo: dict[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # (One test: loading the demo is the slow part.)
    check_every_release_and_record_is_valid(client, demo)
    schema = configured_schema()
    response = client.get("/api/releases?limit=1000")
    package = response.json
    assert len(package["releases"]) == sum(len(r) for r in demo.values())
    assert package["extensions"]  # the package names our extensions' URLs...

    monkeypatch.setattr(socket.socket, "connect", _no_network)  # ...which are never fetched
    compiled = list(ocdskit.combine.merge([package], schema=local_refs_schema(schema)))
    monkeypatch.undo()

    theirs = {record["ocid"]: record for record in compiled}
    ours = dict(db.execute(select(OcdsRecord.ocid, OcdsRecord.compiled)).all())
    assert set(theirs) == set(ours) == set(demo)
    for ocid, record in ours.items():
        assert record == theirs[ocid], ocid
        served = client.get(f"/api/records/{ocid}").json["records"][0]
        assert served["compiledRelease"] == theirs[ocid]
        assert served["releases"] == demo[ocid]


def check_every_release_and_record_is_valid(
    client: FlaskClient, demo: dict[str, list[dict[str, Any]]]
) -> None:
    schema = configured_schema()
    for releases in demo.values():
        for release in releases:
            result = validate_release(release, schema)
            assert result.errors == [], (release["id"], result.errors)

    release_package = client.get("/api/releases?limit=1000").json
    validator = package_validator(schema, schema.release_package_schema)
    assert schema_errors(validator, release_package) == []

    record_package = client.get("/api/records?limit=1000").json
    assert len(record_package["records"]) == len(demo)
    validator = package_validator(schema, schema.record_package_schema)
    assert schema_errors(validator, record_package) == []
    for ocid in demo:
        record = client.get(f"/api/records/{ocid}?versioned=1").json
        assert schema_errors(validator, record) == []
        result = validate_record(record["records"][0], schema)
        assert result.errors == [], (ocid, result.errors)
