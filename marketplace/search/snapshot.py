"""Per-document facet values of one index state, held in memory for fast facets.

whoosh counts facets and applies range filters by walking postings and columns in
Python on every query, which at 100,000 processes costs hundreds of milliseconds. Here
each index state is read once into plain lists indexed by document number; a query
then filters and counts with C-level ``map``/``Counter`` over the matching numbers, and
sorts with precomputed ranks. whoosh still finds and scores the words.

A snapshot belongs to one index generation and commit; ``snapshot_for`` reuses it
until ``sync`` commits or ``reindex`` swaps generations.
"""

from __future__ import annotations

import math
import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from whoosh import scoring
from whoosh.fields import Schema
from whoosh.index import Index
from whoosh.searching import Searcher

from marketplace.search.fastmatch import TermCache
from marketplace.search.index import IndexUnavailable, current_dir, open_index
from marketplace.search.request import FACETS, MULTI_VALUED

SINGLE_VALUED = tuple(f for f in FACETS if f not in MULTI_VALUED)
#: Column-only twins of the multi-valued facets: one "\n"-joined UTF-8 value per document.
MULTI_COLUMNS = {"supplier": "supplier_values", "flag": "flag_values"}
_CACHE_SIZE = 4


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if hasattr(value, "timestamp"):
        value = value.timestamp()
    number = float(value)
    # whoosh fills missing numbers with the extreme of the column type.
    return number if math.isfinite(number) and abs(number) < 1e300 else None


class LRU:
    """A small least-recently-used map, bounded by a total ``size`` of its values."""

    def __init__(self, budget: int, size: Callable[[Any], int] = lambda _value: 1) -> None:
        self.budget = budget
        self._size = size
        self._used = 0
        self._items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any) -> Any:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        cost = self._size(value)
        if cost > self.budget:
            return
        previous = self._items.pop(key, None)
        if previous is not None:
            self._used -= self._size(previous)
        self._items[key] = value
        self._used += cost
        while self._used > self.budget:
            _key, dropped = self._items.popitem(last=False)
            self._used -= self._size(dropped)


@dataclass
class Memo:
    """What repeated searches on one index state share (under the snapshot's lock):
    parsed queries, matches with their facet counts (a second page, another sort order
    or the CSV of a search reuse them), and the stored fields of hot documents."""

    parsed: LRU = field(default_factory=lambda: LRU(2_000))
    #: Bounded by matched documents held (a match list costs its length, scores twice).
    matches: LRU = field(default_factory=lambda: LRU(2_000_000, lambda m: m.cost))
    stored: LRU = field(default_factory=lambda: LRU(5_000))


@dataclass
class Snapshot:
    ix: Index
    searcher: Searcher
    #: Read once: ``Index.schema`` re-reads the table of contents on every access.
    schema: Schema
    generation: int
    live: list[int]
    ocid: list[str]
    single: dict[str, list[str | None]]
    multi: dict[str, list[tuple[str, ...]]]
    date: list[float | None]
    amount: list[float | None]
    totals: dict[str, Counter[str]]
    #: Postings of the words searched so far (see fastmatch), kept with this state.
    terms: TermCache
    #: Single-valued facets with at most 256 values (None included): one byte per
    #: document (its value's code) and the value of each code.
    codes: dict[str, tuple[bytes, list[str | None]]]
    lock: threading.Lock = field(default_factory=threading.Lock)
    memo: Memo = field(default_factory=Memo)
    _ranks: dict[str, list[int]] = field(default_factory=dict)
    _orders: dict[str, list[int]] = field(default_factory=dict)

    @property
    def analyzer(self) -> Any:
        return self.schema["text"].analyzer

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        stored = self.memo.stored.get(docnum)
        if stored is None:
            stored = self.searcher.stored_fields(docnum)
            self.memo.stored.put(docnum, stored)
        return stored  # type: ignore[no-any-return]

    def close(self) -> None:
        with self.lock:
            self.searcher.close()

    def filter(
        self,
        docs: Sequence[int],
        filters: dict[str, list[str]],
        date_range: tuple[float | None, float | None] | None,
        amount_range: tuple[float | None, float | None] | None,
    ) -> list[int]:
        matched = list(docs)
        for facet, values in filters.items():
            wanted = set(values)
            if facet in MULTI_VALUED:
                column = self.multi[facet]
                matched = [d for d in matched if not wanted.isdisjoint(column[d])]
            else:
                single = self.single[facet]
                matched = [d for d in matched if single[d] in wanted]
        for values_, bounds in ((self.date, date_range), (self.amount, amount_range)):
            if bounds is None:
                continue
            low = -math.inf if bounds[0] is None else bounds[0]
            high = math.inf if bounds[1] is None else bounds[1]
            matched = [d for d in matched if (v := values_[d]) is not None and low <= v <= high]
        return matched

    def counts(self, matched: list[int], everything: bool) -> dict[str, Counter[str]]:
        if everything:
            return self.totals
        result: dict[str, Counter[str]] = {}
        for facet in FACETS:
            if facet in MULTI_VALUED:
                column = self.multi[facet]
                result[facet] = Counter(chain.from_iterable(map(column.__getitem__, matched)))
            elif facet in self.codes:
                # One byte per match, then one C-level count per value: a few times
                # faster than a Counter over the matches.
                codes, labels = self.codes[facet]
                picked = bytes(map(codes.__getitem__, matched))
                result[facet] = Counter(
                    {
                        label: n
                        for code, label in enumerate(labels)
                        if label is not None and (n := picked.count(code))
                    }
                )
            else:
                counter = Counter(map(self.single[facet].__getitem__, matched))
                counter.pop(None, None)
                result[facet] = counter  # type: ignore[assignment]
        return result

    def rank(self, sort: str) -> list[int]:
        """Position of each document in the full ``sort`` order (missing values last,
        ties by ocid), computed once per snapshot and order."""
        cached = self._ranks.get(sort)
        if cached is None:
            values = self.date if sort.startswith("date") else self.amount
            sign = 1.0 if sort.endswith("_asc") else -1.0
            order = sorted(
                self.live,
                key=lambda d: (
                    values[d] is None,
                    sign * values[d] if values[d] is not None else 0.0,  # type: ignore[operator]
                    self.ocid[d],
                ),
            )
            cached = [0] * len(self.ocid)
            for position, doc in enumerate(order):
                cached[doc] = position
            self._ranks[sort] = cached
            self._orders[sort] = order
        return cached

    def order(self, sort: str) -> list[int]:
        """The live documents in the full ``sort`` order (see ``rank``)."""
        self.rank(sort)
        return self._orders[sort]


