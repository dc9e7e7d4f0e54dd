"""Running a ``SearchRequest`` against the index: hits, facet counts, highlights.

whoosh finds and scores the words; the facet values, filters and sort orders come from
an in-memory ``Snapshot`` of the index. The page, the JSON API and the CSV share
``_match`` and ``_ordered`` so they list the same processes in the same order.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import os
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from itertools import chain, islice
from typing import Any

from whoosh import qparser
from whoosh import query as wq
from whoosh.fields import Schema

from marketplace.search import fastmatch
from marketplace.search.highlighting import Marker, highlight_context, highlight_whole
from marketplace.search.index import IndexUnavailable
from marketplace.search.request import FACETS, Problem, SearchRequest
from marketplace.search.snapshot import Snapshot, snapshot_for

#: Everything is searched in `text` (see index.schema); `title` is there for highlighting.
TEXT_FIELDS = ["text"]
FACET_LIMIT = 15


@dataclass(frozen=True)
class Hit:
    ocid: str
    title: str
    buyer: str
    suppliers: list[str]
    status: str
    method: str
    category: str
    date: dt.datetime | None
    tender_amount: float | None
    award_amount: float | None
    amount: float | None
    currency: str
    flags: list[str]
    publisher: str
    #: HTML (escaped text with <mark> around matches) per field that matched.
    highlights: dict[str, str] = field(default_factory=dict)
    #: The latest release's date (when the process last changed); None in older indexes.
    updated: dt.datetime | None = None
    buyer_id: str = ""
    #: OCDS party ids of ``suppliers``, in the same order when each supplier has one.
    supplier_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    problems: list[Problem]
    #: The total and facet counts are estimates from a sample of the matches (the
    #: PostgreSQL backend, for very many matches), rounded; exact otherwise.
    estimated: bool = False
    #: At most this many results can be paged through (None: all of them).
    window: int | None = None

    @property
    def pages(self) -> int:
        pages = max(1, math.ceil(self.total / self.request.per_page))
        if self.window is not None:
            pages = min(pages, max(1, math.ceil(self.window / self.request.per_page)))
        return pages


def _bounds(
    request: SearchRequest,
) -> tuple[tuple[float | None, float | None] | None, tuple[float | None, float | None] | None]:
    dates = None
    if request.date_from or request.date_to:
        start = (
            _stamp(dt.datetime.combine(request.date_from, dt.time.min))
            if request.date_from
            else None
        )
        end = _stamp(dt.datetime.combine(request.date_to, dt.time.max)) if request.date_to else None
        dates = (start, end)
    amounts = None
    if request.amount_min is not None or request.amount_max is not None:
        amounts = (request.amount_min, request.amount_max)
    return dates, amounts


def _stamp(moment: dt.datetime) -> float:
    # Dates are indexed as naive UTC and read back the same way: compare like with like.
    return moment.timestamp()


def _parser(schema: Schema) -> qparser.QueryParser:
    parser = qparser.QueryParser(TEXT_FIELDS[0], schema, group=qparser.AndGroup)
    # Field prefixes ("date:…") and comparisons would reach fields that are not text.
    parser.remove_plugin_class(qparser.FieldsPlugin)
    parser.remove_plugin_class(qparser.GtLtPlugin)
    return parser


def _text_query(schema: Schema, text: str, problems: list[Problem]) -> wq.Query | None:
    """The parsed words, or None to match every process."""
    if not text:
        return None
    parser = _parser(schema)
    try:
        parsed = parser.parse(text)
    except Exception:  # whoosh's parser has no single error type
        problems.append(Problem("query_syntax", {"query": text}))
        plain = " ".join(word.strip('"()*?') for word in text.split())
        parsed = parser.parse(plain) if plain.strip() else wq.NullQuery
    if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
        problems.append(Problem("no_words", {"query": text}))
        return None
    return parsed


@dataclass
class _Matches:
    snapshot: Snapshot
    query: wq.Query | None
    docs: list[int]
    #: No words and no filters: every live document.
    everything: bool
    #: Ordered by relevance: ``docs`` are in that order already unless ``scores`` are
    #: given (then ``_ordered`` sorts just the page it needs).
    ranked: bool
    scores: dict[int, int] | None = None
    #: What ``_match`` found wrong with the request, and the filters it kept.
    problems: list[Problem] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    #: Facet counts, computed when first asked for (``search`` does, ``iter_hits`` not).
    counts: dict[str, Counter[str]] | None = None

    @property
    def cost(self) -> int:
        return len(self.docs) + 2 * len(self.scores or ())

    def facet_counts(self) -> dict[str, Counter[str]]:
        if self.counts is None:
            self.counts = self.snapshot.counts(self.docs, self.everything)
        return self.counts


def _parse(snapshot: Snapshot, text: str, problems: list[Problem]) -> wq.Query | None:
    cached = snapshot.memo.parsed.get(text)
    if cached is None:
        found: list[Problem] = []
        cached = (_text_query(snapshot.schema, text, found), found)
        snapshot.memo.parsed.put(text, cached)
    problems.extend(cached[1])
    return cached[0]  # type: ignore[no-any-return]


def _signature(request: SearchRequest) -> tuple[object, ...]:
    """What decides the matching documents (not the order or the page)."""
    filters = tuple(sorted((k, tuple(v)) for k, v in request.filters.items()))
    ranges = (request.date_from, request.date_to, request.amount_min, request.amount_max)
    return (request.q, filters, ranges, request.effective_sort == "relevance")


def _match(snapshot: Snapshot, request: SearchRequest, problems: list[Problem]) -> _Matches:
    """The matching documents (shared by the searches that differ only in sort or page)."""
    key = _signature(request)
    matches = snapshot.memo.matches.get(key)
    if matches is None:
        matches = _find(snapshot, replace(request, filters=dict(request.filters)))
        snapshot.memo.matches.put(key, matches)
    problems.extend(matches.problems)
    kept = matches.filters  # the filters in the caller's order, unknown values left out
    request.filters = {
        k: [v for v in values if v in kept[k]] for k, values in request.filters.items() if k in kept
    }
    return matches  # type: ignore[no-any-return]


def _find(snapshot: Snapshot, request: SearchRequest) -> _Matches:
    problems: list[Problem] = []
    query = _parse(snapshot, request.q, problems)
    for facet, values in list(request.filters.items()):
        known = snapshot.totals[facet]
        for value in values:
            if value not in known:
                problems.append(Problem("unknown_value", {"facet": facet, "value": value}))
        request.filters[facet] = [v for v in values if v in known]
    request.filters = {k: v for k, v in request.filters.items() if v}
    ranked = query is not None and request.effective_sort == "relevance"
    scores = None
    if query is None:
        docs: list[int] = snapshot.live
    elif ranked:
        scores = fastmatch.scores(snapshot.terms, query)
        if scores is not None:
            docs = sorted(scores)  # ordered by _ordered, for the page only
        else:
            # One scored pass gives both the full match set and its order (best first,
            # ties by document number); filtering below keeps that order.
            results = snapshot.searcher.search(query, limit=None, optimize=False)
            docs = [docnum for _score, docnum in results.top_n]
    else:
        found = fastmatch.docs(snapshot.terms, query)
        docs = sorted(found if found is not None else snapshot.searcher.docs_for_query(query))
    dates, amounts = _bounds(request)
    narrowed = bool(request.filters) or dates is not None or amounts is not None
    if narrowed:
        docs = snapshot.filter(docs, request.filters, dates, amounts)
    everything = query is None and not narrowed
    return _Matches(snapshot, query, docs, everything, ranked, scores, problems, request.filters)


def _ordered(matches: _Matches, request: SearchRequest, limit: int | None) -> list[int]:
    """The first ``limit`` matching documents (all when None) in the request's order."""
    sort = request.effective_sort
    if matches.ranked and matches.scores is not None:
        # docs are in document order: among equal scores the first comes first.
        if limit is None or limit >= len(matches.docs):
            return sorted(matches.docs, key=matches.scores.__getitem__, reverse=True)
        return heapq.nlargest(limit, matches.docs, key=matches.scores.__getitem__)
    if matches.ranked:
        return matches.docs if limit is None else matches.docs[:limit]
    sort = "date" if sort == "relevance" else sort
    rank = matches.snapshot.rank(sort)
    if limit is None or limit >= len(matches.docs):
        return sorted(matches.docs, key=rank.__getitem__)
    if matches.everything:
        return matches.snapshot.order(sort)[:limit]
    order = matches.snapshot.order(sort)
    if limit * len(order) < len(matches.docs) ** 2:
        # Many matches: walk the whole order until ``limit`` of them have passed, about
        # limit × all / matched steps, fewer than the matches a heap would rank.
        wanted = set(matches.docs)
        return list(islice(filter(wanted.__contains__, order), limit))
    return heapq.nsmallest(limit, matches.docs, key=rank.__getitem__)


