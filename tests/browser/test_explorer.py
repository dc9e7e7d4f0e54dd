"""The public explorer in Chromium: search, narrow by a facet, open a process, download
the CSV; and the main public pages fit a phone and a desktop screen.

With TIANGUIS_SCREENSHOTS=1 the second test also writes docs/screenshots/<page>-<width>.png
(home, search results, a process, a supplier; 360×740 and 1280×800). Normal runs leave
the committed pictures alone.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from marketplace.demo import load_demo
from marketplace.suppliers.models import Supplier, SupplierStatus
from tests.browser.conftest import PHONE, SCREENSHOTS, LiveServer, StartLiveServer

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
QUERY = "servicios"


@pytest.fixture(scope="module")
def live_server(start_live_server: StartLiveServer) -> Iterator[LiveServer]:
    """This module's own server and database: the demo data would crowd the directory
    pages that other browser tests look through."""
    with start_live_server("explorer") as server:
        yield server


@pytest.fixture(scope="module")
def demo(live_server: LiveServer) -> dict[str, Any]:
    """The demo data (buyers, suppliers, tenders in several states) in the live server."""
    with live_server.sessions() as session:
        load_demo(session, processes=10, seed=7)
        session.commit()
        supplier_id = session.scalar(
            select(Supplier.id)
            .where(Supplier.status == SupplierStatus.VERIFIED)
            .order_by(Supplier.id)
            .limit(1)
        )
    assert supplier_id is not None
    return {"supplier_id": supplier_id}


def _english(page: Any, url: str) -> None:
    page.context.add_cookies([{"name": "lang", "value": "en", "url": url}])


def _found(page: Any) -> int:
    heading = page.locator("#results-heading").inner_text()
    match = re.match(r"(\d+) process", heading)
    assert match, heading
    return int(match.group(1))


@pytest.mark.parametrize("viewport", [DESKTOP])
def test_search_filter_open_and_download(
    live_server: LiveServer, demo: dict[str, Any], page: Any, tmp_path: Path
) -> None:
    url = live_server.url
    _english(page, url)
    page.goto(f"{url}/search")
    page.fill("#q", QUERY)
    page.click("form[role=search] .search-row button[type=submit]")
    page.wait_for_url(re.compile(r"/search\?q=servicios"))
    total = _found(page)
    assert total >= 2
    assert page.locator("article.hit mark").count() >= 1  # the words are highlighted

    # Narrow by the first buyer listed in the facets: fewer (or as many) processes, the
    # value marked as chosen, and a link to remove it.
    facet = page.locator("ul[aria-labelledby=facet-buyer] li a").first
    buyer = facet.inner_text().strip()
    expected = int(page.locator("ul[aria-labelledby=facet-buyer] li .count").first.inner_text())
    facet.click()
    page.wait_for_url(re.compile(r"buyer="))
    assert _found(page) == expected <= total
    chosen = page.locator("ul[aria-labelledby=facet-buyer] a[aria-current=true]")
    assert buyer in chosen.inner_text() and "(remove)" in chosen.inner_text()
    for meta in page.locator("article.hit p.meta").all_inner_texts()[:expected]:
        assert meta.startswith(buyer) or "Items:" in meta

    # The CSV has a row per process found, in the page's order.
    titles = page.locator("article.hit h3 a").all_inner_texts()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Download all \d+ as CSV")).click()
    download = download_info.value
    assert download.suggested_filename == "tianguis-search.csv"
    target = tmp_path / "results.csv"
    download.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert len(rows) == expected
    assert [row["title"] for row in rows][: len(titles)] == titles
    assert {row["buyer"] for row in rows} == {buyer}

    # Open the first process: its own page, with the title it had in the results.
    page.locator("article.hit h3 a").first.click()
    page.wait_for_url(re.compile(r"/processes/"))
    assert titles[0] in page.locator("h1").inner_text()
    assert rows[0]["url"].endswith(page.url.split("/processes/", 1)[1])


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_public_pages_fit_the_screen(
    live_server: LiveServer, demo: dict[str, Any], page: Any, viewport: dict[str, int]
) -> None:
    url = live_server.url
    _english(page, url)
    page.goto(f"{url}/search?q={QUERY}")
    process_path = page.locator("article.hit h3 a").first.get_attribute("href")
    assert process_path and process_path.startswith("/processes/")
    pages = {
        "home": "/",
        "search": f"/search?q={QUERY}",
        "process": process_path,
        "supplier": f"/suppliers/{demo['supplier_id']}",
    }
    save = os.environ.get("TIANGUIS_SCREENSHOTS") == "1"
    for name, path in pages.items():
        response = page.goto(f"{url}{path}")
        assert response is not None and response.status == 200, (name, path)
        assert page.locator("h1").first.is_visible(), name
        # Nothing wider than the screen: no sideways scrolling.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (name, width)
        if save:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport['width']}.png"))
