"""`tianguis ocds validate`: messages by file, item and JSON path; exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from app.cli import main
from ocds.synthetic import generate_releases

from .conftest import make_release, package


def run(*args: str):
    return CliRunner().invoke(main, ["ocds", "validate", *args])


def test_valid_file_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(package(list(generate_releases(6)))))
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "valid: 1 file(s), 7 item(s): 0 error(s), 0 warning(s)" in result.stderr


def test_errors_are_printed_by_file_item_and_path(tmp_path: Path) -> None:
    release = make_release()
    release["tender"]["items"][0]["quantity"] = "two"
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(make_release(id="other")) + "\n")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(package([release])))
    result = run(str(good), str(bad))
    assert result.exit_code == 1
    assert (f"{bad}: releases/0 (ocds-tgs001-000001-1): tender/items/0/quantity: error: "
            "'two' is not of type 'number', 'null' [schema]") in result.stdout
    assert str(good) not in result.stdout
    assert "INVALID: 2 file(s), 3 item(s): 1 error(s)" in result.stderr


def test_warnings_do_not_fail_and_json_output(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text(json.dumps(make_release(ocid="process-1")))
    result = run("--json", str(path))
    assert result.exit_code == 0
    finding = json.loads(result.stdout.splitlines()[0])
    assert finding == {"file": str(path), "item": "release", "id": "ocds-tgs001-000001-1",
                       "path": "ocid", "message": finding["message"], "check": "ocid-prefix",
                       "severity": "warning"}
    assert run("--no-warnings", str(path)).stdout == ""
    result = run("--ocid-prefix", "ocds-tgs001", str(path))
    assert result.exit_code == 1 and "expected prefix 'ocds-tgs001-'" in result.stdout


def test_broken_and_missing_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"releases": [}')
    result = run(str(broken), str(tmp_path / "missing.json"))
    assert result.exit_code == 1
    assert f"{broken}: file: error: invalid JSON: Expecting value at line 1 column 15" \
        in result.stdout
    assert "missing.json: file: error: no such file" in result.stdout


def test_missing_schema_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(make_release()))
    result = run("--schema-dir", str(tmp_path / "none"), str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: OCDS schema not found")
    assert "Traceback" not in result.output


def test_gzip_over_the_bound_is_refused(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "big.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        json.dump(package(list(generate_releases(600))), f)  # about 2.5 MiB
    result = run("--max-decompressed", "1", str(path))
    assert result.exit_code == 1
    assert "decompresses to more than 1048576 bytes" in result.stdout
    assert run(str(path)).exit_code == 0
