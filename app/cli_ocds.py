"""`tianguis ocds ...`: OCDS validation (and, from the publication work, import/export).

The `ocds` group is registered on the main CLI in app/cli.py; other modules add their
subcommands to this same group object.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

MAX_MESSAGE = 300


@click.group("ocds")
def ocds() -> None:
    """OCDS data: validate, import others' files, export ours (schema 1.1.5 + extensions)."""


def _short(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


@ocds.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--schema-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="OCDS 1.1.5 schema directory (default: OCDS_SCHEMA_DIR, ../shared, cache).",
)
@click.option(
    "--extensions-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Directory with the bid, lots, process_title, submissionTerms extensions.",
)
@click.option(
    "--ocid-prefix", default=None, help="Every ocid must start with this prefix (e.g. ocds-tgs001)."
)
@click.option(
    "--warnings/--no-warnings",
    "show_warnings",
    default=True,
    show_default=True,
    help="Print warnings (open codelists, ocid prefix, date coherence).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per finding.")
@click.option(
    "--max-decompressed",
    type=int,
    default=None,
    help="Refuse gzip data larger than this many MiB once decompressed.",
)
def validate_command(
    files: tuple[Path, ...],
    schema_dir: Path | None,
    extensions_dir: Path | None,
    ocid_prefix: str | None,
    show_warnings: bool,
    as_json: bool,
    max_decompressed: int | None,
) -> None:
    """Validate release packages, record packages, JSON Lines or JSON arrays (.gz too).

    Prints each finding as FILE: ITEM: PATH: MESSAGE [check]; exits 1 on any error.
    """
    from ocds.schema import SchemaNotFound, load_schema
    from ocds.validate import validate_file

    try:
        schema = load_schema(schema_dir, extensions_dir)
    except SchemaNotFound as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    limit = max_decompressed * 1024 * 1024 if max_decompressed else None
    items = errors = warnings = 0
    for path in files:
        for item in validate_file(path, schema, ocid_prefix=ocid_prefix, max_decompressed=limit):
            items += 1
            for finding in item.result.findings:
                if finding.severity == "error":
                    errors += 1
                else:
                    warnings += 1
                    if not show_warnings:
                        continue
                if as_json:
                    record = {
                        "file": item.file,
                        "item": item.item,
                        "id": item.ident,
                        **finding.as_dict(),
                    }
                    click.echo(json.dumps(record, ensure_ascii=False))
                else:
                    label = item.item + (f" ({item.ident})" if item.ident else "")
                    where = f"{label}: {finding.path}" if finding.path else label
                    click.echo(
                        f"{item.file}: {where}: {finding.severity}: "
                        f"{_short(finding.message)} [{finding.check}]"
                    )
    summary = f"{len(files)} file(s), {items} item(s): {errors} error(s), {warnings} warning(s)"
    click.echo(("INVALID: " if errors else "valid: ") + summary, err=True)
    sys.exit(1 if errors else 0)


@ocds.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--publisher",
    default=None,
    help="Publisher of bare releases or records (data outside a package, or a "
    "package without publisher/name).",
)
@click.option(
    "--max-bytes",
    type=int,
    default=None,
    help="Refuse a file (or gzip data, decompressed) larger than this many bytes (default 4 GiB).",
)
@click.option(
    "--warnings/--no-warnings",
    "show_warnings",
    default=True,
    show_default=True,
    help="Print warnings (Data Review findings, package fields, extensions).",
)
@with_appcontext
def import_command(
    files: tuple[Path, ...], publisher: str | None, max_bytes: int | None, show_warnings: bool
) -> None:
    """Import other publishers' OCDS (release/record packages, JSON Lines, .gz) read-only.

    Each item is imported whole or skipped; re-importing is harmless. Prints
    FILE: ITEM (id): PATH: error|warning|conflict: MESSAGE [check] and a summary; exits 1
    when any item was invalid or conflicting or any file could not be read, 2 when the
    schema cannot be found.
    """
    from flask import current_app

    from app.db import db_session
    from marketplace.publication.importer import CONFLICT, Outcome, import_files
    from marketplace.publication.services import configured_schema
    from ocds.schema import SchemaNotFound

    try:
        schema = configured_schema()
    except SchemaNotFound as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if publisher is not None and not publisher.strip():
        click.echo("error: --publisher: give a name", err=True)
        sys.exit(2)

    def report(outcome: Outcome) -> None:
        label = outcome.where + (f" ({outcome.ident})" if outcome.ident else "")
        for finding in outcome.findings:
            severity = CONFLICT if outcome.status == CONFLICT else finding.severity
            if severity == "warning" and not show_warnings:
                continue
            where = f"{label}: {finding.path}" if finding.path else label
            click.echo(
                f"{outcome.file}: {where}: {severity}: {_short(finding.message)} [{finding.check}]"
            )

    summary = import_files(
        db_session(),
        files,
        schema,
        default_publisher=publisher.strip() if publisher else None,
        own_prefix=current_app.config["OCID_PREFIX"],
        max_bytes=max_bytes,
        report=report,
    )
    line = (
        f"{summary.files} file(s): {summary.imported} item(s) imported "
        f"({len(summary.processes)} process(es)), {summary.unchanged} unchanged, "
        f"{summary.conflicts} conflict(s), {summary.invalid} invalid, "
        f"{summary.files_failed} file(s) not imported, {summary.warnings} warning(s)"
    )
    click.echo(("imported: " if summary.ok else "INCOMPLETE: ") + line, err=True)
    sys.exit(0 if summary.ok else 1)
