"""`tianguis ocds export`: bulk files of the publication (added to the `ocds` group)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli_ocds import ocds
from app.db import db_session
from marketplace.publication import bulk, quality
from marketplace.publication.catch_up import catch_up
from marketplace.publication.services import (
    configured_schema,
    format_ocds_datetime,
    parse_ocds_datetime,
)
from ocds.packages import PackageMetadata


def bulk_metadata(name: str, published: dt.datetime) -> PackageMetadata:
    """The envelope of a bulk file, served later from /bulk/<name>."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return PackageMetadata(
        uri=f"{base}/bulk/{name}",
        published_date=format_ocds_datetime(published),
        publisher_name=current_app.config["PUBLISHER_NAME"],
        publisher_uri=base + "/",
        publication_policy=f"{base}/data/publication-policy",
        extensions=list(configured_schema().extension_urls),
    )


@ocds.command("export")
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(bulk.FORMATS),
    help="jsonl.gz (compiled releases), json (record package) or csv (zip of tables). "
    "Repeat for several; default: all three.",
)
@click.option("--year", type=int, help="Only records whose first release is in this year.")
@click.option("--since", help="Only records changed at or after this ISO 8601 date(-time).")
@click.argument("out", required=False, type=click.Path(path_type=Path))
@with_appcontext
def export(formats: tuple[str, ...], year: int | None, since: str | None, out: Path | None) -> None:
    """Write bulk files to OUT (default: BULK_DIR, which /bulk/ serves).

    Without --year or --since, OUT is a directory that gets one file per year and one of
    everything per format, rewriting only the years that changed since the last export.
    With --year or --since, OUT is one file of the matching records (one format).
    """
    formats = formats or bulk.FORMATS
    since_at = None
    if since is not None:
        try:
            since_at = parse_ocds_datetime(since)
        except ValueError:
            click.echo(f"--since: not an ISO 8601 date or date-time: {since!r}", err=True)
            sys.exit(2)
    session = db_session()
    if catch_up(session):  # records with every release in them
        session.commit()
    if year is None and since_at is None:
        directory = out or Path(current_app.config["BULK_DIR"])
        report = bulk.export_set(session, directory, bulk_metadata, formats)
        for name in report.written:
            click.echo(f"wrote {directory / name}")
        click.echo(f"{len(report.written)} files written, {len(report.unchanged)} unchanged")
        # The /data-quality page reads this review; computing it here keeps the page fast.
        review = quality.refresh(session, configured_schema(), directory)
        click.echo(f"data quality: {review['releases']} releases, {review['records']} records")
        return
    if out is None or len(formats) != 1:
        click.echo("with --year or --since, give one --format and an OUT file", err=True)
        sys.exit(2)
    info = bulk.export_file(session, formats[0], out, bulk_metadata, year=year, since=since_at)
    click.echo(f"wrote {out}: {info['records']} records")
