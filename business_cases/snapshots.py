"""Snapshots of a case (plain JSON) and the differences between two of them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

from business_cases.models import TEXT_FIELDS, BusinessCase

SNAPSHOT_FORMAT = 1


def jsonable(value: Any) -> Any:
    """Decimals as strings (exact), enums as their values, containers recursively."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Enum):
        return value.value
    return value


def case_content(case: BusinessCase) -> dict[str, Any]:
    """What the buyer wrote: the same shape services.update_case accepts."""
    return {
        "title": case.title,
        "plan_line_id": case.plan_line_id,
        "currency": case.currency,
        "jurisdiction": case.jurisdiction,
        "discount_rate": case.discount_rate,
        "usd_rate": case.usd_rate,
        "unit_home_cost": case.unit_home_cost,
        "delivery_approach": case.delivery_approach,
        **{name: getattr(case, name) for name in TEXT_FIELDS},
        "options": [
            {
                "name": opt.name,
                "description": opt.description,
                "do_minimum": opt.is_do_minimum,
                "lines": [
                    {
                        "kind": ln.kind,
                        "category": ln.category,
                        "year": ln.year,
                        "amount": ln.amount,
                        "description": ln.description,
                    }
                    for ln in opt.lines
                ],
            }
            for opt in case.options
        ],
        "risks": [
            {
                "description": r.description,
                "likelihood": r.likelihood,
                "impact": r.impact,
                "mitigation": r.mitigation,
                "owner": r.owner,
            }
            for r in case.risks
        ],
    }


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": [1]}} → {"a.b[0]": 1}: paths as the rest of the app names fields."""
    out: dict[str, Any] = {}
    if isinstance(value, Mapping):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list):
        if not value:
            out[prefix] = []
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = value
    return out


def diff_snapshots(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Changed content between two snapshots, as [{path, old, new}] sorted by path.

    Only what the buyer wrote is compared (the evaluation follows from it); rows are
    matched by position, so an inserted line shows as changes to the lines after it.
    """
    a = flatten(old.get("content", {}), "")
    b = flatten(new.get("content", {}), "")
    return [
        {"path": path, "old": a.get(path), "new": b.get(path)}
        for path in sorted(set(a) | set(b))
        if a.get(path) != b.get(path)
    ]
