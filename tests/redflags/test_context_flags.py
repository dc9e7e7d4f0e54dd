"""Indicators that compare a process with all others: R024, R025, R038, R048, R058."""

from __future__ import annotations

import json

from ocds.redflags import Context, Thresholds, build_context, evaluate, r024, r025, r038, r048, r058
from tests.redflags.builders import BUYER, award, bid, competitive, compiled, item

DEFAULT = Thresholds()


def market() -> list[dict]:
    # Runner-up differences of 10%, 12%, 14%, 16%, 18%, 20%: Q1 12.5%, Q3 17.5%, so
    # the fences are at 5% and 25%.
    return [competitive(f"ocds-m-{i}", 100_000, 100_000 * (1.10 + 0.02 * i)) for i in range(6)]


def test_context_fences_and_json_round_trip() -> None:
    context = build_context(market())
    fence = context.difference_fence
    assert fence is not None
    assert round(fence.q1, 4) == 0.125 and round(fence.q3, 4) == 0.175
    assert round(fence.lower, 4) == 0.05 and round(fence.upper, 4) == 0.25
    restored = Context.from_json(json.loads(json.dumps(context.to_json())))
    assert restored == context


def test_r024_close_runner_up_is_a_low_outlier() -> None:
    close = competitive("ocds-close", 100_000, 101_000)
    context = build_context([*market(), close])
    flag = r024.check(close, context, DEFAULT)
    assert flag is not None and flag.evidence["runner_up"] == "B"
    assert "1.0%" in flag.reason
    assert r024.check(market()[2], context, DEFAULT) is None
    assert r058.check(close, context, DEFAULT) is None


def test_r024_exclusions() -> None:
    context = build_context(market())
    # The lowest bid lost: price was not the only criterion.
    not_lowest = compiled(bids=[bid("A", 100), bid("B", 99)], awards=[award("A")])
    assert r024.check(not_lowest, context, Thresholds(r024_max_difference=0.5)) is None
    two_awards = compiled(bids=[bid("A", 100), bid("B", 101)], awards=[award("A"), award("B")])
    assert r024.check(two_awards, context, Thresholds(r024_max_difference=0.5)) is None
    consortium = compiled(bids=[bid(["A", "D"], 100), bid("B", 101)], awards=[award(["A", "D"])])
    assert r024.check(consortium, context, Thresholds(r024_max_difference=0.5)) is None
    # Without enough processes there is no fence and no flag.
    assert r024.check(competitive("x", 100, 100.5), build_context([]), DEFAULT) is None


def test_r024_fixed_threshold() -> None:
    release = competitive("ocds-x", 100_000, 104_000)
    assert r024.check(release, Context(), Thresholds(r024_max_difference=0.05)) is not None
    assert r024.check(release, Context(), Thresholds(r024_max_difference=0.03)) is None


def test_r058_heavy_discount_is_a_high_outlier() -> None:
    lemon = competitive("ocds-lemon", 100_000, 160_000)
    context = build_context([*market(), lemon])
    flag = r058.check(lemon, context, DEFAULT)
    assert flag is not None and flag.evidence["difference"] == 0.6
    assert "60.0%" in flag.reason
    assert r058.check(market()[3], context, DEFAULT) is None
    assert r058.check(lemon, context, Thresholds(r058_min_difference=0.7)) is None


def test_flat_distribution_flags_nobody() -> None:
    # All differences equal: IQR 0, the fences equal the common value; nothing stands out.
    same = [competitive(f"ocds-s-{i}", 100, 110) for i in range(8)]
    context = build_context(same)
    assert not any(evaluate(r, context, DEFAULT) for r in same)


def priced(ocid: str, price: float, code: str = "43211503") -> dict:
    return compiled(ocid, awards=[award("A", items=[item(code, price, "Laptop 16 GB")])])


def test_r025_unit_price_outlier_within_its_classification() -> None:
    normal = [priced(f"ocds-p-{i}", 20_000 + 500 * i) for i in range(6)]
    expensive = priced("ocds-p-x", 60_000)
    # Another classification's prices do not count towards the laptops' fence.
    servers = [priced(f"ocds-s-{i}", 200_000 + i, code="43211501") for i in range(6)]
    context = build_context([*normal, expensive, *servers])
    flag = r025.check(expensive, context, DEFAULT)
    assert flag is not None
    assert flag.evidence["classification"] == "UNSPSC:43211503"
    assert flag.evidence["median"] == 21_500
    assert "Laptop 16 GB" in flag.reason
    assert r025.check(normal[0], context, DEFAULT) is None
    assert r025.check(servers[0], context, DEFAULT) is None
    # Fixed rule: more than three times the median.
    assert r025.check(expensive, context, Thresholds(r025_max_ratio_to_median=3)) is None
    assert r025.check(expensive, context, Thresholds(r025_max_ratio_to_median=2)) is not None


