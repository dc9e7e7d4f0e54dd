"""Validate releases, packages and files against the patched schema plus Data Review checks.

Schema findings are exactly those of jsonschema's `Draft4Validator` (no format checker)
on the patched release schema. To be fast, each schema also gets a validator compiled
once by jsonschema-rs (Rust, about 15 times faster here): a release it accepts has no
schema finding; only a release it rejects is run through jsonschema, which gives every
error with its path. Both implement Draft 4 (tests/ocds/test_same_findings.py checks
they agree on mutated releases), so only invalid releases pay for the detailed pass.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft4Validator

from ocds import checks
from ocds.files import Item, iter_file
from ocds.findings import Finding, ItemResult, ValidationResult, join_path
from ocds.schema import OcdsSchema

NOT_OCDS = (
    "this JSON is not OCDS: expected a release (with an ocid), a record, a release package "
    "(with releases) or a record package (with records)"
)


class _Compiled:
    """A validator compiled once: the fast yes/no, and jsonschema for the details."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.detailed = Draft4Validator(schema)
        # Formats are not checked by plain Draft4Validator either (see checks.py for dates).
        self.fast = jsonschema_rs.Draft4Validator(schema, validate_formats=False)

    def findings(self, data: Any) -> list[Finding]:
        if self.fast.is_valid(data):
            return []
        return schema_findings(self.detailed, data)


def schema_findings(validator: Draft4Validator, data: Any) -> list[Finding]:
    found = [
        Finding(join_path(*error.absolute_path), error.message, "schema")
        for error in validator.iter_errors(data)
    ]
    return sorted(found)


def _compiled(schema: OcdsSchema, name: str) -> _Compiled:
    """Validators are cached on the schema object, built at first use."""
    compiled = schema.cache.get(name)
    if compiled is None:
        compiled = _Compiled(_shell_schemas(schema)[name])
        schema.cache[name] = compiled
    assert isinstance(compiled, _Compiled)
    return compiled


def _shell_schemas(schema: OcdsSchema) -> dict[str, dict[str, Any]]:
    """The release schema, and package schemas whose releases are checked one by one.

    The package schemas point at the unpatched release schema by URL; we drop those
    references (and `uniqueItems` over whole releases, which the duplicate-id check
    reports with a better message) and validate each release with the patched schema.
    """
    release_package = copy.deepcopy(schema.release_package_schema)
    releases = release_package["properties"]["releases"]
    releases["items"] = {}
    releases.pop("uniqueItems", None)
    record_package = copy.deepcopy(schema.record_package_schema)
    record_package["properties"]["records"]["items"] = {}
    record_package["properties"]["records"].pop("uniqueItems", None)
    record = copy.deepcopy(schema.record_package_schema["definitions"]["record"])
    props = record["properties"]
    linked = props["releases"]["oneOf"][0]
    props["releases"] = {"type": "array", "minItems": 1}
    props["compiledRelease"] = {}
    props["versionedRelease"] = {"type": "object"}
    # Without definitions nor id nothing in them points at the official URL, which a
    # validator would otherwise try to download.
    for shell in (release_package, record_package):
        shell.pop("definitions", None)
        shell.pop("id", None)
    return {
        "release": schema.release_schema,
        "release-package": release_package,
        "record-package": record_package,
        "record": record,
        "linked-release": linked["items"],
    }


def kind_of(data: Any) -> str | None:
    """What an OCDS JSON value is, or None when it is not OCDS."""
    if not isinstance(data, dict):
        return None
    if "records" in data:
        return "record-package"
    if "releases" in data and "ocid" not in data:
        return "release-package"
    if "ocid" in data and ("compiledRelease" in data or "releases" in data):
        return "record"
    if "ocid" in data:
        return "release"
    return None


def release_schema_findings(release: Any, schema: OcdsSchema) -> list[Finding]:
    """Only the JSON Schema findings (as jsonschema's Draft4Validator gives them)."""
    return _compiled(schema, "release").findings(release)


def validate_release(
    release: Any, schema: OcdsSchema, *, ocid_prefix: str | None = None
) -> ValidationResult:
    """Schema findings, then (for an object) the Data Review checks."""
    try:
        result = ValidationResult(_compiled(schema, "release").findings(release))
        if isinstance(release, dict):
            result.findings.extend(checks.check_annotations(release, schema))
            result.findings.extend(checks.check_ocid(release, ocid_prefix))
            result.findings.extend(checks.check_dates(release))
            result.findings.extend(checks.check_references(release))
            result.findings.extend(checks.check_amounts_and_ids(release))
            result.findings.extend(checks.check_party_scale(release))
            result.findings.extend(checks.check_techniques(release))
    except RecursionError:
        # Only hostile input nests this deep; report it rather than crash.
        return ValidationResult([Finding("", "the release is nested too deeply to check",
                                         "schema")])
    return result


