"""The index without the web: language, facets, filters, order, pages, damage."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from marketplace.search.index import IndexUnavailable, current_dir
from marketplace.search.query import iter_hits, search
from marketplace.search.request import parse_request
from marketplace.search.sync import index_record
from tests.search.records import corpus


def build(path: Path) -> Path:
    for compiled in corpus():
        index_record(path, compiled)
    return path


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Read-only for the tests that use it; the damage test builds its own.
    return build(tmp_path_factory.mktemp("index"))


def find(index_dir: Path, **args: str | list[str]):
    request, problems = parse_request(
        {k: v if isinstance(v, list) else [v] for k, v in args.items()}
    )
    return search(index_dir, request, problems)


def ocids(result) -> list[str]:
    return sorted(hit.ocid.rsplit("-", 1)[1] for hit in result.hits)


def test_accent_folding_both_ways(index_dir: Path) -> None:
    # "tecnologia" finds "tecnología" (1) and "Tecnologia" (6); "cómputo" finds "computo".
    assert ocids(find(index_dir, q="tecnologia")) == ["1", "6"]
    assert ocids(find(index_dir, q="tecnología")) == ["1", "6"]
    assert ocids(find(index_dir, q="computo escuelas")) == ["6"]
    assert ocids(find(index_dir, q="SECRETARIA")) == ["3", "5"]


def test_spanish_and_english_stemming(index_dir: Path) -> None:
    # Spanish plural/singular: licencias (2) and licencia (2, 7).
    assert ocids(find(index_dir, q="licencias")) == ["2", "7"]
    assert ocids(find(index_dir, q="licencia")) == ["2", "7"]
    # English: "license" finds "licenses" (3).
    assert ocids(find(index_dir, q="license")) == ["3"]
    assert ocids(find(index_dir, q="impresora")) == ["4"]


def test_items_buyer_and_supplier_names_are_searchable(index_dir: Path) -> None:
    assert ocids(find(index_dir, q="toner")) == ["4"]
    assert ocids(find(index_dir, q="nube segura")) == ["3"]
    assert ocids(find(index_dir, q="43211503")) == [str(n) for n in range(1, 9)]


def test_facet_counts_and_filters(index_dir: Path) -> None:
    result = find(index_dir)
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

    filtered = find(index_dir, supplier="Soft, S.C.")
    assert ocids(filtered) == ["2", "7"]
    assert [v.selected for v in filtered.facets["supplier"]] == [True]
    # Two values of one facet widen; two facets narrow.
    assert ocids(find(index_dir, year=["2022", "2023"])) == ["4", "8"]
    assert ocids(find(index_dir, year=["2022", "2023"], method="direct")) == ["8"]
    assert ocids(find(index_dir, flag="R018")) == ["7"]


def test_date_and_amount_ranges(index_dir: Path) -> None:
    assert ocids(find(index_dir, date_from="2025-01-01")) == ["2", "3", "5", "7"]
    assert ocids(find(index_dir, date_from="2024-01-01", date_to="2024-12-31")) == ["1", "6"]
    assert ocids(find(index_dir, amount_min="100000", amount_max="1000000")) == ["2", "6", "8"]
    # Without an award the tender value is the amount (5: 13.2 million).
    assert ocids(find(index_dir, amount_min="10000000")) == ["5"]


def test_sorting(index_dir: Path) -> None:
    by_date = find(index_dir, sort="date")
    assert [h.ocid[-1] for h in by_date.hits] == ["5", "3", "7", "2", "6", "1", "4", "8"]
    assert find(index_dir).request.effective_sort == "date"
    by_amount = find(index_dir, sort="amount_asc")
    assert [h.ocid[-1] for h in by_amount.hits][:3] == ["7", "1", "4"]
    relevance = find(index_dir, q="licencia")
    # The title match (7) and the title+description match (2): both, best first.
    assert relevance.hits[0].ocid.endswith("-2")


def test_highlights_are_escaped_html(index_dir: Path) -> None:
    result = find(index_dir, q="tecnologia")
    marks = {h.ocid[-1]: h.highlights for h in result.hits}
    assert '<mark class="hl t0">tecnología</mark>' in marks["1"]["title"]
    assert "&lt;script&gt;" in marks["6"]["description"]
    assert "<script>" not in marks["6"]["description"]


def test_pagination_and_page_past_the_end(index_dir: Path) -> None:
    first = find(index_dir, sort="date", per_page="3")
    second = find(index_dir, sort="date", per_page="3", page="2")
    assert first.pages == 3 and len(first.hits) == 3
    assert not {h.ocid for h in first.hits} & {h.ocid for h in second.hits}
    far = find(index_dir, sort="date", per_page="3", page="1000000")
    assert [p.code for p in far.problems] == ["page_too_deep", "page_out_of_range"]
    assert far.request.page == 3 and len(far.hits) == 2


def test_iter_hits_lists_every_match_in_page_order(index_dir: Path) -> None:
    request, _ = parse_request({"q": ["de"], "sort": ["amount"], "per_page": ["2"]})
    pages = []
    for page in range(1, 5):
        request.page = page
        pages += [h.ocid for h in search(index_dir, request).hits]
    request.page = 1
    assert [h.ocid for h in iter_hits(index_dir, request)] == pages


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
        ({"sort": "price; DROP TABLE"}, ["unknown_sort"]),
        ({"page": "-3"}, ["bad_page"]),
        ({"q": "(((("}, ["no_words"]),
    ],
)
def test_bad_input_gives_results_and_a_problem(index_dir: Path, args: dict, codes: list) -> None:
    result = find(index_dir, **args)
    assert [p.code for p in result.problems] == codes
    assert result.total >= 0


def test_wildcards_work_when_there_is_a_word(index_dir: Path) -> None:
    assert ocids(find(index_dir, q="impres*")) == ["4"]


def test_missing_or_corrupt_index_is_unavailable(tmp_path: Path) -> None:
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
