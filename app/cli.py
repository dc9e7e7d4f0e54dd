"""The `tianguis` command: Flask's CLI plus our commands (DESIGN.md §2).

Errors end with a one-line message and a non-zero exit code.
"""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from app import create_app
from app.config import ConfigError
from app.db import db_session, get_database


def _create_app() -> Flask:
    """The app; a bad setting ends the command with its one-line message."""
    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Tianguis: open contracting and ICT procurement."""


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="heads")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to REVISION (default: the newest)."""
    import migrations

    with get_database().engine.begin() as conn:
        migrations.upgrade(conn, revision)
    click.echo(f"database at {revision}: {current_app.config['DATABASE_URL'].split('@')[-1]}")


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Take the schema back to REVISION."""
    from alembic import command

    import migrations

    with get_database().engine.begin() as conn:
        command.downgrade(migrations.alembic_config(conn), revision)


@db.command("current")
@with_appcontext
def db_current() -> None:
    """Print the schema's current revision."""
    from alembic import command

    import migrations

    with get_database().engine.connect() as conn:
        command.current(migrations.alembic_config(conn))


@db.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate", is_flag=True)
@click.option("--rev-id", default=None)
@with_appcontext
def db_revision(message: str, autogenerate: bool, rev_id: str | None) -> None:
    """Write a new migration (compare models with the database when --autogenerate)."""
    from alembic import command

    import migrations

    with get_database().engine.begin() as conn:
        command.revision(
            migrations.alembic_config(conn),
            message=message,
            autogenerate=autogenerate,
            rev_id=rev_id,
        )


@main.group()
def audit() -> None:
    """The hash-chained audit log."""


@audit.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Recompute the audit chain; exit 1 naming the first altered or missing event."""
    from marketplace.audit.services import verify

    result = verify(db_session())
    if not result.ok:
        click.echo(
            f"audit chain BROKEN after {result.checked} good events: {result.problem}", err=True
        )
        sys.exit(1)
    click.echo(f"audit chain OK: {result.checked} events")


@main.command("demo")
@click.option("--processes", default=40, show_default=True, help="How many procurement processes.")
@click.option("--seed", default=1, show_default=True, help="Random seed (same seed, same data).")
@with_appcontext
def demo(processes: int, seed: int) -> None:
    """Migrate the database and load realistic demo data (idempotent)."""
    import migrations
    from app.buyer.opening import bid_secret
    from marketplace.demo import load_demo

    with get_database().engine.begin() as conn:
        migrations.upgrade(conn)
    summary = load_demo(db_session(), processes=processes, seed=seed, bid_secret=bid_secret())
    click.echo(summary)
    # What the public sees is derived from the releases: bring the search index and
    # the bulk files up to date so the explorer and /bulk/ show the demo at once.
    from app.cli_publication import export
    from app.cli_search import sync_command

    ctx = click.get_current_context()
    ctx.invoke(sync_command)
    ctx.invoke(export, formats=(), year=None, since=None, out=None)


from app.cli_cases import cases as _cases  # noqa: E402

main.add_command(_cases)

from app.cli_users import users as _users  # noqa: E402

main.add_command(_users)

from app.cli_ocds import ocds as _ocds  # noqa: E402

main.add_command(_ocds)

from app.cli_search import search as _search  # noqa: E402

main.add_command(_search)

from app import cli_publication as _publication  # noqa: E402,F401  (adds `ocds export`)
from app import cli_suppliers as _suppliers  # noqa: E402,F401  (adds `categories`, `tick`)
from app.cli_analytics import analytics as _analytics  # noqa: E402

main.add_command(_analytics)

from app.cli_backup import backup_command as _backup  # noqa: E402
from app.cli_backup import restore_command as _restore  # noqa: E402

main.add_command(_backup)
main.add_command(_restore)
