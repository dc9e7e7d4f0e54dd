"""Saved-search alerts: `tianguis tick` tells each owner, once, what newly matches.

Each run looks at the records that changed since a saved search was last checked,
keeps those its search matches now, and posts ONE inbox message per saved search
listing them; then it moves the search's ``last_checked_at`` to the tick's ``now``, so
a second run at the same time finds nothing new and says nothing.

marketplace/ does not import Flask: the app tells this module which search backend to
use (``configure``), the way it tells the tender releases their base URL.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.inbox.services import notify
from marketplace.publication.models import OcdsRecord
from marketplace.search.backend import SearchBackend
from marketplace.search.index import IndexUnavailable
from marketplace.search.saved import request_of, search_path
from marketplace.search.saved_models import SavedSearch
from marketplace.ticks import register

log = logging.getLogger(__name__)

#: Processes named in one message; the link shows them all.
LISTED = 10
KIND = "search.new_matches"


@dataclass(frozen=True)
class IndexSettings:
    backend: SearchBackend
    publishers: Mapping[str, str]


_settings: Callable[[], IndexSettings] | None = None


def configure(settings: Callable[[], IndexSettings]) -> None:
    """Tell the alert tick which search backend to use (called when the app is made)."""
    global _settings
    _settings = settings


@dataclass(frozen=True)
class AlertRun:
    searches: int
    messages: int
    processes: int


def run_alerts(
    session: Session,
    now: dt.datetime,
    backend: SearchBackend,
    publishers: Mapping[str, str] | None = None,
) -> AlertRun:
    """Check every saved search of an active user against the records changed since it
    was last checked (up to ``now``); the caller commits."""
    searches = list(
        session.scalars(
            select(SavedSearch)
            .join(User, User.id == SavedSearch.user_id)
            .where(User.is_active.is_(True), SavedSearch.last_checked_at < now)
            .order_by(SavedSearch.id)
            # A second tick running at the same time skips these instead of repeating them.
            .with_for_update(of=SavedSearch, skip_locked=True)
        )
    )
    if not searches:
        return AlertRun(0, 0, 0)
    since = min(s.last_checked_at for s in searches)
    changed = session.execute(
        select(OcdsRecord.ocid, OcdsRecord.updated_at).where(
            OcdsRecord.updated_at > since, OcdsRecord.updated_at <= now
        )
    ).all()
    if changed:
        # Match against the records as they are now, not as the index last saw them.
        backend.sync(session, publishers=publishers)
    # The matches read what this transaction just indexed (PostgreSQL backend).
    backend = backend.using(session)
    messages = announced = 0
    for saved in searches:
        among = {ocid for ocid, updated_at in changed if updated_at > saved.last_checked_at}
        if among:
            try:
                found = backend.matching_ocids(request_of(saved.params), among)
            except IndexUnavailable:
                log.warning("search index unavailable: saved search %s checked later", saved.id)
                continue
            if found:
                _announce(session, saved, sorted(found))
                messages += 1
                announced += len(found)
        saved.last_checked_at = now
    session.flush()
    return AlertRun(len(searches), messages, announced)


def _announce(session: Session, saved: SavedSearch, ocids: list[str]) -> None:
    user = session.get(User, saved.user_id)
    assert user is not None
    titles: dict[str, Any] = dict(
        session.execute(
            select(OcdsRecord.ocid, OcdsRecord.compiled).where(OcdsRecord.ocid.in_(ocids[:LISTED]))
        ).all()
    )
    lines = []
    for ocid in ocids[:LISTED]:
        tender = (titles.get(ocid) or {}).get("tender") or {}
        title = tender.get("title") if isinstance(tender, dict) else None
        lines.append(f"- {title or ocid} ({ocid})")
    if len(ocids) > LISTED:
        lines.append(f"… and {len(ocids) - LISTED} more.")
    count = len(ocids)
    noun = "process matches" if count == 1 else "processes match"
    notify(
        session,
        user,
        KIND,
        f"{count} new or updated {noun} “{saved.name}”",
        f"Since the last check, {count} new or updated {noun} your saved search "
        f"“{saved.name}”:\n" + "\n".join(lines),
        link=search_path(saved.params),
    )


@register
def saved_search_alerts(session: Session, now: dt.datetime) -> str:
    if _settings is None:
        return "saved-search alerts: no search index configured"
    settings = _settings()
    run = run_alerts(session, now, settings.backend, settings.publishers)
    return (
        f"{run.searches} saved searches checked, {run.messages} alerts ({run.processes} processes)"
    )
