"""`tianguis categories load FILE.csv` and `tianguis tick` (the timed-transition runner).

Imported at the end of app/cli.py; adds its commands to the main group.
"""

from __future__ import annotations

import datetime as dt
import sys

import click
from flask.cli import with_appcontext

from app.cli import main
from app.db import db_session


@main.group()
def categories() -> None:
    """Classification codes (UNSPSC, CPV) suppliers pick from."""


@categories.command("load")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def categories_load(csv_file: str) -> None:
    """Load or update categories from CSV_FILE (columns scheme, code, [parent_code],
    label_es, label_en), e.g. the full UNSPSC list. Idempotent."""
    from marketplace.suppliers.categories import load_categories_csv
    from marketplace.suppliers.errors import SupplierError

    session = db_session()
    try:
        result = load_categories_csv(session, csv_file)
        session.commit()
    except SupplierError as exc:
        session.rollback()
        click.echo(f"categories not loaded: {exc}", err=True)
        sys.exit(1)
    click.echo(f"categories: {result.created} created, {result.updated} updated")


@main.command("tick")
@click.option(
    "--now",
    "now_text",
    default=None,
    help="Pretend the time is this ISO datetime (UTC), e.g. to test reminders.",
)
@with_appcontext
def tick(now_text: str | None) -> None:
    """Apply every timed transition that is due (reminders, expiries, deadlines)."""
    from marketplace.db import utcnow
    from marketplace.ticks import run_due

    try:
        now = dt.datetime.fromisoformat(now_text) if now_text else utcnow()
    except ValueError:
        click.echo(f"--now is not an ISO datetime: {now_text}", err=True)
        sys.exit(2)
    if now.tzinfo is not None:
        now = now.astimezone(dt.UTC).replace(tzinfo=None)
    session = db_session()
    results = run_due(session, now)
    session.commit()
    for name, summary in results.items():
        click.echo(f"{name}: {summary}")