def _hit(stored: dict[str, Any], highlights: dict[str, str]) -> Hit:
    def lines(name: str) -> list[str]:
        return [v for v in (stored.get(name) or "").split("\n") if v]

    return Hit(
        ocid=stored["ocid"],
        title=stored.get("title", ""),
        buyer=stored.get("buyer", ""),
        suppliers=lines("supplier"),
        status=stored.get("status", ""),
        method=stored.get("method", ""),
        category=stored.get("category", ""),
        date=stored.get("date"),
        tender_amount=stored.get("tender_amount"),
        award_amount=stored.get("award_amount"),
        amount=stored.get("amount"),
        currency=stored.get("currency", ""),
        flags=lines("flag"),
        publisher=stored.get("publisher", ""),
        highlights=highlights,
        updated=stored.get("updated"),
        buyer_id=stored.get("buyer_id", ""),
        supplier_ids=lines("supplier_ids"),
    )


def _highlight_terms(snapshot: Snapshot, query: wq.Query) -> frozenset[str]:
    """The query's own terms, plus what its wildcards expand to in this index; the text
    field holds every word, so its terms mark the stored title, description and items."""
    reader = snapshot.searcher.reader()
    found = chain(query.iter_all_terms(), query.existing_terms(reader, phrases=True, expand=True))
    return frozenset(
        text.decode() if isinstance(text, bytes) else str(text) for _field, text in found
    )


