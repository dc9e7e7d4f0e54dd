"""Every search test runs on each backend: whoosh always, PostgreSQL full text when
TEST_DATABASE_URL is a PostgreSQL database (the ``backend`` fixtures build on these)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete
from sqlalchemy.orm import Session

from marketplace.search.backend import SearchBackend, WhooshBackend, make_backend
from marketplace.search.pg_models import SearchDocument, SearchShown, SearchState
from tests.search.records import corpus, store

ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")

#: whoosh-only behaviour (index files on disk); PostgreSQL has no files to damage.
whoosh_only = pytest.mark.parametrize("backend_kind", ["whoosh"], indirect=True)


@pytest.fixture(
    params=[
        "whoosh",
        pytest.param(
            "postgres",
            marks=pytest.mark.skipif(not ON_POSTGRES, reason="TEST_DATABASE_URL is not PostgreSQL"),
        ),
    ]
)
def backend_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def backend_for(kind: str, db: Session, path: Path) -> SearchBackend:
    """A backend of ``kind`` reading through the test's session (its transaction)."""
    url = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    return make_backend(kind, index_dir=path, database_url=url, session=lambda: db)


def app_backend(
    kind: str, app: Flask, db: Session, path: Path, monkeypatch: pytest.MonkeyPatch
) -> SearchBackend:
    """The app configured for ``kind`` (index files under ``path`` for whoosh)."""
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(path))
    monkeypatch.setitem(app.config, "SEARCH_BACKEND", kind)
    return backend_for(kind, db, path)


def corpus_backend(
    kind: str,
    app: Flask,
    client: FlaskClient,
    db: Session,
    path: Path,
    monkeypatch: pytest.MonkeyPatch,
    extra: tuple[dict[str, Any], ...] = (),
) -> SearchBackend:
    """The test corpus (and ``extra`` records) in the database and in an index of the
    test's own for ``kind``; the client reads pages in English (messages are asserted)."""
    for compiled in corpus():
        store(db, compiled, enqueue=False)
    for compiled in extra:
        store(db, compiled)
    backend = app_backend(kind, app, db, path, monkeypatch)
    backend.reindex(db)
    client.get("/lang/en?next=/")
    return backend


def lose_index(backend: SearchBackend, db: Session) -> None:
    """Lose what the backend built (as after a wiped disk or a fresh database)."""
    if isinstance(backend, WhooshBackend):
        shutil.rmtree(backend.index_dir)
    else:
        db.execute(delete(SearchDocument))
        db.execute(delete(SearchShown))
        db.execute(delete(SearchState))
        db.flush()
