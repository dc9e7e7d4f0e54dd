"""Delivery monitoring through the pages: approval → delivery plan → go-live → a report
falls due → the unit sends it → finance sees the lights on the portfolio and
acknowledges it; overdue reports flagged. The pages' clock is moved with monkeypatch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.buyer import case_progress
from business_cases.lights import add_months
from business_cases.models import CaseStatus
from business_cases.progress_models import CaseDelivery, ProgressReport, ReportStatus
from business_cases.services import submit_case
from marketplace.accounts.models import OrgKind, Role
from marketplace.db import utcnow
from tests.case_factories import english, make_case, rate_all
from tests.factories import csrf_token, login_as, make_org, make_user, post_form
from tests.test_business_case_pdf import pdf_text


def test_approval_to_reports_to_portfolio_lights(
    client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    english(client)
    unit_org = make_org(db, OrgKind.BUYER)
    unit = make_user(db, Role.BUYER, unit_org)
    fin = make_user(db, Role.FINANCE, make_org(db, OrgKind.FINANCE))
    case = make_case(db, unit, title="Ventanilla digital de licencias")
    submit_case(db, case, unit)
    rate_all(db, case, fin)
    db.commit()
    today = utcnow().date()

    # Finance approves on the case page.
    login_as(client, fin)
    decided = post_form(client, f"/finance/cases/{case.id}/decide", {"outcome": "approved"})
    db.refresh(case)
    assert decided.status_code == 302 and case.status == CaseStatus.APPROVED

    # The unit records the delivery plan; swapped dates are refused, what was typed kept.
    login_as(client, unit)
    page_url = f"/buyer/cases/{case.id}/progress"
    assert "Record the delivery plan" in client.get(page_url).get_data(as_text=True)
    go_live, done = today + dt.timedelta(days=30), today + dt.timedelta(days=365)
    bad = post_form(
        client,
        f"{page_url}/plan",
        {"planned_go_live": done.isoformat(), "planned_completion": go_live.isoformat()},
        form_url=page_url,
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'id="planned_completion-error"' in text
    assert "must not be before the go-live date" in text and done.isoformat() in text
    assert db.scalar(select(func.count(CaseDelivery.id))) == 0
    ok = post_form(
        client,
        f"{page_url}/plan",
        {"planned_go_live": go_live.isoformat(), "planned_completion": done.isoformat()},
        form_url=page_url,
    )
    assert ok.status_code == 302

    # Go-live: not in the future; today is fine (a month early).
    bad = post_form(
        client,
        f"{page_url}/go-live",
        {"go_live_on": (today + dt.timedelta(days=1)).isoformat()},
        form_url=page_url,
    )
    assert bad.status_code == 400 and "must not be in the future" in bad.get_data(as_text=True)
    ok = post_form(
        client, f"{page_url}/go-live", {"go_live_on": today.isoformat()}, form_url=page_url
    )
    assert ok.status_code == 302
    page = client.get(page_url).get_data(as_text=True)
    assert "Not due yet" in page and "Send a progress report" not in page

    # Six months and 20 days later the first period has ended; its report is due soon.
    period_end = add_months(today, 6)
    later = period_end + dt.timedelta(days=20)
    monkeypatch.setattr(case_progress, "today", lambda: later)
    page = client.get(page_url).get_data(as_text=True)
    assert "Due soon" in page and "Send a progress report" in page
    report = {
        "period_end": period_end.isoformat(),
        "actual_cost": "-5",
        "forecast_cost": "700000",
        "narrative": "Licencias en línea en 3 alcaldías.",
        "forecast_completion": (done + dt.timedelta(days=31)).isoformat(),
        "risks": "Integración con el registro civil.",
    }
    bad = post_form(client, f"{page_url}/reports", report, form_url=page_url)
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'id="actual_cost-error"' in text
    assert "Licencias en línea en 3 alcaldías." in text  # what was typed is kept
    not_yet = post_form(
        client,
        f"{page_url}/reports",
        {**report, "actual_cost": "1", "period_end": add_months(today, 12).isoformat()},
        form_url=page_url,
    )
    assert not_yet.status_code == 400 and "is not due yet" in not_yet.get_data(as_text=True)
    stranger = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER))
    db.commit()
    login_as(client, stranger)
    refused = client.post(f"{page_url}/reports", data={**report, "actual_cost": "1"})
    assert refused.status_code == 404
    assert db.scalar(select(func.count(ProgressReport.id))) == 0
    login_as(client, unit)
    sent = post_form(
        client, f"{page_url}/reports", {**report, "actual_cost": "350000"}, form_url=page_url
    )
    assert sent.status_code == 302
    assert "Submitted, awaiting finance" in client.get(page_url).get_data(as_text=True)

    # Finance: planned cost 600,000, forecast 700,000 (+16.7 %): red; completion a month
    # late: amber.
    login_as(client, fin)
    portfolio = client.get("/finance/").get_data(as_text=True)
    assert "Cost: Over budget by more than 10 %" in portfolio
    assert "Schedule: Late by up to 3 months" in portfolio
    case_page = client.get(f"/finance/cases/{case.id}").get_data(as_text=True)
    assert "Licencias en línea en 3 alcaldías." in case_page and "+16.7 %" in case_page
    [saved] = db.scalars(select(ProgressReport)).all()
    acked = post_form(
        client,
        f"/finance/reports/{saved.id}/acknowledge",
        {"comment": "Revisar el costo."},
        form_url=f"/finance/cases/{case.id}",
    )
    assert acked.status_code == 302
    db.refresh(saved)
    assert saved.status == ReportStatus.ACKNOWLEDGED and saved.finance_comment
    again = post_form(
        client,
        f"/finance/reports/{saved.id}/acknowledge",
        {},
        form_url=f"/finance/cases/{case.id}",
        follow_redirects=True,
    )
    assert "already been acknowledged" in again.get_data(as_text=True)

    # The next report is not sent: after its due date the portfolio flags it.
    monkeypatch.setattr(
        case_progress, "today", lambda: add_months(today, 12) + dt.timedelta(days=31)
    )
    assert "1 report overdue" in client.get("/finance/").get_data(as_text=True)

    # The PDF carries the lights and the report.
    text = pdf_text(client.get(f"/finance/cases/{case.id}.pdf").data, tmp_path)
    assert "Over budget by more than 10 %" in text and "Licencias en línea" in text
    assert "Overdue" in text


def test_another_units_buyer_cannot_reach_or_change_the_delivery(
    client: FlaskClient, db: Session
) -> None:
    unit = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER))
    fin = make_user(db, Role.FINANCE, make_org(db, OrgKind.FINANCE))
    case = make_case(db, unit)
    submit_case(db, case, unit)
    rate_all(db, case, fin)
    db.commit()
    login_as(client, fin)
    post_form(client, f"/finance/cases/{case.id}/decide", {"outcome": "approved"})
    stranger = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER))
    db.commit()
    login_as(client, stranger)
    url = f"/buyer/cases/{case.id}/progress"
    token = {"csrf_token": csrf_token(client, "/buyer/cases")}
    today = utcnow().date().isoformat()
    assert client.get(url).status_code == 404
    plan = {"planned_go_live": today, "planned_completion": today, **token}
    assert client.post(f"{url}/plan", data=plan).status_code == 404
    assert client.post(f"{url}/go-live", data={"go_live_on": today, **token}).status_code == 404
    assert db.scalar(select(func.count(CaseDelivery.id))) == 0


def test_progress_of_a_case_not_approved_is_refused(client: FlaskClient, db: Session) -> None:
    english(client)
    unit = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER))
    case = make_case(db, unit)
    db.commit()
    login_as(client, unit)
    url = f"/buyer/cases/{case.id}/progress"
    assert "once the case is approved" in client.get(url).get_data(as_text=True)
    today = utcnow().date().isoformat()
    refused = post_form(
        client, f"{url}/plan", {"planned_go_live": today, "planned_completion": today}, form_url=url
    )
    assert refused.status_code == 409
    assert "once the case is approved" in refused.get_data(as_text=True)
    assert db.scalar(select(func.count(CaseDelivery.id))) == 0
