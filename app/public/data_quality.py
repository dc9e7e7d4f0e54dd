"""``/data-quality``: the data review of our own OCDS publication, for anyone.

The numbers come from ``marketplace.publication.quality`` (cached; recomputed when the
publication changed and the cache is older than ``DATA_QUALITY_MAX_AGE`` seconds).
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from app.db import db_session
from app.public import bp
from marketplace.publication import quality
from marketplace.publication.services import configured_schema

STAGE_LABELS = {
    "planning": _l("Planning"),
    "tender": _l("Tender"),
    "award": _l("Award"),
    "contract": _l("Contract"),
    "implementation": _l("Implementation"),
}

FIELD_LABELS = {
    "planning/budget/amount": _l("Budget amount"),
    "planning/rationale": _l("Rationale"),
    "planning/documents": _l("Planning documents"),
    "buyer/id": _l("Buyer identifier"),
    "tender/title": _l("Tender title"),
    "tender/description": _l("Tender description"),
    "tender/value": _l("Estimated value (amount and currency)"),
    "tender/procurementMethod": _l("Procurement method"),
    "tender/tenderPeriod": _l("Tender period (start and end)"),
    "tender/numberOfTenderers": _l("Number of tenderers"),
    "tender/items/classification": _l("Item classification (every item)"),
    "tender/items/quantity": _l("Item quantity (every item)"),
    "tender/items/unit/value": _l("Item unit price (every item)"),
    "tender/documents": _l("Tender documents"),
    "awards/value": _l("Award value (every award)"),
    "awards/date": _l("Award date (every award)"),
    "awards/suppliers/id": _l("Supplier identifiers (every award)"),
    "awards/items": _l("Awarded items (every award)"),
    "contracts/awardID": _l("Award the contract comes from (every contract)"),
    "contracts/value": _l("Contract value (every contract)"),
    "contracts/period": _l("Contract period (every contract)"),
    "contracts/dateSigned": _l("Date signed (every contract)"),
    "contracts/documents": _l("Contract documents (every contract)"),
    "contracts/implementation/transactions": _l("Payments (contracts in implementation)"),
    "contracts/implementation/milestones": _l("Milestones (contracts in implementation)"),
}

CHECK_LABELS = {
    "schema": _l("OCDS schema"),
    "format": _l("Date-time format"),
    "codelist": _l("Codelist"),
    "ocid-prefix": _l("ocid prefix"),
    "dates-order": _l("Dates in order"),
    "party-reference": _l("Reference to a party"),
    "party-role": _l("Party role"),
    "award-reference": _l("Reference to an award"),
    "lot-reference": _l("Reference to a lot"),
    "amount": _l("Amounts"),
    "duplicate-id": _l("Repeated identifiers"),
}


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@bp.get("/data-quality")
def data_quality() -> ResponseReturnValue:
    """Validation results and field coverage per stage of our own releases and records."""
    review = quality.cached_or_compute(
        db_session(),
        configured_schema(),
        Path(current_app.config["BULK_DIR"]),
        max_age=int(current_app.config.get("DATA_QUALITY_MAX_AGE", quality.MAX_AGE)),
    )
    stages = [
        {
            "stage": stage["stage"],
            "label": STAGE_LABELS.get(stage["stage"], stage["stage"]),
            "processes": stage["processes"],
            "fields": [
                {
                    "key": f["key"],
                    "label": FIELD_LABELS.get(f["key"], f["key"]),
                    "filled": f["filled"],
                    "percent": _percent(f["filled"], stage["processes"]),
                }
                for f in stage["fields"]
            ],
        }
        for stage in review["stages"]
    ]
    return render_template(
        "public/data_quality.html",
        review=review,
        stages=stages,
        check_labels=CHECK_LABELS,
        errors=[f for f in review["findings"] if f["severity"] == "error"],
        warnings=[f for f in review["findings"] if f["severity"] == "warning"],
    )
