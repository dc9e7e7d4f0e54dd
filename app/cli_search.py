"""`tianguis search sync|reindex`: feed the explorer's search index (DESIGN.md §1)."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from app.db import db_session
from app.search_support import publishers, search_backend


@click.group("search")
def search() -> None:
    """The search index of the public explorer (derived data, rebuildable)."""


@search.command("sync")
@with_appcontext
def sync_command() -> None:
    """Index the records changed since the last sync (drain the search outbox)."""
    session = db_session()
    started = time.perf_counter()
    result = search_backend().sync(session, publishers=publishers())
    session.commit()
    what = "rebuilt the index" if result.rebuilt else "synced"
    click.echo(
        f"{what}: {result.outbox_rows} outbox rows, {result.records} records "
        f"in {time.perf_counter() - started:.1f}s"
    )


@search.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the whole index from the records and swap it in atomically."""
    session = db_session()
    backend = search_backend()
    started = time.perf_counter()
    result = backend.reindex(session, publishers=publishers())
    session.commit()
    click.echo(
        f"reindexed {result.records} records in {time.perf_counter() - started:.1f}s "
        f"({result.outbox_rows} outbox rows covered) into {backend.describe()}"
    )
