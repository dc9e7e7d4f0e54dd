"""`tianguis backup OUT` and `tianguis restore IN` (marketplace/backup.py does the work)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.db import get_database


def _database_url() -> str:
    return str(current_app.config["DATABASE_URL"])


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(out: Path) -> None:
    """Write a consistent backup of the whole database to OUT (safe while the app runs)."""
    from marketplace.backup import BackupError, backup, summarize

    try:
        backup(_database_url(), out)
        summary = summarize(_database_url())
    except BackupError as exc:
        click.echo(f"backup: {exc}", err=True)
        sys.exit(1)
    click.echo(f"backup written to {out}: {summary.describe()}")


@click.command("restore")
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a target database that holds data.")
@with_appcontext
def restore_command(source: Path, force: bool) -> None:
    """Replace the database with the backup IN, then verify its audit chain.

    Afterwards rebuild the derived data: `tianguis search reindex` and
    `tianguis ocds export`.
    """
    from marketplace.backup import BackupError, restore, summarize

    # Our own pooled connections must not hold the file (SQLite) or locks (PostgreSQL).
    get_database().engine.dispose()
    try:
        restore(_database_url(), source, force=force)
        summary = summarize(_database_url())
    except BackupError as exc:
        click.echo(f"restore: {exc}", err=True)
        sys.exit(1)
    if not summary.audit_ok:
        click.echo(f"restored, but {summary.describe()}", err=True)
        sys.exit(1)
    click.echo(f"restored from {source}: {summary.describe()}")
