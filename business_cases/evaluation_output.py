"""The evaluator's results written out as plain data and JSON, rounded for people:
money to 0.01, ratios to 0.0001, homes to 0.1, all ROUND_HALF_UP (the arithmetic itself,
in business_cases/evaluator.py, never rounds).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from business_cases.evaluator import CaseEvaluation, Evaluation, Figures

_CENT = Decimal("0.01")
_RATIO = Decimal("0.0001")
_TENTH = Decimal("0.1")


def _q(x: Decimal | None, step: Decimal = _CENT) -> Decimal | None:
    return None if x is None else x.quantize(step, rounding=ROUND_HALF_UP)


def _figures_dict(f: Figures) -> dict[str, Any]:
    return {
        "npv": _q(f.npv),
        "pv_costs": _q(f.pv_costs),
        "pv_benefits": _q(f.pv_benefits),
        "bcr": _q(f.bcr, _RATIO),
        "vfm_band": f.vfm_band,
        "tco": _q(f.tco),
        "payback_year": f.payback_year,
        "discounted_payback_year": f.discounted_payback_year,
    }


def evaluation_to_dict(ev: Evaluation) -> dict[str, Any]:
    """One evaluation as plain data, rounded for people (see the module docstring)."""
    out = _figures_dict(ev.base)
    out.update(
        {
            "currency": ev.currency,
            "discount_rate": ev.discount_rate,
            "horizon_years": ev.horizon,
            "total_cost": _q(ev.total_cost),
            "total_benefit": _q(ev.total_benefit),
            "homes_equivalent": _q(ev.homes_equivalent, _TENTH),
            "unit_home_cost_usd": _q(ev.unit_home_cost),
            "usd_rate": ev.usd_rate,
            "switching_value_benefits": _q(ev.switching_value_benefits, _RATIO),
            "switching_value_costs": _q(ev.switching_value_costs, _RATIO),
            "with_optimism_bias": {
                **_figures_dict(ev.with_optimism_bias),
                "uplifts": {k: _q(v, _RATIO) for k, v in sorted(ev.uplifts.items())},
                "duration_years": ev.duration_years,
                "duration_with_optimism_bias": _q(ev.duration_with_optimism_bias, _TENTH),
            },
            "sensitivity": [
                {
                    "change": row["change"],
                    "npv_costs": _q(row["npv_costs"]),
                    "npv_benefits": _q(row["npv_benefits"]),
                }
                for row in ev.sensitivity
            ],
            "cash_flows": [
                {k: (_q(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
                for row in ev.cash_flows
            ],
        }
    )
    return out


def case_evaluation_to_dict(result: CaseEvaluation) -> dict[str, Any]:
    out = evaluation_to_dict(result.headline)
    if result.options:
        out["options"] = [
            {
                "name": opt.name,
                "do_minimum": opt.do_minimum,
                "preferred": i == result.preferred,
                **_figures_dict(ev.base),
                "total_cost": _q(ev.total_cost),
                "with_optimism_bias": _figures_dict(ev.with_optimism_bias),
            }
            for i, (opt, ev) in enumerate(result.options)
        ]
        out["preferred_option"] = (
            result.options[result.preferred][0].name if result.preferred is not None else None
        )
    return out


def to_json(value: Any, indent: int = 2, _level: int = 0) -> str:
    """JSON text in which Decimals are written as exact numbers (json.dumps would need
    float, which is the rounding we avoid)."""
    pad, inner = " " * (indent * _level), " " * (indent * (_level + 1))
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [
            f"{inner}{_json_str(str(k))}: {to_json(v, indent, _level + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [f"{inner}{to_json(v, indent, _level + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    if isinstance(value, Decimal):
        return format(value, "f")
    return _json_str(value)


def _json_str(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
