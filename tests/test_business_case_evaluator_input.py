"""Evaluation requests: validation with field paths, and the `tianguis cases evaluate` CLI."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from flask import Flask

from app.cli import main
from business_cases.evaluator_input import EvaluationInputError, load_currencies, loads, parse

GOOD = {
    "currency": "MXN",
    "discount_rate": 0.10,
    "unit_home_cost": 25000,
    "optimism_bias": {"capex": 0.2},
    "lines": [
        {"kind": "cost", "category": "capex", "year": 0, "amount": 1000},
        {"kind": "benefit", "category": "cash-releasing", "year": 1, "amount": 600},
        {"kind": "benefit", "category": "cash_releasing", "year": 2, "amount": 600},
    ],
}


def errors_of(data: object) -> dict[str, str]:
    with pytest.raises(EvaluationInputError) as info:
        parse(data)
    return {e.path: e.message for e in info.value.errors}


def bad_line(**changes: object) -> dict[str, object]:
    data = json.loads(json.dumps(GOOD))
    data["lines"][1].update(changes)
    return data


def test_good_input_parses_exactly() -> None:
    case = parse(loads(json.dumps(GOOD)))
    assert case.discount_rate == D("0.1")
    assert case.lines[1].category == "cash_releasing"
    assert case.optimism_bias["capex"].upper == D("0.2")
    assert case.usd_rate == D("0.055")  # stored MXN rate


def test_jurisdiction_gives_the_default_rate() -> None:
    data = dict(GOOD)
    del data["discount_rate"]
    assert parse({**data, "jurisdiction": "CL"}).discount_rate == D("0.06")
    assert parse({**data, "jurisdiction": "UK"}).discount_rate == D("0.035")
    assert parse({**data, "jurisdiction": "MX"}).discount_rate == D("0.10")
    assert "jurisdiction" in errors_of({**data, "jurisdiction": "FR"})
    assert "discount_rate" in errors_of(data)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"year": -1}, "lines[1].year"),
        ({"year": 101}, "lines[1].year"),
        ({"year": 1.5}, "lines[1].year"),
        ({"amount": "600"}, "lines[1].amount"),
        ({"amount": None}, "lines[1].amount"),
        ({"amount": True}, "lines[1].amount"),
        ({"amount": -5}, "lines[1].amount"),
        ({"kind": "gift"}, "lines[1].kind"),
        ({"category": "capex"}, "lines[1].category"),
    ],
)
def test_bad_line_is_named_by_path(change: dict[str, object], path: str) -> None:
    assert path in errors_of(bad_line(**change))


def test_rates_at_or_below_minus_100_percent_are_refused() -> None:
    assert "discount_rate" in errors_of({**GOOD, "discount_rate": -1})
    assert "discount_rate" in errors_of({**GOOD, "discount_rate": -2.5})
    assert parse({**GOOD, "discount_rate": -0.5}).discount_rate == D("-0.5")


def test_nan_and_infinity_are_refused() -> None:
    text = json.dumps(GOOD).replace('"amount": 600', '"amount": NaN', 1)
    assert "lines[1].amount" in errors_of(loads(text))
    text = json.dumps(GOOD).replace('"discount_rate": 0.1', '"discount_rate": Infinity')
    assert "discount_rate" in errors_of(loads(text))


def test_empty_cost_lines_and_unknown_currency() -> None:
    only_benefits = {**GOOD, "lines": GOOD["lines"][1:]}  # type: ignore[index]
    assert errors_of(only_benefits)["lines"] == "needs at least one cost line"
    assert "lines" in errors_of({**GOOD, "lines": []})
    assert "currency" in errors_of({**GOOD, "currency": "XXZ"})
    assert "$" in errors_of([1, 2])


def test_bad_settings() -> None:
    errs = errors_of(
        {**GOOD, "mitigation": 1.5, "unit_home_cost": 0, "usd_rate": -1,
         "optimism_bias": {"hardware": 0.1, "capex": {"upper": 0.1, "lower": 0.5}}}
    )
    assert {"mitigation", "unit_home_cost", "usd_rate", "optimism_bias.hardware",
            "optimism_bias.capex.lower"} <= set(errs)


def test_options_need_a_do_minimum_and_two_others() -> None:
    opt = {"name": "A", "lines": GOOD["lines"]}
    data = {k: v for k, v in GOOD.items() if k != "lines"}
    assert "options" in errors_of({**data, "options": [opt, {**opt, "do_minimum": True}]})
    errs = errors_of({**data, "options": [opt, {**opt, "do_minimum": True}, {"lines": [{}]}]})
    assert {"options[2].name", "options[2].lines[0].kind", "options[2].lines"} <= set(errs)
    ok = parse({**data, "options": [{**opt, "do_minimum": True}, opt, {**opt, "name": "B"}]})
    assert len(ok.options) == 3 and ok.lines == ()


def test_currencies_read_from_a_codelist_file(tmp_path: Path) -> None:
    csv_path = tmp_path / "currency.csv"
    csv_path.write_text("Code,Title,Valid Until\nMXN,Mexican Peso,\nXTS,Test,\n")
    codes = load_currencies(csv_path)
    assert codes == {"MXN", "XTS"}
    assert "USD" in load_currencies(tmp_path / "missing.csv")  # the small list in code


def _run(app: Flask, tmp_path: Path, content: str, *extra: str) -> tuple[int, str, str]:
    path = tmp_path / "case.json"
    path.write_text(content)
    result = app.test_cli_runner().invoke(main, args=["cases", "evaluate", str(path), *extra])
    return result.exit_code, result.stdout, result.stderr


def test_cli_prints_the_evaluation(app: Flask, tmp_path: Path) -> None:
    code, out, _err = _run(app, tmp_path, json.dumps(GOOD))
    assert code == 0
    data = json.loads(out)
    for key in ("npv", "pv_costs", "pv_benefits", "bcr", "vfm_band", "tco", "payback_year",
                "discounted_payback_year", "homes_equivalent", "switching_value_benefits"):
        assert key in data
    assert data["npv"] == 41.32 and data["vfm_band"] == "low"
    assert data["with_optimism_bias"]["npv"] == -158.68


def test_cli_reads_the_currency_list_it_is_given(app: Flask, tmp_path: Path) -> None:
    csv_path = tmp_path / "cur.csv"
    csv_path.write_text("Code,Title\nXTS,Test\n")
    code, _out, err = _run(app, tmp_path, json.dumps(GOOD), "--currencies", str(csv_path))
    assert code == 1 and "currency" in err
    code, _out, _err = _run(
        app, tmp_path, json.dumps({**GOOD, "currency": "XTS", "usd_rate": 1}),
        "--currencies", str(csv_path),
    )
    assert code == 0


def test_cli_bad_input_exits_1_with_one_line(app: Flask, tmp_path: Path) -> None:
    code, out, err = _run(app, tmp_path, json.dumps(bad_line(year=-3)))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "lines[1].year" in err
    code, _out, err = _run(app, tmp_path, "{not json")
    assert code == 1 and "not valid JSON" in err and err.count("\n") == 1
