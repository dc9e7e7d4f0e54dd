"""`tianguis ocds import`: other publishers' data in the explorer, whole items or nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cli import main
from marketplace.publication.import_models import COMPILED, ImportedRelease
from marketplace.publication.models import OcdsRecord, SearchOutbox
from marketplace.publication.services import publish
from ocds.merge import reference_compile
from ocds.schema import OcdsSchema
from tests.publication.helpers import tender_release
from tests.publication.import_data import (
    FICTIONAL_OCID,
    FICTIONAL_PUBLISHER,
    fictional_example,
    fictional_releases,
    record_package,
    release_package,
    small_process,
    write_json,
    write_lines,
)


def run_import(app: Flask, *args: str | Path) -> Result:
    return app.test_cli_runner().invoke(main, ["ocds", "import", *map(str, args)])


def imported_ids(db: Session, ocid: str | None = None) -> list[str]:
    query = select(ImportedRelease.release_id).order_by(ImportedRelease.release_id)
    if ocid:
        query = query.where(ImportedRelease.ocid == ocid)
    return list(db.scalars(query))


def test_fictional_example_becomes_a_read_only_process_named_after_its_publisher(
    app: Flask, db: Session, client: FlaskClient, schema: OcdsSchema, tmp_path: Path
) -> None:
    path = write_json(tmp_path / "example.json", fictional_example(), indent=2)
    result = run_import(app, path)
    assert result.exit_code == 0, result.output
    assert "6 item(s) imported (1 process(es))" in result.output

    record = db.get(OcdsRecord, FICTIONAL_OCID)
    assert record is not None
    assert record.publisher_name == FICTIONAL_PUBLISHER
    assert record.release_count == 6
    # The record is exactly what ocdsmerge compiles from the publisher's releases.
    assert record.compiled == reference_compile(fictional_releases(), schema)
    assert record.compiled["tender"]["value"]["amount"] == 1200000  # the amendment won
    assert len(imported_ids(db, FICTIONAL_OCID)) == 6
    assert db.scalar(select(func.count()).where(SearchOutbox.ocid == FICTIONAL_OCID)) == 6

    # The explorer finds it, named after its publisher...
    found = client.get("/api/search?q=cycle lanes").json
    assert [hit["ocid"] for hit in found["results"]] == [FICTIONAL_OCID]
    assert found["results"][0]["publisher"] == FICTIONAL_PUBLISHER
    # ...but our own publication never serves it.
    assert client.get(f"/api/records/{FICTIONAL_OCID}").status_code == 404
    assert client.get("/api/records").json["records"] == []
    assert client.get("/api/releases").json["releases"] == []


def test_reimport_is_idempotent(app: Flask, db: Session, tmp_path: Path) -> None:
    path = write_json(tmp_path / "example.json.gz", fictional_example(), gz=True)
    assert run_import(app, path).exit_code == 0
    before = db.get(OcdsRecord, FICTIONAL_OCID)
    assert before is not None
    updated_at = before.updated_at

    again = run_import(app, path)
    assert again.exit_code == 0, again.output
    assert "0 item(s) imported" in again.output and "6 unchanged" in again.output
    assert "warning" not in again.output.replace("0 warning(s)", "")  # said the first time
    assert len(imported_ids(db)) == 6
    db.expire_all()
    after = db.get(OcdsRecord, FICTIONAL_OCID)
    assert after is not None and after.updated_at == updated_at


def test_same_release_id_with_other_content_is_a_conflict_and_skipped(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    releases = small_process("ocds-abc123-7")
    write_json(tmp_path / "first.json", release_package(releases[:1], "Municipio"))
    assert run_import(app, tmp_path / "first.json").exit_code == 0

    changed = copy.deepcopy(releases[0])
    changed["tender"]["title"] = "Otro título"
    path = write_json(
        tmp_path / "second.json", release_package([changed, releases[1]], "Municipio")
    )
    result = run_import(app, path)
    assert result.exit_code == 1
    assert (
        f"{path}: releases/0 (ocds-abc123-7-1): id: conflict: release 'ocds-abc123-7-1' "
        "was already imported with different content [conflict]" in result.output
    )
    assert "1 item(s) imported" in result.output and "1 conflict(s)" in result.output
    stored = db.scalar(
        select(ImportedRelease.data).where(ImportedRelease.release_id == "ocds-abc123-7-1")
    )
    assert stored["tender"]["title"] == "Servidores"  # the first content stays
    assert imported_ids(db) == ["ocds-abc123-7-1", "ocds-abc123-7-2"]


def test_same_id_twice_in_one_file_imports_the_first_and_reports_the_second(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    first = small_process("ocds-abc123-8", n=1)[0]
    second = {**copy.deepcopy(first), "date": "2023-03-01T00:00:00Z"}
    path = write_lines(tmp_path / "twice.jsonl", [first, first, second])
    result = run_import(app, "--publisher", "Municipio", path)
    assert result.exit_code == 1
    assert f"{path}: line 3 (ocds-abc123-8-1): id: conflict:" in result.output
    assert "1 item(s) imported" in result.output and "1 unchanged" in result.output
    assert imported_ids(db) == ["ocds-abc123-8-1"]


def test_invalid_items_are_reported_by_line_and_path_and_the_rest_imported(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    good = small_process("ocds-abc123-1")
    wrong_type = small_process("ocds-abc123-2", n=1)[0]
    wrong_type["tender"]["value"]["amount"] = "mucho"
    bad_date = small_process("ocds-abc123-3", n=1)[0]
    bad_date["date"] = "ayer"
    bad_code = small_process("ocds-abc123-4", n=1)[0]
    bad_code["tender"]["status"] = "abierto"
    path = write_lines(
        tmp_path / "mixed.jsonl",
        [
            good[0],
            wrong_type,
            '{"ocid": "ocds-abc123-5", "id": ',
            {"hello": "world"},
            bad_date,
            bad_code,
            good[1],
        ],
    )
    result = run_import(app, "--publisher", "Municipio de Prueba", path)
    assert result.exit_code == 1
    out = result.output
    assert (
        f"{path}: line 2 (ocds-abc123-2-1): tender/value/amount: error: 'mucho' is not of "
        "type 'number', 'null' [schema]" in out
    )
    assert f"{path}: line 3: error: invalid JSON: Expecting value at line 1 column" in out
    assert f"{path}: line 4: error: this JSON is not OCDS" in out
    assert f"{path}: line 5 (ocds-abc123-3-1): date: error:" in out
    assert f"{path}: line 6 (ocds-abc123-4-1): tender/status: error:" in out
    assert "2 item(s) imported (1 process(es))" in out and "5 invalid" in out
    assert imported_ids(db) == ["ocds-abc123-1-1", "ocds-abc123-1-2"]
    record = db.get(OcdsRecord, "ocds-abc123-1")
    assert record is not None and record.publisher_name == "Municipio de Prueba"
    assert db.get(OcdsRecord, "ocds-abc123-2") is None


def test_a_record_is_imported_whole_or_not_at_all(app: Flask, db: Session, tmp_path: Path) -> None:
    ok = small_process("ocds-def456-1")
    broken = small_process("ocds-def456-2")
    broken[1]["awards"][0]["value"]["amount"] = {"not": "a number"}
    package = record_package(
        [{"ocid": "ocds-def456-1", "releases": ok}, {"ocid": "ocds-def456-2", "releases": broken}],
        "Gobierno del Estado",
    )
    path = write_json(tmp_path / "records.json", package)
    result = run_import(app, path)
    assert result.exit_code == 1
    assert (
        f"{path}: records/1 (ocds-def456-2): releases/1/awards/0/value/amount: error:"
        in result.output
    )
    # Its first, valid release was not stored either.
    assert imported_ids(db) == ["ocds-def456-1-1", "ocds-def456-1-2"]
    assert db.get(OcdsRecord, "ocds-def456-2") is None

    # A record whose already-imported release changed is skipped whole too.
    grown = small_process("ocds-def456-1") + [
        {
            **small_process("ocds-def456-1", n=1)[0],
            "id": "ocds-def456-1-3",
            "date": "2023-04-01T00:00:00Z",
            "tag": ["tenderUpdate"],
        }
    ]
    grown[0]["tender"]["title"] = "Cambiado"
    path = write_json(
        tmp_path / "again.json",
        record_package([{"ocid": "ocds-def456-1", "releases": grown}], "Gobierno del Estado"),
    )
    result = run_import(app, path)
    assert result.exit_code == 1
    assert "releases/0/id: conflict:" in result.output
    assert imported_ids(db) == ["ocds-def456-1-1", "ocds-def456-1-2"]


def test_records_with_linked_releases_keep_their_compiled_release(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    compiled = {
        **small_process("ocds-ghi789-1", n=1)[0],
        "id": "ocds-ghi789-1-2023-01-05",
        "tag": ["compiled"],
    }
    linked = [{"url": "https://example.org/r/1", "date": compiled["date"], "tag": ["tender"]}]
    record = {"ocid": "ocds-ghi789-1", "releases": linked, "compiledRelease": compiled}
    path = write_json(tmp_path / "linked.json", record_package([record], "Portal X"))
    assert run_import(app, path).exit_code == 0
    stored = db.get(OcdsRecord, "ocds-ghi789-1")
    assert stored is not None and stored.compiled == compiled
    assert db.scalar(select(ImportedRelease.kind)) == COMPILED
    assert "1 unchanged" in run_import(app, path).output

    # A newer compiled release of the same record replaces it.
    newer = {
        **compiled,
        "id": "ocds-ghi789-1-2024-01-01",
        "date": "2024-01-01T00:00:00Z",
        "tender": {**compiled["tender"], "status": "complete"},
    }
    path = write_json(
        tmp_path / "newer.json", record_package([{**record, "compiledRelease": newer}], "Portal X")
    )
    assert run_import(app, path).exit_code == 0
    db.expire_all()
    stored = db.get(OcdsRecord, "ocds-ghi789-1")
    assert stored is not None and stored.compiled["tender"]["status"] == "complete"
    assert imported_ids(db) == ["ocds-ghi789-1-2024-01-01"]

    # A record with neither embedded releases nor a compiled release has nothing to import.
    path = write_json(
        tmp_path / "empty.json",
        record_package([{"ocid": "ocds-ghi789-2", "releases": linked}], "Portal X"),
    )
    result = run_import(app, path)
    assert result.exit_code == 1
    assert "records/0 (ocds-ghi789-2): releases: error: the record has neither" in result.output


def test_json_lines_of_packages_gzipped_name_each_publisher(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    lines = [
        release_package(small_process("ocds-aaa111-1"), "Publicador A"),
        release_package(small_process("ocds-bbb222-1", n=1), "Publicador B"),
    ]
    path = write_lines(tmp_path / "packages.jsonl.gz", lines, gz=True)
    result = run_import(app, path)
    assert result.exit_code == 0, result.output
    names = dict(db.execute(select(OcdsRecord.ocid, OcdsRecord.publisher_name)).all())
    assert names == {"ocds-aaa111-1": "Publicador A", "ocds-bbb222-1": "Publicador B"}


def test_unknown_extensions_are_imported_with_a_warning(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    url = "https://example.org/ocds_otherThing_extension/master/extension.json"
    releases = small_process("ocds-ext001-1", n=1)
    releases[0]["otherThing"] = {"code": "X-1", "notes": ["a", "b"]}
    path = write_json(tmp_path / "ext.json", release_package(releases, "Otro", extensions=[url]))
    result = run_import(app, path)
    assert result.exit_code == 0, result.output
    assert (
        f"{path}: package: extensions/0: warning: extension '{url}' is not applied" in result.output
    )
    record = db.get(OcdsRecord, "ocds-ext001-1")
    assert record is not None and record.compiled["otherThing"]["code"] == "X-1"


def test_our_own_processes_cannot_be_imported_or_taken_over(
    app: Flask, db: Session, schema: OcdsSchema, tmp_path: Path
) -> None:
    mine = tender_release("ocds-tgs001-77", "2024-01-01T00:00:00Z")
    publish(db, mine, schema=schema)
    db.commit()
    release = {**tender_release("ocds-tgs001-77", "2024-02-01T00:00:00Z"), "id": "x-1"}
    path = write_json(tmp_path / "ours.json", release_package([release], "Impostor"))
    result = run_import(app, path)
    assert result.exit_code == 1
    assert "has our own ocid prefix 'ocds-tgs001'" in result.output
    record = db.get(OcdsRecord, "ocds-tgs001-77")
    assert record is not None and record.publisher_name is None and record.release_count == 1

    # Another publisher's process stays theirs.
    write_json(tmp_path / "a.json", release_package(small_process("ocds-own999-1", n=1), "A"))
    assert run_import(app, tmp_path / "a.json").exit_code == 0
    write_json(tmp_path / "b.json", release_package(small_process("ocds-own999-1"), "B"))
    result = run_import(app, tmp_path / "b.json")
    assert result.exit_code == 1
    assert "'ocds-own999-1' was imported from 'A', not 'B'" in result.output
    assert imported_ids(db) == ["ocds-own999-1-1"]


def test_broken_files_import_nothing(app: Flask, db: Session, tmp_path: Path) -> None:
    package = json.dumps(release_package(small_process("ocds-brk001-1"), "X"))
    truncated = tmp_path / "truncated.json"
    truncated.write_text(package[: len(package) // 2])
    not_ocds = write_json(tmp_path / "other.json", {"type": "FeatureCollection", "features": []})
    bare = write_json(tmp_path / "bare.json", small_process("ocds-brk001-2"))
    too_big = write_json(
        tmp_path / "big.json", release_package(small_process("ocds-brk001-3"), "X")
    )

    result = run_import(app, truncated, not_ocds, bare, tmp_path / "missing.json")
    assert result.exit_code == 1
    out = result.output
    assert f"{truncated}: file: error: invalid JSON:" in out
    assert f"{not_ocds}: file: error: this JSON is not OCDS" in out
    assert f"{bare}: file: error: the data names no publisher" in out
    assert f"{tmp_path / 'missing.json'}: file: error: no such file" in out
    assert "4 file(s) not imported" in out

    result = run_import(app, "--max-bytes", "200", too_big)
    assert result.exit_code == 1
    assert "larger than the limit of 200 bytes" in result.output
    assert imported_ids(db) == []
    assert db.scalar(select(func.count()).select_from(OcdsRecord)) == 0


def test_a_gzip_bomb_is_refused_and_nothing_before_it_is_kept(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    import zlib

    path = tmp_path / "bomb.jsonl.gz"
    first = (json.dumps(small_process("ocds-bmb001-1", n=1)[0]) + "\n").encode()
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    with path.open("wb") as out:
        out.write(compressor.compress(first))
        chunk = b" " * (1 << 20)
        for _ in range(80):  # 80 MiB of blanks: compresses about 1000 to 1
            out.write(compressor.compress(chunk))
        out.write(compressor.flush())
    assert path.stat().st_size < 200_000
    result = run_import(app, "--publisher", "X", path)
    assert result.exit_code == 1
    assert "likely gzip bomb; nothing imported from this file" in result.output
    assert imported_ids(db) == []


def test_large_packages_are_streamed_with_the_publisher_after_the_releases(
    app: Flask, db: Session, tmp_path: Path, monkeypatch: object
) -> None:
    from ocds import files

    monkeypatch.setattr(files, "WHOLE_FILE_LIMIT", 512)  # type: ignore[attr-defined]
    releases = [r for n in range(1, 6) for r in small_process(f"ocds-big001-{n}")]
    package = {
        "uri": "u",
        "version": "1.1",
        "publishedDate": "2024-01-01T00:00:00Z",
        "releases": releases,
        "publisher": {"name": "Portal Grande"},
    }
    path = write_json(tmp_path / "big.json", package)
    assert path.stat().st_size > 512
    result = run_import(app, path)
    assert result.exit_code == 0, result.output
    assert "10 item(s) imported (5 process(es))" in result.output
    names = set(db.scalars(select(OcdsRecord.publisher_name)))
    assert names == {"Portal Grande"}

    # A large package cut short imports nothing, though its first releases were whole.
    text = json.dumps(release_package(small_process("ocds-big002-1") * 3, "Portal Grande"))
    cut = tmp_path / "cut.json"
    cut.write_text(text[: int(len(text) * 0.8)])
    result = run_import(app, cut)
    assert result.exit_code == 1
    assert f"{cut}: file: error: invalid JSON" in result.output
    assert imported_ids(db, "ocds-big002-1") == []


def test_our_publication_leaves_imported_processes_out(
    app: Flask, db: Session, client: FlaskClient, schema: OcdsSchema, tmp_path: Path
) -> None:
    import gzip

    publish(db, tender_release("ocds-tgs001-5", "2024-01-01T00:00:00Z"), schema=schema)
    db.commit()
    assert (
        run_import(app, write_json(tmp_path / "example.json", fictional_example())).exit_code == 0
    )

    out = tmp_path / "bulk"
    export = app.test_cli_runner().invoke(
        main, ["ocds", "export", "--format", "jsonl.gz", str(out)]
    )
    assert export.exit_code == 0, export.output
    with gzip.open(out / "compiled-releases-all.jsonl.gz", "rt") as fh:
        assert [json.loads(line)["ocid"] for line in fh] == ["ocds-tgs001-5"]
    assert [r["ocid"] for r in client.get("/api/records").json["records"]] == ["ocds-tgs001-5"]

    # The explorer shows both, each under its publisher; the red-flag summary only ours.
    facets = client.get("/api/search").json["facets"]["publisher"]
    assert {f["value"] for f in facets} == {app.config["PUBLISHER_NAME"], FICTIONAL_PUBLISHER}
    client.get("/lang/en?next=/")
    html = client.get("/red-flags").get_data(as_text=True)
    assert "1 process analysed." in html
    # The home page's count and the spend analytics are ours only too.
    home = client.get("/").get_data(as_text=True)
    assert "<strong>1</strong> <a" in home and "processes published" in home
    from marketplace.analytics.models import AnalyticsFact
    from marketplace.analytics.services import refresh

    refresh(db)
    assert list(db.scalars(select(AnalyticsFact.ocid))) == ["ocds-tgs001-5"]


def test_releases_arriving_out_of_order_compile_as_ocdsmerge_does(
    app: Flask, db: Session, schema: OcdsSchema, tmp_path: Path
) -> None:
    releases = fictional_releases("ocds-ord001-1")
    # A JSON array of the later releases first, then a JSON Lines file with the rest.
    later = write_json(tmp_path / "later.json", releases[3:])
    earlier = write_lines(tmp_path / "earlier.jsonl", list(reversed(releases[:3])))
    result = run_import(app, "--publisher", "Otro portal", later, earlier)
    assert result.exit_code == 0, result.output
    record = db.get(OcdsRecord, "ocds-ord001-1")
    assert record is not None
    assert record.compiled == reference_compile(releases, schema)
    assert record.release_count == 6
    assert record.first_release_date.year == 2009 and record.year == 2009


def test_bad_options_exit_2_before_reading_anything(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    path = write_json(tmp_path / "x.json", small_process("ocds-opt001-1"))
    result = run_import(app, "--publisher", "  ", path)
    assert result.exit_code == 2
    assert "--publisher: give a name" in result.output
    assert run_import(app).exit_code == 2  # no file at all
    assert imported_ids(db) == []
