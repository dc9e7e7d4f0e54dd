"""Bulk files of the publication: compiled releases (JSON Lines, gzip), record packages
(JSON) and flat CSV tables (zip), one file per year of first release plus one of all.

Files are streamed from keyset batches (memory does not grow with the data), written to
a temporary name and renamed into place, and regenerated incrementally: ``manifest.json``
remembers the (record count, last change) each year file was built from, and only years
whose state moved are rewritten. The "all" files are stitched from the year files
(concatenated gzip members, sliced JSON arrays, concatenated CSV bodies) without going
back to the database.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.publication import queries
from marketplace.publication.csv_tables import TABLES
from ocds import packages

FORMATS = ("jsonl.gz", "json", "csv")
MANIFEST = "manifest.json"

#: (file name, data's last change) -> the package envelope of that file.
MetaFactory = Callable[[str, dt.datetime], packages.PackageMetadata]


def file_name(fmt: str, year: int | None) -> str:
    part = "all" if year is None else str(year)
    return {
        "jsonl.gz": f"compiled-releases-{part}.jsonl.gz",
        "json": f"record-package-{part}.json.gz",
        "csv": f"csv-{part}.zip",
    }[fmt]


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed onto it only when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        tmp.chmod(0o644)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _records(
    session: Session, year: int | None, since: dt.datetime | None
) -> Iterator[list[queries.RecordRow]]:
    for batch in queries.iter_records(session, year=year, since=since):
        yield batch
        # The ORM keeps nothing (plain rows), but drop any loaded objects all the same.
        session.expunge_all()


def write_jsonl_gz(
    session: Session, path: Path, *, year: int | None = None, since: dt.datetime | None = None
) -> dict[str, Any]:
    count = 0
    with atomic_path(path) as tmp, tmp.open("wb") as raw, _gzip_text(raw) as out:
        for batch in _records(session, year, since):
            for row in batch:
                out.write(row.compiled_json + "\n")
                count += 1
    return {"records": count}


def write_json(
    session: Session,
    path: Path,
    meta: packages.PackageMetadata,
    *,
    year: int | None = None,
    since: dt.datetime | None = None,
) -> dict[str, Any]:
    """A gzipped record package; each record embeds its releases and its compiled release.

    The file is three gzip members (envelope, records, closing brackets) and the records
    member's byte range is returned, so the "all" file can reuse it as it is.
    """

    def items() -> Iterator[str]:
        for batch in _records(session, year, since):
            releases = queries.release_texts_by_ocid(session, [r.ocid for r in batch])
            for row in batch:
                # The stored JSON texts are spliced in as they are: no parse, no re-dump.
                yield (
                    f'{{"ocid":{json.dumps(row.ocid)},'
                    f'"releases":[{",".join(releases[row.ocid])}],'
                    f'"compiledRelease":{row.compiled_json}}}'
                )

    with atomic_path(path) as tmp, tmp.open("wb") as raw:
        raw.write(_gzip_member(packages.package_head(meta, "records").encode()))
        start = raw.tell()
        with _gzip_text(raw) as out:
            count = packages.write_items(out, items())
        end = raw.tell()
        raw.write(_gzip_member(packages.PACKAGE_TAIL.encode()))
    return {"records": count, "body": [start, end]}


def _gzip_member(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def _gzip_text(raw: IO[bytes]) -> io.TextIOWrapper:
    """A text stream into a new gzip member of ``raw`` (closing it leaves ``raw`` open).

    No file name or time in the header: the same records give the same bytes.
    """
    gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0)
    return io.TextIOWrapper(gz, encoding="utf-8")


def write_csv(
    session: Session, path: Path, *, year: int | None = None, since: dt.datetime | None = None
) -> dict[str, Any]:
    """A zip of one CSV per table, each written row by row to a temporary file first."""
    count = 0
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".csv-") as tmpdir:
        with contextlib.ExitStack() as stack:
            writers = {}
            for name, (headers, _rows) in TABLES.items():
                fh = stack.enter_context(
                    (Path(tmpdir) / f"{name}.csv").open("w", encoding="utf-8", newline="")
                )
                writers[name] = csv.writer(fh)
                writers[name].writerow(headers)
            for batch in _records(session, year, since):
                for row in batch:
                    count += 1
                    compiled = json.loads(row.compiled_json)
                    for name, (_headers, rows) in TABLES.items():
                        writers[name].writerows(rows(compiled))
        with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in TABLES:
                zf.write(Path(tmpdir) / f"{name}.csv", f"{name}.csv")
    return {"records": count}


def _stitch_jsonl_gz(parts: list[Path], path: Path) -> None:
    # A gzip file may hold several members; readers (gzip, zcat) read them all in order.
    with atomic_path(path) as tmp, tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                shutil.copyfileobj(src, out)


def _stitch_json(
    parts: list[tuple[Path, int, int]], path: Path, meta: packages.PackageMetadata
) -> None:
    """The years' record members, separated by "," members, in a new envelope."""
    with atomic_path(path) as tmp, tmp.open("wb") as out:
        out.write(_gzip_member(packages.package_head(meta, "records").encode()))
        first = True
        for part, start, end in parts:
            if not first:
                out.write(_gzip_member(b","))
            first = False
            with part.open("rb") as src:
                src.seek(start)
                remaining = end - start
                while remaining:
                    chunk = src.read(min(remaining, 1 << 20))
                    out.write(chunk)
                    remaining -= len(chunk)
        out.write(_gzip_member(packages.PACKAGE_TAIL.encode()))


