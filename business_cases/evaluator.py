"""Economic evaluation of an ICT business case: pure functions, no database, no Flask.

Arithmetic
    Everything is computed in ``decimal.Decimal`` (28 significant digits, the default
    context), never in float, so the same input gives the same cents on every machine.
    Results are rounded only when they are written out (business_cases/evaluation_output.py):
    money to 0.01, ratios to 0.0001, homes to 0.1, all ROUND_HALF_UP.

Conventions
    Years are whole periods ``t = 0..T``; year 0 is "now" and is not discounted. All
    amounts of one case are in one ISO 4217 currency, in real (constant) prices.
    ``r`` is a fraction (0.10 = 10 %). Costs and benefits are entered as non-negative
    amounts; a saving is a benefit line, not a negative cost.

Formulas
    discount factor  DF_t = 1 / (1 + r)^t
    PV(x)            = Σ_t x_t · DF_t
    NPV              = Σ_t (B_t − C_t) / (1 + r)^t  = PV(benefits) − PV(costs)
    BCR              = PV(benefits) / PV(costs); undefined (None) when PV(costs) = 0
    TCO              = PV(costs): every cost line (capex, opex, licences, support,
                       staff, exit) over the whole life, discounted
    payback year     = the first year t from which the cumulative net flow
                       Σ_{s≤t} (B_s − C_s) is ≥ 0 and stays ≥ 0 up to T (so a late exit
                       cost that pushes it negative again moves payback later);
                       None when that never happens. The discounted payback year is the
                       same with each flow multiplied by DF_s.
    optimism bias    uplift_k = max(lower_k, upper_k · (1 − m)) for cost category k,
                       where m ∈ [0, 1] is the reviewer's mitigation factor (the Green
                       Book starts at the upper bound and lets evidence of mitigation
                       bring it down, but not below the lower bound);
                       adjusted C_t = Σ_k C_{t,k} · (1 + uplift_k).
                       Duration bias does not move cash flows here; it is reported as
                       the adjusted delivery duration  D · (1 + uplift_duration).
    sensitivity      NPV with every cost (or every benefit) scaled by (1 + p),
                       p ∈ {−30, −20, −10, +10, +20, +30} %.
    switching value  the change that makes NPV zero:
                       benefits: x_B = −NPV / PV(benefits)  (None if PV(benefits) = 0)
                       costs:    x_C =  NPV / PV(costs)     (None if PV(costs) = 0)
                       e.g. x_B = −0.25 means benefits may fall 25 % before NPV < 0.
    homes equivalent = (undiscounted total cost · rate to USD) / unit home cost (USD)
    value-for-money band from the BCR, each boundary belonging to the band above it:
                       BCR < 1 poor; 1 ≤ BCR < 1.5 low; 1.5 ≤ BCR < 2 medium;
                       2 ≤ BCR ≤ 4 high; BCR > 4 very high (4 itself is "high").
    preferred option = the option with the highest NPV among those with BCR ≥ 1; ties
                       go to the option listed first; when no option reaches BCR 1 the
                       "do minimum" option is preferred (spending more is not justified).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

# The output functions live in their own module; importable from here as before.
from business_cases.evaluation_output import case_evaluation_to_dict as case_evaluation_to_dict
from business_cases.evaluation_output import evaluation_to_dict as evaluation_to_dict
from business_cases.evaluation_output import to_json as to_json

ZERO = Decimal(0)
ONE = Decimal(1)

COST_CATEGORIES = ("capex", "opex", "licences", "support", "staff", "exit")
BENEFIT_CATEGORIES = ("cash_releasing", "non_cash", "societal")

#: Social discount rates by jurisdiction (fractions). Mexico: SHCP's 10 %; Chile: the
#: Ministry of Social Development's 6 %; UK: the Green Book's 3.5 %.
DEFAULT_DISCOUNT_RATES: dict[str, Decimal] = {
    "MX": Decimal("0.10"),
    "CL": Decimal("0.06"),
    "UK": Decimal("0.035"),
}

#: Default unit cost of a rebuilt home, in USD (the metric Mexico City uses).
DEFAULT_UNIT_HOME_COST_USD = Decimal("25000")

#: Stored conversion rates to USD (units of USD per unit of the currency), used when a
#: case gives no rate of its own. Reference values; a case may override them.
DEFAULT_USD_RATES: dict[str, Decimal] = {
    "USD": Decimal("1"),
    "MXN": Decimal("0.055"),
    "CLP": Decimal("0.00105"),
    "GBP": Decimal("1.27"),
    "EUR": Decimal("1.08"),
}

SENSITIVITY_STEPS = (
    Decimal("-0.30"),
    Decimal("-0.20"),
    Decimal("-0.10"),
    Decimal("0.10"),
    Decimal("0.20"),
    Decimal("0.30"),
)


@dataclass(frozen=True)
class Bounds:
    """Optimism-bias uplift range (fractions: 2.0 = +200 %)."""

    upper: Decimal
    lower: Decimal = ZERO


#: UK Green Book (supplementary guidance) bounds for equipment/development projects.
#: Capital cost applies to capex; "duration" to the delivery schedule. Other cost
#: categories get no uplift unless the case configures one.
DEFAULT_OPTIMISM_BIAS: dict[str, Bounds] = {
    "capex": Bounds(Decimal("2.00"), Decimal("0.10")),
    "duration": Bounds(Decimal("0.54"), Decimal("0.10")),
}


@dataclass(frozen=True)
class Line:
    kind: str  # "cost" or "benefit"
    category: str
    year: int
    amount: Decimal


@dataclass(frozen=True)
class Option:
    name: str
    lines: tuple[Line, ...]
    do_minimum: bool = False


@dataclass(frozen=True)
class CaseInput:
    """A validated evaluation request (see business_cases.evaluator_input.parse)."""

    currency: str
    discount_rate: Decimal
    lines: tuple[Line, ...]
    options: tuple[Option, ...] = ()
    unit_home_cost: Decimal = DEFAULT_UNIT_HOME_COST_USD
    usd_rate: Decimal | None = None
    optimism_bias: Mapping[str, Bounds] = field(default_factory=lambda: DEFAULT_OPTIMISM_BIAS)
    mitigation: Decimal = ZERO


# --- the formulas -------------------------------------------------------------------


def discount_factor(rate: Decimal, year: int) -> Decimal:
    """DF_t = 1 / (1 + r)^t."""
    return ONE / (ONE + rate) ** year


def flows_by_year(lines: Iterable[Line], kind: str) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for line in lines:
        if line.kind == kind:
            out[line.year] = out.get(line.year, ZERO) + line.amount
    return out


def present_value(flows: Mapping[int, Decimal], rate: Decimal) -> Decimal:
    """PV = Σ_t x_t / (1 + r)^t."""
    return sum((x * discount_factor(rate, t) for t, x in flows.items()), ZERO)


def npv(lines: Sequence[Line], rate: Decimal) -> Decimal:
    """NPV = Σ_t (B_t − C_t) / (1 + r)^t."""
    return present_value(flows_by_year(lines, "benefit"), rate) - present_value(
        flows_by_year(lines, "cost"), rate
    )


def bcr(pv_benefits: Decimal, pv_costs: Decimal) -> Decimal | None:
    """PV(benefits) / PV(costs); None when PV(costs) is zero."""
    return None if pv_costs == ZERO else pv_benefits / pv_costs


def vfm_band(ratio: Decimal | None) -> str | None:
    """Band of a BCR; boundaries belong to the band above, except 4 which is "high"."""
    if ratio is None:
        return None
    if ratio < 1:
        return "poor"
    if ratio < Decimal("1.5"):
        return "low"
    if ratio < 2:
        return "medium"
    if ratio <= 4:
        return "high"
    return "very_high"


def payback_year(net_by_year: Mapping[int, Decimal], horizon: int) -> int | None:
    """First t from which the cumulative net flow is ≥ 0 and stays so up to ``horizon``."""
    cumulative = ZERO
    candidate: int | None = None
    for t in range(horizon + 1):
        cumulative += net_by_year.get(t, ZERO)
        if cumulative >= 0:
            if candidate is None:
                candidate = t
        else:
            candidate = None
    return candidate


def net_flows(lines: Sequence[Line], rate: Decimal | None = None) -> dict[int, Decimal]:
    """B_t − C_t per year; discounted by DF_t when ``rate`` is given."""
    out: dict[int, Decimal] = {}
    for line in lines:
        sign = ONE if line.kind == "benefit" else -ONE
        out[line.year] = out.get(line.year, ZERO) + sign * line.amount
    if rate is not None:
        out = {t: x * discount_factor(rate, t) for t, x in out.items()}
    return out


def effective_uplift(bounds: Bounds, mitigation: Decimal) -> Decimal:
    """max(lower, upper · (1 − m))."""
    return max(bounds.lower, bounds.upper * (ONE - mitigation))


def apply_optimism_bias(
    lines: Sequence[Line], bias: Mapping[str, Bounds], mitigation: Decimal
) -> tuple[Line, ...]:
    """Cost lines uplifted by their category's effective uplift; benefits unchanged."""
    out = []
    for line in lines:
        if line.kind == "cost" and line.category in bias:
            factor = ONE + effective_uplift(bias[line.category], mitigation)
            line = Line(line.kind, line.category, line.year, line.amount * factor)
        out.append(line)
    return tuple(out)


