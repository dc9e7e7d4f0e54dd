"""Keeping the analytics facts in step with the published records, and reading them.

``refresh`` is cheap when nothing changed (two indexed queries), so every analytics page
calls it first: the public always sees what is published, with no worker to run. Records
are only ever added or rewritten (never deleted), and each rewrite sets a new
``updated_at``; facts remember the ``updated_at`` they were read from, and records
changed since the newest one (minus ``LOOKBACK``, for transactions that committed late)
are read again.

The market figures come from running sums per year (``ocds.analytics.Totals``) kept in
``analytics_year``: a refresh takes a rewritten record's old facts out and its new ones
in, so a publication costs its own record, not a recount. Results computed from the
facts (the overview, a buyer's summary) are cached in memory under the state token,
which changes in the same transaction as any fact. The
first build over a large publication belongs in ``tianguis analytics refresh``; pages
read at most ``PAGE_REFRESH_LIMIT`` records per request and say how many are pending.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.analytics.models import (
    PARTY_ID_LENGTH,
    AnalyticsFact,
    AnalyticsParty,
    AnalyticsState,
    AnalyticsYear,
)
from marketplace.db import Base, utcnow
from marketplace.publication.catch_up import current_compiled
from marketplace.publication.models import OcdsRecord
from ocds.analytics import ProcessFacts, Totals, merge, process_facts

#: Records a page view reads at most (the CLI reads them all).
PAGE_REFRESH_LIMIT = 2_000
#: How far before the newest fact's record time changed records are looked for again.
LOOKBACK = dt.timedelta(minutes=2)
#: From this many processes on, figures may lag publications by up to STALE_FOR.
STALE_FROM = 20_000
STALE_FOR = dt.timedelta(minutes=2)
BATCH = 500
_CACHE_SIZE = 64

T = TypeVar("T")


def _chunks(values: Sequence[str], size: int = BATCH) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _changed_ocids(session: Session) -> list[str]:
    watermark = session.scalar(select(func.max(AnalyticsFact.record_updated_at)))
    # Our own publication only: processes imported from other publishers are not our spend.
    ours = OcdsRecord.publisher_name.is_(None)
    query = select(OcdsRecord.ocid, OcdsRecord.updated_at).where(ours)
    if watermark is None:
        return list(session.scalars(select(OcdsRecord.ocid).where(ours).order_by(OcdsRecord.ocid)))
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


# Table-level statements: executemany without the ORM's bulk machinery (3x faster here).
_INSERT_FACT = insert(Base.metadata.tables[AnalyticsFact.__tablename__])
_INSERT_PARTY = insert(Base.metadata.tables[AnalyticsParty.__tablename__])


def _party_ids(facts: ProcessFacts) -> set[str]:
    ids = set(facts.bidders) | {w.party_id for w in facts.wins}
    return {i for i in ids if len(i) <= PARTY_ID_LENGTH}


class _YearSums(dict[int, Totals]):
    """The running sums of the years a refresh touches, loaded once each."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def __missing__(self, year: int) -> Totals:
        data = self.session.scalar(select(AnalyticsYear.totals).where(AnalyticsYear.year == year))
        totals = Totals.from_json(data) if data else Totals()
        self[year] = totals
        return totals


def _store(session: Session, ocids: Sequence[str], sums: _YearSums) -> None:
    """Rewrite the facts of ``ocids``, taking their old facts out of the year sums and
    the new ones in."""
    for data in session.scalars(select(AnalyticsFact.data).where(AnalyticsFact.ocid.in_(ocids))):
        old = ProcessFacts.from_dict(data)
        sums[old.year or 0].remove(old)
    rows = session.execute(
        select(
            OcdsRecord.ocid,
            OcdsRecord.updated_at,
            OcdsRecord.compiled,
            OcdsRecord.release_count,
            OcdsRecord.pending_releases,
        ).where(OcdsRecord.ocid.in_(ocids))
    ).all()
    session.execute(delete(AnalyticsParty).where(AnalyticsParty.ocid.in_(ocids)))
    session.execute(delete(AnalyticsFact).where(AnalyticsFact.ocid.in_(ocids)))
    facts_rows: list[dict[str, Any]] = []
    party_rows: list[dict[str, Any]] = []
    for ocid, updated_at, stored, release_count, pending in rows:
        facts = process_facts(current_compiled(session, ocid, stored, release_count, pending))
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
        sums[facts.year or 0].add(facts)
    if facts_rows:
        session.execute(_INSERT_FACT, facts_rows)
    if party_rows:
        session.execute(_INSERT_PARTY, party_rows)


@dataclass(frozen=True)
class Refresh:
    #: Records whose facts were read again.
    read: int
    #: Changed records left for a later refresh (``limit`` reached).
    pending: int


