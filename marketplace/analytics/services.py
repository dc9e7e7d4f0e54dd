"""Keeping the analytics facts in step with the published records, and reading them.

``refresh`` is cheap when nothing changed (two indexed queries), so every analytics page
calls it first: the public always sees what is published, with no worker to run. Records
are only ever added or rewritten (never deleted), and each rewrite sets a new
``updated_at``; facts remember the ``updated_at`` they were read from, and records
changed since the newest one (minus ``LOOKBACK``, for transactions that committed late)
are read again.

Results computed from the facts (the market overview, a buyer's summary) are cached in
memory under the state token, which changes in the same transaction as any fact.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.analytics.models import (
    PARTY_ID_LENGTH,
    AnalyticsFact,
    AnalyticsParty,
    AnalyticsState,
)
from marketplace.db import utcnow
from marketplace.publication.models import OcdsRecord
from ocds.analytics import ProcessFacts, process_facts

#: How far before the newest fact's record time changed records are looked for again.
LOOKBACK = dt.timedelta(minutes=2)
BATCH = 500
_CACHE_SIZE = 64

T = TypeVar("T")


def _chunks(values: Sequence[str], size: int = BATCH) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _changed_ocids(session: Session) -> list[str]:
    watermark = session.scalar(select(func.max(AnalyticsFact.record_updated_at)))
    query = select(OcdsRecord.ocid, OcdsRecord.updated_at)
    if watermark is None:
        return list(session.scalars(select(OcdsRecord.ocid).order_by(OcdsRecord.ocid)))
    candidates = session.execute(query.where(OcdsRecord.updated_at >= watermark - LOOKBACK)).all()
    stored: dict[str, dt.datetime] = {}
    for chunk in _chunks([ocid for ocid, _ in candidates]):
        rows = session.execute(
            select(AnalyticsFact.ocid, AnalyticsFact.record_updated_at).where(
                AnalyticsFact.ocid.in_(chunk)
            )
        )
        stored.update({ocid: updated for ocid, updated in rows})
    return sorted(ocid for ocid, updated in candidates if stored.get(ocid) != updated)


def _party_ids(facts: ProcessFacts) -> set[str]:
    ids = set(facts.bidders) | {w.party_id for w in facts.wins}
    return {i for i in ids if len(i) <= PARTY_ID_LENGTH}


def _store(session: Session, ocids: Sequence[str]) -> None:
    rows = session.execute(
        select(OcdsRecord.ocid, OcdsRecord.updated_at, OcdsRecord.compiled).where(
            OcdsRecord.ocid.in_(ocids)
        )
    ).all()
    session.execute(delete(AnalyticsParty).where(AnalyticsParty.ocid.in_(ocids)))
    session.execute(delete(AnalyticsFact).where(AnalyticsFact.ocid.in_(ocids)))
    facts_rows: list[dict[str, Any]] = []
    party_rows: list[dict[str, Any]] = []
    for ocid, updated_at, compiled in rows:
        facts = process_facts(compiled)
        buyer = facts.buyer_id if len(facts.buyer_id or "") <= PARTY_ID_LENGTH else None
        facts_rows.append(
            {
                "ocid": ocid,
                "record_updated_at": updated_at,
                "year": facts.year,
                "buyer_id": buyer,
                "data": facts.to_dict(),
            }
        )
        party_rows += [{"party_id": p, "ocid": ocid} for p in sorted(_party_ids(facts))]
    if facts_rows:
        session.execute(insert(AnalyticsFact), facts_rows)
    if party_rows:
        session.execute(insert(AnalyticsParty), party_rows)


def refresh(session: Session) -> int:
    """Bring the facts up to date with the records; how many records were read again.

    Runs in a savepoint of the caller's transaction (the caller commits). When another
    request refreshes the same records at the same moment, this one gives way and
    returns 0: the facts are then as fresh as the other request left them.
    """
    changed = _changed_ocids(session)
    if not changed:
        return 0
    try:
        with session.begin_nested():
            for chunk in _chunks(changed):
                _store(session, chunk)
            state = session.get(AnalyticsState, 1)
            token = uuid.uuid4().hex
            if state is None:
                session.add(AnalyticsState(id=1, token=token, refreshed_at=utcnow()))
            else:
                state.token, state.refreshed_at = token, utcnow()
    except IntegrityError:
        return 0
    return len(changed)


def state_token(session: Session) -> str | None:
    return session.scalar(select(AnalyticsState.token).where(AnalyticsState.id == 1))


def facts(
    session: Session,
    *,
    year: int | None = None,
    buyer_id: str | None = None,
    party_id: str | None = None,
) -> Iterator[ProcessFacts]:
    """The stored facts, streamed in ocid order, optionally of one year, buyer or supplier."""
    query = select(AnalyticsFact.data).order_by(AnalyticsFact.ocid)
    if year is not None:
        query = query.where(AnalyticsFact.year == year)
    if buyer_id is not None:
        query = query.where(AnalyticsFact.buyer_id == buyer_id)
    if party_id is not None:
        query = query.where(
            AnalyticsFact.ocid.in_(
                select(AnalyticsParty.ocid).where(AnalyticsParty.party_id == party_id)
            )
        )
    for data in session.scalars(query.execution_options(yield_per=2000)):
        yield ProcessFacts.from_dict(data)


def years(session: Session) -> list[int]:
    """The years that have at least one process, oldest first."""
    query = select(AnalyticsFact.year).where(AnalyticsFact.year.is_not(None)).distinct()
    return sorted(y for y in session.scalars(query) if y is not None)


_cache: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
_lock = threading.Lock()


def cached(session: Session, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()``, remembered until any fact changes (keyed by the state token)."""
    token = state_token(session)
    if token is None:
        return compute()
    full = (token, *key)
    with _lock:
        if full in _cache:
            _cache.move_to_end(full)
            value: T = _cache[full]
            return value
    value = compute()
    with _lock:
        _cache[full] = value
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return value
