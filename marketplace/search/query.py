"""Running a ``SearchRequest`` against the index: hits, facet counts, highlights.

The page, the JSON API and the CSV share ``_plan`` so they list the same processes in
the same order.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from whoosh import highlight, qparser, sorting
from whoosh import query as wq
from whoosh.index import Index
from whoosh.searching import Hit as WhooshHit
from whoosh.searching import Searcher

from marketplace.search.index import IndexUnavailable, open_index
from marketplace.search.request import FACETS, MULTI_VALUED, Problem, SearchRequest

TEXT_FIELDS = ["title", "description", "items", "parties", "ocid"]
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

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.request.per_page))


@dataclass
class _Plan:
    query: wq.Query
    filter: wq.Query | None
    sortedby: Any
    reverse: bool


def _parser(ix: Index) -> qparser.MultifieldParser:
    parser = qparser.MultifieldParser(TEXT_FIELDS, ix.schema, group=qparser.AndGroup)
    # Field prefixes ("date:…") and comparisons would reach fields that are not text.
    parser.remove_plugin_class(qparser.FieldsPlugin)
    parser.remove_plugin_class(qparser.GtLtPlugin)
    return parser


def _text_query(ix: Index, text: str, problems: list[Problem]) -> wq.Query:
    if not text:
        return wq.Every()
    parser = _parser(ix)
    try:
        parsed = parser.parse(text)
    except Exception:  # whoosh's parser has no single error type
        problems.append(Problem("query_syntax", {"query": text}))
        plain = " ".join(word.strip('"()*?') for word in text.split())
        parsed = parser.parse(plain) if plain.strip() else wq.NullQuery
    if parsed is wq.NullQuery or isinstance(parsed, wq.NullQuery.__class__):
        problems.append(Problem("no_words", {"query": text}))
        return wq.Every()
    return parsed


def _plan(searcher: Searcher, ix: Index, request: SearchRequest, problems: list[Problem]) -> _Plan:
    query = _text_query(ix, request.q, problems)
    conditions: list[wq.Query] = []
    for facet, values in request.filters.items():
        known = []
        for value in values:
            if searcher.doc_frequency(facet, value) == 0:
                problems.append(Problem("unknown_value", {"facet": facet, "value": value}))
            else:
                known.append(value)
        request.filters[facet] = known
        if known:
            conditions.append(wq.Or([wq.Term(facet, value) for value in known]))
    request.filters = {k: v for k, v in request.filters.items() if v}
    if request.date_from or request.date_to:
        start = dt.datetime.combine(request.date_from, dt.time.min) if request.date_from else None
        end = dt.datetime.combine(request.date_to, dt.time.max) if request.date_to else None
        conditions.append(wq.DateRange("date", start, end))
    if request.amount_min is not None or request.amount_max is not None:
        conditions.append(wq.NumericRange("amount", request.amount_min, request.amount_max))
    sort = request.effective_sort
    sortedby: Any = None
    reverse = False
    if sort in ("date", "date_asc"):
        sortedby, reverse = [sorting.FieldFacet("date"), sorting.FieldFacet("ocid")], sort == "date"
    elif sort in ("amount", "amount_asc"):
        sortedby = [sorting.FieldFacet("amount"), sorting.FieldFacet("ocid")]
        reverse = sort == "amount"
    return _Plan(query, wq.And(conditions) if conditions else None, sortedby, reverse)


def _facets() -> sorting.Facets:
    facets = sorting.Facets()
    for name in FACETS:
        facets.add_facet(
            name,
            sorting.FieldFacet(name, allow_overlap=name in MULTI_VALUED, maptype=sorting.Count),
        )
    return facets


def _hit(hit: WhooshHit, highlights: dict[str, str]) -> Hit:
    def lines(name: str) -> list[str]:
        return [v for v in (hit.get(name) or "").split("\n") if v]

    return Hit(
        ocid=hit["ocid"],
        title=hit.get("title", ""),
        buyer=hit.get("buyer", ""),
        suppliers=lines("supplier"),
        status=hit.get("status", ""),
        method=hit.get("method", ""),
        category=hit.get("category", ""),
        date=hit.get("date"),
        tender_amount=hit.get("tender_amount"),
        award_amount=hit.get("award_amount"),
        amount=hit.get("amount"),
        currency=hit.get("currency", ""),
        flags=lines("flag"),
        publisher=hit.get("publisher", ""),
        highlights=highlights,
    )


def _highlighters() -> tuple[highlight.Highlighter, highlight.Highlighter]:
    formatter = highlight.HtmlFormatter(
        tagname="mark", classname="hl", termclass="t", between=" … "
    )
    whole = highlight.Highlighter(fragmenter=highlight.WholeFragmenter(), formatter=formatter)
    excerpt = highlight.Highlighter(
        fragmenter=highlight.ContextFragmenter(maxchars=160, surround=50), formatter=formatter
    )
    return whole, excerpt


def search(
    index_dir: str | os.PathLike[str], request: SearchRequest, problems: list[Problem] | None = None
) -> SearchResult:
    """One page of results with facet counts; ``IndexUnavailable`` when there is no index."""
    problems = list(problems or [])
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        plan = _plan(searcher, ix, request, problems)
        limit = request.page * request.per_page
        results = searcher.search(
            plan.query,
            filter=plan.filter,
            limit=limit,
            sortedby=plan.sortedby,
            reverse=plan.reverse,
            groupedby=_facets(),
            terms=True,
        )
        total = len(results)
        pages = max(1, math.ceil(total / request.per_page))
        if request.page > pages:
            problems.append(
                Problem("page_out_of_range", {"page": str(request.page), "pages": str(pages)})
            )
            request.page = pages
        start = (request.page - 1) * request.per_page
        whole, excerpt = _highlighters()
        hits = []
        for hit in results[start : start + request.per_page]:
            marks: dict[str, str] = {}
            if request.q:
                for name in ("title", "description", "items"):
                    if name not in hit:  # empty fields are not stored
                        continue
                    highlighter = whole if name == "title" else excerpt
                    text = highlighter.highlight_hit(hit, name, top=2)
                    if text:
                        # Items are stored one per line; on a page they read as a list.
                        marks[name] = text.replace("\n", " · ")
            hits.append(_hit(hit, marks))
        facets = {}
        for name in FACETS:
            counts = results.groups(name)
            selected = request.filters.get(name, [])
            ordered = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
            values = [FacetValue(str(v), c, str(v) in selected) for v, c in ordered if v]
            shown = values[:FACET_LIMIT] + [v for v in values[FACET_LIMIT:] if v.selected]
            facets[name] = shown
    return SearchResult(request, total, hits, facets, problems)


def iter_hits(index_dir: str | os.PathLike[str], request: SearchRequest) -> Iterator[Hit]:
    """Every matching process, in the page's order (for the CSV); no highlights."""
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        plan = _plan(searcher, ix, request, [])
        results = searcher.search(
            plan.query, filter=plan.filter, limit=None, sortedby=plan.sortedby, reverse=plan.reverse
        )
        for hit in results:
            yield _hit(hit, {})


__all__ = ["Hit", "IndexUnavailable", "SearchResult", "iter_hits", "search"]
