"""A supplier seals a bid in Chromium (price, note, document, declarations) and keeps
the receipt; after the deadline the buyer opens the bids and sees the commitment match."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
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


def test_supplier_seals_a_bid_and_the_buyer_opens_it(
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
