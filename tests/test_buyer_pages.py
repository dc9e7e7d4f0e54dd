"""Buyer pages (/buyers, /buyers/<party id>) and the procurement figures on supplier
pages, over the hand-built records of tests/analytics_records.py (answers worked out in
tests/test_analytics.py)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.analytics_records import BUYER_A, BUYER_B, bid, known_set, party, store_all
from tests.supplier_helpers import english, make_supplier
from tests.test_analytics_pages import page_table


def _headline(page: str) -> dict[str, str]:
    terms = re.findall(r'<dl class="facts headline">(.*?)</dl>', page, re.S)[0]
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", terms)
    return dict(pairs)


def test_buyer_list_links_every_buyer(client: FlaskClient, db: Session) -> None:
    store_all(db, known_set())
    page = english(client).get("/buyers").get_data(as_text=True)
    assert "2 buyers" in page
    assert f'href="/buyers/{BUYER_A["id"]}"' in page and f'href="/buyers/{BUYER_B["id"]}"' in page
    # By name: "Agencia…" before "Secretaría…"
    assert page.index(BUYER_A["name"]) < page.index("Secretaría de Salud &lt;Norte&gt;")


def test_buyer_list_pages(
    app: Flask, client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "BUYERS_PAGE_SIZE", 1)
    store_all(db, known_set())
    english(client)
    first = client.get("/buyers").get_data(as_text=True)
    assert "Page 1 of 2" in first and BUYER_B["id"] not in first
    second = client.get("/buyers?page=2").get_data(as_text=True)
    assert BUYER_B["id"] in second and BUYER_A["id"] not in second
    for bad in ("3", "0", "x"):
        response = client.get(f"/buyers?page={bad}")
        assert response.status_code == 404
        assert "There is no page" in response.get_data(as_text=True)


def test_buyer_page_figures(client: FlaskClient, db: Session) -> None:
    store_all(db, known_set())
    response = english(client).get(f"/buyers/{BUYER_A['id']}")
    assert response.status_code == 200 and len(response.data) <= 60 * 1024
    page = response.get_data(as_text=True)
    assert f"<h1>{BUYER_A['name']}</h1>" in page
    headline = _headline(page)
    assert headline["Processes"] == "3"
    assert headline["Awarded (MXN)"] == "240.00"
    assert headline["Contracts"] == "1"
    assert headline["Single-bid share"] == "50.0%"
    assert headline["Average discount against the estimate"] == "17.5%"
    assert headline["Median number of bidders"] == "1.0"
    assert page_table(page, "by-year")[1:] == [
        ["2024", "2", "240.00", "1"],
        ["2025", "1", "0.00", "0"],
    ]
    assert page_table(page, "suppliers")[1:] == [["Empresa S1", "2", "240.00"]]
    assert len(re.findall(r'<svg [^>]*role="img"', page)) == 3
    # The latest processes link to the process pages.
    assert 'href="/processes/ocds-anlt01-5"' in page


def test_unknown_buyer_is_a_message(client: FlaskClient, db: Session) -> None:
    store_all(db, known_set())
    response = english(client).get("/buyers/nobody%20here")
    assert response.status_code == 404
    assert "No published process has the buyer “nobody here”." in response.get_data(as_text=True)


def test_party_ids_with_slashes_and_spaces_work(client: FlaskClient, db: Session) -> None:
    odd = {"id": "MX/UC 7", "name": "Unidad rara"}
    records = known_set()
    records[0]["buyer"] = odd
    store_all(db, records)
    page = english(client).get("/analytics").get_data(as_text=True)
    link = "/buyers/" + quote(odd["id"])
    assert f'href="{link}"' in page
    assert "Unidad rara" in client.get(link).get_data(as_text=True)


def test_supplier_page_shows_its_procurement_figures(client: FlaskClient, db: Session) -> None:
    supplier, _user = make_supplier(db, verified=True)
    pid = supplier.party_id
    records = known_set()
    for record in records[:3]:  # S1 of the known set is this registered supplier
        for detail in record["bids"]["details"]:
            if detail["tenderers"][0]["id"] == "S1":
                detail.update(bid(pid, detail["value"]["amount"], detail["status"]))
        for award in record.get("awards", []):
            for s in award["suppliers"]:
                if s["id"] == "S1":
                    s["id"] = pid
        record["parties"].append(party(pid, ["tenderer", "supplier"], "sme"))
    store_all(db, records)
    page = english(client).get(f"/suppliers/{supplier.id}").get_data(as_text=True)
    assert "Public procurement" in page
    headline = _headline(page)
    assert headline["Bids submitted"] == "3"
    assert headline["Processes won"] == "2"
    assert headline["Win rate"] == "66.7%"
    assert headline["Awarded (MXN)"] == "240.00"
    assert headline["Contracts"] == "1"
    assert headline["Won with the only bid"] == "50.0%"
    assert headline["Average discount against the estimate"] == "17.5%"
    assert page_table(page, "by-year")[1:] == [
        ["2024", "2", "2", "240.00", "1"],
        ["2025", "1", "0", "0.00", "0"],
    ]
    assert page_table(page, "buyers")[1:] == [[BUYER_A["name"], "2", "240.00"]]
    assert f'href="/buyers/{BUYER_A["id"]}"' in page


def test_supplier_without_activity_says_so(client: FlaskClient, db: Session) -> None:
    store_all(db, known_set())
    supplier, _user = make_supplier(db, verified=True)
    page = english(client).get(f"/suppliers/{supplier.id}").get_data(as_text=True)
    assert "No published bid or award yet." in page


def test_spanish_pages_render(client: FlaskClient, db: Session) -> None:
    store_all(db, known_set())
    client.get("/lang/es?next=/")
    for url in ("/analytics", "/buyers", f"/buyers/{BUYER_B['id']}"):
        response = client.get(url)
        assert response.status_code == 200
        assert '<html lang="es">' in response.get_data(as_text=True)