def scaled(lines: Sequence[Line], kind: str, factor: Decimal) -> tuple[Line, ...]:
    return tuple(
        Line(ln.kind, ln.category, ln.year, ln.amount * factor) if ln.kind == kind else ln
        for ln in lines
    )


def switching_values(
    value: Decimal, pv_benefits: Decimal, pv_costs: Decimal
) -> tuple[Decimal | None, Decimal | None]:
    """(x_B, x_C): x_B = −NPV / PV(B), x_C = NPV / PV(C); None when the PV is zero."""
    x_b = None if pv_benefits == ZERO else -value / pv_benefits
    x_c = None if pv_costs == ZERO else value / pv_costs
    return x_b, x_c


def homes_equivalent(
    total_cost: Decimal, usd_rate: Decimal | None, unit_home_cost: Decimal
) -> Decimal | None:
    """total cost × USD rate / unit home cost; None without a rate."""
    if usd_rate is None:
        return None
    return total_cost * usd_rate / unit_home_cost


# --- putting it together ------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The core figures of one set of lines at one rate."""

    npv: Decimal
    pv_costs: Decimal
    pv_benefits: Decimal
    bcr: Decimal | None
    vfm_band: str | None
    payback_year: int | None
    discounted_payback_year: int | None

    @property
    def tco(self) -> Decimal:
        return self.pv_costs


