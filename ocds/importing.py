"""Reading other publishers' OCDS files for import: which items, from whom, and may they be.

`read_file` walks a release package, record package, JSON Lines (of releases, records or
packages), JSON array, or any of those gzipped (through `ocds.files`, so large files are
streamed and gzip bombs refused), and yields, in file order:

- `Candidate`: one release or one record, with its location in the file, the publisher
  named by its package (or the default given), and its findings split into `errors`,
  which make it invalid (it must be skipped whole), and `warnings`, which are reported
  but do not stop it;
- `Note`: warnings about a package itself (missing fields, extensions we do not apply);
- `FileProblem`: the file itself cannot be used (unreadable, not JSON, a gzip bomb, too
  large, no publisher): nothing of that file may be imported.

An item is *invalid* when it breaks the OCDS 1.1.5 schema with our extensions (types,
required fields, date-time formats, closed codelists), repeats an id inside one array,
or lacks what a record needs (an ocid, a string id, an RFC 3339 date). The Data Review
checks about coherence (references to parties, awards and lots, date order, amounts)
are quality findings: reported as warnings, the item is still imported. This module
touches no database.
"""

from __future__ import annotations

import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ijson

from ocds import files
from ocds.findings import Finding, join_path
from ocds.schema import OcdsSchema
from ocds.validate import NOT_OCDS, kind_of, validate_record, validate_release

#: Findings (of severity error) that make an item invalid; other errors become warnings.
BLOCKING = frozenset({"schema", "format", "codelist", "duplicate-id", "record-ocid", "import"})
MAX_OCID = 160
MAX_RELEASE_ID = 300
MAX_PUBLISHER = 300


@dataclass
class Candidate:
    """One release or record read from a file."""

    file: str
    where: str
    kind: str  # "release" or "record"
    data: Any
    publisher: str | None
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def ident(self) -> str | None:
        data = self.data if isinstance(self.data, dict) else {}
        value = data.get("id") if self.kind == "release" else data.get("ocid")
        return value if isinstance(value, str) else None

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass
class Note:
    file: str
    where: str
    warnings: list[Finding]


@dataclass
class FileProblem:
    file: str
    where: str
    message: str


Event = Candidate | Note | FileProblem


@dataclass(frozen=True)
class ReadOptions:
    schema: OcdsSchema
    #: Publisher of items whose package names none (bare releases or records).
    default_publisher: str | None = None
    #: Our own ocid prefix: such ocids are ours and are never imported.
    own_prefix: str | None = None
    #: Refuse files (or gzip data, decompressed) larger than this many bytes.
    max_bytes: int = files.MAX_DECOMPRESSED


def read_file(path: str | Path, options: ReadOptions) -> Iterator[Event]:
    path = Path(path)
    name = str(path)
    if path.is_file() and path.stat().st_size > options.max_bytes:
        yield FileProblem(
            name,
            "file",
            f"the file is larger than the limit of {options.max_bytes} bytes (--max-bytes)",
        )
        return
    streamed_publisher: tuple[str | None, str | None] | None = None
    for event in files.iter_file(path, max_decompressed=options.max_bytes):
        if event.kind == "problem":
            if event.where == "file":
                yield FileProblem(name, event.where, str(event.data))
                return
            yield Candidate(
                name,
                event.where,
                "release",
                None,
                None,
                errors=[Finding("", str(event.data), "import")],
            )
        elif event.kind in ("release", "record"):
            # A large package is streamed: its publisher is read ahead, once.
            if streamed_publisher is None:
                streamed_publisher = _streamed_publisher(path, options.max_bytes)
                if streamed_publisher[1]:
                    yield FileProblem(name, "file", streamed_publisher[1])
                    return
            publisher = _publisher_or_default(streamed_publisher[0], options)
            if publisher is None:
                yield _no_publisher(name)
                return
            yield check(Candidate(name, event.where, event.kind, event.data, publisher), options)
        elif event.kind == "package-metadata":
            yield Note(name, event.where, package_warnings(event.data, options.schema))
        else:
            outcome = yield from _value(name, event.where, event.data, options)
            if outcome is False:
                return


def _value(name: str, where: str, data: Any, options: ReadOptions) -> Generator[Event, None, bool]:
    """A whole JSON value: a package, a release or a record. Returns False to stop the file."""
    kind = kind_of(data)
    prefix = "" if where == "file" else where
    if kind in ("release-package", "record-package"):
        assert isinstance(data, dict)
        key = "releases" if kind == "release-package" else "records"
        publisher = _publisher_or_default(_package_publisher(data), options)
        if publisher is None:
            yield _no_publisher(name)
            return False
        yield Note(
            name,
            join_path(prefix, "package") if prefix else "package",
            package_warnings(data, options.schema),
        )
        items = data.get(key)
        if not isinstance(items, list):
            yield Candidate(
                name,
                prefix or "package",
                key[:-1],
                None,
                publisher,
                errors=[Finding(key, f"{key} must be a list", "schema")],
            )
            return True
        for index, item in enumerate(items):
            yield check(
                Candidate(name, join_path(prefix, key, index), key[:-1], item, publisher), options
            )
        return True
    if kind in ("release", "record"):
        publisher = _publisher_or_default(None, options)
        if publisher is None:
            yield _no_publisher(name)
            return False
        yield check(Candidate(name, prefix or kind, kind, data, publisher), options)
        return True
    if where == "file":
        yield FileProblem(name, where, NOT_OCDS)
        return False
    yield Candidate(name, where, "release", data, None, errors=[Finding("", NOT_OCDS, "not-ocds")])
    return True


