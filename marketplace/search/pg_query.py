"""Running a ``SearchRequest`` on PostgreSQL: the same ``SearchResult`` as whoosh gives.

Matching is ``words @@ tsquery`` on the GIN index (the visitor's words are turned into
one constant ``tsquery`` first, so no row evaluates them again); facet counts are one
``GROUP BY`` pass over the matches (``unnest`` for suppliers and flags); relevance is
``ts_rank`` (ties by ocid), dates and amounts sort with missing values last (ties by
ocid), as the whoosh backend does. Highlights come from the shared highlighting code.

Very many matches (more than ``EXACT_LIMIT``, a common word in a million processes)
cannot all be counted and ranked in a request's time. Then, as large search engines
do, the total and facet counts are estimated from a block sample of about
``SAMPLE_ROWS`` documents (rounded, and the result says ``estimated``), relevance
ranks the newest ``RANK_WINDOW`` matches and its pages reach that far; dates and amounts
still sort exactly. The CSV download is never estimated: it streams every match.
"""

# ruff: noqa: S608 (SQL text from our own column names; every visitor value is bound)

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from marketplace.search import pg_facets, pg_sync, pg_words
from marketplace.search.highlighting import _PATTERN, _analysed
from marketplace.search.index import IndexUnavailable
from marketplace.search.query import (
    FACET_LIMIT,
    PARTY_FIELDS,
    FacetValue,
    Hit,
    SearchResult,
    _highlights,
    _hit,
)
from marketplace.search.request import FACETS, MULTI_VALUED, Problem, SearchRequest

#: A facet's column holds one value (or, for MULTI_VALUED ones, an array of them).
COLUMNS = {name: name for name in FACETS}
ORDERS = {
    # Missing values last, ties by ocid; each order is one index walked forwards.
    "date": "d.date_rank, d.ocid",
    "date_asc": "d.date, d.ocid",
    "amount": "d.amount_rank, d.ocid",
    "amount_asc": "d.amount, d.ocid",
}
CSV_BATCH = 1000
#: Above this many matches (the planner's estimate, confirmed by the sample) counts are
#: estimated (as large search engines do past 10,000): counting 10,000 matches with their
#: facets and ranks takes about 60 ms on a 2-core machine, 300,000 over a second.
EXACT_LIMIT = 10_000
#: About this many documents are read to estimate counts (whole blocks: SYSTEM).
SAMPLE_ROWS = 10_000
#: The same blocks on every request, so a total does not change between pages.
SAMPLE_SEED = 7
#: With estimated counts, relevance orders the newest this many matches.
RANK_WINDOW = 2_000
#: Reading the matches through the words' index costs about as much as walking this
#: many more rows of a newest-first index (building its bitmap of common words).
BITMAP_ROWS = 30_000


@dataclass
class _Where:
    """The SQL conditions of a request and their parameters."""

    query: pg_words.TsQuery | None
    #: The query's ``tsquery`` as text (a constant, bound as ``:tsq``).
    tsquery: str = ""
    conditions: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    #: How many documents each one-valued filter keeps (each has a newest-first index).
    walks: list[int] = field(default_factory=list)

    @property
    def sql(self) -> str:
        return " AND ".join(self.conditions) or "TRUE"

    @property
    def rank(self) -> str:
        assert self.query is not None
        return "ts_rank(d.words, CAST(:tsq AS tsquery))"


def stored_hit(stored: dict[str, Any], highlights: dict[str, str]) -> Hit:
    """A ``Hit`` from the ``stored`` JSON (dates are ISO text there)."""
    values = dict(stored)
    for name in ("date", "updated"):
        if values.get(name):
            values[name] = dt.datetime.fromisoformat(values[name])
    return _hit(values, highlights)


