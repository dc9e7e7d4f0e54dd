"""`tianguis cases ...`: business-case commands (registered by app/cli.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import with_appcontext

from app.config import PROJECT_ROOT


def currency_codelist_path() -> Path:
    """The ISO 4217 list: CURRENCY_CODELIST, else the OCDS schema's codelist."""
    configured = current_app.config.get("CURRENCY_CODELIST")
    if configured:
        return Path(configured)
    schema_dir = current_app.config.get("OCDS_SCHEMA_DIR") or (
        PROJECT_ROOT.parent / "shared" / "ocds-schema" / "1.1.5"
    )
    return Path(schema_dir) / "codelists" / "currency.csv"


@click.group("cases")
def cases() -> None:
    """ICT business cases."""


@cases.command("evaluate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--currencies",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="ISO 4217 codelist CSV (default: the OCDS schema's codelists/currency.csv).",
)
@with_appcontext
def evaluate_command(file: Path, currencies: Path | None) -> None:
    """Evaluate the business case in FILE (JSON) and print the evaluation as JSON."""
    from business_cases.evaluator import case_evaluation_to_dict, evaluate, to_json
    from business_cases.evaluator_input import EvaluationInputError, load_currencies, loads, parse

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {file}: {exc}")
    try:
        data = loads(text)
    except ValueError as exc:
        _fail(f"{file} is not valid JSON: {exc}")
    try:
        case = parse(data, load_currencies(currencies or currency_codelist_path()))
    except EvaluationInputError as exc:
        _fail(f"{file}: {exc}")
    click.echo(to_json(case_evaluation_to_dict(evaluate(case))))


def _fail(message: str) -> NoReturn:
    # One line, so scripts can show it as it is.
    click.echo(f"error: {message}".replace("\n", " "), err=True)
    sys.exit(1)
