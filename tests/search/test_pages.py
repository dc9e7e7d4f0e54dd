"""The explorer pages, the JSON API and the CSV, through the Flask test client."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.cli import main
from marketplace.search.backend import SearchBackend
from tests.search.conftest import corpus_backend, lose_index
from tests.search.records import record, store


@pytest.fixture
def backend(
    app: Flask,
    client: FlaskClient,
    db: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    backend_kind: str,
) -> SearchBackend:
    """The corpus in the database and in an index of this test's own (each backend)."""
    # A title a spreadsheet would run as a formula, to check the CSV defuses it.
    formula = record(20, '=HYPERLINK("http://x")', amount=10, date="2021-01-01T00:00:00Z")
    return corpus_backend(
        backend_kind, app, client, db, tmp_path / "index", monkeypatch, extra=(formula,)
    )


def page(client: FlaskClient, query: str) -> str:
    response = client.get(f"/search?{query}")
    assert response.status_code == 200, response.status_code
    assert len(response.data) < 60_000
    return response.get_data(as_text=True)


def test_search_page_with_highlights_facets_and_links(
    client: FlaskClient, backend: SearchBackend
) -> None:
    html = page(client, "q=tecnologia")
    assert "2 processes found" in html
    assert '<mark class="hl t0">tecnología</mark>' in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    # Facet values are links with counts that add the filter.
    assert 'Agencia Digital de Innovación Pública</a> <span class="count">2</span>' in html
    assert "buyer=Agencia+Digital" in html
    assert 'href="/search.csv?q=tecnologia"' in html
    assert '<label for="q">' in html and '<label for="amount_min">' in html


def test_facet_filter_and_removal_link(client: FlaskClient, backend: SearchBackend) -> None:
    html = page(client, "flag=R018")
    assert "1 process found" in html
    assert "Única oferta" in html
    assert 'aria-current="true"' in html and "(remove)" in html
    assert "R018 · Single bid received" in html


def test_new_records_are_found_without_a_manual_sync(
    client: FlaskClient, db: Session, backend: SearchBackend
) -> None:
    store(db, record(30, "Routers inalámbricos"))
    assert "1 process found" in page(client, "q=router")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('q="unclosed', "0 processes found"),
        ("q=AND+OR", "has no words to search for"),
        ("q=" + "licencia+" * 700, "too long"),
        ("q=***+%3F%3F", "has no words to search for"),
        ("buyer=Nadie", "No process has buyer “Nadie”"),
        ("amount_min=-10", "cannot be negative"),
        ("amount_min=500000&amount_max=100", "we swapped them"),
        ("date_from=2025-12-01&date_to=2024-01-01", "we swapped them"),
        ("date_from=31/12/2024", "is not a date"),
        ("page=1000000", "Only the first 500 pages"),
        ("page=abc", "is not a page number"),
        ("sort=%27%3Bdrop", "is not a way to sort"),
    ],
)
def test_bad_input_shows_a_message_never_an_error(
    client: FlaskClient, backend: SearchBackend, query: str, message: str
) -> None:
    assert message in page(client, query)


def test_page_past_the_end_shows_the_last_page(client: FlaskClient, backend: SearchBackend) -> None:
    html = page(client, "per_page=4&page=99")
    assert "There is no page 99; this is the last page (3)." in html
    assert "Page 3 of 3" in html


def csv_rows(client: FlaskClient, query: str) -> list[dict[str, str]]:
    response = client.get(f"/search.csv?{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_lists_the_same_processes_in_the_same_order(
    client: FlaskClient, backend: SearchBackend
) -> None:
    for query in ("q=de&sort=amount", "sort=date", "q=licencia", "year=2025&sort=amount_asc"):
        on_pages = []
        for number in range(1, 5):
            response = client.get(f"/api/search?{query}&per_page=3&page={number}")
            on_pages += [hit["ocid"] for hit in response.get_json()["results"]]
            if number >= response.get_json()["pages"]:
                break
        assert [row["ocid"] for row in csv_rows(client, query)] == on_pages


def test_csv_is_spreadsheet_ready(client: FlaskClient, backend: SearchBackend) -> None:
    rows = {row["ocid"]: row for row in csv_rows(client, "")}
    assert len(rows) == 9
    assert rows["ocds-srch01-20"]["title"] == '\'=HYPERLINK("http://x")'
    assert rows["ocds-srch01-3"]["suppliers"] == "Nube Segura"
    assert rows["ocds-srch01-7"]["red_flags"] == "R018"
    assert rows["ocds-srch01-1"]["tender_amount"] == "55000.00"
    assert rows["ocds-srch01-1"]["url"].startswith("http://localhost/")
    assert rows["ocds-srch01-1"]["url"].endswith("/ocds-srch01-1")


def test_api_search_json(client: FlaskClient, backend: SearchBackend) -> None:
    response = client.get("/api/search?q=licencias&amount_min=-1&per_page=1")
    assert response.status_code == 200
    data = response.get_json()
    assert data["total"] == 2 and len(data["results"]) == 1 and data["pages"] == 2
    first = data["results"][0]
    assert first["ocid"] == "ocds-srch01-2"
    assert "<mark" in first["highlights"]["title"]
    assert {"value": "Soft, S.C.", "count": 2, "selected": False} in data["facets"]["supplier"]
    assert [p["code"] for p in data["problems"]] == ["negative_amount"]
    assert "page=2" in data["links"]["next"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_red_flags_summary(client: FlaskClient, backend: SearchBackend) -> None:
    response = client.get("/red-flags")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "9 processes analysed." in html
    assert 'href="/search?flag=R018">1</a>' in html
    for code in ("R003", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058"):
        assert f'id="{code}"' in html


def test_missing_index_says_rebuilding_then_reindex_repairs_it(
    app: Flask, client: FlaskClient, db: Session, backend: SearchBackend
) -> None:
    lose_index(backend, db)
    for url in ("/search?q=licencia", "/red-flags", "/search.csv", "/api/search"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert b"rebuil" in response.data
    result = app.test_cli_runner().invoke(main, ["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "reindexed 9 records" in result.output
    assert "2 processes found" in page(client, "q=licencia")


def test_cli_sync(app: Flask, db: Session, client: FlaskClient, backend: SearchBackend) -> None:
    store(db, record(40, "Pantallas interactivas"))
    result = app.test_cli_runner().invoke(main, ["search", "sync"])
    assert result.exit_code == 0, result.output
    assert "synced: 1 outbox rows, 1 records" in result.output
    assert "1 process found" in page(client, "q=pantallas")


def test_per_page_is_capped_to_keep_pages_small(
    client: FlaskClient, backend: SearchBackend
) -> None:
    data = client.get("/api/search?per_page=1000").get_json()
    assert data["perPage"] == 50