def _no_publisher(name: str) -> FileProblem:
    return FileProblem(
        name,
        "file",
        "the data names no publisher (a package's publisher/name): give one with --publisher",
    )


def _package_publisher(data: dict[str, Any]) -> str | None:
    publisher = data.get("publisher")
    name = publisher.get("name") if isinstance(publisher, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else None


def _publisher_or_default(found: str | None, options: ReadOptions) -> str | None:
    name = found or options.default_publisher
    return name[:MAX_PUBLISHER] if name else None


def _streamed_publisher(path: Path, max_bytes: int) -> tuple[str | None, str | None]:
    """The top-level publisher/name of a large package (read without building its items),
    or the problem that stopped the reading."""
    reader = files.open_file(path, max_bytes)
    try:
        for value in ijson.items(reader, "publisher"):
            return _package_publisher({"publisher": value}), None
    except (ijson.JSONError, ValueError) as exc:
        return None, f"invalid JSON: {files.ijson_message(exc)}"
    except files.FileTooLarge as exc:
        return None, str(exc)
    except (OSError, EOFError, zlib.error) as exc:
        return None, f"cannot read the file: {exc}"
    finally:
        reader.close()
    return None, None


def package_warnings(data: Any, schema: OcdsSchema) -> list[Finding]:
    """What is wrong with a package's own fields; never a reason to skip its items."""
    out: list[Finding] = []
    if not isinstance(data, dict):
        return [Finding("", NOT_OCDS, "not-ocds", "warning")]
    kind = kind_of(data)
    required = ("uri", "publisher", "publishedDate", "version")
    if kind in ("release-package", "record-package"):
        for key in required:
            if key not in data:
                out.append(Finding(key, f"the package has no {key}", "package", "warning"))
    known = set(schema.extension_urls)
    extensions = data.get("extensions")
    if isinstance(extensions, list):
        for index, url in enumerate(extensions):
            if url not in known:
                out.append(
                    Finding(
                        f"extensions/{index}",
                        f"extension {url!r} is not applied "
                        "here: the fields it defines are imported unchecked",
                        "extension",
                        "warning",
                    )
                )
    return out


def check(candidate: Candidate, options: ReadOptions) -> Candidate:
    """Validate one release or record and sort its findings into errors and warnings."""
    data = candidate.data
    if candidate.kind == "record":
        result = validate_record(data, options.schema)
        extra = list(_record_needs(data, options))
    else:
        result = validate_release(data, options.schema)
        extra = list(_release_needs(data, options))
    for finding in [*result.findings, *extra]:
        if finding.severity == "error" and finding.check in BLOCKING:
            candidate.errors.append(finding)
        elif finding.severity == "error":
            candidate.warnings.append(
                Finding(finding.path, finding.message, finding.check, "warning")
            )
        else:
            candidate.warnings.append(finding)
    return candidate


def _release_needs(release: Any, options: ReadOptions, where: str = "") -> Iterator[Finding]:
    """What storing and compiling a release needs beyond the schema."""
    if not isinstance(release, dict):
        return
    # The date's RFC 3339 format is one of the checks ("format"), the ocid's presence and
    # type the schema's.
    ocid, ident = release.get("ocid"), release.get("id")
    if isinstance(ocid, str):
        if len(ocid) > MAX_OCID:
            yield _error(where, "ocid", f"the ocid is longer than {MAX_OCID} characters")
        if options.own_prefix and ocid.lower().startswith(options.own_prefix.lower() + "-"):
            yield _error(
                where,
                "ocid",
                f"{ocid!r} has our own ocid prefix "
                f"{options.own_prefix!r}: our processes are published here, "
                "not imported",
            )
    if isinstance(ident, str) and len(ident) > MAX_RELEASE_ID:
        yield _error(where, "id", f"the release id is longer than {MAX_RELEASE_ID} characters")
    elif ident is not None and not isinstance(ident, str):
        yield _error(where, "id", "the release id must be a string")


def _record_needs(record: Any, options: ReadOptions) -> Iterator[Finding]:
    if not isinstance(record, dict):
        return
    releases = record.get("releases")
    embedded = isinstance(releases, list) and any(
        isinstance(r, dict) and "ocid" in r for r in releases
    )
    if embedded:
        assert isinstance(releases, list)
        for index, release in enumerate(releases):
            yield from _release_needs(release, options, f"releases/{index}")
    elif "compiledRelease" in record:
        yield from _release_needs(record["compiledRelease"], options, "compiledRelease")
    else:
        yield _error(
            "",
            "releases",
            "the record has neither embedded releases nor a "
            "compiledRelease: there is nothing to import",
        )


def _error(where: str, path: str, message: str) -> Finding:
    return Finding(join_path(where, path), message, "import")


def record_releases(record: dict[str, Any]) -> list[dict[str, Any]] | None:
    """A valid record's embedded releases, or None when it only links them."""
    releases = record.get("releases")
    if (
        isinstance(releases, list)
        and releases
        and all(isinstance(r, dict) and "ocid" in r for r in releases)
    ):
        return releases
    return None
