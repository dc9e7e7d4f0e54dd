"""The patched schema: extensions applied as JSON Merge Patch, codelists merged, lookup."""

from __future__ import annotations

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import ocds.schema as schema_module
from ocds.schema import Extension, SchemaNotFound, build_schema, load_schema, merge_patch
from ocds.validate import validate_release

from .conftest import make_release


def test_merge_patch_follows_rfc_7386() -> None:
    target = {"a": {"b": 1, "c": 2}, "list": [1, 2], "keep": True}
    patch = {"a": {"b": None, "d": 3}, "list": [9]}
    assert merge_patch(target, patch) == {"a": {"c": 2, "d": 3}, "list": [9], "keep": True}
    assert target["a"] == {"b": 1, "c": 2}  # the target is not modified


def test_extensions_are_applied_and_advertised(schema) -> None:
    definitions = schema.release_schema["definitions"]
    assert "Lot" in definitions and "Bid" in definitions
    assert "submissionTerms" in definitions["Tender"]["properties"]
    assert "title" in schema.release_schema["properties"]  # process_title
    declared = len(schema_module.DECLARED_EXTENSIONS)
    assert len(schema.extension_urls) == 4 + len(schema_module.own_extensions()) + declared
    assert all(url.endswith("/extension.json") for url in schema.extension_urls)
    assert any("ocds_bid_extension/v1.1.5" in url for url in schema.extension_urls)


def test_extension_fields_validate_only_with_the_extension(schema) -> None:
    bare = build_schema(schema.schema_dir, [])
    release = make_release(bids={"details": [{"id": "b1", "status": "sealed"}]})
    release["tender"]["lots"] = [{"id": "L1", "value": {"amount": "lots of money"}}]
    bare_paths = {f.path for f in validate_release(release, bare).errors}
    patched_paths = {f.path for f in validate_release(release, schema).errors}
    assert "bids/details/0/status" not in bare_paths
    assert "tender/lots/0/value/amount" not in bare_paths
    assert {"bids/details/0/status", "tender/lots/0/value/amount"} <= patched_paths


def _extension(tmp_path: Path, name: str, codelists: dict[str, str]) -> Extension:
    directory = tmp_path / name
    (directory / "codelists").mkdir(parents=True)
    (directory / "release-schema.json").write_text(json.dumps({"properties": {}}))
    for filename, codes in codelists.items():
        rows = "\n".join(f"{code},{code.title()}" for code in codes.split())
        (directory / "codelists" / filename).write_text(f"Code,Title\n{rows}\n")
    return Extension(name, directory, f"https://example.org/{name}/extension.json")


def test_codelists_merge_new_added_and_removed_codes(schema, tmp_path: Path) -> None:
    ext = _extension(
        tmp_path,
        "ours",
        {
            "+partyRole.csv": "auditor",
            "-partyRole.csv": "reviewBody",
            "colour.csv": "red green",
        },
    )
    patched = build_schema(schema.schema_dir, [*schema.extensions, ext])
    roles = patched.codelists["partyRole.csv"]
    assert "auditor" in roles and "buyer" in roles and "reviewBody" not in roles
    assert patched.codelists["colour.csv"] == {"red", "green"}
    assert patched.codelists["bidStatus.csv"] >= {"valid", "disqualified"}  # from bid
    assert patched.codelists["permission.csv"]  # from submissionTerms
    assert "https://example.org/ours/extension.json" in patched.extension_urls


def test_extra_extensions_through_load_schema(schema, tmp_path: Path) -> None:
    ext = _extension(tmp_path, "ours", {"+partyRole.csv": "auditor"})
    patched = load_schema(schema.schema_dir, schema.extensions_dir, extra_extensions=[ext])
    assert "auditor" in patched.codelists["partyRole.csv"]
    assert "auditor" not in load_schema().codelists["partyRole.csv"]
    assert load_schema() is load_schema()  # cached per pair of directories


