"""Validating an evaluation request (JSON shape in the README) into a CaseInput.

Every problem is reported with the JSON path of the field it belongs to, e.g.
``lines[3].year``; nothing is evaluated while any problem remains.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from business_cases.evaluator import (
    BENEFIT_CATEGORIES,
    COST_CATEGORIES,
    DEFAULT_DISCOUNT_RATES,
    DEFAULT_OPTIMISM_BIAS,
    DEFAULT_UNIT_HOME_COST_USD,
    DEFAULT_USD_RATES,
    Bounds,
    CaseInput,
    Line,
    Option,
)

#: Longest horizon accepted: year numbers run 0..MAX_YEAR.
MAX_YEAR = 100

#: Used when the ISO 4217 codelist file cannot be read (the OCDS copy is preferred).
FALLBACK_CURRENCIES = frozenset(
    ("USD", "MXN", "CLP", "GBP", "EUR", "CAD", "BRL", "COP", "PEN", "ARS", "UYU", "JPY")
)


@dataclass(frozen=True)
class FieldError:
    """A problem with one field. ``message`` is English with ``%(name)s`` placeholders
    filled from ``params``, so the app can look the template up in its translations."""

    path: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.message % dict(self.params) if self.params else self.message

    def __str__(self) -> str:
        return f"{self.path}: {self.text}"


class EvaluationInputError(ValueError):
    """The request is invalid; ``errors`` lists each problem with its field path."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def load_currencies(path: Path | None) -> frozenset[str]:
    """ISO 4217 codes from the OCDS currency codelist CSV (column "Code"), read now."""
    if path is None or not path.is_file():
        return FALLBACK_CURRENCIES
    with path.open(newline="", encoding="utf-8") as fh:
        return frozenset(row["Code"].strip() for row in csv.DictReader(fh) if row.get("Code"))


def loads(text: str) -> Any:
    """Parse JSON keeping numbers exact (Decimal) and NaN/Infinity visible as NaN."""
    return json.loads(
        text,
        parse_float=Decimal,
        parse_int=Decimal,
        parse_constant=lambda name: Decimal("NaN"),
    )


class Checker:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, path: str, message: str, **params: Any) -> None:
        self.errors.append(FieldError(path, message, params))

    def number(
        self, value: Any, path: str, *, minimum: Decimal | None = None, strict_min: bool = False,
        maximum: Decimal | None = None,
    ) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
            self.fail(path, "must be a number")
            return None
        try:
            d = value if isinstance(value, Decimal) else Decimal(str(value))
        except InvalidOperation:
            self.fail(path, "must be a number")
            return None
        if not d.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
            self.fail(path, "must be a finite number (not NaN or Infinity)")
            return None
        if minimum is not None and (d <= minimum if strict_min else d < minimum):
            if strict_min:
                self.fail(path, "must be greater than %(n)s", n=str(minimum))
            else:
                self.fail(path, "must be at least %(n)s", n=str(minimum))
            return None
        if maximum is not None and d > maximum:
            self.fail(path, "must be at most %(n)s", n=str(maximum))
            return None
        return d

    def year(self, value: Any, path: str) -> int | None:
        d = self.number(value, path)
        if d is None:
            return None
        if d != d.to_integral_value():
            self.fail(path, "must be a whole year number")
            return None
        if d < 0:
            self.fail(path, "must not be negative (year 0 is the first year)")
            return None
        if d > MAX_YEAR:
            self.fail(path, "horizon over %(n)s years is not accepted", n=MAX_YEAR)
            return None
        return int(d)

    def lines(self, raw: Any, path: str, *, require_cost: bool = True) -> tuple[Line, ...]:
        if not isinstance(raw, list):
            self.fail(path, "must be a list of lines")
            return ()
        out = []
        for i, item in enumerate(raw):
            p = f"{path}[{i}]"
            if not isinstance(item, Mapping):
                self.fail(p, "must be an object")
                continue
            kind = item.get("kind")
            if kind not in ("cost", "benefit"):
                self.fail(f"{p}.kind", 'must be "cost" or "benefit"')
                continue
            allowed = COST_CATEGORIES if kind == "cost" else BENEFIT_CATEGORIES
            category = str(item.get("category", "")).strip().lower().replace("-", "_")
            if category not in allowed:
                self.fail(f"{p}.category", "must be one of %(choices)s", choices=", ".join(allowed))
            year = self.year(item.get("year"), f"{p}.year")
            amount = self.number(item.get("amount"), f"{p}.amount", minimum=Decimal(0))
            if year is not None and amount is not None and category in allowed:
                out.append(Line(kind, category, year, amount))
        if require_cost and not any(
            isinstance(i, Mapping) and i.get("kind") == "cost" for i in raw
        ):
            self.fail(path, "needs at least one cost line")
        return tuple(out)