def _highlights(terms: frozenset[str], stored: dict[str, Any]) -> dict[str, str]:
    marks: dict[str, str] = {}
    marker = Marker()  # one per hit: a word keeps its class across the fields
    for name in ("title", "description", "items"):
        text = stored.get(name)
        if not text:
            continue
        if name == "items" and "description" in marks:
            break  # one excerpt under the title is enough
        if name == "title":
            marked = highlight_whole(text, terms, marker)
        else:
            marked = highlight_context(text, terms, marker, maxchars=160, surround=50, top=2)
        if marked:
            # Items are stored one per line; on a page they read as a list.
            marks[name] = marked.replace("\n", " · ")
    return marks


def search(
    index_dir: str | os.PathLike[str], request: SearchRequest, problems: list[Problem] | None = None
) -> SearchResult:
    """One page of results with facet counts; ``IndexUnavailable`` when there is no index."""
    problems = list(problems or [])
    snapshot = snapshot_for(index_dir)
    with snapshot.lock:
        matches = _match(snapshot, request, problems)
        total = len(matches.docs)
        pages = max(1, math.ceil(total / request.per_page))
        if request.page > pages:
            problems.append(
                Problem("page_out_of_range", {"page": str(request.page), "pages": str(pages)})
            )
            request.page = pages
        start = (request.page - 1) * request.per_page
        page_docs = _ordered(matches, request, request.page * request.per_page)[start:]
        terms = _highlight_terms(snapshot, matches.query) if matches.query else frozenset()
        hits = []
        for docnum in page_docs:
            stored = snapshot.stored_fields(docnum)
            marks = _highlights(terms, stored) if terms else {}
            hits.append(_hit(stored, marks))
        counts = matches.facet_counts()
    facets = {}
    for name in FACETS:
        selected = request.filters.get(name, [])
        ordered = sorted(counts[name].items(), key=lambda kv: (-kv[1], kv[0]))
        values = [FacetValue(v, c, v in selected) for v, c in ordered if v]
        facets[name] = values[:FACET_LIMIT] + [v for v in values[FACET_LIMIT:] if v.selected]
    return SearchResult(request, total, hits, facets, problems)


