"""ocds.analytics on five hand-built compiled releases (tests/analytics_records.py).

The data set, and the answers worked out by hand:

    P1 2024 buyer A open      laptops est 100  bids S1 90, S2 95      S1 wins 90 (day 10), signed
    P2 2024 buyer A open      laptops est 200  bids S1 150, S2 withdrawn  S1 wins 150 (day 20)
    P3 2025 buyer B selective cloud   est 1000 bids S2, S3, S1            S2 wins 1100 (day 30)
    P4 2025 buyer B direct    laptops no est   no bids                    S3 wins 50 (day 5, from
                                                                          datePublished)
    P5 2025 buyer A limited   cloud   no est   bid S3                     award still pending

    S1 is an SME, S2 large; S3's size is not published in P4.

- Awarded: 90 + 150 + 1100 + 50 = 1390; 2024: 240, 2025: 1150 (P5's pending award
  does not count). Buyer B 1150 (2 processes) ranks above buyer A 240 (3).
- Bidders: P1 2, P2 1 (withdrawn bids do not count), P3 3, P5 1, P4 unknown:
  distribution 1→2, 2→1, 3→1; median of (1, 1, 2, 3) = 1.5.
- Single-bid rate: competitive processes (open, selective) with known bidders are P1,
  P2 (2024: 1 of 2 = 50 %) and P3 (2025: 0 of 1); overall 1 of 3.
- HHI, laptops family 43210000: S1 240, S3 50 of 290, so
  10000·(240² + 50²)/290² = 7146.25 and the largest share is 240/290 = 82.76 %;
  cloud family 81110000: S2 alone, HHI 10000.
- SME share: 2024 240 of 240 = 100 %; 2025 0 of the 1100 awarded to suppliers of known
  size (S3's 50 has no size); overall 240/1340.
- Savings: 2024 estimate 300, awarded 240, savings 60 = 20 %, median discount of
  (10 %, 25 %) = 17.5 %; 2025 estimate 1000, awarded 1100, savings -100 = -10 %;
  overall (1300 - 1340)/1300 = -3.08 %.
- Days to award: 2024 (10, 20) median 15; 2025 (30, 5) median 17.5; overall median 15.
- Supplier S1: bid in P1, P2, P3 and won P1, P2: win rate 2/3, awarded 240, one
  contract, won alone in P2 of (P1, P2): 50 %, average discount (10 % + 25 %)/2 = 17.5 %.
- Supplier S3: bid in P3 and P5, won neither (P4 was a direct award): win rate 0.
- Buyer A: 3 processes, 240 awarded, single-bid share 1 of 2 (P5 is limited), average
  discount 17.5 %, median bidders of (2, 1, 1) = 1.
"""

from __future__ import annotations

import json

import pytest

from ocds.analytics import (
    OTHER,
    ProcessFacts,
    Totals,
    accumulate,
    buyer_summary,
    finish,
    hhi,
    merge,
    overview,
    process_facts,
    supplier_summary,
)
from ocds.analytics.facts import TOP
from tests.analytics_records import BUYER_A, BUYER_B, known_set, process

approx = pytest.approx


def _facts() -> list[ProcessFacts]:
    return [process_facts(r) for r in known_set()]


def test_facts_of_each_process() -> None:
    p1, p2, p3, p4, p5 = _facts()
    assert (p1.year, p1.buyer_id, p1.category, p1.bidders) == (
        2024,
        BUYER_A["id"],
        "43210000",
        ("S1", "S2"),
    )
    assert p2.bidders == ("S1",) and p2.single_bid is True and p2.discount == approx(0.25)
    assert p3.awarded == 1100 and p3.days_to_award == approx(30) and p3.discount == approx(-0.1)
    assert (p4.year, p4.bidder_count, p4.days_to_award, p4.wins[0].scale) == (2025, None, 5, None)
    assert p5.awarded is None and p5.wins == () and p5.single_bid is None
    assert [w.contracts for w in p1.wins] == [1]


def test_facts_survive_a_round_trip_through_json() -> None:
    for facts in _facts():
        assert ProcessFacts.from_dict(facts.to_dict()) == facts


def test_market_overview_matches_the_hand_computed_answers() -> None:
    o = overview(_facts())
    assert o.processes == 5 and o.awarded == approx(1390)
    assert [(r.key, r.processes, r.awarded) for r in o.by_year] == [
        ("2024", 2, 240),
        ("2025", 3, 1150),
    ]
    assert [(r.key, r.processes, r.awarded) for r in o.by_buyer] == [
        (BUYER_B["id"], 2, 1150),
        (BUYER_A["id"], 3, 240),
    ]
    assert [(r.key, r.processes, r.awarded) for r in o.by_category] == [
        ("81110000", 2, 1100),
        ("43210000", 3, 290),
    ]
    assert [(r.bidders, r.processes) for r in o.bidders] == [("1", 2), ("2", 1), ("3", 1)]
    assert o.median_bidders == 1.5
    assert [(r.year, r.competitive, r.single, r.rate) for r in o.single_bid] == [
        (2024, 2, 1, 0.5),
        (2025, 1, 0, 0.0),
    ]
    assert o.single_bid_rate == approx(1 / 3)
    cloud, laptops = o.concentration
    assert (cloud.category, cloud.suppliers, cloud.hhi, cloud.top_share) == (
        "81110000",
        1,
        10000,
        1.0,
    )
    assert laptops.hhi == approx(7146.2545, abs=1e-3) and laptops.top_share == approx(0.827586)
    assert [(r.year, r.awarded, r.known, r.sme, r.share) for r in o.sme] == [
        (2024, 240, 240, 240, 1.0),
        (2025, 1150, 1100, 0, 0.0),
    ]
    assert o.sme_share == approx(240 / 1340)
    s2024, s2025 = o.savings
    assert (s2024.processes, s2024.estimate, s2024.awarded, s2024.savings) == (2, 300, 240, 60)
    assert s2024.rate == approx(0.2) and s2024.median_discount == approx(0.175)
    assert (s2025.savings, s2025.rate) == (-100, approx(-0.1))
    assert o.savings_rate == approx(-40 / 1300)
    assert [(r.year, r.processes, r.median_days) for r in o.time_to_award] == [
        (2024, 2, 15),
        (2025, 2, 17.5),
    ]
    assert o.median_days_to_award == 15


