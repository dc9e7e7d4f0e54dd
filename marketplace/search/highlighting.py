"""Highlighting the matched words in a hit's title, description and items, fast.

whoosh's ``highlight()`` runs the whole text analyzer (tokenizer, filters, stemmers)
over every shown text on every query and builds a token object per word, which was a
fifth of the explorer's query time. Here each distinct word is analysed once (cached),
a text with no matching word is answered at once, and the fragments are cut and marked
with plain tuples. The rules are whoosh's own, ported line by line, and the output is
the same as ``highlight(text, terms, text_analyzer(), WholeFragmenter() or
ContextFragmenter(maxchars, surround), HtmlFormatter(tagname="mark", ...), top)``
(tests/search/test_speed_paths.py compares them).
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

from whoosh import analysis
from whoosh.support.charset import accent_map

from marketplace.search.index import _stems, stop_words

_PATTERN = analysis.RegexTokenizer().expression
#: whoosh's fragmenters stop reading at this character.
CHARLIMIT = 2**15
MAX_CLASSES = 5

#: (start, end, token text, matched): one per token the analyzer makes (a word whose
#: Spanish and English stems differ makes two, at the same place).
Token = tuple[int, int, str, bool]


@lru_cache(maxsize=200_000)
def _analysed(word: str) -> tuple[str, ...]:
    """The token texts the text analyzer makes of one word: its Spanish stem, then its
    English one when it differs; a stop word stays as it is (folded)."""
    folded = word.lower().translate(accent_map)
    if folded in stop_words():
        return (folded,)
    spanish, english = _stems(folded)
    return (spanish,) if english == spanish else (spanish, english)


@dataclass
class Marker:
    """Marks matches as ``<mark class="hl tN">``; N numbers each distinct matched text
    (0–4, then again from 0), shared by every field of one hit, as whoosh's
    HtmlFormatter does."""

    between: str = " … "
    seen: dict[str, int] = field(default_factory=dict)

    def mark(self, text: str) -> str:
        number = self.seen.get(text)
        if number is None:
            number = self.seen[text] = len(self.seen) % MAX_CLASSES
        return f'<mark class="hl t{number}">{text}</mark>'


def _tokens(text: str, terms: frozenset[str]) -> list[Token] | None:
    """The tokens of ``text``; None when none of them matches (nothing to highlight)."""
    tokens: list[Token] = []
    matched = False
    for match in _PATTERN.finditer(text):
        start, end = match.span()
        for stem in _analysed(match.group(0)):
            hit = stem in terms
            matched = matched or hit
            tokens.append((start, end, stem, hit))
    return tokens if matched else None


@dataclass
class _Fragment:
    start: int
    end: int
    matches: list[Token]

    @property
    def score(self) -> int:
        # whoosh's BasicFragmentScorer: matches × 100 × distinct matched texts.
        return len(self.matches) * ((len({t[2] for t in self.matches}) * 100) or 1)


def _fragment(text: str, tokens: list[Token], first: int | None, end: int) -> _Fragment:
    start = first if first is not None else (tokens[0][0] if tokens else 0)
    return _Fragment(max(0, start), min(len(text), end), tokens)


def _context(text: str, tokens: list[Token], maxchars: int, surround: int) -> list[_Fragment]:
    """whoosh's ContextFragmenter.fragment_tokens, on tuples."""
    fragments = []
    first: int | None = None
    firsts: deque[int] = deque()
    countdown = -1
    taken: list[Token] = []
    endchar = 0
    currentlen = 0
    for token in tokens:
        startchar, endchar, _text, matched = token
        length = endchar - startchar
        if endchar > CHARLIMIT:
            break
        if countdown < 0 and not matched:
            firsts.append(startchar)
            while firsts and endchar - firsts[0] > surround:
                firsts.popleft()
        elif currentlen + length > maxchars:
            countdown = 0
        elif matched:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = startchar
                    countdown += surround
            taken.append(token)
        if countdown >= 0:
            currentlen += length
            countdown -= length
            if countdown <= 0:
                fragments.append(_fragment(text, taken, first, endchar))
                taken = []
                firsts = deque()
                first = None
                currentlen = 0
    if taken:
        fragments.append(_fragment(text, taken, first, endchar))
    return fragments


def _format(text: str, fragment: _Fragment, marker: Marker) -> str:
    output = []
    index = fragment.start
    for start, end, _text, _matched in sorted(fragment.matches, key=lambda t: (t[0], t[0] - t[1])):
        if start < index:
            continue  # the twin of a word already marked
        if start > index:
            output.append(escape(text[index:start], quote=False))
        output.append(marker.mark(escape(text[start:end], quote=False)))
        index = end
    output.append(escape(text[index : fragment.end], quote=False))
    return "".join(output)


def highlight_whole(text: str, terms: frozenset[str], marker: Marker) -> str:
    """The whole text with its matches marked ("" when nothing matches)."""
    tokens = _tokens(text, terms)
    if tokens is None:
        return ""
    matches = [t for t in tokens if t[3] and t[1] <= CHARLIMIT]
    if not matches:
        return ""
    return _format(text, _Fragment(0, len(text), matches), marker)


def highlight_context(
    text: str, terms: frozenset[str], marker: Marker, maxchars: int, surround: int, top: int
) -> str:
    """The ``top`` best excerpts around the matches, in text order, joined by
    ``marker.between`` ("" when nothing matches)."""
    tokens = _tokens(text, terms)
    if tokens is None:
        return ""
    fragments = [f for f in _context(text, tokens, maxchars, surround) if f.matches]
    best = heapq.nlargest(top, fragments, key=lambda f: (f.score, f.start))
    best.sort(key=lambda f: f.start)
    return marker.between.join(_format(text, f, marker) for f in best)