def _stitch_csv(parts: list[Path], path: Path) -> None:
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for name, (headers, _rows) in TABLES.items():
            with out.open(f"{name}.csv", "w") as dest:
                text = io.StringIO()
                csv.writer(text).writerow(headers)
                dest.write(text.getvalue().encode())
                for part in parts:
                    with zipfile.ZipFile(part) as zf, zf.open(f"{name}.csv") as src:
                        src.readline()  # the header, written once above
                        shutil.copyfileobj(src, dest)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def export_file(
    session: Session,
    fmt: str,
    path: Path,
    meta_for: MetaFactory,
    *,
    year: int | None = None,
    since: dt.datetime | None = None,
) -> dict[str, Any]:
    """One file of the records matching ``year`` / ``since``; returns what it wrote."""
    if fmt == "jsonl.gz":
        info = write_jsonl_gz(session, path, year=year, since=since)
    elif fmt == "json":
        info = write_json(session, path, meta_for(path.name, utcnow()), year=year, since=since)
    elif fmt == "csv":
        info = write_csv(session, path, year=year, since=since)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return info


@dataclass
class ExportReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def read_manifest(directory: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((directory / MANIFEST).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return {"files": {}}
    manifest.setdefault("files", {})
    return manifest


def export_set(
    session: Session,
    directory: Path,
    meta_for: MetaFactory,
    formats: tuple[str, ...] = FORMATS,
) -> ExportReport:
    """Bring ``directory``'s year and "all" files up to date with the records."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(directory)
    files: dict[str, Any] = manifest["files"]
    states = queries.year_states(session)
    report = ExportReport()
    for fmt in formats:
        changed = False
        for ys in states:
            name = file_name(fmt, ys.year)
            state = [ys.count, ys.last_updated.isoformat()]
            entry = files.get(name)
            path = directory / name
            if entry and entry.get("state") == state and path.is_file():
                report.unchanged.append(name)
                continue
            info = export_file(session, fmt, path, meta_for, year=ys.year)
            files[name] = _entry(path, fmt, ys.year, state, info)
            report.written.append(name)
            changed = True
        all_name = file_name(fmt, None)
        all_state = [[ys.year, ys.count, ys.last_updated.isoformat()] for ys in states]
        entry = files.get(all_name)
        if (
            changed
            or not entry
            or entry.get("state") != all_state
            or not (directory / all_name).is_file()
        ):
            _stitch_all(directory, fmt, states, files, meta_for)
            records = {"records": sum(ys.count for ys in states)}
            files[all_name] = _entry(directory / all_name, fmt, None, all_state, records)
            report.written.append(all_name)
        else:
            report.unchanged.append(all_name)
    manifest["generated_at"] = utcnow().isoformat(timespec="seconds") + "Z"
    with atomic_path(directory / MANIFEST) as tmp:
        tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), "utf-8")
    return report


def _stitch_all(
    directory: Path,
    fmt: str,
    states: list[queries.YearState],
    files: dict[str, Any],
    meta_for: MetaFactory,
) -> None:
    names = [file_name(fmt, ys.year) for ys in states]
    path = directory / file_name(fmt, None)
    if fmt == "jsonl.gz":
        _stitch_jsonl_gz([directory / n for n in names], path)
    elif fmt == "json":
        latest = max((ys.last_updated for ys in states), default=utcnow())
        parts = [(directory / n, *files[n]["body"]) for n in names if files[n]["records"]]
        _stitch_json(parts, path, meta_for(path.name, latest))
    else:
        _stitch_csv([directory / n for n in names], path)


def _entry(
    path: Path, fmt: str, year: int | None, state: Any, info: dict[str, Any]
) -> dict[str, Any]:
    stat = path.stat()
    return {
        "format": fmt,
        "year": year,
        "size": stat.st_size,
        "sha256": sha256_of(path),
        "modified": dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).isoformat(timespec="seconds"),
        "state": state,
        **info,
    }
