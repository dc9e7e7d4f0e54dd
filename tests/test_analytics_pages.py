"""The /analytics page and its CSV downloads, over the hand-built records of
tests/analytics_records.py (answers in tests/test_analytics.py)."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.cli import main
from app.public import analytics as analytics_views
from marketplace.analytics import services
from marketplace.publication.services import publish
from ocds.analytics import finish, overview
from tests.analytics_records import (
    BUYER_A,
    BUYER_B,
    bid,
    known_set,
    party,
    process,
    store,
    store_all,
)
from tests.supplier_helpers import english

TABLES = [
    "spend-by-year",
    "spend-by-buyer",
    "spend-by-category",
    "bidders",
    "single-bid",
    "concentration",
    "sme",
    "savings",
    "time-to-award",
]


def _cells(fragment: str, tag: str = "t[hd]") -> list[str]:
    found = re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", fragment, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in found]


def page_table(page: str, name: str) -> list[list[str]]:
    """Header and rows of the table of the figure ``name``, as the reader sees them."""
    section = re.search(rf'aria-labelledby="{name}-h">(.*?)</section>', page, re.S)
    assert section is not None, name
    table = re.search(r"<table.*?</table>", section.group(1), re.S)
    assert table is not None, name
    return [_cells(row) for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)]


def plain(text: str) -> str:
    """A displayed number as the CSV writes it (English formatting)."""
    return "" if text == "—" else text.replace(",", "").replace("%", "")


def test_every_csv_equals_its_table(client: FlaskClient, db: Session) -> None:
    store_all(db, known_set())
    page = english(client).get("/analytics").get_data(as_text=True)
    for name in TABLES:
        shown = page_table(page, name)
        response = client.get(f"/analytics/{name}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert f"tianguis-{name}.csv" in response.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert rows[0] == shown[0], name
        assert len(rows) == len(shown) > 1, name
        for csv_row, html_row in zip(rows[1:], shown[1:], strict=True):
            assert csv_row[0] == html_row[0]
            assert csv_row[1:] == [plain(c) for c in html_row[1:]], name


def test_page_shows_the_known_answers(client: FlaskClient, db: Session) -> None:
    store_all(db, known_set())
    page = english(client).get("/analytics").get_data(as_text=True)
    headline = dict(zip(_cells(page, "dt"), _cells(page, "dd"), strict=False))
    assert headline["Processes"] == "5"
    assert headline["Awarded (MXN)"] == "1,390.00"
    assert headline["Single-bid rate"] == "33.3%"
    assert headline["Median number of bidders"] == "1.5"
    assert headline["Savings against the estimate"] == "-3.1%"
    assert headline["SME share"] == "17.9%"
    assert headline["Median days to award"] == "15.0"
    assert page_table(page, "spend-by-buyer")[1:] == [
        [BUYER_B["name"], "2", "1,150.00"],
        [BUYER_A["name"], "3", "240.00"],
    ]
    assert page_table(page, "concentration")[2][3] == "7,146"
    assert page_table(page, "bidders")[1:] == [["1", "2"], ["2", "1"], ["3", "1"]]
    assert page_table(page, "time-to-award")[1:] == [
        ["2024", "2", "15.0", "15.0"],
        ["2025", "2", "17.5", "17.5"],
    ]
    # Buyers link to their pages, by OCDS party id.
    assert f'href="/buyers/{BUYER_A["id"]}"' in page


def test_page_is_small_accessible_and_escapes_names(client: FlaskClient, db: Session) -> None:
    store_all(db, known_set())
    response = english(client).get("/analytics")
    page = response.get_data(as_text=True)
    assert len(response.data) <= 60 * 1024
    assert "<script" not in page
    charts = re.findall(r"<svg\b[^>]*>", page)
    assert len(charts) == len(TABLES)
    for name in TABLES:
        assert f'aria-labelledby="{name}-t {name}-d"' in page
        assert f'<title id="{name}-t">' in page and f'<desc id="{name}-d">' in page
    assert "Secretaría de Salud &lt;Norte&gt;" in page and "<Norte>" not in page


def test_year_filter(client: FlaskClient, db: Session) -> None:
    store_all(db, known_set())
    english(client)
    page = client.get("/analytics?year=2024").get_data(as_text=True)
    assert page_table(page, "spend-by-year")[1:] == [["2024", "2", "240.00"]]
    assert [r[0] for r in page_table(page, "spend-by-buyer")[1:]] == [BUYER_A["name"]]
    rows = client.get("/analytics/savings.csv?year=2024").get_data(as_text=True).splitlines()
    assert rows[1:] == ["2024,2,300.00,240.00,60.00,20.0,17.5"]


def test_bad_input_gives_a_message_not_an_error(client: FlaskClient, db: Session) -> None:
    store_all(db, known_set())
    english(client)
    response = client.get("/analytics?year=abc")
    assert response.status_code == 400
    assert "“abc” is not a year." in response.get_data(as_text=True)
    response = client.get("/analytics?year=1999")
    assert response.status_code == 404
    assert "No process was published for 1999." in response.get_data(as_text=True)
    response = client.get("/analytics/nothing.csv")
    assert response.status_code == 404
    assert "There is no table called" in response.get_data(as_text=True)
    assert client.get("/analytics/savings.csv?year=20x5").status_code == 400


def test_empty_publication(client: FlaskClient, db: Session) -> None:
    response = english(client).get("/analytics")
    assert response.status_code == 200
    assert "Nothing has been published yet." in response.get_data(as_text=True)


def test_figures_follow_new_publications(client: FlaskClient, db: Session) -> None:
    records = known_set()
    store_all(db, records)
    english(client)
    assert "1,390.00" in client.get("/analytics").get_data(as_text=True)
    # P5's pending award becomes active: the page recomputes at once.
    records[4]["awards"][0]["status"] = "active"
    store(db, records[4])
    page = client.get("/analytics").get_data(as_text=True)
    assert "1,460.00" in page
    assert page_table(page, "spend-by-year")[1:][1] == ["2025", "3", "1,220.00"]


def test_a_published_release_reaches_the_page(client: FlaskClient, db: Session) -> None:
    """Through publish(): validated, logged and compiled, then read by the page."""
    release = process(
        1,
        buyer={"id": "MX-UC-PUB", "name": "Unidad Publicadora"},
        method="open",
        code="43211503",
        start="2026-02-01T00:00:00Z",
        estimate=500,
        award=(["S7"], 450, "2026-02-15T00:00:00Z", "active"),
        parties=[{"id": "S7", "name": "Empresa S7", "roles": ["supplier"]}],
    )
    release.update(ocid="ocds-tgs001-analytics-1", tag=["award"], date="2026-02-15T00:00:00Z")
    release.pop("id")
    release["tender"]["items"][0]["description"] = "Laptop"
    release["awards"][0]["id"] = "award-1"
    publish(db, release)
    page = english(client).get("/analytics?year=2026").get_data(as_text=True)
    assert page_table(page, "savings")[1:] == [
        ["2026", "1", "500.00", "450.00", "50.00", "10.0%", "10.0%"]
    ]
    buyer = client.get("/buyers/MX-UC-PUB").get_data(as_text=True)
    assert "Unidad Publicadora" in buyer and "450.00" in buyer


def test_a_large_backlog_is_counted_over_several_views(
    client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analytics_views, "PAGE_REFRESH_LIMIT", 2)
    store_all(db, known_set())
    english(client)
    page = client.get("/analytics").get_data(as_text=True)
    assert "3 published processes are not counted yet" in page
    page = client.get("/analytics").get_data(as_text=True)
    assert "1 published process is not counted yet" in page
    page = client.get("/analytics").get_data(as_text=True)
    assert "not counted yet" not in page
    assert dict(zip(_cells(page, "dt"), _cells(page, "dd"), strict=False))["Processes"] == "5"


def test_large_publications_may_show_figures_a_little_stale(
    client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "STALE_FROM", 5)
    services.clear_cache()  # figures of earlier tests' data could otherwise be served
    records = known_set()
    store_all(db, records)
    english(client)
    assert "1,390.00" in client.get("/analytics").get_data(as_text=True)
    records[4]["awards"][0]["status"] = "active"
    store(db, records[4])
    page = client.get("/analytics").get_data(as_text=True)
    assert "1,390.00" in page and "Figures as of" in page
    monkeypatch.setattr(services, "STALE_FOR", dt.timedelta(0))
    page = client.get("/analytics").get_data(as_text=True)
    assert "1,460.00" in page and "Figures as of" not in page


def test_cli_refresh_builds_the_facts(app: Flask, db: Session) -> None:
    store_all(db, known_set())
    result = app.test_cli_runner().invoke(main, ["analytics", "refresh"])
    assert result.exit_code == 0, result.output
    assert "read 5 records" in result.output
    assert [f.ocid[-1] for f in services.facts(db)] == ["1", "2", "3", "4", "5"]
    again = app.test_cli_runner().invoke(main, ["analytics", "refresh"])
    assert "read 0 records" in again.output


def test_page_stays_under_60_kb_with_many_buyers_categories_and_years(
    client: FlaskClient, db: Session
) -> None:
    records = []
    for n in range(60):
        year = 2019 + n % 8
        records.append(
            process(
                100 + n,
                buyer={"id": f"MX-UC-{n:03d}", "name": f"Dirección General de Compras {n:03d}"},
                method="open",
                code=f"{43211503 + 10000 * n}",
                start=f"{year}-03-01T00:00:00Z",
                estimate=1_000_000 + n,
                bids=[bid(f"S{k}", 900_000 + k) for k in range(n % 13)],
                award=([f"S{n % 7}"], 950_000.5 + n, f"{year}-04-01T00:00:00Z", "active"),
                contract=True,
                parties=[party(f"S{n % 7}", ["supplier"], "sme" if n % 2 else "large")],
            )
        )
    store_all(db, records)
    response = english(client).get("/analytics")
    page = response.get_data(as_text=True)
    assert len(response.data) <= 60 * 1024
    assert len(page_table(page, "spend-by-buyer")) == 1 + 10 + 1  # header, top ten, others
    assert page_table(page, "spend-by-buyer")[-1][0] == "50 others"
    # No disclosed bid and no numberOfTenderers: not counted (unknown, not zero).
    assert [r[0] for r in page_table(page, "bidders")[1:]] == [str(n) for n in range(1, 10)] + [
        "10+"
    ]


def test_a_process_moving_to_another_year_leaves_the_old_one(
    client: FlaskClient, db: Session
) -> None:
    records = known_set()
    store_all(db, records)
    english(client)
    client.get("/analytics")  # each year's sums are counted and kept
    records[0]["tender"]["tenderPeriod"]["startDate"] = "2025-01-10T00:00:00Z"
    store(db, records[0])
    page = client.get("/analytics").get_data(as_text=True)
    assert page_table(page, "spend-by-year")[1:] == [
        ["2024", "1", "150.00"],
        ["2025", "4", "1,240.00"],
    ]
    page = client.get("/analytics?year=2024").get_data(as_text=True)
    assert page_table(page, "time-to-award")[1:] == [["2024", "1", "20.0", "20.0"]]


def test_running_sums_equal_a_full_recount_after_rewrites(db: Session) -> None:
    records = known_set()
    store_all(db, records)
    services.refresh(db)
    records[0]["tender"]["tenderPeriod"]["startDate"] = "2025-01-10T00:00:00Z"
    records[1]["awards"][0]["value"]["amount"] = 175.25
    records[2]["bids"]["details"] = records[2]["bids"]["details"][:1]
    records[3]["buyer"] = BUYER_A
    for record in records[:4]:
        store(db, record)
    assert services.refresh(db).read == 4
    store(db, process(7, buyer=BUYER_B, method="open", code="43211503", start=None))
    services.refresh(db)
    assert finish(services.market_totals(db)) == overview(services.facts(db))
    assert finish(services.market_totals(db, 2025)) == overview(services.facts(db, year=2025))