def test_supplier_summaries() -> None:
    s1 = supplier_summary(_facts(), "S1")
    assert (s1.processes, s1.bids, s1.wins, s1.awards, s1.contracts) == (3, 3, 2, 2, 1)
    assert s1.win_rate == approx(2 / 3) and s1.awarded == 240
    assert s1.single_bid_share == 0.5 and s1.average_discount == approx(0.175)
    assert [(y.year, y.bids, y.wins, y.awarded) for y in s1.by_year] == [
        (2024, 2, 2, 240),
        (2025, 1, 0, 0),
    ]
    assert [(c.key, c.processes, c.awarded) for c in s1.categories] == [("43210000", 2, 240)]
    assert [c.key for c in s1.counterparts] == [BUYER_A["id"]]
    s3 = supplier_summary(_facts(), "S3")
    assert (s3.bids, s3.wins, s3.win_rate, s3.awarded) == (2, 1, 0.0, 50)
    nobody = supplier_summary(_facts(), "S9")
    assert nobody.processes == 0 and nobody.win_rate is None


def test_buyer_summary() -> None:
    a = buyer_summary(_facts(), BUYER_A["id"])
    assert (a.name, a.processes, a.awarded, a.awards, a.contracts) == (
        BUYER_A["name"],
        3,
        240,
        2,
        1,
    )
    assert a.single_bid_share == 0.5 and a.average_discount == approx(0.175)
    assert a.median_bidders == 1
    assert [(c.key, c.processes, c.awarded) for c in a.categories] == [
        ("43210000", 2, 240),
        ("81110000", 1, 0),
    ]
    assert [(s.key, s.processes, s.awarded) for s in a.counterparts] == [("S1", 2, 240)]
    assert [line.ocid[-1] for line in a.recent] == ["5", "1", "2"]


def test_consortium_award_other_currency_and_hhi_edges() -> None:
    release = process(
        9,
        buyer=BUYER_A,
        method="open",
        code="43211503",
        start="2025-01-01T00:00:00Z",
        estimate=100,
        award=(["X", "Y"], 100, "2025-01-02T00:00:00Z", "active"),
    )
    facts = process_facts(release)
    assert {w.party_id: w.amount for w in facts.wins} == {"X": 50, "Y": 50}
    release["awards"][0]["value"]["currency"] = "USD"
    facts = process_facts(release)
    assert facts.awarded is None and facts.discount is None
    assert hhi([]) is None and hhi([5, 5]) == 5000 and hhi([1]) == 10000


def test_ranked_tables_sum_the_rest_in_one_row() -> None:
    releases = [
        process(
            n,
            buyer={"id": f"B{n:02d}", "name": f"Unidad {n:02d}"},
            method="open",
            code="43211503",
            start="2025-01-01T00:00:00Z",
            award=(["X"], 1000 - n, "2025-02-01T00:00:00Z", "active"),
        )
        for n in range(TOP + 3)
    ]
    ranked = overview(process_facts(r) for r in releases).by_buyer
    assert len(ranked) == TOP + 1
    assert [r.key for r in ranked[:2]] == ["B00", "B01"]
    other = ranked[-1]
    assert (other.key, other.name, other.processes) == (OTHER, "3", 3)
    assert other.awarded == sum(1000 - n for n in range(TOP, TOP + 3))


def test_garbage_is_read_as_missing_not_an_error() -> None:
    facts = process_facts(
        {
            "ocid": "x",
            "tender": {"value": {"amount": "lots"}, "tenderPeriod": {"startDate": "soon"}},
            "awards": [{"status": "active", "value": {"amount": True}, "suppliers": "S"}],
            "bids": {"details": [{"tenderers": [{"id": 5}]}, "nope"]},
            "parties": [None],
        }
    )
    assert (facts.year, facts.estimate, facts.awarded, facts.wins) == (None, None, None, ())
    assert overview([facts]).processes == 1


def test_totals_of_each_year_merge_into_the_totals_of_all() -> None:
    facts = _facts()
    by_year = [accumulate(f for f in facts if f.year == y) for y in (2024, 2025)]
    before = [finish(part) for part in by_year]
    assert finish(merge(by_year)) == overview(facts)
    assert [finish(part) for part in by_year] == before  # merging leaves the parts alone
    assert finish(by_year[0]).by_year[0].awarded == 240


def test_taking_a_process_out_undoes_adding_it() -> None:
    facts = _facts()
    totals = accumulate(facts)
    totals.remove(facts[2])  # P3: the only cloud award, a 2025 saving and a 30-day award
    assert finish(totals) == overview(facts[:2] + facts[3:])
    for f in facts:
        if f is not facts[2]:
            totals.remove(f)
    assert finish(totals) == overview([])
    assert totals == accumulate([])  # nothing left over, not even float noise


def test_totals_survive_a_round_trip_through_json() -> None:
    totals = accumulate(_facts())
    text = json.dumps(totals.to_json())
    assert finish(Totals.from_json(json.loads(text))) == finish(totals)