def parse(data: Any, currencies: Iterable[str] = FALLBACK_CURRENCIES) -> CaseInput:
    """Validate ``data`` (as loaded by :func:`loads`); raise EvaluationInputError."""
    c = Checker()
    if not isinstance(data, Mapping):
        raise EvaluationInputError([FieldError("$", "must be a JSON object")])
    codes = frozenset(currencies)

    currency = data.get("currency")
    if not isinstance(currency, str) or currency.upper() not in codes:
        c.fail("currency", "must be an ISO 4217 currency code, e.g. MXN")
        currency = ""
    currency = currency.upper()

    rate: Decimal | None = None
    if "discount_rate" in data:
        rate = c.number(
            data["discount_rate"], "discount_rate", minimum=Decimal(-1), strict_min=True
        )
    elif data.get("jurisdiction") in DEFAULT_DISCOUNT_RATES:
        rate = DEFAULT_DISCOUNT_RATES[data["jurisdiction"]]
    elif "jurisdiction" in data:
        c.fail("jurisdiction", "must be one of %(choices)s",
               choices=", ".join(DEFAULT_DISCOUNT_RATES))
    else:
        c.fail("discount_rate", "give a discount_rate (e.g. 0.10) or a jurisdiction")

    unit = DEFAULT_UNIT_HOME_COST_USD
    if "unit_home_cost" in data:
        unit = c.number(data["unit_home_cost"], "unit_home_cost", minimum=Decimal(0),
                        strict_min=True) or unit
    usd_rate: Decimal | None = DEFAULT_USD_RATES.get(currency)
    if data.get("usd_rate") is not None:
        usd_rate = c.number(data["usd_rate"], "usd_rate", minimum=Decimal(0), strict_min=True)

    mitigation = Decimal(0)
    if "mitigation" in data:
        mitigation = c.number(data["mitigation"], "mitigation", minimum=Decimal(0),
                              maximum=Decimal(1)) or Decimal(0)

    bias = dict(DEFAULT_OPTIMISM_BIAS)
    raw_bias = data.get("optimism_bias", {})
    if not isinstance(raw_bias, Mapping):
        c.fail("optimism_bias", "must be an object of category: uplift")
        raw_bias = {}
    for key, value in raw_bias.items():
        p = f"optimism_bias.{key}"
        if key not in (*COST_CATEGORIES, "duration"):
            c.fail(p, "must be a cost category (%(choices)s) or duration",
                   choices=", ".join(COST_CATEGORIES))
        elif isinstance(value, Mapping):
            upper = c.number(value.get("upper"), f"{p}.upper", minimum=Decimal(0))
            lower = c.number(value.get("lower", Decimal(0)), f"{p}.lower", minimum=Decimal(0))
            if upper is not None and lower is not None:
                if lower > upper:
                    c.fail(f"{p}.lower", "must not exceed upper")
                bias[key] = Bounds(upper, lower)
        else:
            # A single number is a fixed uplift: the mitigation factor still scales it.
            upper = c.number(value, p, minimum=Decimal(0))
            if upper is not None:
                bias[key] = Bounds(upper)

    has_options = "options" in data
    lines: tuple[Line, ...] = ()
    if "lines" in data or not has_options:
        lines = c.lines(data.get("lines"), "lines")

    options: list[Option] = []
    if has_options:
        raw_options = data["options"]
        if not isinstance(raw_options, list):
            c.fail("options", "must be a list")
            raw_options = []
        for i, raw in enumerate(raw_options):
            p = f"options[{i}]"
            if not isinstance(raw, Mapping):
                c.fail(p, "must be an object")
                continue
            name = raw.get("name")
            if not isinstance(name, str) or not name.strip():
                c.fail(f"{p}.name", "is required")
                name = f"option {i + 1}"
            do_min = raw.get("do_minimum", False)
            if not isinstance(do_min, bool):
                c.fail(f"{p}.do_minimum", "must be true or false")
                do_min = False
            options.append(Option(name.strip(), c.lines(raw.get("lines"), f"{p}.lines"), do_min))
        if sum(o.do_minimum for o in options) != 1 or len(options) < 3:
            c.fail("options", 'needs one "do minimum" option and at least two others')

    if c.errors:
        raise EvaluationInputError(c.errors)
    assert rate is not None
    return CaseInput(
        currency=currency,
        discount_rate=rate,
        lines=lines,
        options=tuple(options),
        unit_home_cost=unit,
        usd_rate=usd_rate,
        optimism_bias=bias,
        mitigation=mitigation,
    )
