"""Matching and TF-IDF scoring of the common query shapes from cached postings.

whoosh walks postings through layers of Python matcher objects, several microseconds
per posting; at 100,000 processes a common word has tens of thousands of postings, so
that walk dominated the explorer's query time. Here each term's postings are read once
per index state (whole blocks, into arrays) and a query's terms are combined with
dict and set operations that run in C.

The result is whoosh's own: the same documents, and the same scores as its TF_IDF
weighting (``idf × term frequency``, summed over the terms that match, a wildcard or
prefix standing for the words it expands to; whoosh itself gives such a wildcard a
constant score on indexes under 5,000 documents, here it is always weighted). Shapes
not handled here (phrases, NOT, fuzzy terms) return None and the caller asks whoosh.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from whoosh import query as wq
from whoosh.searching import Searcher

FIELD = "text"
#: Postings kept in memory per index state (8 bytes each: 10 million ≈ 80 MB).
BUDGET = 10_000_000
#: Scores are whole numbers of 2**-40 (see _term_scores): score = value / SCALE.
SCALE = 2**40
#: Scores or documents of single words kept per index state (about 100 bytes each).
RESULTS_BUDGET = 1_000_000
#: A wildcard standing for more words than this is left to whoosh.
MAX_EXPANSIONS = 64

Postings = tuple[array, array]  # document numbers ('i'), term frequencies ('f')


class TermCache:
    """The postings of the ``text`` field's terms, read on first use, least recent out."""

    def __init__(self, searcher: Searcher, budget: int = BUDGET) -> None:
        self.searcher = searcher
        self.budget = budget
        self._size = 0
        self._terms: OrderedDict[str, Postings] = OrderedDict()
        self._results: OrderedDict[Any, Any] = OrderedDict()
        self._results_size = 0
        self._lock = threading.Lock()

    def postings(self, text: str) -> Postings:
        with self._lock:
            found = self._terms.get(text)
            if found is not None:
                self._terms.move_to_end(text)
                return found
        found = self._read(text)
        with self._lock:
            self._terms[text] = found
            self._size += len(found[0])
            while self._size > self.budget and len(self._terms) > 1:
                _text, (ids, _weights) = self._terms.popitem(last=False)
                self._size -= len(ids)
        return found

    def _read(self, text: str) -> Postings:
        ids = array("i")
        weights = array("f")
        for reader, offset in self.searcher.reader().leaf_readers():
            if (FIELD, text) not in reader:
                continue
            matcher = reader.postings(FIELD, text)
            # Deleted documents are filtered by a wrapper: read the segment's own
            # postings and drop them here.
            inner = getattr(matcher, "child", matcher)
            local_ids, local_weights = _read_blocks(inner)
            if reader.has_deletions():
                kept = [
                    (d, w)
                    for d, w in zip(local_ids, local_weights, strict=True)
                    if not reader.is_deleted(d)
                ]
                local_ids = [d for d, _w in kept]
                local_weights = [w for _d, w in kept]
            ids.extend(d + offset for d in local_ids) if offset else ids.extend(local_ids)
            weights.extend(local_weights)
        return ids, weights

    def remembered(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per index state for a word's scores or documents (a term,
        its two stems, a wildcard), kept while they fit in ``RESULTS_BUDGET``; callers
        never change what they get."""
        with self._lock:
            found = self._results.get(key)
            if found is not None:
                self._results.move_to_end(key)
                return found
        found = compute()
        if found is None or len(found) > RESULTS_BUDGET // 4:
            return found
        with self._lock:
            self._results[key] = found
            self._results_size += len(found)
            while self._results_size > RESULTS_BUDGET and len(self._results) > 1:
                _key, dropped = self._results.popitem(last=False)
                self._results_size -= len(dropped)
        return found

    def idf(self, text: str) -> float:
        return float(self.searcher.idf(FIELD, text))


def _read_blocks(matcher: Any) -> tuple[Any, Any]:
    """All (ids, weights) of one segment's term, a block at a time when the codec
    allows (whoosh 3's leaf matcher), else posting by posting."""
    ids: list[int] = []
    weights: list[float] = []
    if all(hasattr(matcher, a) for a in ("_read_ids", "_read_weights", "_next_block")):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
        return ids, weights
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def _term_scores(cache: TermCache, text: str) -> dict[int, int]:
    ids, weights = cache.postings(text)
    # In units of 2**-40: sums of integers are exact in any order, so documents with
    # equal scores tie exactly (floats summed in another order differ in the last bit).
    # A weight is a term frequency, a whole number (the text field has no boosts).
    factor = round(cache.idf(text) * SCALE)
    return dict(zip(ids, map(factor.__mul__, map(int, weights)), strict=True))


def _expansions(cache: TermCache, query: wq.Query) -> list[str]:
    reader = cache.searcher.reader()
    texts = []
    for raw in query._btexts(reader):  # what whoosh's own MultiTerm.matcher expands
        if raw:
            texts.append(raw.decode("utf-8") if isinstance(raw, bytes) else str(raw))
    return texts


def _union(parts: list[dict[int, int]]) -> dict[int, int]:
    if not parts:
        return {}
    total = dict(parts[0])
    for part in parts[1:]:
        get = total.get
        for doc, score in part.items():
            previous = get(doc)
            total[doc] = score if previous is None else previous + score
    return total


def _word(query: wq.Query) -> bool:
    """A term, a wildcard, or the Or of one word's stems: worth remembering."""
    if isinstance(query, wq.Term | wq.Prefix | wq.Wildcard):
        return True
    return type(query) is wq.Or and all(isinstance(q, wq.Term) for q in query.subqueries)


def scores(cache: TermCache, query: wq.Query) -> dict[int, int] | None:
    """Each matching document's score, or None for a shape only whoosh evaluates."""
    if _word(query):
        return cache.remembered(("scores", query), lambda: _scores(cache, query))  # type: ignore[no-any-return]
    return _scores(cache, query)


def docs(cache: TermCache, query: wq.Query) -> set[int] | None:
    """The matching documents (no scores), or None for a shape only whoosh evaluates."""
    if _word(query):
        return cache.remembered(("docs", query), lambda: _docs(cache, query))  # type: ignore[no-any-return]
    return _docs(cache, query)


def _scores(cache: TermCache, query: wq.Query) -> dict[int, int] | None:
    if getattr(query, "boost", 1.0) != 1.0:
        return None
    if isinstance(query, wq.Term):
        if query.fieldname != FIELD:
            return None
        return _term_scores(cache, str(query.text))
    if isinstance(query, wq.Prefix | wq.Wildcard):
        if query.fieldname != FIELD or not query.constantscore:
            return None
        texts = _expansions(cache, query)
        if len(texts) > MAX_EXPANSIONS:
            return None
        return _union([_term_scores(cache, text) for text in texts])
    if type(query) is wq.Or:
        if query.minmatch or query.scale:
            return None
        # A word's stems are remembered as one (the Or), not each on its own as well.
        parts = [
            _scores(cache, sub) if isinstance(sub, wq.Term) else scores(cache, sub)
            for sub in query.subqueries
        ]
        if any(part is None for part in parts):
            return None
        return _union([p for p in parts if p is not None])
    if type(query) is wq.And:
        found = [scores(cache, sub) for sub in query.subqueries]
        ordered = [p for p in found if p is not None]
        if len(ordered) < len(found):
            return None
        if not ordered:
            return {}
        smallest: dict[int, int] = min(ordered, key=len)
        common = set(smallest)
        for part in ordered:
            common &= part.keys()
        total = {doc: ordered[0][doc] for doc in common}
        for part in ordered[1:]:
            total = {doc: score + part[doc] for doc, score in total.items()}
        return total
    return None


def _docs(cache: TermCache, query: wq.Query) -> set[int] | None:
    if isinstance(query, wq.Term):
        if query.fieldname != FIELD:
            return None
        return set(cache.postings(str(query.text))[0])
    if isinstance(query, wq.Prefix | wq.Wildcard):
        if query.fieldname != FIELD:
            return None
        found: set[int] = set()
        for text in _expansions(cache, query):
            found.update(cache.postings(text)[0])
        return found
    if type(query) in (wq.Or, wq.And):
        if type(query) is wq.Or and query.minmatch:
            return None
        parts = [
            _docs(cache, sub) if isinstance(sub, wq.Term) else docs(cache, sub)
            for sub in query.subqueries
        ]
        if any(part is None for part in parts):
            return None
        sets = [p for p in parts if p is not None]
        if not sets:
            return set()
        if type(query) is wq.Or:
            return set().union(*sets)
        sets.sort(key=len)
        return sets[0].intersection(*sets[1:])
    return None


def ranked(found: dict[int, int]) -> list[int]:
    """Documents best first, ties by document number (whoosh's order).

    Scores are exact integers, so documents whose scores are equal tie exactly; whoosh's
    float sums can differ from one another in the last bit instead."""
    return sorted(sorted(found), key=found.__getitem__, reverse=True)
