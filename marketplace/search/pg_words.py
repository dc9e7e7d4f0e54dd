"""A visitor's query -> a PostgreSQL ``tsquery`` expression with bound parameters.

The explorer's syntax is whoosh's (words all required, ``OR``, ``NOT``, ``"phrases"``,
``prefix*``); here it is read by hand into a tree, so no input can make PostgreSQL
fail: each word reaches it only through ``plainto_tsquery``/``phraseto_tsquery``, and
a prefix only as a run of word characters. Every word matches through its Spanish or
its English stem, over unaccented text, as the whoosh analyzer does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh.support.charset import accent_map

from marketplace.search.highlighting import _analysed
from marketplace.search.index import stop_words

_TOKEN = re.compile(r'"[^"]*"?|\(|\)|[^\s()"]+')
_WORD = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})


@dataclass
class TsQuery:
    """``sql`` is a tsquery expression over ``params``; ``terms`` are the whoosh stems
    to highlight and ``prefixes`` the folded starts of wildcard words."""

    sql: str
    params: dict[str, str] = field(default_factory=dict)
    terms: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()


def _fold(word: str) -> str:
    return word.lower().translate(accent_map)


class _Builder:
    def __init__(self) -> None:
        self.params: dict[str, str] = {}
        self.terms: set[str] = set()
        self.prefixes: list[str] = []

    def _param(self, value: str) -> str:
        name = f"w{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def phrase(self, text: str) -> str | None:
        words = [w for w in _WORD.findall(text) if _fold(w) not in stop_words()]
        if not words:
            return None
        for word in words:
            self.terms.update(_analysed(word))
        function = "plainto_tsquery" if len(words) == 1 else "phraseto_tsquery"
        p = self._param(" ".join(words))
        # Either stem; once when both languages stem alike (an OR of a term with itself
        # costs the index scan twice).
        return (
            f"(SELECT CASE WHEN x.s = x.e THEN x.s ELSE x.s || x.e END FROM (SELECT"  # noqa: S608
            f" {function}('spanish'::regconfig, unaccent({p})) AS s,"
            f" {function}('english'::regconfig, unaccent({p})) AS e) AS x)"
        )

    def word(self, token: str) -> str | None:
        if "*" in token or "?" in token:
            start = re.split(r"[*?]", token, maxsplit=1)[0]
            words = _WORD.findall(start)
            if not words:
                return None
            *whole, last = words
            prefix = _fold(last)
            self.prefixes.append(prefix)
            parts = [part for part in (self.phrase(" ".join(whole)),) if part]
            parts.append(f"to_tsquery('simple'::regconfig, {self._param(prefix)} || ':*')")
            return " && ".join(parts)
        return self.phrase(token)


def _clauses(tokens: list[str], builder: _Builder) -> str | None:
    """Words all required; ``OR`` joins its neighbours; ``NOT`` negates the next word.
    Parentheses are read as plain grouping marks (dropped)."""
    groups: list[list[str]] = [[]]
    negate = False
    for token in tokens:
        if token in ("(", ")") or token in ("AND", "ANDMAYBE"):
            continue
        if token == "OR":  # noqa: S105 (an operator, not a password)
            if groups[-1]:
                groups.append([])
            continue
        if token in ("NOT", "ANDNOT"):
            negate = True
            continue
        sql = builder.phrase(token.strip('"')) if token.startswith('"') else builder.word(token)
        if sql is None:
            negate = False
            continue
        groups[-1].append(f"(!! {sql})" if negate else f"({sql})")
        negate = False
    # "a b OR c d" reads as a AND (b OR c) AND d, as whoosh's AndGroup does.
    merged: list[str] = []
    for index, group in enumerate(groups):
        if not group:
            continue
        if index and merged:
            previous = merged.pop()
            head, *rest = group
            merged.append(f"({previous} || {head})")
            merged.extend(rest)
        else:
            merged.extend(group)
    return " && ".join(merged) if merged else None


def parse(text: str) -> TsQuery | None:
    """The tsquery of ``text``; None when it has no word left to look for."""
    builder = _Builder()
    tokens = _TOKEN.findall(text)
    sql = _clauses(tokens, builder)
    if sql is None:
        return None
    return TsQuery(f"({sql})", builder.params, frozenset(builder.terms), tuple(builder.prefixes))
