"""The whoosh index on disk: schema, analyzers, generations and locking.

Layout of ``index_dir``: one subdirectory per build (``gen-<time>-<random>``), a
``CURRENT`` file naming the live one, and a ``.lock`` file. ``reindex`` builds a new
generation beside the live one and swaps ``CURRENT`` with one ``os.replace`` (atomic),
so searches never see a half-built index. Each generation also keeps the red-flag
context it was built with (``redflags-context.json``).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import secrets
import shutil
import time
import warnings
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from whoosh import analysis, columns, fields, index
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.support.charset import accent_map

from ocds.redflags import Context

CURRENT = "CURRENT"
CONTEXT_FILE = "redflags-context.json"


class IndexUnavailable(Exception):
    """No usable index (never built, deleted or corrupt): ``reindex`` repairs it."""


class BilingualStemFilter(analysis.Filter):
    """Stems each word as Spanish and as English, both at the same position.

    The corpus mixes the two ("licencias de software", "cloud hosting"); indexing both
    stems lets "licencia" find "licencias" and "licenses" find "license". Accents are
    folded before this filter, so the stems of "tecnología" and "tecnologia" agree.
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BilingualStemFilter)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterator[analysis.Token]) -> Iterator[analysis.Token]:
        for token in tokens:
            if token.stopped:
                yield token
                continue
            spanish, english = _stems(token.text)
            token.text = spanish
            yield token
            if english != spanish:
                twin = token.copy()
                twin.text = english
                yield twin


_SPANISH = stemmer_for_language("es")
_ENGLISH = stemmer_for_language("en")


@lru_cache(maxsize=100_000)
def _stems(word: str) -> tuple[str, str]:
    return _SPANISH(word), _ENGLISH(word)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    stops = frozenset(stopwords_for_language("es")) | frozenset(stopwords_for_language("en"))
    # Stop words are removed after accent folding, so remove their folded forms.
    return stops | frozenset(word.translate(accent_map) for word in stops)


def text_analyzer() -> analysis.Analyzer:
    # marketplace/search/highlighting.py repeats these steps word by word: keep in step.
    return (
        analysis.RegexTokenizer()
        | analysis.LowercaseFilter()
        | analysis.CharsetFilter(accent_map)
        | analysis.StopFilter(stoplist=stop_words(), minsize=1)
        | BilingualStemFilter()
    )


def _lines() -> analysis.Analyzer:
    # Multi-valued facet fields (suppliers, flags) hold one value per line: names may
    # contain commas and spaces.
    return analysis.RegexTokenizer(r"[^\n]+")


def schema() -> fields.Schema:
    text = text_analyzer()
    return fields.Schema(
        ocid=fields.ID(stored=True, unique=True, sortable=True),
        # Everything searchable is in one field (title, description, items, buyer,
        # suppliers, ocid): a word becomes two terms (its Spanish and English stems), not
        # twelve across six fields, which keeps both indexing and scoring cheap.
        text=fields.TEXT(analyzer=text, multitoken_query="or"),
        # Shown, with the matches highlighted, but searched through `text`.
        title=fields.STORED(),
        description=fields.STORED(),
        items=fields.STORED(),
        buyer=fields.ID(stored=True, sortable=True),
        # OCDS party ids, for the feeds per buyer and per supplier (one per line).
        buyer_id=fields.ID(stored=True),
        supplier_ids=fields.TEXT(analyzer=_lines(), stored=True, phrase=False),
        supplier=fields.TEXT(analyzer=_lines(), stored=True, phrase=False),
        status=fields.ID(stored=True, sortable=True),
        method=fields.ID(stored=True, sortable=True),
        category=fields.ID(stored=True, sortable=True),
        year=fields.ID(stored=True, sortable=True),
        amount_band=fields.ID(stored=True, sortable=True),
        flag=fields.TEXT(analyzer=_lines(), stored=True, phrase=False),
        # The two multi-valued facets again, as per-document columns for fast counts.
        supplier_values=fields.COLUMN(columns.VarBytesColumn()),
        flag_values=fields.COLUMN(columns.VarBytesColumn()),
        publisher=fields.ID(stored=True, sortable=True),
        currency=fields.ID(stored=True),
        # Ranges and sorting use `date` and `amount` only; the two amounts are just shown.
        # A wider shift_step indexes 4 terms per amount instead of 16: unique amounts
        # otherwise dominate the term dictionary (and the build time).
        date=fields.DATETIME(stored=True, sortable=True),
        #: The latest release's date: when the process last changed (shown, not searched).
        updated=fields.STORED(),
        tender_amount=fields.STORED(),
        award_amount=fields.STORED(),
        # whoosh's own float column cannot pack its NaN default: give it one whose default
        # (0, the smallest sortable float) puts processes without an amount last.
        amount=fields.NUMERIC(
            float, stored=True, shift_step=16, sortable=columns.NumericColumn("Q", default=0)
        ),
    )


