"""PostgreSQL search with very many matches: counts estimated from a sample (and said
to be), relevance over the newest matches, dates still exact, the CSV complete.

The limits are lowered so that a few hundred processes count as "very many"; the
code paths are the ones a million processes take."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from marketplace.search import pg_query
from marketplace.search.backend import SearchBackend
from marketplace.search.query import SearchResult
from marketplace.search.request import parse_request
from tests.search.conftest import ON_POSTGRES, app_backend
from tests.search.records import record, store

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="TEST_DATABASE_URL is not PostgreSQL")

PROCESSES = 600
RARE = 5


@pytest.fixture
def backend(
    app: Flask, client: FlaskClient, db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> SearchBackend:
    rng = random.Random(5)
    for n in range(1, PROCESSES + 1):
        thing = rng.choice(["Servidor de aplicaciones", "Impresora de red"])
        extra = " satelital" if n % (PROCESSES // RARE) == 0 else ""
        day = f"20{18 + n % 8}-{1 + n % 12:02d}-{1 + n % 28:02d}T00:00:00Z"
        store(
            db,
            record(n, f"{thing}{extra} {n}", method=rng.choice(["open", "direct"]), date=day),
            enqueue=False,
        )
    backend = app_backend("postgres", app, db, tmp_path, monkeypatch)
    backend.reindex(db)
    db.execute(text("ANALYZE search_document"))  # the planner's word frequencies
    monkeypatch.setattr(pg_query, "EXACT_LIMIT", 50)
    monkeypatch.setattr(pg_query, "SAMPLE_ROWS", 200)
    monkeypatch.setattr(pg_query, "RANK_WINDOW", 40)
    client.get("/lang/en?next=/")
    return backend


def find(backend: SearchBackend, **args: str) -> SearchResult:
    request, problems = parse_request({k: [v] for k, v in args.items()})
    return backend.search(request, problems)


def matches(db: Session, word: str) -> list[tuple[str, float]]:
    """(ocid, rank) of every process with ``word``, newest first: read independently
    of the backend's query code."""
    sql = (
        "SELECT ocid, ts_rank(words, plainto_tsquery('spanish', :w)) FROM search_document "
        "WHERE words @@ plainto_tsquery('spanish', :w) ORDER BY date DESC, ocid"
    )
    return [(ocid, rank) for ocid, rank in db.execute(text(sql), {"w": word})]


def test_very_many_matches_are_estimated_and_said_so(backend: SearchBackend, db: Session) -> None:
    every = matches(db, "servidor")
    result = find(backend, q="servidor")
    assert result.estimated and result.window == 40
    # Within the sample's error, and rounded to two figures (no false precision).
    assert abs(result.total - len(every)) <= len(every) * 0.4
    assert result.total == round(result.total, 2 - len(str(result.total)))
    counted = {v.value: v.count for v in result.facets["method"]}
    assert set(counted) == {"open", "direct"}
    assert abs(sum(counted.values()) - result.total) <= result.total * 0.1


def test_relevance_orders_the_newest_matches(backend: SearchBackend, db: Session) -> None:
    every = matches(db, "servidor")
    newest = dict(every[:40])
    result = find(backend, q="servidor", per_page="10")
    ocids = [hit.ocid for hit in result.hits]
    assert len(ocids) == 10 and set(ocids) <= set(newest)
    ranks = [newest[ocid] for ocid in ocids]
    assert ranks == sorted(ranks, reverse=True)
    assert max(newest.values()) == ranks[0]
    # Pages reach as far as that window, and say so past it.
    assert result.pages == 4
    deep = find(backend, q="servidor", per_page="10", page="9")
    assert [p.code for p in deep.problems] == ["page_too_deep"]
    assert deep.request.page == 4 and len(deep.hits) == 10
    seen = set()
    for page in range(1, 5):
        seen |= {h.ocid for h in find(backend, q="servidor", per_page="10", page=str(page)).hits}
    assert seen == set(newest)


def test_dates_sort_exactly_and_the_csv_has_every_match(
    backend: SearchBackend, db: Session
) -> None:
    every = matches(db, "servidor")
    result = find(backend, q="servidor", sort="date", per_page="10", page="2")
    # Estimated counts, but no window: the date order is exact however deep one pages.
    assert result.estimated and result.window is None
    assert result.pages == math.ceil(result.total / 10)
    assert [hit.ocid for hit in result.hits] == [ocid for ocid, _rank in every[10:20]]
    request, _problems = parse_request({"q": ["servidor"]})
    assert sorted(hit.ocid for hit in backend.iter_hits(request)) == sorted(o for o, _r in every)


def test_few_matches_are_counted_exactly(backend: SearchBackend, db: Session) -> None:
    result = find(backend, q="satelital")
    assert not result.estimated and result.window is None
    assert result.total == len(matches(db, "satelital")) == RARE
    # A common word with a filter that leaves few: exact too.
    some = find(backend, q="servidor satelital", method="open")
    both = {o for o, _r in matches(db, "servidor")} & {o for o, _r in matches(db, "satelital")}
    opened = db.scalars(text("SELECT ocid FROM search_document WHERE method = 'open'"))
    assert not some.estimated
    assert {hit.ocid for hit in some.hits} == both & set(opened)
    assert some.total == len(some.hits)


def test_pages_and_api_say_the_counts_are_estimates(
    backend: SearchBackend, client: FlaskClient
) -> None:
    page = client.get("/search?q=servidor").get_data(as_text=True)
    assert "About " in page and "estimated from a sample" in page
    assert "newest matches come first" in page
    assert "Counts are estimates." in page
    body: dict[str, Any] = client.get("/api/search?q=servidor").get_json()
    assert body["estimated"] is True and body["window"] == 40
    assert body["pages"] == math.ceil(40 / body["perPage"])
    exact = client.get("/api/search?q=satelital").get_json()
    assert exact["estimated"] is False and exact["total"] == RARE
    assert "About " not in client.get("/search?q=satelital").get_data(as_text=True)