def figures(lines: Sequence[Line], rate: Decimal) -> Figures:
    pv_c = present_value(flows_by_year(lines, "cost"), rate)
    pv_b = present_value(flows_by_year(lines, "benefit"), rate)
    ratio = bcr(pv_b, pv_c)
    horizon = max((ln.year for ln in lines), default=0)
    return Figures(
        npv=pv_b - pv_c,
        pv_costs=pv_c,
        pv_benefits=pv_b,
        bcr=ratio,
        vfm_band=vfm_band(ratio),
        payback_year=payback_year(net_flows(lines), horizon),
        discounted_payback_year=payback_year(net_flows(lines, rate), horizon),
    )


@dataclass(frozen=True)
class Evaluation:
    """Everything the evaluator says about one set of lines."""

    currency: str
    discount_rate: Decimal
    horizon: int
    base: Figures
    with_optimism_bias: Figures
    uplifts: dict[str, Decimal]
    total_cost: Decimal
    total_benefit: Decimal
    homes_equivalent: Decimal | None
    unit_home_cost: Decimal
    usd_rate: Decimal | None
    switching_value_benefits: Decimal | None
    switching_value_costs: Decimal | None
    sensitivity: list[dict[str, Decimal]]
    cash_flows: list[dict[str, Decimal | int]]
    duration_years: int
    duration_with_optimism_bias: Decimal | None


