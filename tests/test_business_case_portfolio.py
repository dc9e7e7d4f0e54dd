"""The finance portfolio: every case by status, totals per status and currency."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from business_cases.models import CaseStatus
from business_cases.portfolio import portfolio
from business_cases.services import ReviewPolicy, submit_case
from marketplace.accounts.models import OrgKind, Role
from tests.case_factories import make_case
from tests.factories import make_org, make_user


def test_totals_by_status_and_currency(db: Session) -> None:
    """Each case_data case: preferred option SaaS, undiscounted cost 500,000 + 100,000
    = 600,000; NPV 103,305.79 (see test_evaluation_of_a_case). Two drafts in MXN, one
    submitted in CLP: totals never add currencies together."""
    buyer = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER))
    make_case(db, buyer)
    make_case(db, buyer)
    chilean = make_case(db, buyer, currency="CLP", jurisdiction="CL", discount_rate=Decimal("0.10"))
    submit_case(db, chilean, buyer)
    empty = make_case(db, buyer, options=[])
    rows, totals = portfolio(db, ReviewPolicy(major_threshold_usd=Decimal("500")))
    mine = {r.case.id: r for r in rows}
    assert mine[empty.id].total_cost is None
    assert mine[chilean.id].total_cost == Decimal("600000")
    assert mine[chilean.id].npv is not None
    assert mine[chilean.id].npv.quantize(Decimal("0.01")) == Decimal("103305.79")
    # 600,000 CLP × 0.00105 = 630 USD > 500: major, two reviewers.
    assert mine[chilean.id].major and mine[chilean.id].reviewers_needed == 2
    assert totals[CaseStatus.DRAFT].count >= 3
    assert totals[CaseStatus.DRAFT].total_cost["MXN"] >= Decimal("1200000")
    assert totals[CaseStatus.SUBMITTED].total_cost["CLP"] >= Decimal("600000")
    only = portfolio(db, status=CaseStatus.SUBMITTED)[0]
    assert {r.case.status for r in only} == {CaseStatus.SUBMITTED}
