"""In Chromium at phone width: the buyer scores (a score off the scale first) and awards
a lot; the losing bidder files a complaint from its bid; the public complaints page shows
it. Nothing overflows sideways.

Named to run after test_explorer.py: its demo fixture loads tenders only into a live
database without plan lines, and this test makes one."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from marketplace.awards.models import Award, Complaint
from tests.award_helpers import opened_tender
from tests.browser.conftest import LiveServer
from tests.browser.test_sealed_bid import _login
from tests.test_awards_web import recent_start

pytestmark = pytest.mark.browser


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_buyer_scores_and_awards_and_a_loser_complains(live_server: LiveServer, page: Any) -> None:
    url = live_server.url
    with live_server.sessions() as session:
        opened = opened_tender(session, ({"lot-1": "1000000"}, {"lot-1": "900000"}),
                               start=recent_start())  # fmt: skip
        session.commit()
        tender_id, ocid = opened.tender.id, opened.tender.ocid
        first, second = (b.id for b in opened.bids)
        names = [s.legal_name for s in opened.suppliers]
        owner_email, owner_secret = opened.owner.email, opened.owner.totp_secret
        loser_email = opened.users[1].email
    page.context.add_cookies([{"name": "lang", "value": "en", "url": url}])
    _login(page, url, owner_email, owner_secret)
    page.goto(f"{url}/buyer/tenders/{tender_id}/evaluation")
    assert "2 bids to score." in page.inner_text("main") and _fits(page)

    page.click(f"summary:has-text('My scores for {names[0]}')")
    page.fill(f"#s{first}-lot-1-quality", "150")
    page.fill(f"#s{first}-lot-1-technical", "90")
    page.click(f"form[action$='/bids/{first}/lots/lot-1/score'] input[type=submit]")
    assert "Give a whole number from 0 to 100." in page.inner_text("main")
    assert page.input_value(f"#s{first}-lot-1-quality") == "150"
    page.fill(f"#s{first}-lot-1-quality", "95")
    page.click(f"form[action$='/bids/{first}/lots/lot-1/score'] input[type=submit]")
    assert "Scores saved." in page.inner_text("main")
    page.click(f"summary:has-text('My scores for {names[1]}')")
    page.fill(f"#s{second}-lot-1-quality", "40")
    page.fill(f"#s{second}-lot-1-technical", "40")
    page.click(f"form[action$='/bids/{second}/lots/lot-1/score'] input[type=submit]")
    # First: 60 × 0.9 + 19 + 18 = 91; second: 60 + 8 + 8 = 76.
    assert f"Best-ranked bid: {names[0]} (total 91.00)." in page.inner_text("main")
    page.click("text=Award to this bid")
    assert "Award decided and published" in page.inner_text("main")
    assert "Standstill period until" in page.inner_text("main") and _fits(page)

    page.context.clear_cookies()
    page.context.add_cookies([{"name": "lang", "value": "en", "url": url}])
    _login(page, url, loser_email)
    page.goto(f"{url}/supplier/bids/{second}")
    page.click("text=Results and complaints")
    page.fill("#grounds", "Nuestra propuesta es la más barata y cumple las bases.")
    page.click("main input[type=submit]")
    assert "Complaint filed and published." in page.inner_text("main") and _fits(page)

    page.goto(f"{url}/processes/{ocid}/complaints")
    assert "Nuestra propuesta es la más barata" in page.inner_text("main") and _fits(page)
    with live_server.sessions() as session:
        award = session.scalar(select(Award).where(Award.tender_id == tender_id))
        assert award is not None and award.status.value == "pending"
        assert session.scalar(select(Complaint.id).where(Complaint.award_id == award.id))