def evaluate_lines(case: CaseInput, lines: Sequence[Line]) -> Evaluation:
    rate = case.discount_rate
    base = figures(lines, rate)
    adjusted = figures(apply_optimism_bias(lines, case.optimism_bias, case.mitigation), rate)
    x_b, x_c = switching_values(base.npv, base.pv_benefits, base.pv_costs)
    sensitivity = [
        {
            "change": p,
            "npv_costs": npv(scaled(lines, "cost", ONE + p), rate),
            "npv_benefits": npv(scaled(lines, "benefit", ONE + p), rate),
        }
        for p in SENSITIVITY_STEPS
    ]
    horizon = max((ln.year for ln in lines), default=0)
    costs, benefits = flows_by_year(lines, "cost"), flows_by_year(lines, "benefit")
    cash_flows: list[dict[str, Decimal | int]] = [
        {
            "year": t,
            "costs": costs.get(t, ZERO),
            "benefits": benefits.get(t, ZERO),
            "net": benefits.get(t, ZERO) - costs.get(t, ZERO),
        }
        for t in range(horizon + 1)
    ]
    total_cost = sum(costs.values(), ZERO)
    # Delivery duration: the years that carry capital spending (at least one).
    capex_years = {ln.year for ln in lines if ln.kind == "cost" and ln.category == "capex"}
    duration = (max(capex_years) - min(capex_years) + 1) if capex_years else 0
    duration_bias = case.optimism_bias.get("duration")
    return Evaluation(
        currency=case.currency,
        discount_rate=rate,
        horizon=horizon,
        base=base,
        with_optimism_bias=adjusted,
        uplifts={k: effective_uplift(b, case.mitigation) for k, b in case.optimism_bias.items()},
        total_cost=total_cost,
        total_benefit=sum(benefits.values(), ZERO),
        homes_equivalent=homes_equivalent(total_cost, case.usd_rate, case.unit_home_cost),
        unit_home_cost=case.unit_home_cost,
        usd_rate=case.usd_rate,
        switching_value_benefits=x_b,
        switching_value_costs=x_c,
        sensitivity=sensitivity,
        cash_flows=cash_flows,
        duration_years=duration,
        duration_with_optimism_bias=(
            Decimal(duration) * (ONE + effective_uplift(duration_bias, case.mitigation))
            if duration_bias is not None
            else None
        ),
    )


def preferred_option(results: Sequence[tuple[Option, Evaluation]]) -> int | None:
    """Index of the highest NPV among BCR ≥ 1 (first wins ties), else the do-minimum."""
    best: int | None = None
    for i, (_opt, ev) in enumerate(results):
        pays = ev.base.bcr is not None and ev.base.bcr >= 1
        if pays and (best is None or ev.base.npv > results[best][1].base.npv):
            best = i
    if best is None:
        best = next((i for i, (opt, _ev) in enumerate(results) if opt.do_minimum), None)
    return best


@dataclass(frozen=True)
class CaseEvaluation:
    headline: Evaluation
    options: list[tuple[Option, Evaluation]]
    preferred: int | None


def evaluate(case: CaseInput) -> CaseEvaluation:
    """Evaluate the case's lines and each option; the headline is the top-level lines,
    or, when only options are given, the preferred option."""
    results = [(opt, evaluate_lines(case, opt.lines)) for opt in case.options]
    preferred = preferred_option(results) if results else None
    if case.lines:
        headline = evaluate_lines(case, case.lines)
    else:
        headline = results[preferred if preferred is not None else 0][1]
    return CaseEvaluation(headline=headline, options=results, preferred=preferred)
