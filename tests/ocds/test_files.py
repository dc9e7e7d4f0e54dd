"""Files: packages, records, JSON Lines, arrays, gzip, and broken or hostile input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

import ocds.files
from ocds.merge import compile_record
from ocds.synthetic import generate_releases
from ocds.validate import validate_file, validate_package, validate_release

from .conftest import make_release, package


def results(path: Path, schema, **options: Any) -> dict[str, list[tuple[str, str, str]]]:
    return {item.item: [(f.path, f.check, f.severity) for f in item.result.findings]
            for item in validate_file(path, schema, **options)}


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_valid_release_package(schema, tmp_path) -> None:
    releases = list(generate_releases(8, seed=3))
    out = results(write(tmp_path / "p.json", package(releases)), schema)
    assert set(out) == {"package", *(f"releases/{i}" for i in range(8))}
    assert all(findings == [] for findings in out.values())


def test_package_metadata_and_release_findings(schema, tmp_path) -> None:
    data = package([make_release(), make_release(ocid="ocds-tgs001-000002", buyer={"id": "X"})])
    del data["publisher"]
    out = results(write(tmp_path / "p.json", data), schema)
    assert out["package"] == [("", "schema", "error")]
    assert out["releases/1"] == [("buyer/id", "party-reference", "error")]
    combined = validate_package(data, schema)
    assert {(f.path, f.check) for f in combined.errors} == {
        ("", "schema"), ("releases/1/buyer/id", "party-reference")}


def test_record_package_embedded_and_linked(schema, tmp_path) -> None:
    releases = list(generate_releases(4, seed=5))
    ocid = releases[0]["ocid"]
    own = [r for r in releases if r["ocid"] == ocid]
    record = {"ocid": ocid, "releases": own, "compiledRelease": compile_record(own, schema)}
    linked = {"ocid": ocid + "-b", "releases": [
        {"url": "https://x.example/p.json#1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"]}]}
    data = {"uri": "https://x.example/r.json", "version": "1.1", "publisher": {"name": "x"},
            "publishedDate": "2024-01-01T00:00:00Z", "records": [record, linked]}
    out = results(write(tmp_path / "r.json", data), schema)
    assert out == {"package": [], "records/0": [], "records/1": []}
    record["compiledRelease"]["tender"]["value"]["amount"] = -3
    linked["releases"][0]["tag"] = ["shipped"]
    out = results(write(tmp_path / "r.json", data), schema)
    assert out["records/0"] == [("compiledRelease/tender/value/amount", "amount", "error")]
    assert [p for p, _, _ in out["records/1"]] == ["releases/0/tag/0"]


def test_json_lines_with_a_broken_line_and_duplicates(schema, tmp_path) -> None:
    first = make_release()
    changed = make_release(date="2024-03-05T10:00:00Z")
    lines = [json.dumps(first), '{"ocid": ', json.dumps(first), json.dumps(changed), "[1, 2]"]
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out = results(path, schema)
    assert out["line 1"] == []
    assert out["line 2"][0][1:] == ("file", "error")
    assert out["line 3"] == [("id", "duplicate-id", "warning")]
    assert out["line 4"] == [("id", "duplicate-id", "error")]
    assert out["line 5"] == [("", "not-ocds", "error")]


def test_gzipped_jsonl_and_json_array(schema, tmp_path) -> None:
    releases = list(generate_releases(5, seed=9))
    gz = tmp_path / "r.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in releases)
    assert results(gz, schema) == {f"line {i}": [] for i in range(1, 6)}
    array = write(tmp_path / "a.json", releases)
    assert results(array, schema) == {f"item {i}": [] for i in range(5)}


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "the file is empty"),
    (b'{"releases": [', "invalid JSON: Expecting value at line 1 column 15"),
    (b'{"ocid": "\xff"}', "not UTF-8 text"),
    (b'{"hello": "world"}', "this JSON is not OCDS"),
])
def test_broken_files_give_one_clear_finding(schema, tmp_path, content, expected) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    items = list(validate_file(path, schema))
    assert len(items) == 1 and not items[0].valid
    assert items[0].result.findings[0].message.startswith(expected)


def test_gzip_bomb_is_refused(schema, tmp_path) -> None:
    bomb = tmp_path / "bomb.json.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as f:
        f.write(b"[" + b" " * (80 * 1024 * 1024))
    assert bomb.stat().st_size < 200_000
    items = list(validate_file(bomb, schema))
    assert [i.item for i in items] == ["file"]
    assert "gzip bomb" in items[0].result.findings[0].message


def test_decompression_bound_is_configurable(schema, tmp_path) -> None:
    path = tmp_path / "p.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        json.dump(package(list(generate_releases(20))), f)
    items = list(validate_file(path, schema, max_decompressed=1000))
    assert "more than 1000 bytes" in items[-1].result.findings[0].message
    assert all(i.valid for i in validate_file(path, schema))


def test_large_files_are_streamed_with_the_same_findings(schema, tmp_path, monkeypatch) -> None:
    releases = list(generate_releases(30, seed=4))
    releases[3]["tender"]["value"]["amount"] = -1
    data = package(releases)
    del data["publisher"]
    path = write(tmp_path / "p.json", data)
    whole = results(path, schema)
    monkeypatch.setattr(ocds.files, "WHOLE_FILE_LIMIT", 1024)
    streamed = results(path, schema)
    assert streamed == whole
    assert streamed["releases/3"] == [("tender/value/amount", "amount", "error")]
    assert streamed["package"] == [("", "schema", "error")]
    array = write(tmp_path / "a.json", releases)
    assert len(results(array, schema)) == 30
    path.write_text(json.dumps(data)[:5000])  # truncated
    out = results(path, schema)
    assert out["file"][0][1] == "file"


def test_large_json_lines_without_the_name(schema, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(ocds.files, "WHOLE_FILE_LIMIT", 1024)
    path = tmp_path / "releases.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in generate_releases(6)))
    assert results(path, schema) == {f"line {i}": [] for i in range(1, 7)}


def test_deeply_nested_input_is_a_finding(schema, tmp_path) -> None:
    path = tmp_path / "deep.json"
    text = json.dumps(make_release())[:-1] + ', "extra": ' + "[" * 50_000 + "]" * 50_000 + "}"
    path.write_text(text)
    items = list(validate_file(path, schema))
    assert [i.item for i in items] == ["file"]
    assert "recursion" in items[0].result.findings[0].message
    release = make_release()
    nested: list[Any] = []
    release["extra"] = nested
    for _ in range(5000):  # deeper than Python's recursion limit, built without recursion
        nested.append([])
        nested = nested[0]
    result = validate_release(release, schema)
    assert not result.valid and "nested too deeply" in result.errors[0].message