def iter_hits(index_dir: str | os.PathLike[str], request: SearchRequest) -> Iterator[Hit]:
    """Every matching process, in the page's order (for the CSV); no highlights."""
    snapshot = snapshot_for(index_dir)
    with snapshot.lock:
        matches = _match(snapshot, request, [])
        docs = _ordered(matches, request, None)
    for docnum in docs:
        with snapshot.lock:
            # Not through the cache of hot documents: a CSV may list them all.
            stored = snapshot.searcher.stored_fields(docnum)
        yield _hit(stored, {})


def _unknown_filter(snapshot: Snapshot, request: SearchRequest) -> bool:
    """Whether a filter names only values no process has. The page drops such a filter
    (and says so); a feed or an alert must instead match nothing, not everything."""
    return any(
        not set(values) & snapshot.totals[facet].keys() for facet, values in request.filters.items()
    )


def _by_date(request: SearchRequest) -> SearchRequest:
    # Newest first, and no scoring: feeds and alerts need the set, not the relevance.
    return replace(request, filters=dict(request.filters), sort="date", page=1)


def latest_hits(
    index_dir: str | os.PathLike[str], request: SearchRequest, limit: int = 50
) -> list[Hit]:
    """The newest ``limit`` processes matching ``request`` (by process date), for feeds."""
    snapshot = snapshot_for(index_dir)
    request = _by_date(request)
    with snapshot.lock:
        if _unknown_filter(snapshot, request):
            return []
        docs = _ordered(_match(snapshot, request, []), request, limit)
        return [_hit(snapshot.stored_fields(d), {}) for d in docs]


def matching_ocids(
    index_dir: str | os.PathLike[str], request: SearchRequest, among: Collection[str]
) -> set[str]:
    """Which of the processes ``among`` match ``request`` now (for saved-search alerts)."""
    if not among:
        return set()
    snapshot = snapshot_for(index_dir)
    request = _by_date(request)
    wanted = set(among)
    with snapshot.lock:
        if _unknown_filter(snapshot, request):
            return set()
        docs = _match(snapshot, request, []).docs
        return {ocid for ocid in map(snapshot.ocid.__getitem__, docs) if ocid in wanted}


#: Index fields holding OCDS party ids, by the role the feed is for.
PARTY_FIELDS = {"buyer": "buyer_id", "supplier": "supplier_ids"}


def party_hits(
    index_dir: str | os.PathLike[str], role: str, party_id: str, limit: int = 50
) -> list[Hit]:
    """The newest ``limit`` processes of one buyer, or awarded to one supplier, by party id."""
    name = PARTY_FIELDS[role]
    snapshot = snapshot_for(index_dir)
    with snapshot.lock:
        if name not in snapshot.schema.names():
            raise IndexUnavailable(f"search index lacks {name}: reindex it")
        docs = list(snapshot.searcher.docs_for_query(wq.Term(name, party_id)))
        rank = snapshot.rank("date")
        docs = heapq.nsmallest(limit, docs, key=rank.__getitem__)
        return [_hit(snapshot.stored_fields(d), {}) for d in docs]


__all__ = [
    "Hit",
    "IndexUnavailable",
    "SearchResult",
    "iter_hits",
    "latest_hits",
    "matching_ocids",
    "party_hits",
    "search",
]
