"""The business-case demo step: cases in every state, built through the services."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from business_cases.benefit_models import BenefitMeasure
from business_cases.benefits import light_of
from business_cases.models import BusinessCase, CaseStatus
from business_cases.portfolio import portfolio
from marketplace.audit.services import verify
from marketplace.demo import accounts, cases


def test_demo_cases_cover_every_state_and_are_idempotent(db: Session) -> None:
    ctx: dict[str, object] = {}
    accounts.load(db, random.Random(1), ctx)
    assert "in every state" in cases.load(db, random.Random(1), ctx)
    all_cases = db.scalars(select(BusinessCase)).all()
    assert {c.status for c in all_cases} == set(CaseStatus)
    revised = next(c for c in all_cases if c.title.startswith("Ventanilla"))
    assert revised.version == 2 and len(revised.versions) == 2
    lights = {light_of(m, dt.date.today()).colour for m in db.scalars(select(BenefitMeasure))}
    assert lights == {"green", "amber", "red", "grey"}
    rows, _totals = portfolio(db)
    counted = Counter()  # type: Counter[str]
    for row in rows:
        counted.update(row.lights)
    assert counted == {"green": 1, "amber": 1, "red": 1, "grey": 1}
    # Delivery monitoring: approved cases with go-live and reports, lights in each colour.
    delivered = [r.progress for r in rows if r.progress is not None and r.progress.reports]
    assert {p.cost.colour for p in delivered} == {"green", "amber", "red"}
    assert {p.schedule for p in delivered} == {"green", "amber", "red"}
    assert sum(len(p.overdue) for p in delivered) == 1
    monitored = [r.progress for r in rows if r.progress is not None and r.progress.delivery]
    assert any(p.major and p.delivery and p.delivery.go_live_on is None for p in monitored)
    assert "grey" in {p.cost.colour for p in monitored}
    assert cases.load(db, random.Random(1), ctx) == "business cases already present"
    assert len(db.scalars(select(BusinessCase)).all()) == len(all_cases)
    assert verify(db).ok
