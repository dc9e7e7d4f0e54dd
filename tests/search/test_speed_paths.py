"""The explorer's fast paths give whoosh's own answers: matching and TF-IDF scores from
cached postings (fastmatch), and highlights without the analyzer (highlighting).

The index has several segments and deleted documents (updates after the first build),
as a live index does after a few ``sync`` runs.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import highlight

from marketplace.search import fastmatch
from marketplace.search.highlighting import Marker, highlight_context, highlight_whole
from marketplace.search.index import new_generation, publish_generation
from marketplace.search.query import _highlight_terms, _text_query
from marketplace.search.snapshot import Snapshot, snapshot_for
from marketplace.search.sync import fields_for
from ocds.redflags import Context
from tests.search.records import record

WORDS = (  # noqa: SIM905
    "licencias software servidores computadoras portátiles impresoras red nube hosting "
    "mantenimiento soporte técnico seguridad informática antivirus respaldo cableado "
    "conmutadores telefonía tabletas consultoría desarrollo sistemas aplicación móvil "
    "portal ciudadano datos abiertos centro energía cámaras pantallas capacitación"
).split()
FILLER = ["de", "la", "para", "y", "el", "con", "Ñandú", "naïve", "<b>", "&", "2025"]


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS + FILLER) for _ in range(rng.randint(low, high)))


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    rng = random.Random(11)
    index_dir: Path = tmp_path_factory.mktemp("speed") / "index"
    path, ix = new_generation(index_dir)
    compiled = [
        record(n, _text(rng, 2, 8), description=_text(rng, 0, 90), item=_text(rng, 1, 6),
               amount=rng.randint(1, 900) * 1000.0)
        for n in range(1, 301)
    ]  # fmt: skip
    with ix.writer() as writer:
        for c in compiled:
            writer.add_document(**fields_for(c, Context()))
    publish_generation(index_dir, path)
    for n in (5, 50, 150):  # new segments, and deleted documents in the first one
        with ix.writer() as writer:
            for c in compiled[n : n + 20]:
                c["tender"]["title"] = _text(rng, 2, 8)
                writer.update_document(**fields_for(c, Context()))
    return snapshot_for(index_dir)


def _queries() -> list[str]:
    rng = random.Random(3)
    found = []
    for n in range(120):
        words = rng.sample(WORDS, rng.choice([1, 2, 3]))
        text = " ".join(words)
        if n % 4 == 0:
            text = words[0][:4] + "*"
        elif n % 5 == 0:
            text = " OR ".join(words)
        elif n % 7 == 0:
            text = words[0][:3] + "?" + words[0][4:6] + "*"
        found.append(text)
    return found


def _wide_wildcard(snapshot: Snapshot, query: fastmatch.wq.Query) -> bool:
    leaves = [query] if query.is_leaf() else list(query.leaves())
    return any(
        isinstance(leaf, fastmatch.wq.Prefix | fastmatch.wq.Wildcard)
        and len(fastmatch._expansions(snapshot.terms, leaf)) > 2
        for leaf in leaves
    )


def test_scores_and_matches_are_whooshs(snapshot: Snapshot) -> None:
    assert len(snapshot.searcher.reader().leaf_readers()) > 1
    assert snapshot.searcher.reader().has_deletions()
    checked = 0
    for text in _queries():
        query = _text_query(snapshot.schema, text, [])
        assert query is not None
        mine = fastmatch.scores(snapshot.terms, query)
        if mine is None:
            continue
        expected = snapshot.searcher.search(query, limit=None, optimize=False)
        theirs = {doc: score for score, doc in expected.top_n}
        if _wide_wildcard(snapshot, query):
            # whoosh gives these a constant score on small indexes (see fastmatch).
            assert mine.keys() == theirs.keys(), text
            continue
        assert mine.keys() == theirs.keys(), text
        assert all(abs(mine[d] / fastmatch.SCALE - theirs[d]) < 1e-9 for d in mine), text
        # Best first; equal scores (up to the last bits of a sum) by document number.
        order = sorted(expected.top_n, key=lambda item: (-round(item[0], 9), item[1]))
        mine_order = fastmatch.ranked(mine)
        assert [round(theirs[d], 9) for d in mine_order] == [round(s, 9) for s, _d in order]
        for score in {round(s, 9) for s, _d in order}:
            tied = [d for d in mine_order if round(theirs[d], 9) == score]
            assert tied == sorted(tied), text
        assert fastmatch.docs(snapshot.terms, query) == set(
            snapshot.searcher.docs_for_query(query)
        ), text
        checked += 1
    assert checked > 80


def test_shapes_left_to_whoosh(snapshot: Snapshot) -> None:
    for text in ('"soporte técnico"', "NOT red", "red AND NOT nube"):
        query = _text_query(snapshot.schema, text, [])
        assert query is not None
        assert fastmatch.scores(snapshot.terms, query) is None, text


ARGS = {"tagname": "mark", "classname": "hl", "termclass": "t", "between": " … "}


def test_highlights_are_whooshs(snapshot: Snapshot) -> None:
    compared = marked = 0
    for text in _queries()[:60]:
        query = _text_query(snapshot.schema, text, [])
        assert query is not None
        terms = _highlight_terms(snapshot, query)
        for doc in sorted(snapshot.searcher.docs_for_query(query))[:10]:
            stored = snapshot.searcher.stored_fields(doc)
            formatter = highlight.HtmlFormatter(**ARGS)
            marker = Marker()
            for name in ("title", "description", "items"):
                value = stored.get(name)
                if not value:
                    continue
                if name == "title":
                    fragmenter: highlight.Fragmenter = highlight.WholeFragmenter()
                    mine = highlight_whole(value, terms, marker)
                else:
                    fragmenter = highlight.ContextFragmenter(maxchars=160, surround=50)
                    mine = highlight_context(value, terms, marker, 160, 50, 2)
                theirs = highlight.highlight(
                    value, terms, snapshot.analyzer, fragmenter, formatter, top=2
                )
                assert mine == theirs, (text, name, value)
                compared += 1
                marked += "<mark" in mine
    assert compared > 300 and marked > 100


def test_repeated_searches_pages_and_csv_agree(snapshot: Snapshot) -> None:
    """Matches are kept per index state: a second page, a repeat or the CSV of a search
    reuse them, with the same problems reported and the same order throughout."""
    from marketplace.search.query import iter_hits, search
    from marketplace.search.request import parse_request

    index_dir = snapshot.ix.storage.folder.rsplit("/", 1)[0]
    args = {"q": ["red OR nube OR datos"], "buyer": ["Nadie"], "per_page": ["7"]}
    pages = []
    for page in (1, 2, 1, 3):
        request, problems = parse_request({**args, "page": [str(page)]})
        result = search(index_dir, request, problems)
        assert [p.code for p in result.problems] == ["unknown_value"]
        assert request.filters == {}
        pages.append([hit.ocid for hit in result.hits])
    assert pages[0] == pages[2] and len(pages[0]) == 7
    request, _problems = parse_request(args)
    every = [hit.ocid for hit in iter_hits(index_dir, request)]
    assert every[:21] == pages[0] + pages[1] + pages[3]
    assert len(every) == result.total > 21
