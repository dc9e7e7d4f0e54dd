"""Evaluation, award and complaints through the pages: the buyer scores, awards and
resolves; a losing bidder complains; the public sees it; other units and companies are
refused; bad input is shown back with nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.awards.models import (
    Award,
    AwardStatus,
    Complaint,
    ComplaintStatus,
    EvaluationScore,
)
from marketplace.db import utcnow
from marketplace.publication.models import OcdsRelease
from tests.award_helpers import DEFAULT_SCORES, OpenedTender, awarded_tender, opened_tender
from tests.bid_helpers import bidder
from tests.factories import csrf_token, login_as
from tests.factories import post_form as _post_form
from tests.tender_helpers import buyer


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.set_cookie("lang", "en")


def recent_start() -> dt.datetime:
    """Tenders published 25 days ago: opened 5 days ago, standstills still running."""
    return utcnow().replace(microsecond=0) - dt.timedelta(days=25)


def releases(db: Session, ocid: str) -> int:
    return db.scalar(select(func.count(OcdsRelease.id)).where(OcdsRelease.ocid == ocid)) or 0


def post_form(client: FlaskClient, url: str, data: dict[str, object], *, prefix: str = "",
              form_url: str | None = None):  # type: ignore[no-untyped-def]  # fmt: skip
    """Post like a browser; a form with a prefix carries a prefixed CSRF token."""
    token = csrf_token(client, form_url or url)
    return _post_form(client, url, {f"{prefix}csrf_token": token, **data}, form_url=form_url)


def score_url(opened: OpenedTender, index: int, lot: str) -> str:
    return f"/buyer/bids/{opened.bids[index].id}/lots/{lot}/score"


def prefix(opened: OpenedTender, index: int, lot: str) -> str:
    return f"s{opened.bids[index].id}-{lot}-"


def test_buyer_scores_awards_and_resolves_a_complaint(client: FlaskClient, db: Session) -> None:
    opened = opened_tender(db, start=recent_start())
    db.commit()
    page_url = f"/buyer/tenders/{opened.tender.id}/evaluation"
    login_as(client, opened.owner)
    page = client.get(page_url).get_data(as_text=True)
    assert "5 bids to score." in page and opened.suppliers[2].legal_name in page

    # A score off the scale: shown back with the problem named, nothing saved.
    p = prefix(opened, 0, "lot-1")
    data = {f"{p}quality": "150", f"{p}technical": "80"}
    bad = post_form(client, score_url(opened, 0, "lot-1"), data, prefix=p, form_url=page_url)
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Give a whole number from 0 to 100." in text and 'value="150"' in text
    assert db.scalar(select(func.count(EvaluationScore.id))) == 0

    for (index, lot), (quality, technical) in DEFAULT_SCORES.items():
        p = prefix(opened, index, lot)
        done = post_form(client, score_url(opened, index, lot),
                         {f"{p}quality": str(quality), f"{p}technical": str(technical)},
                         prefix=p, form_url=page_url)  # fmt: skip
        assert done.status_code == 302, done.get_data(as_text=True)
    page = client.get(page_url).get_data(as_text=True)
    assert "85.00" in page and "2 lots to award or declare unsuccessful." in page

    award_url = f"/buyer/bids/{opened.bids[0].id}/lots/lot-1/award"
    assert post_form(client, award_url, {}, prefix="a-lot-1-", form_url=page_url).status_code == 302
    award = db.scalar(select(Award).where(Award.tender_id == opened.tender.id))
    assert award is not None and award.status == AwardStatus.PENDING
    assert award.supplier_id == opened.suppliers[0].id
    page = client.get(page_url).get_data(as_text=True)
    assert "Standstill period until" in page and "1 lot to award" in page

    # The second bidder complains from its bid's results page.
    login_as(client, opened.users[1])
    mine = f"/supplier/bids/{opened.bids[1].id}/complaints"
    assert "File a complaint" in client.get(mine).get_data(as_text=True)
    assert mine in client.get(f"/supplier/bids/{opened.bids[1].id}").get_data(as_text=True)
    short = post_form(client, mine, {"award": str(award.id), "grounds": "No es justo."})
    assert short.status_code == 422
    assert "at least 20 characters" in short.get_data(as_text=True)
    assert "No es justo." in short.get_data(as_text=True)
    grounds = "La ganadora no presentó la garantía de seriedad exigida."
    assert post_form(client, mine, {"award": str(award.id), "grounds": grounds}).status_code == 302
    public = client.get(f"/processes/{opened.tender.ocid}/complaints").get_data(as_text=True)
    assert grounds in public and "Pending resolution" in public

    login_as(client, opened.owner)
    page = client.get(page_url).get_data(as_text=True)
    assert "1 complaint to resolve." in page and grounds in page
    dashboard = client.get("/buyer/").get_data(as_text=True)
    assert "1 complaint to resolve." in dashboard and page_url in dashboard
    [complaint] = db.scalars(select(Complaint)).all()
    resolve_url = f"/buyer/complaints/{complaint.id}/resolve"
    r = f"r{complaint.id}-"
    said = "La garantía consta en el expediente."
    missing = post_form(client, resolve_url, {f"{r}resolution": said}, prefix=r, form_url=page_url)
    assert missing.status_code == 422 and "Choose a decision." in missing.get_data(as_text=True)
    assert said in missing.get_data(as_text=True)
    answer = "La garantía consta en el expediente, folio 12."
    done = post_form(client, resolve_url, {f"{r}decision": "rejected", f"{r}resolution": answer},
                     prefix=r, form_url=page_url)  # fmt: skip
    assert done.status_code == 302
    db.refresh(complaint)
    assert complaint.status == ComplaintStatus.REJECTED
    client.get("/account/logout")
    public = client.get(f"/processes/{opened.tender.ocid}/complaints").get_data(as_text=True)
    assert answer in public and "Rejected" in public


def test_another_unit_and_another_company_are_refused(client: FlaskClient, db: Session) -> None:
    opened, [award] = awarded_tender(db, ("lot-1",), recent_start())
    db.commit()
    login_as(client, opened.users[1])
    mine = f"/supplier/bids/{opened.bids[1].id}/complaints"
    grounds = "La ganadora no presentó la garantía de seriedad exigida."
    assert post_form(client, mine, {"award": str(award.id), "grounds": grounds}).status_code == 302
    complaint = db.scalar(select(Complaint))
    assert complaint is not None
    count = releases(db, opened.tender.ocid)

    stranger = buyer(db)
    db.commit()
    login_as(client, stranger)
    token_page = "/buyer/"
    assert client.get(f"/buyer/tenders/{opened.tender.id}/evaluation").status_code == 403
    p, c, r = prefix(opened, 1, "lot-2"), f"c{award.id}-", f"r{complaint.id}-"
    for url, pre, data in (
        (score_url(opened, 1, "lot-2"), p, {f"{p}quality": "1", f"{p}technical": "1"}),
        (f"/buyer/bids/{opened.bids[0].id}/lots/lot-2/award", "a-lot-2-", {}),
        (f"/buyer/tenders/{opened.tender.id}/lots/lot-2/unsuccessful", "u-lot-2-",
         {"u-lot-2-reason": "Sin autoridad alguna."}),
        (f"/buyer/awards/{award.id}/cancel", c, {f"{c}reason": "Sin autoridad alguna."}),
        (f"/buyer/complaints/{complaint.id}/resolve", r,
         {f"{r}decision": "upheld", f"{r}resolution": "Procede sí."}),
    ):  # fmt: skip
        resp = post_form(client, url, data, prefix=pre, form_url=token_page)
        assert resp.status_code == 403, url

    # Another company cannot see or use the second bidder's results page.
    _other, outsider = bidder(db)
    db.commit()
    login_as(client, outsider)
    assert client.get(mine).status_code == 403
    resp = post_form(client, mine, {"award": str(award.id), "grounds": grounds},
                     form_url="/supplier/bids")  # fmt: skip
    assert resp.status_code == 403
    db.refresh(complaint)
    db.refresh(award)
    assert complaint.status == ComplaintStatus.PENDING and award.status == AwardStatus.PENDING
    assert db.scalar(select(func.count(Complaint.id))) == 1
    assert releases(db, opened.tender.ocid) == count


def test_standstill_from_config_cancel_and_unsuccessful_lot(
    app: Flask, client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = opened_tender(db, ({"lot-1": "900000"},), start=recent_start())
    db.commit()
    page_url = f"/buyer/tenders/{opened.tender.id}/evaluation"
    login_as(client, opened.owner)
    p = prefix(opened, 0, "lot-1")
    scores = {f"{p}quality": "70", f"{p}technical": "75"}
    post_form(client, score_url(opened, 0, "lot-1"), scores, prefix=p, form_url=page_url)
    monkeypatch.setitem(app.config, "STANDSTILL_DAYS", "4")
    before = utcnow().replace(microsecond=0)
    award_url = f"/buyer/bids/{opened.bids[0].id}/lots/lot-1/award"
    assert post_form(client, award_url, {}, prefix="a-lot-1-", form_url=page_url).status_code == 302
    award = db.scalar(select(Award).where(Award.tender_id == opened.tender.id))
    assert award is not None and award.standstill_end is not None
    assert before + dt.timedelta(days=4) <= award.standstill_end
    assert award.standstill_end <= utcnow() + dt.timedelta(days=4)

    c = f"c{award.id}-"
    short = post_form(client, f"/buyer/awards/{award.id}/cancel", {f"{c}reason": "Corta"},
                      prefix=c, form_url=page_url)  # fmt: skip
    assert short.status_code == 422 and "at least 10 characters" in short.get_data(as_text=True)
    reason = "La partida presupuestal fue cancelada por la Secretaría."
    done = post_form(client, f"/buyer/awards/{award.id}/cancel", {f"{c}reason": reason},
                     prefix=c, form_url=page_url)  # fmt: skip
    assert done.status_code == 302
    db.refresh(award)
    assert award.status == AwardStatus.CANCELLED and award.status_reason == reason

    # Lot 2 received no bid: declared unsuccessful from the page.
    u = "u-lot-2-"
    url = f"/buyer/tenders/{opened.tender.id}/lots/lot-2/unsuccessful"
    assert post_form(client, url, {f"{u}reason": "Sin propuestas."}, prefix=u,
                     form_url=page_url).status_code == 302  # fmt: skip
    lot2 = db.scalar(select(Award).where(Award.related_lot == "lot-2"))
    assert lot2 is not None and lot2.status == AwardStatus.UNSUCCESSFUL
    page = client.get(page_url).get_data(as_text=True)
    assert "Sin propuestas." in page and reason in page
