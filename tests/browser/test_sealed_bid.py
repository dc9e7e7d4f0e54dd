"""A supplier seals a bid in Chromium (price, note, document, declarations) and keeps
the receipt; after the deadline the buyer opens the bids, sees the commitment match,
scores the bid and awards it; the public process page then shows the award."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.awards.models import Award, AwardStatus
from marketplace.bids.models import Bid
from marketplace.db import utcnow
from marketplace.tenders.models import Tender
from marketplace.tenders.services import publish_tender
from tests.bid_helpers import below_gate
from tests.browser.conftest import LiveServer
from tests.factories import PASSWORD, make_user
from tests.supplier_helpers import PDF, make_supplier
from tests.tender_helpers import drafted_tender

pytestmark = pytest.mark.browser


def _login(page: Any, url: str, email: str, secret: str | None = None) -> None:
    page.goto(f"{url}/account/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    if secret:
        page.fill("#code", pyotp.TOTP(secret).now())
        page.click("main button[type=submit]")


def test_supplier_seals_a_bid_and_the_buyer_opens_and_awards_it(
    live_server: LiveServer, browser: Any, page: Any, tmp_path: Path
) -> None:
    url = live_server.url
    start = utcnow().replace(microsecond=0) - dt.timedelta(minutes=5)
    with live_server.sessions() as session:
        owner = make_user(session, Role.BUYER)
        tender = drafted_tender(session, owner, start, **below_gate())
        publish_tender(session, tender, owner, now=start)
        _supplier, user = make_supplier(session, verified=True)
        session.commit()
        tender_id, ocid = tender.id, tender.ocid
        owner_email, owner_secret, supplier_email = owner.email, owner.totp_secret, user.email
    page.context.add_cookies([{"name": "lang", "value": "en", "url": url}])

    _login(page, url, supplier_email)
    page.goto(f"{url}/processes/{ocid}")
    page.click("text=Submit a bid")
    assert "Server time" in page.inner_text("main")
    page.fill("#prices-0", "1350000.00")
    page.fill("#technical_note", "Entrega en 30 días naturales.")
    document = tmp_path / "ficha.pdf"
    document.write_bytes(PDF)
    page.set_input_files("#documents", str(document))
    page.click("main input[type=submit][value^='Seal']")
    assert "declarations" in page.inner_text(".errors-summary")
    assert page.input_value("#prices-0") == "1350000.00"  # what was typed is kept
    page.check("#declarations")
    page.set_input_files("#documents", str(document))
    page.click("main input[type=submit][value^='Seal']")
    with live_server.sessions() as session:
        bid = session.scalar(select(Bid).where(Bid.tender_id == tender_id))
        assert bid is not None
        commitment, receipt = bid.commitment, bid.receipt_number
        # The deadline passes.
        row = session.get(Tender, tender_id)
        assert row is not None
        row.tender_end = row.next_check_at = utcnow().replace(microsecond=0)
        session.commit()
    main = page.inner_text("main")
    assert commitment in main and receipt in main

    page.context.clear_cookies()
    page.context.add_cookies([{"name": "lang", "value": "en", "url": url}])
    assert owner_secret
    _login(page, url, owner_email, owner_secret)
    page.goto(f"{url}/buyer/tenders/{tender_id}")
    page.click("text=Bids and opening")
    page.click("main input[type=submit][value='Open the bids']")
    main = page.inner_text("main")
    assert "1,350,000.00" in main and "matches" in main and "does not match" not in main

    # The buyer scores the only bid (price weighs 60, quality and technical 20 each)
    # and awards the whole tender to it.
    page.goto(f"{url}/buyer/tenders/{tender_id}/evaluation")
    assert "1 bid to score." in page.inner_text("main")
    with live_server.sessions() as session:
        sealed = session.scalars(select(Bid).where(Bid.tender_id == tender_id)).one()
        legal_name, bid_id = sealed.supplier.legal_name, sealed.id
    page.click(f"summary:has-text('My scores for {legal_name}')")
    page.fill(f"#s{bid_id}-lot-1-quality", "80")
    page.fill(f"#s{bid_id}-lot-1-technical", "90")
    page.click(f"form[action$='/bids/{bid_id}/lots/lot-1/score'] input[type=submit]")
    assert "Scores saved." in page.inner_text("main")
    # 60 (the only, so lowest, price) + 16 + 18.
    assert f"Best-ranked bid: {legal_name} (total 94.00)." in page.inner_text("main")
    page.click("text=Award to this bid")
    main = page.inner_text("main")
    assert "Award decided and published" in main and "Standstill period until" in main

    page.goto(f"{url}/processes/{ocid}")
    awards = page.inner_text("#awards")
    assert legal_name in awards and "1,350,000.00" in awards
    with live_server.sessions() as session:
        award = session.scalar(select(Award).where(Award.tender_id == tender_id))
        assert award is not None and award.status == AwardStatus.PENDING
        assert award.bid_id == bid_id and award.value_amount == 1350000
