"""Cost and schedule traffic lights of an approved case's delivery (pure functions).

**Cost light.** The planned cost P is the approved case's preferred option's undiscounted
total cost (the sum of its cost lines, at constant prices: the figure the portfolio shows
as "total cost"; the TCO in the evaluation is a present value, which spending is not
comparable with). The latest progress report gives the actual cost to date A and the
forecast cost at completion F; the estimate is E = max(A, F) (what was already spent
cannot be forecast away). The overrun is o = (E − P) / P:

    green   o ≤ 0           (on or under budget)
    amber   0 < o ≤ 10 %
    red     o > 10 %
    grey    no report yet (or no planned cost)

**Schedule light.** Each milestone (go-live, completion) has a planned date p and an
effective date e: the actual date once recorded (go-live), else the latest forecast (the
planned date while there is none), and, for a go-live not yet recorded, never earlier
than today (a go-live that has not happened is at least as late as today). With
p + 3 months the same day three calendar months later (end of month clamped):

    green   e ≤ p           (on time or early)
    amber   p < e ≤ p + 3 months
    red     e > p + 3 months

The case's schedule light is the worse of its milestones'.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

#: Cost overrun above which the cost light is red (amber above 0 up to this).
COST_RED_OVER = Decimal("0.10")
#: Months late above which the schedule light is red (amber above 0 up to this).
SCHEDULE_RED_OVER_MONTHS = 3

ORDER = {"grey": 0, "green": 1, "amber": 2, "red": 3}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later, clamped to the month's end.

    >>> add_months(dt.date(2026, 8, 31), 6)
    datetime.date(2027, 2, 28)
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class CostLight:
    colour: str
    planned: Decimal | None
    #: max(actual to date, forecast at completion); None without a report.
    estimate: Decimal | None
    #: (estimate − planned) / planned, a fraction; None when grey.
    overrun: Decimal | None


def cost_light(
    planned: Decimal | None, actual: Decimal | None, forecast: Decimal | None
) -> CostLight:
    """The cost light from the planned cost and the latest report's figures.

    Worked examples with a planned cost of 1,000,000:

    >>> cost_light(Decimal(1000000), Decimal(400000), Decimal(980000)).colour
    'green'
    >>> c = cost_light(Decimal(1000000), Decimal(600000), Decimal(1100000))
    >>> c.colour, c.overrun   # exactly 10 % over: still amber
    ('amber', Decimal('0.1'))
    >>> cost_light(Decimal(1000000), Decimal(1150000), Decimal(1050000)).colour
    'red'
    >>> cost_light(Decimal(1000000), None, None).colour
    'grey'

    In the third, 1,150,000 is already spent, so the 1,050,000 forecast cannot hold:
    the estimate is 1,150,000, 15 % over.
    """
    figures = [x for x in (actual, forecast) if x is not None]
    if planned is None or planned <= 0 or not figures:
        return CostLight("grey", planned, max(figures) if figures else None, None)
    estimate = max(figures)
    overrun = (estimate - planned) / planned
    colour = "green" if overrun <= 0 else "amber" if overrun <= COST_RED_OVER else "red"
    return CostLight(colour, planned, estimate, overrun)


@dataclass(frozen=True)
class MilestoneLight:
    colour: str
    planned: dt.date
    effective: dt.date
    #: effective − planned in days (negative: early).
    days_late: int


def milestone_light(
    planned: dt.date,
    forecast: dt.date | None,
    actual: dt.date | None,
    today: dt.date,
    *,
    happens_by_today: bool = False,
) -> MilestoneLight:
    """One milestone's light (see the module docstring).

    ``happens_by_today``: the milestone is recorded when it happens (go-live), so without
    ``actual`` it cannot be earlier than today.

    Go-live planned for 1 March 2027, looked at on 1 January 2027, not live yet:

    >>> p, jan = dt.date(2027, 3, 1), dt.date(2027, 1, 1)
    >>> milestone_light(p, None, None, jan, happens_by_today=True).colour
    'green'
    >>> milestone_light(p, dt.date(2027, 6, 1), None, jan, happens_by_today=True).colour
    'amber'
    >>> milestone_light(p, dt.date(2027, 6, 2), None, jan, happens_by_today=True).colour
    'red'

    (1 June is exactly three months late: amber; 2 June is over.) On 1 July 2027 with a
    stale forecast of 1 April and still no go-live, the effective date is today:

    >>> m = milestone_light(p, dt.date(2027, 4, 1), None, dt.date(2027, 7, 1),
    ...                     happens_by_today=True)
    >>> m.colour, m.days_late
    ('red', 122)
    >>> milestone_light(p, dt.date(2027, 9, 1), dt.date(2027, 2, 20), jan).colour
    'green'

    (Live on 20 February, before the plan: the actual date wins over any forecast.)
    """
    if actual is not None:
        effective = actual
    else:
        effective = forecast or planned
        if happens_by_today:
            effective = max(effective, today)
    late = (effective - planned).days
    if effective <= planned:
        colour = "green"
    elif effective <= add_months(planned, SCHEDULE_RED_OVER_MONTHS):
        colour = "amber"
    else:
        colour = "red"
    return MilestoneLight(colour, planned, effective, late)


def worst(*colours: str) -> str:
    """The worst colour (red > amber > green > grey).

    >>> worst("green", "amber"), worst("grey", "green"), worst()
    ('amber', 'green', 'grey')
    """
    return max(colours, key=ORDER.__getitem__, default="grey")
