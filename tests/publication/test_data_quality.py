"""`/data-quality`: validation findings and field coverage of our own publication."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.cli import main
from marketplace.publication import quality
from marketplace.publication.models import OcdsRelease
from marketplace.publication.services import canonical_json, parse_ocds_datetime, publish
from ocds.quality import QualityReport, generic_path
from ocds.schema import OcdsSchema
from tests.publication.helpers import award_release, tender_release
from tests.publication.import_data import fictional_example, write_json


@pytest.fixture
def bulk_dir(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bulk directory of this test's own, so no other test's cached review is read."""
    directory = tmp_path / "bulk"
    monkeypatch.setitem(app.config, "BULK_DIR", str(directory))
    return directory


def english(client: FlaskClient) -> None:
    client.get("/lang/en?next=/")


def coverage(review: dict, stage: str) -> dict[str, int]:
    found = next(s for s in review["stages"] if s["stage"] == stage)
    return {"processes": found["processes"], **{f["key"]: f["filled"] for f in found["fields"]}}


def test_report_counts_coverage_per_stage_and_groups_findings(schema: OcdsSchema) -> None:
    full = copy.deepcopy(tender_release("ocds-tgs001-1", "2024-01-01T00:00:00Z"))
    full["id"] = "ocds-tgs001-1-1"
    award = award_release("ocds-tgs001-1", "2024-02-01T00:00:00Z")
    full.update(awards=award["awards"], parties=award["parties"])
    bare = tender_release("ocds-tgs001-2", "2024-01-02T00:00:00Z")
    bare["id"] = "ocds-tgs001-2-1"
    del bare["tender"]["value"]
    bare["tender"]["items"][0].pop("classification")
    bare["tender"]["items"].append({"id": "2", "description": "Mouse", "quantity": "two"})
    bare["tender"]["items"].append({"id": "3", "description": "Pad", "quantity": "three"})

    report = QualityReport(schema)
    for release in (full, bare):
        report.add_release(release)
        report.add_compiled(release)
    review = report.as_dict()

    tender = coverage(review, "tender")
    assert tender["processes"] == 2
    assert tender["tender/value"] == 1
    assert tender["tender/items/classification"] == 1
    assert tender["buyer/id"] == 2
    award = coverage(review, "award")
    assert award["processes"] == 1 and award["awards/suppliers/id"] == 1
    assert coverage(review, "contract")["processes"] == 0

    assert review["releases_with_errors"] == 1 and review["records_with_errors"] == 1
    schema_errors = [f for f in review["findings"] if f["check"] == "schema"]
    assert [(f["path"], f["count"], f["items"]) for f in schema_errors] == [
        ("tender/items/*/quantity", 4, 2)  # two items, in the release and in the record
    ]
    example = schema_errors[0]["examples"][0]
    assert example["id"] == "ocds-tgs001-2-1" and example["path"] == "tender/items/1/quantity"
    assert generic_path("awards/10/items/0/id") == "awards/*/items/*/id"


def test_page_shows_our_publication_only(
    app: Flask, db: Session, client: FlaskClient, schema: OcdsSchema, bulk_dir: Path
) -> None:
    publish(db, tender_release("ocds-tgs001-1", "2024-01-01T00:00:00Z"), schema=schema)
    publish(db, award_release("ocds-tgs001-1", "2024-02-01T00:00:00Z"), schema=schema)
    publish(db, tender_release("ocds-tgs001-2", "2024-03-01T00:00:00Z"), schema=schema)
    db.commit()
    imported = app.test_cli_runner().invoke(
        main, ["ocds", "import", str(write_json(bulk_dir.parent / "x.json", fictional_example()))]
    )
    assert imported.exit_code == 0, imported.output

    english(client)
    response = client.get("/data-quality")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Checked 3 releases and 2 records" in html
    assert "No errors: everything we publish is valid." in html
    assert "Tender · 2 processes" in html
    assert "Award · 1 process" in html
    # Both our tenders have an estimated value; the imported process is not counted.
    row = html.split("Estimated value (amount and currency)")[1].split("</tr>")[0]
    assert "2 / 2" in row and "100 %" in row
    assert "Planning · 0 processes" in html  # the imported one has a planning stage


def test_page_lists_errors_with_example_paths(
    app: Flask, db: Session, client: FlaskClient, schema: OcdsSchema, bulk_dir: Path
) -> None:
    publish(db, tender_release("ocds-tgs001-1", "2024-01-01T00:00:00Z"), schema=schema)
    # A release written before today's checks existed (publish would refuse it now).
    legacy = tender_release("ocds-tgs001-9", "2023-01-01T00:00:00Z")
    legacy.update(id="ocds-tgs001-9-1")
    legacy["tender"]["status"] = "abierta"
    db.add(OcdsRelease(
        id=legacy["id"], ocid=legacy["ocid"], sequence=1,
        date=parse_ocds_datetime(legacy["date"]), tags=legacy["tag"], data=legacy,
        sha256=hashlib.sha256(canonical_json(legacy).encode()).hexdigest(),
    ))  # fmt: skip
    db.commit()

    english(client)
    html = client.get("/data-quality").get_data(as_text=True)
    assert "Releases with errors: 1 of 2." in html
    assert "<code>tender/status</code>" in html
    assert "<code>ocds-tgs001-9-1</code>" in html and "&#39;abierta&#39; is not one of" in html


def test_review_is_cached_and_refreshed_when_the_publication_changes(
    app: Flask,
    db: Session,
    client: FlaskClient,
    schema: OcdsSchema,
    bulk_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    publish(db, tender_release("ocds-tgs001-1", "2024-01-01T00:00:00Z"), schema=schema)
    db.commit()
    export = app.test_cli_runner().invoke(main, ["ocds", "export", "--format", "jsonl.gz"])
    assert export.exit_code == 0, export.output
    assert "data quality: 1 releases, 1 records" in export.output
    cached = json.loads((bulk_dir / quality.CACHE_NAME).read_text())
    assert cached["records"] == 1

    english(client)
    publish(db, tender_release("ocds-tgs001-2", "2024-01-02T00:00:00Z"), schema=schema)
    db.commit()
    # Within the allowed age the page serves the cached review...
    assert "Checked 1 releases and 1 records" in client.get("/data-quality").get_data(True)
    # ...and recomputes once it is older.
    monkeypatch.setitem(app.config, "DATA_QUALITY_MAX_AGE", 0)
    assert "Checked 2 releases and 2 records" in client.get("/data-quality").get_data(True)
    assert json.loads((bulk_dir / quality.CACHE_NAME).read_text())["records"] == 2


def test_page_answers_even_when_the_cache_cannot_be_written(
    app: Flask,
    db: Session,
    client: FlaskClient,
    schema: OcdsSchema,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("x")
    monkeypatch.setitem(app.config, "BULK_DIR", str(not_a_directory / "bulk"))
    publish(db, tender_release("ocds-tgs001-1", "2024-01-01T00:00:00Z"), schema=schema)
    db.commit()
    english(client)
    response = client.get("/data-quality")
    assert response.status_code == 200
    assert "Checked 1 releases and 1 records" in response.get_data(as_text=True)
