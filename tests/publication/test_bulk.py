"""Bulk files: formats read back, "all" files stitched from years, incremental rewrites."""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.cli import main
from app.cli_publication import bulk_metadata
from marketplace.publication.bulk import export_set, read_manifest, sha256_of
from marketplace.publication.services import publish
from ocds.schema import OcdsSchema
from tests.publication.helpers import (
    award_release,
    package_validator,
    schema_errors,
    tender_release,
)


def seed(db: Session, schema: OcdsSchema) -> None:
    publish(db, tender_release("ocds-tgs001-1", "2023-05-01T00:00:00Z"), schema=schema)
    publish(db, award_release("ocds-tgs001-1", "2024-02-01T00:00:00Z"), schema=schema)
    publish(db, tender_release("ocds-tgs001-2", "2024-03-01T00:00:00Z"), schema=schema)
    publish(db, tender_release("ocds-tgs001-3", "2024-04-01T00:00:00Z"), schema=schema)


def read_jsonl_gz(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def read_json_gz(path: Path) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def read_csv(path: Path, table: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as zf, zf.open(f"{table}.csv") as fh:
        return list(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8", newline="")))


def run_export(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(main, args=["ocds", "export", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_export_set_round_trips_every_format(
    app: Flask, db: Session, schema: OcdsSchema, tmp_path: Path
) -> None:
    seed(db, schema)
    output = run_export(app, str(tmp_path))
    assert "9 files written" in output  # 2 years + all, three formats

    # Compiled releases: one line per record, by year of first release.
    assert [r["ocid"] for r in read_jsonl_gz(tmp_path / "compiled-releases-2023.jsonl.gz")] == [
        "ocds-tgs001-1"
    ]
    every = read_jsonl_gz(tmp_path / "compiled-releases-all.jsonl.gz")
    assert [r["ocid"] for r in every] == ["ocds-tgs001-1", "ocds-tgs001-2", "ocds-tgs001-3"]
    assert every[0]["tag"] == ["compiled"] and every[0]["awards"][0]["id"] == "award-1"

    # Record packages: valid OCDS, releases embedded.
    validator = package_validator(schema, schema.record_package_schema)
    package = read_json_gz(tmp_path / "record-package-all.json.gz")
    assert schema_errors(validator, package) == []
    assert [r["ocid"] for r in package["records"]] == [r["ocid"] for r in every]
    assert len(package["records"][0]["releases"]) == 2
    assert package["uri"] == "http://localhost/bulk/record-package-all.json.gz"
    year = read_json_gz(tmp_path / "record-package-2024.json.gz")
    assert schema_errors(validator, year) == []

    # CSV tables, joined by OCID and ids.
    main_rows = read_csv(tmp_path / "csv-all.zip", "main")
    assert [r["OCID"] for r in main_rows] == [r["ocid"] for r in every]
    assert main_rows[0]["Tender status"] == "complete" and main_rows[0]["Awards"] == "1"
    awards = read_csv(tmp_path / "csv-all.zip", "awards")
    assert awards == [
        {
            "OCID": "ocds-tgs001-1", "Award ID": "award-1", "Title": "Laptops, lot 1",
            "Status": "active", "Date": "2024-02-01T00:00:00Z", "Value": "85000",
            "Currency": "MXN", "Supplier IDs": "MX-RFC-ABC010101AB1",
            "Supplier names": "Cómputo del Valle SA de CV",
        }
    ]  # fmt: skip
    assert read_csv(tmp_path / "csv-all.zip", "transactions")[0]["Payee ID"] == (
        "MX-RFC-ABC010101AB1"
    )
    assert read_csv(tmp_path / "csv-all.zip", "bids")[0]["Bid ID"] == "bid-1"
    assert read_csv(tmp_path / "csv-all.zip", "contracts")[0]["Award ID"] == "award-1"
    items = read_csv(tmp_path / "csv-2024.zip", "items")
    assert [(i["OCID"], i["Item ID"]) for i in items] == [
        ("ocds-tgs001-2", "1"),
        ("ocds-tgs001-3", "1"),
    ]
    assert {p["Party ID"] for p in read_csv(tmp_path / "csv-all.zip", "parties")} == {
        "MX-CDMX-ADIP",
        "MX-RFC-ABC010101AB1",
    }

    manifest = read_manifest(tmp_path)
    for name, entry in manifest["files"].items():
        assert entry["sha256"] == sha256_of(tmp_path / name)
        assert entry["size"] == (tmp_path / name).stat().st_size
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_export_rewrites_only_changed_years(
    app: Flask, db: Session, schema: OcdsSchema, tmp_path: Path
) -> None:
    seed(db, schema)
    with app.app_context():
        first = export_set(db, tmp_path, bulk_metadata)
        assert len(first.written) == 9
        untouched = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*2023*")}

        again = export_set(db, tmp_path, bulk_metadata)
        assert again.written == [] and len(again.unchanged) == 9

        publish(db, tender_release("ocds-tgs001-4", "2024-06-01T00:00:00Z"), schema=schema)
        after = export_set(db, tmp_path, bulk_metadata)
    assert sorted(after.written) == sorted(
        [
            "compiled-releases-2024.jsonl.gz",
            "compiled-releases-all.jsonl.gz",
            "record-package-2024.json.gz",
            "record-package-all.json.gz",
            "csv-2024.zip",
            "csv-all.zip",
        ]
    )
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*2023*")} == untouched
    assert len(read_jsonl_gz(tmp_path / "compiled-releases-all.jsonl.gz")) == 4
    assert len(read_json_gz(tmp_path / "record-package-all.json.gz")["records"]) == 4


def test_single_file_export_by_year_and_since(
    app: Flask, db: Session, schema: OcdsSchema, tmp_path: Path
) -> None:
    seed(db, schema)
    run_export(app, "--format", "jsonl.gz", "--year", "2024", str(tmp_path / "y.jsonl.gz"))
    ocids = [r["ocid"] for r in read_jsonl_gz(tmp_path / "y.jsonl.gz")]
    assert ocids == ["ocds-tgs001-2", "ocds-tgs001-3"]
    run_export(app, "--format", "csv", "--since", "2000-01-01", str(tmp_path / "s.zip"))
    assert len(read_csv(tmp_path / "s.zip", "main")) == 3
    run_export(app, "--format", "json", "--since", "2999-01-01", str(tmp_path / "none.json.gz"))
    assert read_json_gz(tmp_path / "none.json.gz")["records"] == []
    bad = app.test_cli_runner().invoke(
        main, args=["ocds", "export", "--format", "json", "--since", "soon", str(tmp_path / "x")]
    )
    assert bad.exit_code == 2 and "--since" in bad.output


def test_bulk_page_lists_and_serves_files(
    app: Flask, client: FlaskClient, db: Session, schema: OcdsSchema
) -> None:
    seed(db, schema)
    bulk_dir = Path(app.config["BULK_DIR"])
    run_export(app, "--format", "jsonl.gz")
    page = client.get("/bulk/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    manifest = read_manifest(bulk_dir)
    for name, entry in manifest["files"].items():
        assert name in html and entry["sha256"] in html
    with client.get("/bulk/compiled-releases-all.jsonl.gz") as download:
        assert download.status_code == 200
        assert download.headers["Access-Control-Allow-Origin"] == "*"
        assert len(gzip.decompress(download.data).splitlines()) == 3
    assert client.get("/bulk/secret_key").status_code == 404
    assert client.get("/bulk/../secret_key").status_code == 404


def test_bulk_page_before_any_export(
    app: Flask, client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "BULK_DIR", str(tmp_path / "not-yet"))
    page = client.get("/bulk/")
    assert page.status_code == 200 and "<table" not in page.get_data(as_text=True)
    assert client.get("/bulk/compiled-releases-all.jsonl.gz").status_code == 404