#: Column values of one segment, by (segment id, column): segments never change once
#: written, so after a ``sync`` only the new small segment is read, not the whole index.
_segment_columns: OrderedDict[tuple[str, str], list[Any]] = OrderedDict()
_SEGMENT_CACHE_SIZE = 400


def _leaf_columns(searcher: Searcher, name: str, translate: Callable[[Any], Any]) -> list[Any]:
    values: list[Any] = []
    for reader, _offset in searcher.reader().leaf_readers():
        key = (reader.segment().segment_id(), name)
        cached = _segment_columns.get(key)
        if cached is None:
            count = reader.doc_count_all()
            if reader.has_column(name):
                column = list(reader.column_reader(name, translate=True))
                cached = [translate(v) for v in column[:count]]
                cached += [None] * (count - len(column))
            else:
                cached = [None] * count
            _segment_columns[key] = cached
            while len(_segment_columns) > _SEGMENT_CACHE_SIZE:
                _segment_columns.popitem(last=False)
        else:
            _segment_columns.move_to_end(key)
        values += cached
    return values


def _text(value: Any) -> str | None:
    return value or None


def _lines(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    text = value.decode() if isinstance(value, bytes) else str(value)
    return tuple(v for v in text.split("\n") if v)


def _codes(values: list[str | None]) -> tuple[bytes, list[str | None]] | None:
    labels: list[str | None] = [None]
    numbers: dict[str | None, int] = {None: 0}
    for value in values:
        if value not in numbers:
            if len(labels) == 256:
                return None
            numbers[value] = len(labels)
            labels.append(value)
    return bytes(map(numbers.__getitem__, values)), labels


def build(ix: Index) -> Snapshot:
    # TF-IDF ranks these short texts as well as BM25F without reading each document's
    # field length for every match, which is most of whoosh's scoring time.
    searcher = ix.searcher(weighting=scoring.TF_IDF())
    try:
        single = {f: _leaf_columns(searcher, f, _text) for f in SINGLE_VALUED}
        multi = {f: _leaf_columns(searcher, col, _lines) for f, col in MULTI_COLUMNS.items()}
        live = list(searcher.reader().all_doc_ids())
        totals: dict[str, Counter[str]] = {}
        for facet in FACETS:
            if facet in MULTI_VALUED:
                totals[facet] = Counter(chain.from_iterable(multi[facet][d] for d in live))
            else:
                counter = Counter(single[facet][d] for d in live)
                counter.pop(None, None)  # type: ignore[call-overload]
                totals[facet] = counter  # type: ignore[assignment]
        return Snapshot(
            ix=ix,
            searcher=searcher,
            schema=searcher.schema,
            generation=ix.latest_generation(),
            live=live,
            ocid=[v or "" for v in _leaf_columns(searcher, "ocid", _text)],
            single=single,  # type: ignore[arg-type]
            multi=multi,
            date=_leaf_columns(searcher, "date", _number),
            amount=_leaf_columns(searcher, "amount", _number),
            totals=totals,
            terms=TermCache(searcher),
            codes={f: c for f in SINGLE_VALUED if (c := _codes(single[f])) is not None},
        )
    except BaseException:
        searcher.close()
        raise


_snapshots: OrderedDict[Path, Snapshot] = OrderedDict()
_snapshots_lock = threading.Lock()


def snapshot_for(index_dir: str | os.PathLike[str]) -> Snapshot:
    """The snapshot of the live index, rebuilt when the index changed since the last one."""
    path = current_dir(index_dir)
    if path is None:
        raise IndexUnavailable(f"no search index in {index_dir}")
    with _snapshots_lock:
        snapshot = _snapshots.get(path)
        if snapshot is not None:
            try:
                fresh = snapshot.ix.latest_generation() == snapshot.generation
            except OSError:
                fresh = False
            if fresh:
                _snapshots.move_to_end(path)
                return snapshot
            del _snapshots[path]
            snapshot.close()
        ix = open_index(index_dir)
        missing = {"supplier_values", "flag_values"} - set(ix.schema.names())
        if missing:
            # Built by an older version of this code: a reindex brings the fields.
            raise IndexUnavailable(f"search index lacks {sorted(missing)}: reindex it")
        try:
            snapshot = build(ix)
        except Exception as error:  # damaged segments surface only when read
            raise IndexUnavailable(f"search index in {path} is unreadable: {error}") from error
        _snapshots[path] = snapshot
        # Old generations (after a reindex) and other index dirs (tests) are let go.
        for other in [p for p in _snapshots if p != path and not p.exists()]:
            _snapshots.pop(other).close()
        while len(_snapshots) > _CACHE_SIZE:
            _snapshots.popitem(last=False)[1].close()
        return snapshot
