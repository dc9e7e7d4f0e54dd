"""Cost and schedule lights of a case's delivery, on worked examples."""

from __future__ import annotations

import datetime as dt
import doctest
from decimal import Decimal as D

from business_cases import lights, progress
from business_cases.lights import add_months, cost_light, milestone_light, worst

P = D(1_000_000)


def test_docstring_examples_hold() -> None:
    """The worked examples in the modules' docstrings are run, not just read."""
    for module in (lights, progress):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0


def test_cost_light_bands() -> None:
    """Planned 1,000,000. Forecast 1,000,000: 0 % over, green; 1,000,001: amber;
    1,100,000: 10 % over, still amber; 1,100,001: red. Spent 1,200,000 with a forecast of
    900,000: the estimate is what was spent, 20 % over, red. No report: grey."""
    assert cost_light(P, D(300000), D(1000000)).colour == "green"
    assert cost_light(P, D(300000), D(1000001)).colour == "amber"
    ten = cost_light(P, D(300000), D(1100000))
    assert ten.colour == "amber" and ten.overrun == D("0.1")
    assert cost_light(P, D(300000), D(1100001)).colour == "red"
    spent = cost_light(P, D(1200000), D(900000))
    assert spent.colour == "red" and spent.estimate == D(1200000) and spent.overrun == D("0.2")
    assert cost_light(P, None, None).colour == "grey"
    assert cost_light(None, D(1), D(1)).colour == "grey"


def test_schedule_light_bands() -> None:
    """Go-live planned 30 November 2026; three months later is 28 February 2027 (the
    month's end). Forecast 30 Nov: green; 1 Dec: amber; 28 Feb: amber; 1 Mar: red."""
    planned, today = dt.date(2026, 11, 30), dt.date(2026, 6, 1)
    assert add_months(planned, 3) == dt.date(2027, 2, 28)

    def colour(forecast: dt.date) -> str:
        return milestone_light(planned, forecast, None, today, happens_by_today=True).colour

    assert colour(dt.date(2026, 11, 30)) == "green"
    assert colour(dt.date(2026, 12, 1)) == "amber"
    assert colour(dt.date(2027, 2, 28)) == "amber"
    assert colour(dt.date(2027, 3, 1)) == "red"


def test_an_unrecorded_go_live_is_at_least_as_late_as_today() -> None:
    """Planned 1 March 2027, forecast still 1 March, looked at on 15 April 2027 with no
    go-live recorded: 45 days late, amber; completion (not recorded when it happens) keeps
    its forecast."""
    m = milestone_light(
        dt.date(2027, 3, 1), dt.date(2027, 3, 1), None, dt.date(2027, 4, 15), happens_by_today=True
    )
    assert (m.colour, m.days_late, m.effective) == ("amber", 45, dt.date(2027, 4, 15))
    done = milestone_light(dt.date(2027, 3, 1), dt.date(2027, 3, 1), None, dt.date(2027, 9, 1))
    assert done.colour == "green"
    assert worst("green", "red", "amber") == "red"
