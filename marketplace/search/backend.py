"""Where the explorer's search runs: whoosh files (default) or PostgreSQL full text.

Both backends answer the same calls with the same ``SearchResult``/``Hit`` shapes, so
the pages, the API, the CSV, the feeds and the alerts do not know which one runs. The
app picks one from ``SEARCH_BACKEND`` (``make_backend``); tests run on both.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session

from marketplace.publication.catch_up import catch_up
from marketplace.search import index, pg_sync, query, sync
from marketplace.search.pg_query import PostgresSearch
from marketplace.search.query import Hit, SearchResult
from marketplace.search.request import Problem, SearchRequest
from marketplace.search.sync import SyncResult
from ocds.redflags import Context, Thresholds

BACKENDS = ("whoosh", "postgres")


class BackendError(ValueError):
    """A backend that cannot run with this configuration (say, postgres on SQLite)."""


class SearchBackend(Protocol):
    @property
    def name(self) -> str: ...

    def search(
        self, request: SearchRequest, problems: list[Problem] | None = None
    ) -> SearchResult: ...

    def iter_hits(self, request: SearchRequest) -> Iterator[Hit]: ...

    def latest_hits(self, request: SearchRequest, limit: int = 50) -> list[Hit]: ...

    def matching_ocids(self, request: SearchRequest, among: Collection[str]) -> set[str]: ...

    def party_hits(self, role: str, party_id: str, limit: int = 50) -> list[Hit]: ...

    def sync(
        self, session: Session, *, publishers: Mapping[str, str] | None = None
    ) -> SyncResult: ...

    def reindex(
        self,
        session: Session,
        *,
        publishers: Mapping[str, str] | None = None,
        thresholds: Thresholds | None = None,
    ) -> SyncResult: ...

    def flag_context(self) -> Context | None:
        """The red-flag context of the last rebuild (None before the first)."""
        ...

    def describe(self) -> str: ...

    def using(self, session: Session) -> SearchBackend:
        """This backend reading through ``session`` (to see its uncommitted writes)."""
        ...


def _catch_up(session: Session) -> None:
    """Records with every release merged before they are indexed; committed at once, so
    that bids publishing to those records do not wait for the indexing."""
    if catch_up(session, wait=False):
        session.commit()


@dataclass(frozen=True)
class WhooshBackend:
    """The index files under ``index_dir`` (marketplace/search/index.py)."""

    index_dir: str | os.PathLike[str]
    name: str = "whoosh"

    def search(self, request: SearchRequest, problems: list[Problem] | None = None) -> SearchResult:
        return query.search(self.index_dir, request, problems)

    def iter_hits(self, request: SearchRequest) -> Iterator[Hit]:
        return query.iter_hits(self.index_dir, request)

    def latest_hits(self, request: SearchRequest, limit: int = 50) -> list[Hit]:
        return query.latest_hits(self.index_dir, request, limit)

    def matching_ocids(self, request: SearchRequest, among: Collection[str]) -> set[str]:
        return query.matching_ocids(self.index_dir, request, among)

    def party_hits(self, role: str, party_id: str, limit: int = 50) -> list[Hit]:
        return query.party_hits(self.index_dir, role, party_id, limit)

    def sync(self, session: Session, *, publishers: Mapping[str, str] | None = None) -> SyncResult:
        _catch_up(session)
        return sync.sync(session, self.index_dir, publishers=publishers)

    def reindex(
        self,
        session: Session,
        *,
        publishers: Mapping[str, str] | None = None,
        thresholds: Thresholds | None = None,
    ) -> SyncResult:
        _catch_up(session)
        return sync.reindex(session, self.index_dir, publishers=publishers, thresholds=thresholds)

    def flag_context(self) -> Context | None:
        path = index.current_dir(self.index_dir)
        return index.load_context(path) if path is not None else None

    def describe(self) -> str:
        return str(Path(self.index_dir))

    def using(self, session: Session) -> SearchBackend:
        return self  # the index files are not in any transaction


class PostgresBackend(PostgresSearch):
    """The ``search_document`` table (marketplace/search/pg_query.py, pg_sync.py), read
    and written through the caller's session, so it sees the caller's transaction."""

    name = "postgres"

    def sync(self, session: Session, *, publishers: Mapping[str, str] | None = None) -> SyncResult:
        _catch_up(session)
        return pg_sync.sync(session, publishers=publishers)

    def reindex(
        self,
        session: Session,
        *,
        publishers: Mapping[str, str] | None = None,
        thresholds: Thresholds | None = None,
    ) -> SyncResult:
        _catch_up(session)
        return pg_sync.reindex(session, publishers=publishers, thresholds=thresholds)

    def flag_context(self) -> Context | None:
        return pg_sync.load_context(self._session())

    def describe(self) -> str:
        return "the search_document table"

    def using(self, session: Session) -> SearchBackend:
        return PostgresBackend(lambda: session)


def make_backend(
    kind: str,
    *,
    index_dir: str | os.PathLike[str],
    database_url: str,
    session: Callable[[], Session],
) -> SearchBackend:
    """The configured backend; ``BackendError`` when it cannot run here."""
    if kind == "whoosh":
        return WhooshBackend(index_dir)
    if kind == "postgres":
        if not database_url.startswith("postgresql"):
            raise BackendError(
                "SEARCH_BACKEND = 'postgres' needs DATABASE_URL to be a PostgreSQL database"
            )
        return PostgresBackend(session)
    raise BackendError(f"SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {kind!r}")