def refresh(session: Session, limit: int | None = None) -> Refresh:
    """Bring the facts up to date with the records, reading at most ``limit`` of them.

    Runs in a savepoint of the caller's transaction (the caller commits). When another
    request refreshes the same records at the same moment, this one gives way and reads
    nothing: the facts are then as fresh as the other request leaves them.
    """
    changed = _changed_ocids(session)
    if not changed:
        return Refresh(0, 0)
    now = changed if limit is None else changed[:limit]
    try:
        with session.begin_nested():
            sums = _YearSums(session)
            for chunk in _chunks(now):
                _store(session, chunk, sums)
            session.execute(delete(AnalyticsYear).where(AnalyticsYear.year.in_(list(sums))))
            year_rows = [
                {"year": y, "token": uuid.uuid4().hex, "totals": totals.to_json()}
                for y, totals in sums.items()
                if totals.processes
            ]
            if year_rows:
                session.execute(insert(AnalyticsYear), year_rows)
            count = session.scalar(select(func.count()).select_from(AnalyticsFact)) or 0
            state = session.get(AnalyticsState, 1)
            token = uuid.uuid4().hex
            if state is None:
                session.add(AnalyticsState(id=1, token=token, refreshed_at=utcnow(), facts=count))
            else:
                state.token, state.refreshed_at, state.facts = token, utcnow(), count
    except IntegrityError:
        return Refresh(0, len(changed))
    return Refresh(len(now), len(changed) - len(now))


def _state(session: Session) -> tuple[str, int] | None:
    row = session.execute(
        select(AnalyticsState.token, AnalyticsState.facts).where(AnalyticsState.id == 1)
    ).one_or_none()
    return (row.token, row.facts) if row else None


def facts(
    session: Session,
    *,
    year: int | None = None,
    buyer_id: str | None = None,
    party_id: str | None = None,
) -> Iterator[ProcessFacts]:
    """The stored facts, streamed in ocid order, optionally of one year (0: undated),
    buyer or supplier."""
    query = select(AnalyticsFact.data).order_by(AnalyticsFact.ocid)
    if year == 0:
        query = query.where(AnalyticsFact.year.is_(None))
    elif year is not None:
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


@dataclass(frozen=True)
class Cached(Generic[T]):
    value: T
    #: When the value was computed (naive UTC).
    computed_at: dt.datetime
    #: The facts changed since: a newer value is computed at most every STALE_FOR.
    stale: bool = False


_cache: OrderedDict[tuple[Hashable, ...], tuple[str, Cached[Any]]] = OrderedDict()
_lock = threading.Lock()


def cached(session: Session, key: tuple[Hashable, ...], compute: Callable[[], T]) -> Cached[T]:
    """``compute()``, remembered until any fact changes.

    With ``STALE_FROM`` facts or more, a figure computed less than ``STALE_FOR`` ago is
    served even though facts changed since (marked ``stale``): recomputing over every
    process on each publication would cost seconds per page view.
    """
    state = _state(session)
    if state is None:
        return Cached(compute(), utcnow())
    token, count = state
    with _lock:
        entry = _cache.get(key)
        if entry is not None:
            _cache.move_to_end(key)
            kept_token, kept = entry
            if kept_token == token:
                return kept
            if count >= STALE_FROM and utcnow() - kept.computed_at < STALE_FOR:
                return Cached(kept.value, kept.computed_at, stale=True)
    fresh = Cached(compute(), utcnow())
    with _lock:
        _cache[key] = (token, fresh)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return fresh


def clear_cache() -> None:
    """Forget every computed figure (the next page view computes them again)."""
    with _lock:
        _cache.clear()
        _totals.clear()


#: Running sums of each year, by year: (the year's token, its totals).
_totals: dict[int, tuple[str, Totals]] = {}


def _year_totals(session: Session, year: int, token: str) -> Totals:
    with _lock:
        entry = _totals.get(year)
    if entry is not None and entry[0] == token:
        return entry[1]
    data = session.scalar(
        select(AnalyticsYear.totals).where(AnalyticsYear.year == year, AnalyticsYear.token == token)
    )
    totals = Totals.from_json(data) if data else Totals()
    with _lock:
        _totals[year] = (token, totals)
    return totals


def market_totals(session: Session, year: int | None = None) -> Totals:
    """The running sums of one year, or of all years merged (each year's sums are read
    from the database only when they changed since this process last read them)."""
    rows = session.execute(select(AnalyticsYear.year, AnalyticsYear.token))
    tokens: dict[int, str] = {year: token for year, token in rows}
    if year is not None:
        token = tokens.get(year)
        return _year_totals(session, year, token) if token else Totals()
    return merge(_year_totals(session, y, t) for y, t in sorted(tokens.items()))
