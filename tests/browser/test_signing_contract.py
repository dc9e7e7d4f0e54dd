"""A buyer signs a contract in Chromium from the contracts page (a wrong end date first),
records a payment; the supplier finds it under "My contracts". At phone width, nothing
overflows sideways.

The file name keeps it after test_explorer.py: the live server's database is shared, and
the explorer's demo fixture loads tenders only when there are none yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from marketplace.contracts.models import Contract
from marketplace.db import utcnow
from tests.browser.conftest import LiveServer
from tests.browser.test_sealed_bid import _login
from tests.contract_helpers import active_award, past_start

pytestmark = pytest.mark.browser


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_buyer_signs_and_pays_and_the_supplier_sees_it(live_server: LiveServer, page: Any) -> None:
    url = live_server.url
    with live_server.sessions() as session:
        award, owner, supplier_user = active_award(session, past_start())
        session.commit()
        award_id = award.id
        owner_email, owner_secret, supplier_email = (
            owner.email, owner.totp_secret, supplier_user.email,
        )  # fmt: skip
    page.context.add_cookies([{"name": "lang", "value": "en", "url": url}])
    assert owner_secret
    _login(page, url, owner_email, owner_secret)
    page.goto(f"{url}/buyer/contracts")
    assert _fits(page)
    page.click(f"a[href='/buyer/awards/{award_id}/contract']")
    today = utcnow().date()
    page.fill("#title", "Suministro de portátiles para escuelas")
    page.fill("#period_start", (today + dt.timedelta(days=5)).isoformat())
    page.fill("#period_end", today.isoformat())
    page.fill("#documents-0-title", "Contrato firmado")
    page.fill("#documents-0-url", "https://example.org/contrato.pdf")
    page.click("main input[type=submit]")
    assert "The end date must be after the start date." in page.inner_text(".errors-summary")
    assert page.input_value("#title") == "Suministro de portátiles para escuelas"
    page.fill("#period_end", (today + dt.timedelta(days=200)).isoformat())
    page.click("main input[type=submit]")
    assert "Contract signed and published." in page.inner_text("main")
    assert _fits(page)
    page.fill("#pay-amount", "250000")
    page.fill("#pay-date", today.isoformat())
    page.fill("#pay-reference", "F-2031")
    page.click("#payment input[type=submit]")
    assert "Payment recorded and published." in page.inner_text("main")
    assert "250,000.00 MXN" in page.inner_text("main")
    with live_server.sessions() as session:
        contract = session.scalar(select(Contract).where(Contract.award_id == award_id))
        assert contract is not None and contract.status.value == "active"

    page.context.clear_cookies()
    page.context.add_cookies([{"name": "lang", "value": "en", "url": url}])
    _login(page, url, supplier_email)
    page.click("text=My contracts")
    page.click("text=Suministro de portátiles para escuelas")
    main = page.inner_text("main")
    assert "F-2031" in main and "250,000.00 MXN" in main
    assert _fits(page)
