"""Anyone compares two framework listings side by side in Chromium: filter the
catalogue, tick two listings, compare. At phone width nothing overflows sideways."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from tests.test_frameworks_catalogue import catalogue

pytestmark = pytest.mark.browser


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_visitor_filters_the_catalogue_and_compares_two_listings(
    live_server: LiveServer, page: Any
) -> None:
    url = live_server.url
    with live_server.sessions() as session:
        framework, _buyer, (a, b, c), _users = catalogue(session)
        session.commit()
        framework_id, ids = framework.id, (a.id, b.id, c.id)
        names = (a.admission.supplier.legal_name, b.admission.supplier.legal_name)
    page.context.add_cookies([{"name": "lang", "value": "en", "url": url}])
    page.goto(f"{url}/frameworks/{framework_id}/catalogue")
    assert "3 listings" in page.inner_text("main")
    page.fill("input[name=q]", "python")
    page.click("main form.filters button[type=submit]")
    assert "2 listings" in page.inner_text("main")
    assert page.locator(f"#cmp-{ids[2]}").count() == 0
    assert _fits(page)
    page.check(f"#cmp-{ids[0]}")
    page.check(f"#cmp-{ids[1]}")
    page.click("text=Compare selected")
    assert page.url.startswith(f"{url}/frameworks/{framework_id}/compare")
    table = page.inner_text("table.compare")
    assert names[0] in table and names[1] in table
    assert "850.00 MXN / hora" in table and "790.00 MXN / hora" in table
    assert _fits(page)
    # One listing is not a comparison: the page says so.
    page.goto(f"{url}/frameworks/{framework_id}/compare?listing={ids[0]}")
    assert "Choose at least two listings to compare." in page.inner_text("main")
