"""The public OCDS API: valid packages, keyset paging, validators, gzip, CORS, errors."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate as validate_openapi
from sqlalchemy.orm import Session

from marketplace.publication.services import configured_schema, publish
from ocds.packages import LICENSE_URL
from ocds.schema import DECLARED_EXTENSIONS, OcdsSchema
from tests.publication.helpers import (
    award_release,
    package_validator,
    schema_errors,
    tender_release,
)


def publish_many(db: Session, schema: OcdsSchema, n: int, start: int = 0) -> list[str]:
    ids = []
    for i in range(start, start + n):
        release = tender_release(f"ocds-tgs001-{1000 + i}", f"2024-01-{1 + i % 28:02d}T10:00:00Z")
        ids.append(publish(db, release, schema=schema).id)
    return ids


def walk(client: FlaskClient, url: str) -> tuple[list[dict[str, Any]], int]:
    """Follow links.next to the end; returns every item and the number of pages."""
    items: list[dict[str, Any]] = []
    pages = 0
    while url:
        response = client.get(url.removeprefix("http://localhost"))
        assert response.status_code == 200, response.json
        body = response.json
        items.extend(body.get("releases", body.get("records", [])))
        pages += 1
        url = body.get("links", {}).get("next")
    return items, pages


def test_release_package_is_valid_ocds(
    client: FlaskClient, db: Session, schema: OcdsSchema
) -> None:
    publish(db, tender_release("ocds-tgs001-1", "2024-02-01T00:00:00Z"), schema=schema)
    publish(db, award_release("ocds-tgs001-1", "2024-03-01T00:00:00Z"), schema=schema)
    response = client.get("/api/releases")
    assert response.status_code == 200
    package = response.json
    assert schema_errors(package_validator(schema, schema.release_package_schema), package) == []
    assert package["version"] == "1.1"
    assert package["license"] == LICENSE_URL
    assert package["publicationPolicy"] == "http://localhost/data/publication-policy"
    assert package["publisher"]["name"]
    assert package["extensions"] == configured_schema().extension_urls and package["extensions"]
    assert "http://localhost/ocds/extensions/assets/extension.json" in package["extensions"]
    # OCP's partyScale extension is declared by its own address; no copy of it is served.
    assert set(DECLARED_EXTENSIONS) <= set(package["extensions"])
    assert client.get("/ocds/extensions/party_scale/extension.json").status_code == 404
    assert [r["id"] for r in package["releases"]] == ["ocds-tgs001-1-1", "ocds-tgs001-1-2"]
    assert "links" not in package

    one = client.get("/api/releases/ocds-tgs001-1-2").json
    assert [r["id"] for r in one["releases"]] == ["ocds-tgs001-1-2"]
    assert client.get("/data/publication-policy").status_code == 200


def test_record_packages_are_valid_ocds(
    client: FlaskClient, db: Session, schema: OcdsSchema
) -> None:
    publish(db, tender_release("ocds-tgs001-1", "2024-02-01T00:00:00Z"), schema=schema)
    publish(db, award_release("ocds-tgs001-1", "2024-03-01T00:00:00Z"), schema=schema)
    publish(db, tender_release("ocds-tgs001-2", "2024-02-05T00:00:00Z"), schema=schema)
    validator = package_validator(schema, schema.record_package_schema)

    listing = client.get("/api/records").json
    assert schema_errors(validator, listing) == []
    by_ocid = {r["ocid"]: r for r in listing["records"]}
    linked = by_ocid["ocds-tgs001-1"]["releases"]
    assert [r["url"] for r in linked] == [
        "http://localhost/api/releases/ocds-tgs001-1-1",
        "http://localhost/api/releases/ocds-tgs001-1-2",
    ]
    assert linked[1]["tag"] == ["award", "contract"]
    assert by_ocid["ocds-tgs001-1"]["compiledRelease"]["awards"][0]["id"] == "award-1"

    one = client.get("/api/records/ocds-tgs001-1").json
    assert schema_errors(validator, one) == []
    record = one["records"][0]
    assert [r["id"] for r in record["releases"]] == ["ocds-tgs001-1-1", "ocds-tgs001-1-2"]
    assert "versionedRelease" not in record

    versioned = client.get("/api/records/ocds-tgs001-1?versioned=1").json
    assert schema_errors(validator, versioned) == []
    history = versioned["records"][0]["versionedRelease"]["tender"]["status"]
    assert [v["value"] for v in history] == ["active", "complete"]


def test_paging_returns_each_release_once_while_new_ones_arrive(
    client: FlaskClient, db: Session, schema: OcdsSchema
) -> None:
    first_ids = publish_many(db, schema, 25)
    first_page = client.get("/api/releases?limit=10").json
    seen = [r["id"] for r in first_page["releases"]]
    assert len(seen) == 10
    # Releases published mid-walk (dated now, after all of the above) are still reached.
    late_ids = [
        publish(db, tender_release(f"ocds-tgs001-{2000 + i}"), schema=schema).id for i in range(3)
    ]
    rest, pages = walk(client, first_page["links"]["next"])
    seen += [r["id"] for r in rest]
    assert sorted(seen) == sorted(first_ids + late_ids)
    assert len(seen) == len(set(seen))
    assert pages == 2
    assert "limit=10" in first_page["links"]["next"]


def test_since_filters_releases_and_records(
    client: FlaskClient, db: Session, schema: OcdsSchema
) -> None:
    publish_many(db, schema, 10)
    releases = client.get("/api/releases?since=2024-01-06T00:00:00Z").json["releases"]
    assert sorted(r["date"][:10] for r in releases) == [f"2024-01-{d:02d}" for d in range(6, 11)]
    assert client.get("/api/releases?since=2024-01-06").json["releases"] == releases
    records, _pages = walk(client, "/api/records?limit=3")
    assert len(records) == 10
    assert client.get("/api/records?since=2999-01-01").json["records"] == []


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/api/releases?limit=1000000000", "limit"),
        ("/api/releases?limit=0", "limit"),
        ("/api/releases?limit=ten", "limit"),
        ("/api/records?limit=1001", "limit"),
        ("/api/releases?since=yesterday", "since"),
        ("/api/records?since=2024-13-01", "since"),
        ("/api/releases?since=", "since"),  # found by the fuzzer: was read as no filter
        ("/api/releases?cursor=not-a-cursor", "cursor"),
        ("/api/records?cursor=" + base64.urlsafe_b64encode(b'{"a": 1}').decode(), "cursor"),
        ("/api/records/ocds-tgs001-1?versioned=maybe", "versioned"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(
    client: FlaskClient, db: Session, url: str, path: str
) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert response.json["error"]["path"] == path
    assert response.json["error"]["code"] == 400
    assert response.json["error"]["message"]


def test_unknown_release_and_record_are_json_404(client: FlaskClient, db: Session) -> None:
    response = client.get("/api/releases/ocds-tgs001-404-1")
    assert response.status_code == 404 and response.json["error"]["path"] == "release_id"
    response = client.get("/api/records/ocds-tgs001-404")
    assert response.status_code == 404 and response.json["error"]["path"] == "ocid"


def test_conditional_requests_get_304(client: FlaskClient, db: Session, schema: OcdsSchema) -> None:
    publish(db, tender_release("ocds-tgs001-1", "2024-02-01T00:00:00Z"), schema=schema)
    for url in ("/api/releases", "/api/records", "/api/records/ocds-tgs001-1"):
        first = client.get(url)
        etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    before = client.get("/api/releases").headers["ETag"]
    publish(db, award_release("ocds-tgs001-1", "2024-03-01T00:00:00Z"), schema=schema)
    changed = client.get("/api/releases", headers={"If-None-Match": before})
    assert changed.status_code == 200 and changed.headers["ETag"] != before


def test_gzip_and_cors(client: FlaskClient, db: Session, schema: OcdsSchema) -> None:
    publish(db, tender_release("ocds-tgs001-1", "2024-02-01T00:00:00Z"), schema=schema)
    plain = client.get("/api/releases")
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["Access-Control-Allow-Origin"] == "*"
    zipped = client.get("/api/releases", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert json.loads(gzip.decompress(zipped.data)) == plain.json
    # An ETag got with gzip still matches the plain representation (weak validators).
    etag = zipped.headers["ETag"]
    assert client.get("/api/releases", headers={"If-None-Match": etag}).status_code == 304
    preflight = client.options(
        "/api/releases",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    # Pages that are not open data are left alone.
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert "Access-Control-Allow-Origin" not in page.headers
    assert "Content-Encoding" not in page.headers


def test_openapi_describes_exactly_the_api_routes(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").json
    validate_openapi(document)
    described = set(document["paths"])
    routes = {
        rule.rule.replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes - described == set(), (
        "undocumented /api/ routes: describe them with app.api.openapi.add_path(path, item)"
    )
    assert described - routes == set(), "the OpenAPI document names routes the app lacks"


def test_index_links_every_entry_point(client: FlaskClient) -> None:
    links = client.get("/api/").json["links"]
    for url in links.values():
        with client.get(url.removeprefix("http://localhost")) as response:
            assert response.status_code == 200, url
