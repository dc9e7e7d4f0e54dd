"""Backups of the whole database, and restoring them (no Flask).

Everything Tianguis keeps lives in the database (uploaded documents and sealed bids
included); the search index and bulk files are derived and rebuilt from it. So one
file is a complete backup:

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent
  snapshot while the application keeps running and writing.
- PostgreSQL: ``pg_dump --format=custom``, restored with ``pg_restore --clean`` in a
  single transaction, so a failed restore leaves the target as it was.

Both write to a temporary file next to OUT and rename it, so OUT is either the old file
or a complete new backup. Restore refuses a target holding data unless ``force``.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from marketplace.audit.services import verify
from marketplace.db import make_engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"

#: Tables whose row counts a backup summary reports (and a restore test compares).
COUNTED_TABLES = ("ocds_release", "ocds_record", "bid", "audit_event")


class BackupError(Exception):
    """A backup or restore that could not be done; the message is one line for the user."""


@dataclass(frozen=True)
class DatabaseSummary:
    """Row counts of the counted tables and the audit chain's state."""

    counts: dict[str, int]
    audit_ok: bool
    audit_checked: int
    audit_problem: str | None = None

    def describe(self) -> str:
        counts = ", ".join(f"{name} {n}" for name, n in self.counts.items())
        audit = (
            f"audit chain OK ({self.audit_checked} events)"
            if self.audit_ok
            else f"audit chain BROKEN: {self.audit_problem}"
        )
        return f"{counts}; {audit}"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"not a SQLite database file: {url}")
    return Path(database)


def libpq_url(url: str) -> str:
    """The URL as pg_dump understands it (no SQLAlchemy driver suffix)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def pg_binary(name: str) -> str:
    """``name`` from PATH, else from the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if not candidates:
        raise BackupError(f"{name} not found (install the PostgreSQL client tools)")
    return candidates[-1]


def summarize(url: str) -> DatabaseSummary:
    """Count the rows that matter and verify the audit chain of the database at ``url``."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            counts = {
                name: int(session.scalar(select(func.count()).select_from(table(name))) or 0)
                for name in COUNTED_TABLES
            }
            result = verify(session)
    finally:
        engine.dispose()
    return DatabaseSummary(counts, result.ok, result.checked, result.problem)


def holds_data(url: str) -> bool:
    """Whether any table other than Alembic's has a row (a migrated, empty DB does not)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            for name in inspect(conn).get_table_names():
                if name == "alembic_version":
                    continue
                if conn.scalar(select(func.count()).select_from(table(name))):
                    return True
    finally:
        engine.dispose()
    return False


def backup(url: str, out: Path) -> None:
    """Write a complete, consistent backup of the database at ``url`` to ``out``."""
    out = Path(out)
    if out.is_dir():
        raise BackupError(f"{out} is a directory; give a file name")
    if not out.parent.is_dir():
        raise BackupError(f"directory {out.parent} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if is_sqlite(url):
            _sqlite_backup(url, tmp)
        else:
            _pg_dump(url, tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _sqlite_backup(url: str, tmp: Path) -> None:
    source_path = sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(f"database file {source_path} does not exist")
    tmp.unlink()
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(tmp)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _pg_dump(url: str, tmp: Path) -> None:
    result = subprocess.run(
        [pg_binary("pg_dump"), "--format=custom", "--no-owner", f"--file={tmp}", libpq_url(url)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {_first_line(result.stderr)}")


def backup_kind(path: Path) -> str:
    """'sqlite' or 'postgresql' by the file's first bytes; BackupError for anything else."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise BackupError(f"{path}: not a Tianguis backup (neither SQLite nor pg_dump custom format)")


def restore(url: str, source: Path, *, force: bool = False) -> None:
    """Replace the database at ``url`` with the backup ``source``.

    Refuses a target that holds data unless ``force``; checks the file before touching
    the target, and restores in one transaction (SQLite: one backup step; PostgreSQL:
    ``pg_restore --single-transaction``), so a failure leaves the target unchanged.
    """
    source = Path(source)
    kind = backup_kind(source)
    target_kind = "sqlite" if is_sqlite(url) else "postgresql"
    if kind != target_kind:
        raise BackupError(f"{source} is a {kind} backup; the target database is {target_kind}")
    if kind == "sqlite":
        _check_sqlite_file(source)
    else:
        _check_pg_file(source)
    if holds_data(url) and not force:
        raise BackupError("the target database holds data; use --force to replace it")
    if kind == "sqlite":
        _sqlite_restore(source, url)
    else:
        _pg_restore(source, url)


def _check_sqlite_file(source: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source}: unreadable SQLite file ({exc})") from exc
    if not check or check[0] != "ok":
        raise BackupError(f"{source}: damaged SQLite file ({check[0] if check else '?'})")
    if "alembic_version" not in tables or "audit_event" not in tables:
        raise BackupError(f"{source}: a SQLite file, but not a Tianguis database")


def _check_pg_file(source: Path) -> None:
    result = subprocess.run(
        [pg_binary("pg_restore"), "--list", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{source}: unreadable dump ({_first_line(result.stderr)})")
    if "alembic_version" not in result.stdout or "audit_event" not in result.stdout:
        raise BackupError(f"{source}: a pg_dump file, but not of a Tianguis database")


def _sqlite_restore(source: Path, url: str) -> None:
    target_path = sqlite_path(url)
    if not target_path.parent.is_dir():
        raise BackupError(f"directory {target_path.parent} does not exist")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target_path, timeout=30)
    try:
        src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupError(f"restore failed: {exc}") from exc
    finally:
        dst.close()
        src.close()


def _pg_restore(source: Path, url: str) -> None:
    result = subprocess.run(
        [
            pg_binary("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={libpq_url(url)}",
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {_first_line(result.stderr)}")


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "no message"
