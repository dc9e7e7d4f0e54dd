"""Malformed OCDS files for ``tianguis ocds import``: a valid package of another publisher,
then broken the ways real files are (bad JSON, wrong types, huge numbers, a missing ocid,
duplicate ids, truncated or corrupt gzip), and what the import must still guarantee."""

from __future__ import annotations

import copy
import gzip
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.cli import main
from marketplace.publication.import_models import ImportedRelease
from marketplace.publication.models import OcdsRecord
from tests.fuzz.site import Site, Tally, crash, fuzz_settings
from tests.publication.import_data import release_package, small_process

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data[key]
    if value is _DELETE:
        del data[path[-1]]
    else:
        data[path[-1]] = value


_DELETE = object()


@st.composite
def packages(draw: st.DrawFn) -> dict[str, Any]:
    """A release package with one to three breakages at random places."""
    n = draw(st.integers(1, 3))
    releases = [r for i in range(n) for r in small_process(f"ocds-fz{i}00-{i}", n=2)]
    package = release_package(releases, draw(st.sampled_from(["Municipio", "Ñandú ☃"])))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(package)))
        kind = draw(st.sampled_from(["type", "delete", "huge", "duplicate", "ocid"]))
        if kind == "type":
            _set(package, path, draw(json_values))
        elif kind == "delete":
            _set(package, path, _DELETE)
        elif kind == "huge":
            _set(package, path, draw(st.sampled_from([10**400, -(10**40), 1e308, 2**63])))
        elif (
            kind == "duplicate"
            and package.get("releases")
            and isinstance(package["releases"], list)
        ):
            package["releases"].append(copy.deepcopy(package["releases"][0]))
        elif kind == "ocid" and isinstance(package.get("releases"), list):
            for release in package["releases"]:
                if isinstance(release, dict):
                    release.pop("ocid", None)
                    break
    return package


@dataclass
class OcdsFile:
    name: str
    content: bytes


@st.composite
def ocds_files(draw: st.DrawFn) -> OcdsFile:
    package = draw(packages())
    text = json.dumps(package, ensure_ascii=False)
    shape = draw(st.sampled_from(["json", "truncated", "lines", "gzip", "gzip-truncated", "junk"]))
    if shape == "truncated":
        return OcdsFile("cut.json", text[: draw(st.integers(0, len(text) - 1))].encode())
    if shape == "lines":
        releases = package.get("releases")
        items = releases if isinstance(releases, list) else [package]
        lines = [json.dumps(r, ensure_ascii=False) for r in items]
        if lines and draw(st.booleans()):
            lines.insert(draw(st.integers(0, len(lines))), "{not json")
        return OcdsFile("items.jsonl", ("\n".join(lines) + "\n").encode())
    if shape == "gzip":
        return OcdsFile("package.json.gz", gzip.compress(text.encode()))
    if shape == "gzip-truncated":
        packed = gzip.compress(text.encode())
        return OcdsFile("cut.json.gz", packed[: draw(st.integers(0, len(packed) - 1))])
    if shape == "junk":
        return OcdsFile("junk.json", draw(st.binary(max_size=200)))
    return OcdsFile("package.json", text.encode())


def half_written(site: Site) -> list[str]:
    """Imported ocids whose compiled record does not account for all their releases."""
    with site.app.app_context():
        session = site.session()
        counts = dict(
            session.execute(
                select(ImportedRelease.ocid, func.count()).group_by(ImportedRelease.ocid)
            ).all()
        )
        records = {
            r.ocid: r.release_count
            for r in session.scalars(select(OcdsRecord).where(OcdsRecord.ocid.in_(counts)))
        }
        session.close()
    return [ocid for ocid, n in counts.items() if records.get(ocid) != n]


def fuzz_import(site: Site, tally: Tally, max_examples: int | None = None) -> None:
    """Each generated file through the CLI: exit 0 or 1 with one-line messages, never a
    traceback, and no item half-written."""
    runner = site.app.test_cli_runner()

    @fuzz_settings(max_examples)
    @given(file=ocds_files())
    def run(file: OcdsFile) -> None:
        label = f"ocds import {file.name} ({len(file.content)} bytes)"
        with tempfile.TemporaryDirectory() as tmp, site.scratch():
            path = Path(tmp) / file.name
            path.write_bytes(file.content)
            result = runner.invoke(main, ["ocds", "import", str(path)])
            tally.requests += 1
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                crash(label, result.exception, None)
                tally.server_errors += 1
                tally.note(f"{label}: {type(result.exception).__name__}: {result.exception}")
                return
            output = result.output
            if "Traceback" in output:
                tally.tracebacks += 1
                tally.note(f"{label}: traceback in the output")
            if result.exit_code not in (0, 1):
                tally.note(f"{label}: exit code {result.exit_code}")
            last = output.strip().splitlines()[-1] if output.strip() else ""
            if not last.startswith(("imported: ", "INCOMPLETE: ")):
                tally.note(f"{label}: no summary line: {output[-300:]!r}")
            broken = half_written(site)
            if broken:
                tally.note(f"{label}: half-written: {broken}")

    run()
