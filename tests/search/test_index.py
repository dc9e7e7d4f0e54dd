"""The index without the web: language, facets, filters, order, pages, damage."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from marketplace.search.backend import SearchBackend
from marketplace.search.index import IndexUnavailable, current_dir
from marketplace.search.query import search
from marketplace.search.request import parse_request
from marketplace.search.sync import index_record
from tests.search.conftest import backend_for, lose_index
from tests.search.records import corpus, store


def build(path: Path) -> Path:
    for compiled in corpus():
        index_record(path, compiled)
    return path


@pytest.fixture
def backend(db: Session, tmp_path: Path, backend_kind: str) -> SearchBackend:
    """The corpus, indexed by each backend (whoosh one process at a time, as the outbox
    does; PostgreSQL by a rebuild)."""
    backend = backend_for(backend_kind, db, tmp_path / "index")
    if backend_kind == "whoosh":
        build(tmp_path / "index")
    else:
        for compiled in corpus():
            store(db, compiled, enqueue=False)
        backend.reindex(db)
    return backend


def find(backend: SearchBackend, **args: str | list[str]):
    request, problems = parse_request(
        {k: v if isinstance(v, list) else [v] for k, v in args.items()}
    )
    return backend.search(request, problems)


def ocids(result) -> list[str]:
    return sorted(hit.ocid.rsplit("-", 1)[1] for hit in result.hits)


def test_accent_folding_both_ways(backend: SearchBackend) -> None:
    # "tecnologia" finds "tecnología" (1) and "Tecnologia" (6); "cómputo" finds "computo".
    assert ocids(find(backend, q="tecnologia")) == ["1", "6"]
    assert ocids(find(backend, q="tecnología")) == ["1", "6"]
    assert ocids(find(backend, q="computo escuelas")) == ["6"]
    assert ocids(find(backend, q="SECRETARIA")) == ["3", "5"]


def test_spanish_and_english_stemming(backend: SearchBackend) -> None:
    # Spanish plural/singular: licencias (2) and licencia (2, 7).
    assert ocids(find(backend, q="licencias")) == ["2", "7"]
    assert ocids(find(backend, q="licencia")) == ["2", "7"]
    # English: "license" finds "licenses" (3).
    assert ocids(find(backend, q="license")) == ["3"]
    assert ocids(find(backend, q="impresora")) == ["4"]


def test_items_buyer_and_supplier_names_are_searchable(backend: SearchBackend) -> None:
    assert ocids(find(backend, q="toner")) == ["4"]
    assert ocids(find(backend, q="nube segura")) == ["3"]
    assert ocids(find(backend, q="43211503")) == [str(n) for n in range(1, 9)]


def test_facet_counts_and_filters(backend: SearchBackend) -> None:
    result = find(backend)
    assert result.total == 8
    buyers = {v.value: v.count for v in result.facets["buyer"]}
    assert buyers == {"Agencia Digital de Innovación Pública": 6, "Secretaría de Salud": 2}
    suppliers = {v.value: v.count for v in result.facets["supplier"]}
    assert suppliers["Soft, S.C."] == 2
    assert {v.value: v.count for v in result.facets["method"]} == {
        "open": 6,
        "selective": 1,
        "direct": 1,
    }
    assert {v.value for v in result.facets["year"]} == {"2022", "2023", "2024", "2025"}
    assert {v.value: v.count for v in result.facets["flag"]} == {"R018": 1}
    bands = {v.value: v.count for v in result.facets["amount_band"]}
    assert bands == {"0-100k": 3, "100k-1M": 3, "1M-10M": 1, "10M-100M": 1}

    filtered = find(backend, supplier="Soft, S.C.")
    assert ocids(filtered) == ["2", "7"]
    assert [v.selected for v in filtered.facets["supplier"]] == [True]
    # Two values of one facet widen; two facets narrow.
    assert ocids(find(backend, year=["2022", "2023"])) == ["4", "8"]
    assert ocids(find(backend, year=["2022", "2023"], method="direct")) == ["8"]
    assert ocids(find(backend, flag="R018")) == ["7"]


def test_date_and_amount_ranges(backend: SearchBackend) -> None:
    assert ocids(find(backend, date_from="2025-01-01")) == ["2", "3", "5", "7"]
    assert ocids(find(backend, date_from="2024-01-01", date_to="2024-12-31")) == ["1", "6"]
    assert ocids(find(backend, amount_min="100000", amount_max="1000000")) == ["2", "6", "8"]
    # Without an award the tender value is the amount (5: 13.2 million).
    assert ocids(find(backend, amount_min="10000000")) == ["5"]


def test_sorting(backend: SearchBackend) -> None:
    by_date = find(backend, sort="date")
    assert [h.ocid[-1] for h in by_date.hits] == ["5", "3", "7", "2", "6", "1", "4", "8"]
    assert find(backend).request.effective_sort == "date"
    by_amount = find(backend, sort="amount_asc")
    assert [h.ocid[-1] for h in by_amount.hits][:3] == ["7", "1", "4"]
    relevance = find(backend, q="licencia")
    # The title match (7) and the title+description match (2): both, best first.
    assert relevance.hits[0].ocid.endswith("-2")


def test_highlights_are_escaped_html(backend: SearchBackend) -> None:
    result = find(backend, q="tecnologia")
    marks = {h.ocid[-1]: h.highlights for h in result.hits}
    assert '<mark class="hl t0">tecnología</mark>' in marks["1"]["title"]
    assert "&lt;script&gt;" in marks["6"]["description"]
    assert "<script>" not in marks["6"]["description"]


def test_pagination_and_page_past_the_end(backend: SearchBackend) -> None:
    first = find(backend, sort="date", per_page="3")
    second = find(backend, sort="date", per_page="3", page="2")
    assert first.pages == 3 and len(first.hits) == 3
    assert not {h.ocid for h in first.hits} & {h.ocid for h in second.hits}
    far = find(backend, sort="date", per_page="3", page="1000000")
    assert [p.code for p in far.problems] == ["page_too_deep", "page_out_of_range"]
    assert far.request.page == 3 and len(far.hits) == 2


def test_iter_hits_lists_every_match_in_page_order(backend: SearchBackend) -> None:
    request, _ = parse_request({"q": ["de"], "sort": ["amount"], "per_page": ["2"]})
    pages = []
    for page in range(1, 5):
        request.page = page
        pages += [h.ocid for h in backend.search(request).hits]
    request.page = 1
    assert [h.ocid for h in backend.iter_hits(request)] == pages


@pytest.mark.parametrize(
    ("args", "codes"),
    [
        ({"q": '"unclosed'}, []),
        ({"q": "AND OR"}, ["no_words"]),
        ({"q": "* ?? *"}, ["no_words"]),
        ({"q": "oficina " * 1000}, ["query_too_long", "too_many_words"]),
        ({"buyer": "Nobody at all"}, ["unknown_value"]),
        ({"amount_min": "-5", "amount_max": "abc"}, ["negative_amount", "bad_amount"]),
        ({"amount_min": "900", "amount_max": "100"}, ["swapped_amounts"]),
        ({"date_from": "2025-12-31", "date_to": "2025-01-01"}, ["swapped_dates"]),
        ({"date_from": "yesterday"}, ["bad_date"]),
        ({"date_to": "0001-01-01"}, ["bad_date"]),  # found by the fuzzer: was a 500
        ({"sort": "price; DROP TABLE"}, ["unknown_sort"]),
        ({"page": "-3"}, ["bad_page"]),
        ({"q": "(((("}, ["no_words"]),
    ],
)
def test_bad_input_gives_results_and_a_problem(
    backend: SearchBackend, args: dict, codes: list
) -> None:
    result = find(backend, **args)
    assert [p.code for p in result.problems] == codes
    assert result.total >= 0


def test_wildcards_work_when_there_is_a_word(backend: SearchBackend) -> None:
    assert ocids(find(backend, q="impres*")) == ["4"]


def test_lost_index_is_unavailable_on_each_backend(backend: SearchBackend, db: Session) -> None:
    lose_index(backend, db)
    request, _ = parse_request({"q": ["licencia"]})
    with pytest.raises(IndexUnavailable):
        backend.search(request)


def test_missing_or_corrupt_index_is_unavailable(tmp_path: Path) -> None:
    # whoosh only: PostgreSQL has no index files to damage.
    index_dir = build(tmp_path / "index")
    request, _ = parse_request({})
    with pytest.raises(IndexUnavailable):
        search(tmp_path / "never-built", request)
    live = current_dir(index_dir)
    assert live is not None
    for segment in live.glob("*.seg"):
        segment.write_bytes(b"garbage")
    for toc in live.glob("*.toc"):
        toc.write_bytes(b"garbage")
    with pytest.raises(IndexUnavailable):
        search(index_dir, request)
    shutil.rmtree(index_dir)
    with pytest.raises(IndexUnavailable):
        search(index_dir, request)