def test_explicit_dir_wins_over_environment(schema, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OCDS_SCHEMA_DIR", str(tmp_path / "nowhere"))
    assert load_schema(schema.schema_dir).schema_dir == schema.schema_dir
    with pytest.raises(SchemaNotFound, match="nowhere"):
        load_schema()


def test_environment_directory_is_used(schema, tmp_path, monkeypatch) -> None:
    copy_dir = tmp_path / "schema"
    copy_dir.mkdir()
    for name in schema_module.SCHEMA_FILES:
        (copy_dir / name).write_text((schema.schema_dir / name).read_text())
    (copy_dir / "codelists").mkdir()
    monkeypatch.setenv("OCDS_SCHEMA_DIR", str(copy_dir))
    assert load_schema().schema_dir == copy_dir.resolve()


def test_missing_explicit_dir_gives_a_clear_error(tmp_path) -> None:
    with pytest.raises(SchemaNotFound, match=r"no release-schema.json in .*empty"):
        load_schema(tmp_path / "empty")
    (tmp_path / "ext").mkdir()
    with pytest.raises(SchemaNotFound, match=r"missing: bid, lots, process_title"):
        load_schema(None, tmp_path / "ext")


def _isolate(monkeypatch, tmp_path: Path) -> None:
    """No ../shared anywhere, an empty cache, no environment overrides."""
    monkeypatch.setattr(schema_module, "_PROJECT_ROOT", tmp_path / "project")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("OCDS_SCHEMA_DIR", raising=False)
    monkeypatch.delenv("OCDS_EXTENSIONS_DIR", raising=False)


def test_offline_without_a_copy_is_one_clear_error(tmp_path, monkeypatch) -> None:
    _isolate(monkeypatch, tmp_path)
    # Nothing listens on the discard port of the loopback address: the download fails.
    monkeypatch.setenv("OCDS_SCHEMA_URL", "http://127.0.0.1:9/schema/")
    with pytest.raises(SchemaNotFound) as caught:
        load_schema()
    message = str(caught.value)
    assert "cannot download http://127.0.0.1:9/schema/release-schema.json" in message
    assert "OCDS_SCHEMA_DIR" in message and "\n" not in message


def test_download_fills_the_user_cache(schema, tmp_path, monkeypatch) -> None:
    """Served from a local HTTP server standing in for the official site."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "schema").symlink_to(schema.schema_dir)
    (site / "ext").mkdir()
    for ext in schema.extensions:
        if ext.name not in schema_module.DEFAULT_EXTENSIONS:
            continue  # our own extensions are in the repository, never downloaded
        ref = schema_module.DEFAULT_EXTENSIONS[ext.name]
        (site / "ext" / ref.split("/")[0]).mkdir()
        (site / "ext" / ref).symlink_to(ext.directory)
    handler = partial(QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _isolate(monkeypatch, tmp_path)
        base = f"http://127.0.0.1:{server.server_port}"
        monkeypatch.setenv("OCDS_SCHEMA_URL", f"{base}/schema/")
        monkeypatch.setenv("OCDS_EXTENSIONS_URL", f"{base}/ext/")
        loaded = load_schema()
    finally:
        server.shutdown()
        server.server_close()
    cache = tmp_path / "cache" / "tianguis" / "ocds"
    assert loaded.schema_dir == cache / "schema" / "1__1__5"
    assert (cache / "extensions" / "bid" / "codelists" / "bidStatus.csv").is_file()
    assert loaded.release_schema == schema.release_schema
    assert loaded.codelists == schema.codelists


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def test_validating_leaves_the_schema_untouched(schema) -> None:
    before = json.dumps(schema.release_schema, sort_keys=True)
    validate_release(make_release(), schema)
    assert json.dumps(schema.release_schema, sort_keys=True) == before
    assert '"$ref": "#/definitions/Tender"' in before


def test_shared_copy_next_to_the_current_directory(schema, tmp_path, monkeypatch) -> None:
    _isolate(monkeypatch, tmp_path)
    shared = tmp_path / "shared"
    (shared / "ocds-schema").mkdir(parents=True)
    (shared / "ocds-schema" / "1.1.5").symlink_to(schema.schema_dir)
    (shared / "ocds-extensions").symlink_to(schema.extensions_dir)
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    monkeypatch.chdir(checkout)  # ../shared from here
    found = load_schema()
    assert found.schema_dir == schema.schema_dir.resolve()
    assert found.extensions_dir == schema.extensions_dir.resolve()
    assert not (tmp_path / "cache").exists()  # nothing was downloaded


def test_declared_extensions_are_advertised_but_not_patched_in(schema) -> None:
    scale = (
        "https://raw.githubusercontent.com/open-contracting-extensions/"
        "ocds_partyDetails_scale_extension/v1.1.5/extension.json"
    )
    assert scale in schema_module.DECLARED_EXTENSIONS
    assert schema.extension_urls[-len(schema_module.DECLARED_EXTENSIONS) :] == list(
        schema_module.DECLARED_EXTENSIONS
    )
    # Core OCDS leaves details open: the field validates without the extension's schema.
    details = schema.release_schema["definitions"]["Organization"]["properties"]["details"]
    assert "properties" not in details
    assert "partyScale.csv" not in schema.codelists
