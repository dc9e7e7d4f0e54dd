"""The evaluator's formulas on worked examples computed by hand (in each docstring)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from business_cases.evaluator import (
    DEFAULT_OPTIMISM_BIAS,
    Bounds,
    CaseInput,
    Line,
    Option,
    apply_optimism_bias,
    case_evaluation_to_dict,
    effective_uplift,
    evaluate,
    evaluate_lines,
    figures,
    homes_equivalent,
    net_flows,
    payback_year,
    to_json,
    vfm_band,
)


def cost(year: int, amount: str, category: str = "capex") -> Line:
    return Line("cost", category, year, D(amount))


def benefit(year: int, amount: str, category: str = "cash_releasing") -> Line:
    return Line("benefit", category, year, D(amount))


EXAMPLE_A = (cost(0, "1000"), benefit(1, "600"), benefit(2, "600"))


def case(lines: tuple[Line, ...] = EXAMPLE_A, rate: str = "0.10", **kw: object) -> CaseInput:
    return CaseInput(currency="MXN", discount_rate=D(rate), lines=lines, **kw)  # type: ignore[arg-type]


def r2(x: D | None) -> D | None:
    return None if x is None else x.quantize(D("0.01"))


def test_npv_bcr_tco_on_example_a() -> None:
    """r = 10 %, C_0 = 1000, B_1 = B_2 = 600.

    PV(B) = 600/1.1 + 600/1.21 = 545.4545 + 495.8678 = 1041.3223
    PV(C) = 1000 (year 0 is not discounted) = TCO
    NPV   = 1041.3223 − 1000 = 41.32
    BCR   = 1041.3223 / 1000 = 1.0413 → band "low" (1 ≤ BCR < 1.5)
    """
    f = figures(EXAMPLE_A, D("0.10"))
    assert r2(f.pv_benefits) == D("1041.32")
    assert f.pv_costs == D("1000") == f.tco
    assert r2(f.npv) == D("41.32")
    assert f.bcr is not None and f.bcr.quantize(D("0.0001")) == D("1.0413")
    assert f.vfm_band == "low"


def test_payback_years_on_example_a() -> None:
    """Cumulative net: −1000, −400, +200 → payback year 2.
    Discounted: −1000, −1000 + 545.45 = −454.55, −454.55 + 495.87 = +41.32 → year 2.
    """
    f = figures(EXAMPLE_A, D("0.10"))
    assert f.payback_year == 2
    assert f.discounted_payback_year == 2


def test_discounting_can_delay_payback() -> None:
    """C_0 = 100, B_1 = 100, B_2 = 10 at r = 10 %.
    Undiscounted cumulative: −100, 0 → payback year 1 (reaching 0 counts).
    Discounted: −100, −100 + 90.91 = −9.09, −9.09 + 8.26 = −0.83 → never (None).
    """
    f = figures((cost(0, "100"), benefit(1, "100"), benefit(2, "10")), D("0.10"))
    assert f.payback_year == 1
    assert f.discounted_payback_year is None


def test_payback_must_hold_to_the_horizon() -> None:
    """C_0 = 100, B_1 = 150, exit C_2 = 100: cumulative −100, +50, −50 → None.
    Adding B_3 = 100: −100, +50, −50, +50 → payback moves to year 3, not year 1.
    """
    lines = (cost(0, "100"), benefit(1, "150"), cost(2, "100", "exit"))
    assert payback_year(net_flows(lines), 2) is None
    assert payback_year(net_flows((*lines, benefit(3, "100"))), 3) == 3


def test_no_benefits() -> None:
    """C_0 = 100, C_1 = 110 at r = 10 %: PV(C) = 100 + 110/1.1 = 200, PV(B) = 0.
    NPV = −200; BCR = 0/200 = 0 → "poor"; payback never (None);
    switching value of benefits undefined (PV(B) = 0 → None);
    switching value of costs = NPV / PV(C) = −200/200 = −1 (costs would have to vanish).
    """
    lines = (cost(0, "100"), cost(1, "110", "opex"))
    ev = evaluate_lines(case(lines), lines)
    assert r2(ev.base.pv_costs) == D("200.00")
    assert r2(ev.base.npv) == D("-200.00")
    assert ev.base.bcr == 0
    assert ev.base.vfm_band == "poor"
    assert ev.base.payback_year is None and ev.base.discounted_payback_year is None
    assert ev.switching_value_benefits is None
    assert ev.switching_value_costs is not None and r2(ev.switching_value_costs) == D("-1.00")


def test_zero_costs() -> None:
    """A cost line of 0 in year 0 and B_1 = 55 at r = 10 %: PV(C) = 0, PV(B) = 50.
    BCR = 50/0 is undefined → None, and so is its band; NPV = 50;
    payback year 0 (cumulative never below 0); switching value of costs None;
    of benefits −50/50 = −1.
    """
    lines = (cost(0, "0"), benefit(1, "55"))
    ev = evaluate_lines(case(lines), lines)
    assert ev.base.bcr is None and ev.base.vfm_band is None
    assert r2(ev.base.npv) == D("50.00")
    assert ev.base.payback_year == 0
    assert ev.switching_value_costs is None
    assert ev.switching_value_benefits is not None and r2(ev.switching_value_benefits) == D("-1.00")


def test_switching_values_and_sensitivity_on_example_a() -> None:
    """NPV = 41.3223, PV(B) = 1041.3223, PV(C) = 1000.
    x_B = −41.3223 / 1041.3223 = −0.0397 (benefits may fall 3.97 %);
    x_C = 41.3223 / 1000 = 0.0413 (costs may rise 4.13 %).
    Costs +10 %: 1041.32 − 1100 = −58.68; benefits −10 %: 937.19 − 1000 = −62.81;
    costs −30 %: 1041.32 − 700 = 341.32; benefits +30 %: 1353.72 − 1000 = 353.72.
    """
    out = case_evaluation_to_dict(evaluate(case()))
    assert out["switching_value_benefits"] == D("-0.0397")
    assert out["switching_value_costs"] == D("0.0413")
    rows = {row["change"]: row for row in out["sensitivity"]}
    assert rows[D("0.10")]["npv_costs"] == D("-58.68")
    assert rows[D("-0.10")]["npv_benefits"] == D("-62.81")
    assert rows[D("-0.30")]["npv_costs"] == D("341.32")
    assert rows[D("0.30")]["npv_benefits"] == D("353.72")
    assert sorted(rows) == [D(x) for x in ("-0.30", "-0.20", "-0.10", "0.10", "0.20", "0.30")]


def test_value_for_money_band_boundaries() -> None:
    """Boundaries belong to the band above: 1 → low, 1.5 → medium, 2 → high;
    4 is still "high" and only above 4 is "very high"."""
    expected = {
        "0.9999": "poor", "1": "low", "1.4999": "low", "1.5": "medium", "1.9999": "medium",
        "2": "high", "4": "high", "4.0001": "very_high",
    }
    for value, band in expected.items():
        assert vfm_band(D(value)) == band, value
    assert vfm_band(None) is None


def test_optimism_bias_uplift_and_mitigation() -> None:
    """Green Book capex bounds: upper 200 %, lower 10 %. uplift = max(lower, upper·(1 − m)).
    m = 0 → 2.00; m = 0.5 → max(0.10, 1.00) = 1.00; m = 0.96 → max(0.10, 0.08) = 0.10;
    m = 1 → 0.10. Duration: m = 0 → 0.54, m = 1 → 0.10.
    """
    capex = DEFAULT_OPTIMISM_BIAS["capex"]
    assert effective_uplift(capex, D(0)) == D("2.00")
    assert effective_uplift(capex, D("0.5")) == D("1.00")
    assert effective_uplift(capex, D("0.96")) == D("0.10")
    assert effective_uplift(capex, D(1)) == D("0.10")
    assert effective_uplift(DEFAULT_OPTIMISM_BIAS["duration"], D(0)) == D("0.54")


def test_optimism_bias_results_with_and_without() -> None:
    """Example A with a fixed 20 % capex uplift (no lower bound), m = 0:
    C_0 = 1000 · 1.2 = 1200; NPV = 1041.32 − 1200 = −158.68; BCR = 0.8678 → "poor".
    Undiscounted cumulative −1200, −600, 0 → payback year 2; discounted ends at −158.68 → None.
    With m = 0.5 the uplift is 10 %: NPV = 1041.32 − 1100 = −58.68.
    Opex lines have no default uplift, so an all-opex case is unchanged.
    """
    out = case_evaluation_to_dict(evaluate(case(optimism_bias={"capex": Bounds(D("0.2"))})))
    assert out["npv"] == D("41.32")
    adjusted = out["with_optimism_bias"]
    assert adjusted["npv"] == D("-158.68")
    assert adjusted["bcr"] == D("0.8678") and adjusted["vfm_band"] == "poor"
    assert adjusted["payback_year"] == 2 and adjusted["discounted_payback_year"] is None
    half = evaluate(case(optimism_bias={"capex": Bounds(D("0.2"))}, mitigation=D("0.5")))
    assert r2(half.headline.with_optimism_bias.npv) == D("-58.68")
    opex_only = (cost(0, "100", "opex"),)
    assert apply_optimism_bias(opex_only, DEFAULT_OPTIMISM_BIAS, D(0)) == opex_only


def test_duration_bias_reported() -> None:
    """Capex in years 0 and 1 → duration 2 years; default duration uplift 54 % at m = 0
    → 2 · 1.54 = 3.08 → 3.1 when rounded to a tenth."""
    lines = (cost(0, "10"), cost(1, "10"), benefit(2, "50"))
    out = case_evaluation_to_dict(evaluate(case(lines)))
    assert out["with_optimism_bias"]["duration_years"] == 2
    assert out["with_optimism_bias"]["duration_with_optimism_bias"] == D("3.1")


def test_homes_equivalent() -> None:
    """1,000,000 MXN · 0.055 USD/MXN = 55,000 USD; / 25,000 USD per home = 2.2 homes.
    With a unit cost of 11,000 USD: 55,000 / 11,000 = 5 homes. No rate → None."""
    assert homes_equivalent(D("1000000"), D("0.055"), D("25000")) == D("2.2")
    assert homes_equivalent(D("1000000"), D("0.055"), D("11000")) == D("5")
    assert homes_equivalent(D("1000000"), None, D("25000")) is None
    lines = (cost(0, "600000"), cost(3, "400000", "exit"), benefit(1, "10"))
    out = case_evaluation_to_dict(evaluate(case(lines, usd_rate=D("0.055"))))
    assert out["homes_equivalent"] == D("2.2")


def test_zero_rate_and_negative_rate() -> None:
    """r = 0: NPV = Σ(B − C) = 1200 − 1000 = 200.
    r = −50 %: DF_1 = 1/0.5 = 2, DF_2 = 1/0.25 = 4 → PV(B) = 600·2 + 600·4 = 3600; NPV = 2600."""
    assert figures(EXAMPLE_A, D(0)).npv == D(200)
    assert figures(EXAMPLE_A, D("-0.5")).npv == D(2600)


def _options(*specs: tuple[str, bool, tuple[Line, ...]]) -> tuple[Option, ...]:
    return tuple(Option(name, lines, dm) for name, dm, lines in specs)


def test_preferred_option_highest_npv_among_bcr_at_least_one() -> None:
    """At r = 0: do minimum C 100, B 110 → NPV 10, BCR 1.1;
    A: C 1000, B 1500 → NPV 500, BCR 1.5; B: C 5000, B 5600 → NPV 600, BCR 1.12;
    C: C 9000, B 8900 → NPV −100, BCR 0.99 (excluded). Preferred: B (highest NPV, BCR ≥ 1).
    """
    opts = _options(
        ("Do minimum", True, (cost(0, "100"), benefit(1, "110"))),
        ("A", False, (cost(0, "1000"), benefit(1, "1500"))),
        ("B", False, (cost(0, "5000"), benefit(1, "5600"))),
        ("C", False, (cost(0, "9000"), benefit(1, "8900"))),
    )
    result = evaluate(case((), rate="0", options=opts))
    out = case_evaluation_to_dict(result)
    assert out["preferred_option"] == "B"
    assert [o["preferred"] for o in out["options"]] == [False, False, True, False]
    assert out["npv"] == D("600.00")  # the headline is the preferred option without top lines
    npvs = [D("10.00"), D("500.00"), D("600.00"), D("-100.00")]
    assert [o["npv"] for o in out["options"]] == npvs


def test_preferred_option_is_do_minimum_when_nothing_pays() -> None:
    """All BCR < 1 (do minimum 100/90, A 1000/900, B 500/100) → the do minimum is preferred.
    Ties (A and B both NPV 50, BCR ≥ 1) go to the option listed first."""
    opts = _options(
        ("A", False, (cost(0, "1000"), benefit(1, "900"))),
        ("Do minimum", True, (cost(0, "100"), benefit(1, "90"))),
        ("B", False, (cost(0, "500"), benefit(1, "100"))),
    )
    assert evaluate(case((), rate="0", options=opts)).preferred == 1
    tied = _options(
        ("Do minimum", True, (cost(0, "100"), benefit(1, "90"))),
        ("A", False, (cost(0, "100"), benefit(1, "150"))),
        ("B", False, (cost(0, "200"), benefit(1, "250"))),
    )
    assert evaluate(case((), rate="0", options=tied)).preferred == 1


def test_to_json_writes_exact_decimals() -> None:
    text = to_json({"a": D("0.10"), "b": [1, None, "x", True], "c": {}})
    assert '"a": 0.10' in text and "null" in text and "true" in text


@pytest.mark.parametrize("rate", ["0.10", "0.06", "0.035"])
def test_npv_equals_sum_of_discounted_net_flows(rate: str) -> None:
    """NPV = Σ_t (B_t − C_t)/(1 + r)^t computed directly, for the three default rates."""
    r = D(rate)
    direct = D(-1000) + D(600) / (1 + r) + D(600) / (1 + r) ** 2
    assert abs(figures(EXAMPLE_A, r).npv - direct) < D("1e-20")