class PostgresSearch:
    """The read side of the PostgreSQL backend, over the caller's session."""

    def __init__(self, session: Callable[[], Session]) -> None:
        self._session = session

    # -- building the conditions ---------------------------------------------------

    def _known(self, facet: str, values: list[str]) -> dict[str, int]:
        """Which of ``values`` some process has, with how many have it: from the kept
        counts of every process (one row), else by looking (the counts unknown: 0)."""
        kept = pg_facets.stored(self._session())
        if kept is not None:
            return {value: kept[1][facet][value] for value in values if kept[1][facet][value]}
        column = COLUMNS[facet]
        if facet in MULTI_VALUED:
            sql = (
                f"SELECT DISTINCT v FROM search_document d, unnest(d.{column}) v "
                f"WHERE d.{column} && CAST(:values AS text[]) AND v = ANY(:values)"
            )
        else:
            sql = (
                f"SELECT DISTINCT d.{column} FROM search_document d WHERE d.{column} = ANY(:values)"
            )
        return dict.fromkeys(self._session().scalars(text(sql), {"values": values}), 0)

    def _where(
        self, request: SearchRequest, problems: list[Problem], *, strict: bool = False
    ) -> _Where | None:
        """The conditions of ``request``; unknown filter values are dropped with a problem
        (or, when ``strict``, the whole request matches nothing: None)."""
        query = pg_words.parse(request.q) if request.q else None
        if request.q and query is None:
            problems.append(Problem("no_words", {"query": request.q}))
        where = _Where(query)
        if query is not None:
            where.tsquery = self._session().scalar(
                text(f"SELECT CAST({query.sql} AS text)"), query.params
            )
            where.conditions.append("d.words @@ CAST(:tsq AS tsquery)")
            where.params["tsq"] = where.tsquery
        kept: dict[str, list[str]] = {}
        for facet, values in request.filters.items():
            known = self._known(facet, values)
            if strict and not known:
                return None
            for value in values:
                if value not in known:
                    problems.append(Problem("unknown_value", {"facet": facet, "value": value}))
            if known:
                kept[facet] = [v for v in values if v in known]
                if facet not in MULTI_VALUED and all(known.values()):
                    where.walks.append(sum(known[v] for v in kept[facet]))
        request.filters = kept
        for number, (facet, values) in enumerate(kept.items()):
            name = f"f{number}"
            column = COLUMNS[facet]
            if facet in MULTI_VALUED:
                where.conditions.append(f"d.{column} && CAST(:{name} AS text[])")
                where.params[name] = values
            elif len(values) == 1:
                # "=" (not "= ANY"): one value's rows come from its index newest first.
                where.conditions.append(f"d.{column} = :{name}")
                where.params[name] = values[0]
            else:
                where.conditions.append(f"d.{column} = ANY(:{name})")
                where.params[name] = values
        # Dates bound both keys, so newest-first walks start and stop in the range too.
        if request.date_from:
            start = dt.datetime.combine(request.date_from, dt.time.min)
            where.conditions.append("d.date >= :date_from AND d.date_rank <= :rank_from")
            where.params.update(date_from=start, rank_from=pg_sync.date_rank(start))
        if request.date_to:
            end = dt.datetime.combine(request.date_to, dt.time.max)
            where.conditions.append("d.date <= :date_to AND d.date_rank >= :rank_to")
            where.params.update(date_to=end, rank_to=pg_sync.date_rank(end))
        if request.amount_min is not None:
            where.conditions.append("d.amount >= :amount_min")
            where.params["amount_min"] = request.amount_min
        if request.amount_max is not None:
            where.conditions.append("d.amount <= :amount_max")
            where.params["amount_max"] = request.amount_max
        return where

    def _order(self, where: _Where, request: SearchRequest) -> str:
        sort = request.effective_sort
        if sort == "relevance" and where.query is not None:
            return f"{where.rank} DESC, d.ocid"
        return ORDERS["date" if sort == "relevance" else sort]

    def _rows(
        self, where: _Where, request: SearchRequest, limit: int | None, offset: int = 0
    ) -> list[dict[str, Any]]:
        sql = (
            f"SELECT s.stored FROM search_document d JOIN search_shown s ON s.ocid = d.ocid "
            f"WHERE {where.sql} ORDER BY {self._order(where, request)}"
        )
        params = dict(where.params)
        if limit is not None:
            sql += " LIMIT :limit OFFSET :offset"
            params.update(limit=limit, offset=offset)
        return list(self._session().scalars(text(sql), params))

    def _counts(self, where: _Where) -> tuple[int, dict[str, Counter[str]]]:
        if not where.conditions:
            # Everything: the counts sync keeps, instead of reading every document.
            kept = pg_facets.stored(self._session())
            if kept is not None:
                return kept
        return pg_facets.count(self._session(), where.sql, where.params)

    def _one_pass(
        self, where: _Where, request: SearchRequest
    ) -> tuple[int, dict[str, Counter[str]], list[dict[str, Any]]]:
        """Total, facet counts and the page's documents from one scan of the matches
        (the page past the end is clamped to the last one, as ``search`` reports)."""
        sort = request.effective_sort
        if sort == "relevance" and where.query is not None:
            key, order = where.rank, "{t}.k DESC, {t}.ocid"
        else:
            sort = "date" if sort == "relevance" else sort
            key, order = ORDERS[sort].split(",")[0], "{t}.k NULLS LAST, {t}.ocid"
        # The page by a top-N sort of the matches (no full sort), numbered afterwards.
        page = (
            f"SELECT '#page', p.ocid::text, row_number() OVER (ORDER BY {order.format(t='p')}) "
            f"FROM (SELECT m.ocid, m.k FROM m ORDER BY {order.format(t='m')} "
            "LIMIT :per_page OFFSET LEAST(:offset, "
            "(GREATEST((SELECT count(*) FROM m), 1) - 1) / :per_page * :per_page)) p"
        )
        sql = pg_facets.count_sql(where.sql, f", d.ocid, {key} AS k", (page,))
        params = {
            **where.params,
            "per_page": request.per_page,
            "offset": (request.page - 1) * request.per_page,
        }
        total = 0
        counts: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
        page_rows: list[tuple[int, str]] = []
        for facet, value, number in self._session().execute(text(sql), params):
            if facet == "#page":
                page_rows.append((number, value))
            elif facet:
                counts[facet][value] = number
            else:
                total = number
        return total, counts, self._shown([ocid for _n, ocid in sorted(page_rows)])

    def _shown(self, ocids: list[str]) -> list[dict[str, Any]]:
        """The shown fields of ``ocids``, in that order."""
        sql = "SELECT s.ocid, s.stored FROM search_shown s WHERE s.ocid = ANY(:o)"
        found = {ocid: doc for ocid, doc in self._session().execute(text(sql), {"o": ocids})}
        return [found[ocid] for ocid in ocids if ocid in found]

    def _planned(self, where: _Where, condition: str | None = None) -> float:
        """How many documents the planner expects ``where`` (or one ``condition`` of it)
        to match, from its statistics of word and value frequencies; nothing is read."""
        condition = condition or where.sql
        sql = f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_document d WHERE {condition}"
        plan = self._session().scalar(text(sql), where.params)
        return float(plan[0]["Plan"]["Plan Rows"])

    def _sampled(self, where: _Where) -> tuple[int, dict[str, Counter[str]], float] | None:
        """The total and facet counts of ``where`` estimated from a block sample, rounded,
        and the number of matches before rounding; None when the sample finds no more
        than ``EXACT_LIMIT`` (count them instead)."""
        documents = self._documents()
        if documents <= SAMPLE_ROWS:
            return None
        source = "search_document d TABLESAMPLE SYSTEM (:percent) REPEATABLE (:seed)"
        everything = f"SELECT '#rows', NULL, count(*) FROM {source}"
        sql = pg_facets.count_sql(where.sql, extra_parts=(everything,), source=source)
        params = {**where.params, "percent": 100.0 * SAMPLE_ROWS / documents, "seed": SAMPLE_SEED}
        seen, matched = 0, 0
        counts: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
        for facet, value, number in self._session().execute(text(sql), params):
            if facet == "#rows":
                seen = number
            elif facet:
                counts[facet][value] = number
            else:
                matched = number
        if not seen or matched * documents / seen <= EXACT_LIMIT:
            return None
        scale = documents / seen
        for values in counts.values():
            for value, number in values.items():
                values[value] = _about(number * scale)
        return _about(matched * scale), counts, matched * scale

    def _documents(self) -> float:
        """About how many documents there are (the planner's count: nothing is read)."""
        documents = self._session().scalar(
            text("SELECT reltuples FROM pg_class WHERE oid = 'search_document'::regclass")
        )
        return max(0.0, float(documents or 0))

    def _walk(self, where: _Where, matches: float) -> bool:
        """Whether the newest matches are cheaper found by walking a newest-first index
        (the dates', or a filter's) and checking each row, than by reading every
        document with the words through their index and sorting. The sample knows
        ``matches``; the planner guesses them from independent frequencies, far off for
        common words that go together (or never do), but it knows each word's own."""
        walked = min([self._documents(), *where.walks]) * RANK_WINDOW / max(matches, 1.0)
        collected = self._planned(where, where.conditions[0]) if where.walks else matches
        return walked <= collected + BITMAP_ROWS

    def _window_page(
        self, where: _Where, request: SearchRequest, matches: float
    ) -> list[dict[str, Any]]:
        """The page's documents when counts are estimated: relevance orders the newest
        ``RANK_WINDOW`` matches; the other sorts walk their index as usual."""
        offset = (request.page - 1) * request.per_page
        if request.effective_sort != "relevance" or where.query is None:
            return self._rows(where, request, request.per_page, offset)
        # The planner would choose by its own guess of the matches: tell it which way
        # (and never to read the whole table).
        walk = self._walk(where, matches)
        self._plan(bitmapscan=not walk, indexscan=walk, seqscan=False)
        sql = (
            f"SELECT c.ocid FROM (SELECT d.ocid, d.words FROM search_document d "
            f"WHERE {where.sql} ORDER BY {ORDERS['date']} LIMIT :window) c "
            "ORDER BY ts_rank(c.words, CAST(:tsq AS tsquery)) DESC, c.ocid "
            "LIMIT :limit OFFSET :offset"
        )
        params = {
            **where.params,
            "window": RANK_WINDOW,
            "limit": request.per_page,
            "offset": offset,
        }
        ocids = list(self._session().scalars(text(sql), params))
        self._plan(bitmapscan=True, indexscan=True, seqscan=True)
        return self._shown(ocids)

    def _plan(self, **allowed: bool) -> None:
        """Allow or forbid kinds of scan until the transaction ends (or this is undone)."""
        for kind, on in allowed.items():
            self._session().execute(text(f"SET LOCAL enable_{kind} = {'on' if on else 'off'}"))

    def _check(self) -> None:
        # Facet counts group many matches: enough memory not to spill them to disk, and
        # no JIT compilation (it costs more than these short queries save).
        self._session().execute(text("SET LOCAL work_mem = '32MB'"))
        self._session().execute(text("SET LOCAL jit = off"))
        built = self._session().scalar(text("SELECT 1 FROM search_state WHERE name = 'context'"))
        if built is None:
            raise IndexUnavailable("the search documents were never built: reindex")

    # -- the backend's read operations -----------------------------------------------

    def search(self, request: SearchRequest, problems: list[Problem] | None = None) -> SearchResult:
        problems = list(problems or [])
        self._check()
        where = self._where(request, problems)
        assert where is not None
        sampled = None
        # The planner's guess is cheap but can be off several times either way: a
        # quarter of the limit is enough to look at a sample.
        if where.conditions and self._planned(where) > EXACT_LIMIT / 4:
            sampled = self._sampled(where)
        if sampled is not None:
            total, counts, matches = sampled
        elif where.conditions:
            total, counts, rows = self._one_pass(where, request)
        else:
            total, counts = self._counts(where)
        pages = max(1, math.ceil(total / request.per_page))
        # Estimated: pages reach as far as the ranked window (page_too_deep past it).
        ranked = sampled is not None and where.query is not None
        ranked = ranked and request.effective_sort == "relevance"
        reachable = math.ceil(RANK_WINDOW / request.per_page) if ranked else pages
        if request.page > min(pages, reachable):
            if ranked and request.page > reachable:
                problems.append(Problem("page_too_deep", {"max": str(reachable)}))
            else:
                problems.append(
                    Problem("page_out_of_range", {"page": str(request.page), "pages": str(pages)})
                )
            request.page = min(pages, reachable)
        if sampled is not None:
            rows = self._window_page(where, request, matches)
        elif not where.conditions:
            offset = (request.page - 1) * request.per_page
            rows = self._rows(where, request, request.per_page, offset)
        terms = _terms(where.query, rows) if where.query else frozenset()
        hits = [stored_hit(row, _highlights(terms, row) if terms else {}) for row in rows]
        facets = {}
        for name in FACETS:
            selected = request.filters.get(name, [])
            ordered = sorted(counts[name].items(), key=lambda kv: (-kv[1], kv[0]))
            values = [FacetValue(v, c, v in selected) for v, c in ordered if v]
            facets[name] = values[:FACET_LIMIT] + [v for v in values[FACET_LIMIT:] if v.selected]
        if sampled is not None:
            window = RANK_WINDOW if ranked else None
            return SearchResult(request, total, hits, facets, problems, True, window)
        return SearchResult(request, total, hits, facets, problems)

    def iter_hits(self, request: SearchRequest) -> Iterator[Hit]:
        self._check()
        where = self._where(request, [])
        assert where is not None
        offset = 0
        while True:
            rows = self._rows(where, request, CSV_BATCH, offset)
            yield from (stored_hit(row, {}) for row in rows)
            if len(rows) < CSV_BATCH:
                return
            offset += CSV_BATCH

    def latest_hits(self, request: SearchRequest, limit: int = 50) -> list[Hit]:
        self._check()
        request = replace(request, filters=dict(request.filters), sort="date", page=1)
        where = self._where(request, [], strict=True)
        if where is None:
            return []
        return [stored_hit(row, {}) for row in self._rows(where, request, limit)]

    def matching_ocids(self, request: SearchRequest, among: Collection[str]) -> set[str]:
        if not among:
            return set()
        self._check()
        request = replace(request, filters=dict(request.filters), sort="date", page=1)
        where = self._where(request, [], strict=True)
        if where is None:
            return set()
        sql = f"SELECT d.ocid FROM search_document d WHERE {where.sql} AND d.ocid = ANY(:among)"
        found = self._session().scalars(text(sql), {**where.params, "among": list(among)})
        return set(found)

    def party_hits(self, role: str, party_id: str, limit: int = 50) -> list[Hit]:
        self._check()
        column = PARTY_FIELDS[role]
        condition = (
            "d.buyer_id = :party"
            if column == "buyer_id"
            else "d.supplier_ids && CAST(ARRAY[:party] AS text[])"
        )
        sql = (
            f"SELECT s.stored FROM search_document d JOIN search_shown s ON s.ocid = d.ocid "
            f"WHERE {condition} ORDER BY {ORDERS['date']} LIMIT :limit"
        )
        rows = self._session().scalars(text(sql), {"party": party_id, "limit": limit})
        return [stored_hit(row, {}) for row in rows]


def _about(number: float) -> int:
    """An estimate rounded to two significant figures (1,234 -> 1,200)."""
    whole = round(number)
    if whole < 100:
        return whole
    return int(round(whole, 2 - len(str(whole))))


def _terms(query: pg_words.TsQuery, rows: list[dict[str, Any]]) -> frozenset[str]:
    """The stems to mark: the query's own, and those of the shown words a wildcard
    matched (whoosh expands wildcards over its whole index; the page is enough here)."""
    if not query.prefixes:
        return query.terms
    found = set(query.terms)
    for row in rows:
        for name in ("title", "description", "items"):
            for match in _PATTERN.finditer(row.get(name) or ""):
                for stem in _analysed(match.group(0)):
                    if stem.startswith(query.prefixes):
                        found.add(stem)
    return frozenset(found)
