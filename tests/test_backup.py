"""`tianguis backup` / `tianguis restore`: a real database with committed tenders, bids,
releases and audit events is backed up, restored into a separate database, and the
restored copy has the same counts and an intact audit chain. On PostgreSQL (when
TEST_DATABASE_URL points to one) the source and target are scratch databases created
next to the test database and dropped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import migrations
from app import create_app
from app.cli_backup import backup_command, restore_command
from app.db import get_database
from marketplace.audit.models import AuditEvent
from marketplace.backup import summarize
from marketplace.db import make_engine
from tests.bid_helpers import bidder, place_bid, tendering


def _pg_admin(url: str, statement: str) -> None:
    admin = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    engine = make_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def _scratch_url(database_url: str, tmp_path: Path, suffix: str) -> Iterator[str]:
    """An empty database: a SQLite file, or `<test db>_<suffix>` on the PostgreSQL server."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / (suffix + '.db')}"
        return
    name = f"{make_url(database_url).database}_{suffix}"
    _pg_admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(database_url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _pg_admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def source_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database holding committed data: a tender, two bids, their releases.
    Shared by the tests of this module, which only read it."""
    for url in _scratch_url(database_url, tmp_path_factory.mktemp("source"), "backup"):
        engine = make_engine(url)
        with engine.begin() as conn:
            migrations.upgrade(conn)
        with Session(engine, expire_on_commit=False) as session:
            tender, _owner = tendering(session)
            for _ in range(2):
                _supplier, user = bidder(session)
                place_bid(session, tender, user)
            session.commit()
        engine.dispose()
        yield url


@pytest.fixture
def target_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    yield from _scratch_url(database_url, tmp_path, "restore")


_apps: list[Flask] = []


_base: list[Flask] = []


@pytest.fixture(autouse=True)
def _dispose_apps(app: Flask) -> Iterator[None]:
    """Close the connection pools of the apps a test made (no connection left open)."""
    _base[:] = [app]
    yield
    while _apps:
        get_database(_apps.pop()).engine.dispose()


def _app(url: str, instance_dir: Path) -> Flask:
    # The test app's settings, with this database and instance.
    app = create_app(
        {
            **_base[0].config,
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret-key",
            "SEARCH_INDEX_DIR": str(instance_dir / "index"),
            "BULK_DIR": str(instance_dir / "bulk"),
        }
    )
    _apps.append(app)
    return app


def _run(app: Flask, command: object, *args: str) -> Result:
    return app.test_cli_runner().invoke(command, list(args))


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def test_backup_then_restore_keeps_counts_and_audit_chain(
    source_url: str, target_url: str, tmp_path: Path, instance_dir: Path
) -> None:
    before = summarize(source_url)
    assert before.audit_ok
    assert before.counts["bid"] == 2
    assert before.counts["ocds_release"] >= 1
    assert before.counts["ocds_record"] >= 1
    assert before.audit_checked >= 3

    out = tmp_path / "tianguis.backup"
    result = _run(_app(source_url, instance_dir), backup_command, str(out))
    assert result.exit_code == 0, result.output
    assert "audit chain OK" in result.output
    assert out.stat().st_size > 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tianguis.backup")]

    target = _app(target_url, instance_dir)
    result = _run(target, restore_command, str(out))
    assert result.exit_code == 0, result.output
    after = summarize(target_url)
    assert after == before

    # The restored database now holds data: a second restore needs --force.
    error = _one_line_error(_run(target, restore_command, str(out)))
    assert "--force" in error
    result = _run(target, restore_command, "--force", str(out))
    assert result.exit_code == 0, result.output
    assert summarize(target_url) == before


def test_restore_reports_a_tampered_audit_chain(
    source_url: str, target_url: str, tmp_path: Path, instance_dir: Path
) -> None:
    good = tmp_path / "good.backup"
    assert _run(_app(source_url, instance_dir), backup_command, str(good)).exit_code == 0
    target = _app(target_url, instance_dir)
    assert _run(target, restore_command, str(good)).exit_code == 0
    # Someone edits an audit event in the copy; its backup restores, but is reported.
    engine = make_engine(target_url)
    with engine.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(action="edited"))
    engine.dispose()
    tampered = tmp_path / "tampered.backup"
    assert _run(target, backup_command, str(tampered)).exit_code == 0

    result = _run(target, restore_command, "--force", str(tampered))
    assert result.exit_code == 1
    assert "audit chain BROKEN" in result.output
    assert "2" in result.output


def test_bad_backup_files_are_refused_and_the_target_is_untouched(
    source_url: str, target_url: str, tmp_path: Path, instance_dir: Path
) -> None:
    target = _app(target_url, instance_dir)
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello\n")
    assert "not a Tianguis backup" in _one_line_error(
        _run(target, restore_command, str(not_a_backup))
    )
    assert "no such file" in _one_line_error(
        _run(target, restore_command, str(tmp_path / "missing.backup"))
    )

    # A real backup cut short: the magic bytes are right, the content is not.
    good = tmp_path / "good.backup"
    assert _run(_app(source_url, instance_dir), backup_command, str(good)).exit_code == 0
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    _one_line_error(_run(target, restore_command, str(truncated)))

    engine = make_engine(target_url)
    with engine.connect() as conn:
        tables = conn.execute(
            text(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                if target_url.startswith("sqlite")
                else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ).all()
    engine.dispose()
    assert tables == []


def test_backup_to_a_missing_directory_fails_in_one_line(
    source_url: str, tmp_path: Path, instance_dir: Path
) -> None:
    error = _one_line_error(
        _run(_app(source_url, instance_dir), backup_command, str(tmp_path / "no" / "x.backup"))
    )
    assert "does not exist" in error
    assert not (tmp_path / "no").exists()


def test_backup_kind_reads_content_not_the_name(tmp_path: Path) -> None:
    from marketplace.backup import BackupError, backup_kind

    disguised = tmp_path / "looks.sqlite"
    disguised.write_bytes(b"PK\x03\x04 a zip file")
    with pytest.raises(BackupError):
        backup_kind(disguised)
    renamed = tmp_path / "backup.dump"
    renamed.write_bytes(b"SQLite format 3\x00" + bytes(100))
    assert backup_kind(renamed) == "sqlite"
