"""`tianguis analytics refresh`: build the facts of the analytics pages ahead of time."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from app.db import db_session


@click.group("analytics")
def analytics() -> None:
    """The figures of /analytics and the buyer and supplier pages (derived data)."""


@analytics.command("refresh")
@with_appcontext
def refresh_command() -> None:
    """Read every record changed since the last refresh (all of them the first time)."""
    from marketplace.analytics.services import refresh

    session = db_session()
    started = time.perf_counter()
    result = refresh(session)
    session.commit()
    click.echo(f"analytics: read {result.read} records in {time.perf_counter() - started:.1f}s")