@lru_cache(maxsize=1)
def field_names() -> frozenset[str]:
    """The fields this version of the code indexes."""
    return frozenset(schema().names())


@contextlib.contextmanager
def locked(index_dir: str | os.PathLike[str]) -> Iterator[Path]:
    """Serialises ``sync`` and ``reindex`` (across processes) on one index directory."""
    root = Path(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield root
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_dir(index_dir: str | os.PathLike[str]) -> Path | None:
    root = Path(index_dir)
    try:
        name = (root / CURRENT).read_text().strip()
    except OSError:
        return None
    path = root / name
    return path if name and "/" not in name and path.is_dir() else None


def open_index(index_dir: str | os.PathLike[str]) -> index.Index:
    """The live index; ``IndexUnavailable`` when missing or unreadable."""
    path = current_dir(index_dir)
    if path is None:
        raise IndexUnavailable(f"no search index in {index_dir}")
    problem = None
    # whoosh leaves a damaged file open when it fails to read it: let it go quietly
    # (and now) instead of warning at some later garbage collection.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            ix = index.open_dir(str(path))
            # Opening reads only the table of contents: touch the segments too.
            with ix.searcher() as searcher:
                searcher.doc_count()
            # Built by an older version of this code: ``sync`` rebuilds it (new fields).
            missing = field_names() - set(ix.schema.names())
            if missing:
                problem = f"built without the fields {sorted(missing)}"
        except Exception as error:  # whoosh raises many kinds on damaged files
            problem = f"{type(error).__name__}: {error}"
        if problem is not None:
            gc.collect()
    if problem is not None:
        raise IndexUnavailable(f"search index in {path} is unreadable: {problem}")
    return ix


def new_generation(index_dir: str | os.PathLike[str]) -> tuple[Path, index.Index]:
    root = Path(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"gen-{time.time_ns()}-{secrets.token_hex(3)}"
    path.mkdir()
    return path, index.create_in(str(path), schema())


def publish_generation(index_dir: str | os.PathLike[str], path: Path) -> None:
    """Make ``path`` the live generation and delete the others (open readers keep their
    files on POSIX until they close)."""
    root = Path(index_dir)
    pointer = root / f"{CURRENT}.{secrets.token_hex(3)}.tmp"
    pointer.write_text(path.name)
    os.replace(pointer, root / CURRENT)
    for other in root.iterdir():
        if other.is_dir() and other.name.startswith("gen-") and other != path:
            shutil.rmtree(other, ignore_errors=True)


def save_context(path: Path, context: Context) -> None:
    tmp = path / f"{CONTEXT_FILE}.tmp"
    tmp.write_text(json.dumps(context.to_json()))
    os.replace(tmp, path / CONTEXT_FILE)


def load_context(path: Path) -> Context | None:
    try:
        data: Any = json.loads((path / CONTEXT_FILE).read_text())
        return Context.from_json(data)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
