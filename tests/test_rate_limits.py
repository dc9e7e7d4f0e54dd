"""Rate limits on search and the API, per client address, set by configuration
(login and registration limits are tested with their pages)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from marketplace.search.sync import reindex
from tests.search.records import corpus, store


@pytest.fixture
def index(app: Flask, db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A search index of this test's own, so searches answer 200."""
    for compiled in corpus():
        store(db, compiled, enqueue=False)
    path = tmp_path / "index"
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(path))
    reindex(db, path)
    return path


def test_defaults_are_configured(app: Flask) -> None:
    for key in ("RATELIMIT_LOGIN", "RATELIMIT_REGISTER", "RATELIMIT_SEARCH", "RATELIMIT_API"):
        assert " per " in app.config[key]


@pytest.mark.parametrize("url", ["/search?q=laptop", "/search.csv?q=laptop"])
def test_search_is_limited(
    app: Flask, client: FlaskClient, index: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_SEARCH", "3 per minute")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    assert client.get(url).status_code == 429
    # Another address is not held back by this one's searches.
    other = client.get(url, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_api_is_limited_with_a_json_answer(
    app: Flask, client: FlaskClient, index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_API", "2 per minute")
    assert client.get("/api/releases").status_code == 200
    assert client.get("/api/releases").status_code == 200
    response = client.get("/api/releases")
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == 429
    assert client.get("/api/search?q=x").status_code == 200
    assert client.get("/api/search?q=x").status_code == 200
    assert client.get("/api/search?q=x").status_code == 429


def test_a_raised_limit_lets_benches_and_crawls_through(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_API", "1000 per minute")
    assert {client.get("/api/records").status_code for _ in range(30)} == {200}