def test_r025_needs_enough_observations() -> None:
    few = [priced("a", 100), priced("b", 110), priced("c", 1000)]
    context = build_context(few)
    assert r025.check(few[2], context, DEFAULT) is None


def disqualifying(ocid: str, buyer_id: str, disqualified: int, valid: int = 2) -> dict:
    bids = [bid(f"V{i}", 100 + i) for i in range(valid)]
    # Each disqualified tenderer bids once: only the buyer's figures stand out.
    bids += [bid(f"D-{ocid}-{i}", 50 + i, "disqualified") for i in range(disqualified)]
    return compiled(
        ocid, buyer={"id": buyer_id, "name": f"Buyer {buyer_id}"}, bids=bids, awards=[award("V0")]
    )


def test_r038_buyer_that_disqualifies_far_more_than_others() -> None:
    records = []
    for b in range(6):
        records += [disqualifying(f"ocds-{b}-{n}", f"B{b}", disqualified=n % 2) for n in range(2)]
    harsh = [disqualifying(f"ocds-h-{n}", "HARSH", disqualified=6) for n in range(2)]
    context = build_context(records + harsh)
    flag = r038.check(harsh[0], context, DEFAULT)
    assert flag is not None and flag.evidence["buyer"] == "HARSH"
    assert flag.evidence["processes"] == 2
    assert r038.check(records[1], context, DEFAULT) is None
    # A process without a disqualified bid is not flagged, whoever the buyer.
    clean = disqualifying("ocds-h-clean", "HARSH", disqualified=0)
    assert r038.check(clean, build_context([*records, *harsh, clean]), DEFAULT) is None


def test_r038_tenderer_with_most_bids_disqualified() -> None:
    # Buyers alike; tenderer SHAM loses every bid to disqualification.
    records = [
        compiled(
            f"ocds-t-{n}",
            buyer={"id": f"B{n}", "name": "x"},
            bids=[bid("A", 100), bid("B", 110), bid("C", 120), bid("SHAM", 90, "disqualified")]
            if n < 3
            else [
                bid("A", 100),
                bid("B", 110),
                bid("C", 120, "disqualified" if n == 3 else "valid"),
            ],
            awards=[award("A")],
        )
        for n in range(6)
    ]
    context = build_context(records, Thresholds(min_observations=4))
    flag = r038.check(records[0], context, Thresholds(min_observations=4))
    assert flag is not None and flag.evidence["tenderer"] == "SHAM"
    assert flag.evidence["bids"] == 3
    assert r038.check(records[4], context, DEFAULT) is None


def test_r038_fixed_ratio() -> None:
    release = disqualifying("a", BUYER["id"], disqualified=1, valid=1)
    context = build_context([release, disqualifying("b", BUYER["id"], disqualified=1, valid=1)])
    assert r038.check(release, context, Thresholds(r038_max_ratio=0.5)) is not None
    assert r038.check(release, context, Thresholds(r038_max_ratio=0.6)) is None


def test_r048_heterogeneous_supplier() -> None:
    specialists = [
        compiled(
            f"ocds-sp-{i}", awards=[award(f"S{i}", items=[item("43211503"), item("43222600")])]
        )
        for i in range(6)
    ]
    # Segments 43 (IT), 72 (construction), 50 (food), 25 (vehicles), 42 (medical).
    codes = ["43211503", "72101500", "50202300", "25101500", "42131600"]
    everything = compiled("ocds-all", awards=[award("ALL", items=[item(c) for c in codes])])
    context = build_context([*specialists, everything])
    assert context.supplier_variety["ALL"] == 5 and context.supplier_variety["S0"] == 1
    flag = r048.check(everything, context, DEFAULT)
    assert flag is not None and flag.evidence["variety"] == 5
    assert r048.check(specialists[0], context, DEFAULT) is None
    assert r048.check(everything, context, Thresholds(r048_max_variety=6)) is None
    # With four digits (UNSPSC family) the specialists have two families each.
    wider = build_context([*specialists, everything], Thresholds(r048_digits=4))
    assert wider.supplier_variety["S0"] == 2


def test_evaluate_lists_each_raised_flag_once_in_code_order() -> None:
    normal = market()
    odd = compiled(
        "ocds-odd",
        end="2026-03-05T00:00:00Z",
        bids=[bid("A", 100_000, date="2026-03-04T00:00:00Z"), bid("B", 100_000, "disqualified")],
        awards=[award("A")],
    )
    flags = evaluate(odd, build_context([*normal, odd]), DEFAULT)
    # B's disqualified bid was still submitted: two tenderers, so no R018.
    assert [f.code for f in flags] == ["R003", "R028", "R035"]