def validate_record(
    record: Any, schema: OcdsSchema, *, ocid_prefix: str | None = None
) -> ValidationResult:
    """A record: its shape, its releases (linked or embedded) and its compiled release."""
    result = ValidationResult(_compiled(schema, "record").findings(record))
    if not isinstance(record, dict):
        return result
    releases = record.get("releases")
    if isinstance(releases, list):
        linked = all(isinstance(r, dict) and "url" in r and "ocid" not in r for r in releases)
        tracker = checks.DuplicateTracker()
        for index, release in enumerate(releases):
            where = f"releases/{index}"
            if linked:
                result.extend(_compiled(schema, "linked-release").findings(release), where)
                continue
            result.extend(validate_release(release, schema, ocid_prefix=ocid_prefix).findings,
                          where)
            if isinstance(release, dict):
                if release.get("ocid") != record.get("ocid"):
                    result.add(join_path(where, "ocid"), f"release ocid {release.get('ocid')!r} "
                               f"differs from the record's {record.get('ocid')!r}", "record-ocid")
                duplicate = tracker.check(release, where)
                if duplicate:
                    result.findings.append(duplicate.prefixed(where))
    if "compiledRelease" in record:
        compiled = validate_release(record["compiledRelease"], schema, ocid_prefix=ocid_prefix)
        result.extend(compiled.findings, "compiledRelease")
    return result


def validate_package(
    data: Any, schema: OcdsSchema, *, ocid_prefix: str | None = None
) -> ValidationResult:
    """A release package or a record package held in memory; paths start at the package."""
    result = ValidationResult()
    kind = kind_of(data)
    if kind not in ("release-package", "record-package"):
        result.add("", "expected a release package (with releases) or a record package "
                   "(with records)", "not-ocds")
        return result
    assert isinstance(data, dict)
    for item in _package_items(data, kind, schema, ocid_prefix, checks.DuplicateTracker(), {}):
        result.extend(item.result.findings, "" if item.item == "package" else item.item)
    return result


def _package_items(
    data: dict[str, Any],
    kind: str,
    schema: OcdsSchema,
    ocid_prefix: str | None,
    tracker: checks.DuplicateTracker,
    ocids: dict[str, str],
    file: str = "",
    prefix: str = "",
) -> Iterator[ItemResult]:
    key = "releases" if kind == "release-package" else "records"
    yield ItemResult(file, join_path(prefix, "package"), None,
                     ValidationResult(_compiled(schema, kind).findings(data)))
    items = data.get(key)
    if isinstance(items, list):
        for index, obj in enumerate(items):
            what = "release" if key == "releases" else "record"
            yield _item_result(Item(what, join_path(prefix, key, index), obj), schema,
                               ocid_prefix, tracker, ocids, file)


def _item_result(
    item: Item,
    schema: OcdsSchema,
    ocid_prefix: str | None,
    tracker: checks.DuplicateTracker,
    ocids: dict[str, str],
    file: str,
) -> ItemResult:
    data = item.data
    ident = None
    if item.kind == "record":
        result = validate_record(data, schema, ocid_prefix=ocid_prefix)
        if isinstance(data, dict) and isinstance(data.get("ocid"), str):
            ident = data["ocid"]
            if ident in ocids:
                result.add("ocid", f"another record for {ident!r} is {ocids[ident]}",
                           "duplicate-id")
            else:
                ocids[ident] = item.where
    else:
        result = validate_release(data, schema, ocid_prefix=ocid_prefix)
        if isinstance(data, dict):
            ident = data.get("id") if isinstance(data.get("id"), str) else None
            duplicate = tracker.check(data, item.where)
            if duplicate:
                result.findings.append(duplicate)
    return ItemResult(file, item.where, ident, result)


def validate_file(
    path: str | Path,
    schema: OcdsSchema,
    *,
    ocid_prefix: str | None = None,
    max_decompressed: int | None = None,
) -> Iterator[ItemResult]:
    """Validate a release package, record package, JSON Lines or JSON array file (or .gz).

    Streams: JSON Lines, arrays and large packages are read one item at a time. Problems
    with the file itself (unreadable, invalid JSON, a gzip bomb) are an item "file".
    """
    name = str(path)
    tracker = checks.DuplicateTracker()
    ocids: dict[str, str] = {}
    for event in iter_file(Path(path), max_decompressed=max_decompressed):
        if event.kind == "problem":
            yield ItemResult(name, event.where, None,
                             ValidationResult([Finding("", str(event.data), "file")]))
        elif event.kind == "package-metadata":
            # The fields of a large object whose releases/records were streamed.
            shell = kind_of(event.data)
            findings = (_compiled(schema, shell).findings(event.data) if shell
                        else [Finding("", NOT_OCDS, "not-ocds")])
            yield ItemResult(name, event.where, None, ValidationResult(findings))
        elif event.kind in ("release", "record"):
            yield _item_result(event, schema, ocid_prefix, tracker, ocids, name)
        else:
            kind = kind_of(event.data)
            prefix = "" if event.where == "file" else event.where
            if kind in ("release-package", "record-package"):
                yield from _package_items(event.data, kind, schema, ocid_prefix, tracker, ocids,
                                          name, prefix)
            elif kind in ("release", "record"):
                where = event.where if prefix else kind
                yield _item_result(Item(kind, where, event.data), schema, ocid_prefix, tracker,
                                   ocids, name)
            else:
                yield ItemResult(name, event.where, None,
                                 ValidationResult([Finding("", NOT_OCDS, "not-ocds")]))
