"""Indicators that read one process alone: R003, R018, R028, R030, R035, R036."""

from __future__ import annotations

import dataclasses

from ocds.redflags import Context, Thresholds, evaluate, r003, r018, r028, r030, r035, r036
from tests.redflags.builders import award, bid, compiled

NO_CONTEXT = Context()
DEFAULT = Thresholds()


def codes(release: dict) -> list[str]:
    return [flag.code for flag in evaluate(release, NO_CONTEXT, DEFAULT)]


def test_r003_short_period_flagged_with_days() -> None:
    release = compiled(start="2026-03-01T00:00:00Z", end="2026-03-08T12:00:00Z")
    flag = r003.check(release, NO_CONTEXT, DEFAULT)
    assert flag is not None and flag.code == "R003"
    assert flag.evidence["days"] == 7.5
    assert "7.5 days" in flag.reason


def test_r003_negative_cases() -> None:
    assert r003.check(compiled(end="2026-03-16T00:00:00Z"), NO_CONTEXT, DEFAULT) is None
    # Only open procedures: a direct award is expected to be quick.
    short_direct = compiled(method="direct", end="2026-03-02T00:00:00Z")
    assert r003.check(short_direct, NO_CONTEXT, DEFAULT) is None
    missing = compiled()
    del missing["tender"]["tenderPeriod"]["endDate"]
    assert r003.check(missing, NO_CONTEXT, DEFAULT) is None


def test_r003_threshold_is_configurable() -> None:
    release = compiled(end="2026-03-08T00:00:00Z")
    assert r003.check(release, NO_CONTEXT, Thresholds(r003_min_days=5)) is None


def test_r018_single_bid_in_open_procedure() -> None:
    release = compiled(bids=[bid("A", 100)], awards=[award("A")])
    flag = r018.check(release, NO_CONTEXT, DEFAULT)
    assert flag is not None and flag.evidence["procurement_method"] == "open"
    assert "R018" in codes(release)


def test_r018_negative_cases() -> None:
    two = compiled(bids=[bid("A", 100), bid("B", 120)])
    assert r018.check(two, NO_CONTEXT, DEFAULT) is None
    limited = compiled(method="limited", bids=[bid("A", 100)])
    assert r018.check(limited, NO_CONTEXT, DEFAULT) is None
    # A withdrawn bid was not submitted, so two tenderers still means one bid received…
    one_left = compiled(bids=[bid("A", 100), bid("B", 90, status="withdrawn")])
    assert r018.check(one_left, NO_CONTEXT, DEFAULT) is not None
    # …and without bid details the tender's count decides.
    assert r018.check(compiled(number_of_tenderers=1), NO_CONTEXT, DEFAULT) is not None
    assert r018.check(compiled(number_of_tenderers=3), NO_CONTEXT, DEFAULT) is None


def test_r028_identical_prices_from_different_tenderers() -> None:
    release = compiled(bids=[bid("A", 1000), bid("B", 1000), bid("C", 1200)])
    flag = r028.check(release, NO_CONTEXT, DEFAULT)
    assert flag is not None
    assert flag.evidence["tenderers"] == ["A", "B"]
    assert flag.evidence["amount"] == 1000


def test_r028_negative_cases() -> None:
    assert r028.check(compiled(bids=[bid("A", 1000), bid("B", 1001)]), NO_CONTEXT, DEFAULT) is None
    # The same tenderer bidding twice at one price is not two bidders agreeing.
    same = compiled(bids=[bid("A", 1000), bid("A", 1000, date="2026-03-11T00:00:00Z")])
    assert r028.check(same, NO_CONTEXT, DEFAULT) is None
    other_currency = compiled(bids=[bid("A", 1000), bid("B", 1000, currency="USD")])
    assert r028.check(other_currency, NO_CONTEXT, DEFAULT) is None


def test_r030_late_bid_won() -> None:
    release = compiled(
        end="2026-03-15T00:00:00Z",
        bids=[bid("A", 100, date="2026-03-16T06:00:00Z"), bid("B", 90)],
        awards=[award("A")],
    )
    flag = r030.check(release, NO_CONTEXT, DEFAULT)
    assert flag is not None and flag.evidence["tenderer"] == "A"
    assert "30.0 hours" in flag.reason


def test_r030_negative_cases() -> None:
    late_loser = compiled(
        end="2026-03-15T00:00:00Z",
        bids=[bid("A", 100, date="2026-03-16T00:00:00Z"), bid("B", 90)],
        awards=[award("B")],
    )
    assert r030.check(late_loser, NO_CONTEXT, DEFAULT) is None
    on_time = compiled(end="2026-03-15T00:00:00Z", bids=[bid("A", 100)], awards=[award("A")])
    assert r030.check(on_time, NO_CONTEXT, DEFAULT) is None
    # A late bid that was disqualified did not win anything.
    rejected = compiled(
        end="2026-03-15T00:00:00Z",
        bids=[bid("A", 100, status="disqualified", date="2026-03-16T00:00:00Z")],
        awards=[award("A", status="cancelled")],
    )
    assert r030.check(rejected, NO_CONTEXT, DEFAULT) is None


def test_r035_all_except_winner_disqualified() -> None:
    release = compiled(
        bids=[bid("A", 120), bid("B", 100, "disqualified"), bid("C", 110, "disqualified")],
        awards=[award("A")],
    )
    flag = r035.check(release, NO_CONTEXT, DEFAULT)
    assert flag is not None
    assert flag.evidence == {"winner": "A", "disqualified_tenderers": ["B", "C"]}


def test_r035_negative_cases_and_threshold() -> None:
    two_valid = compiled(
        bids=[bid("A", 120), bid("B", 100), bid("C", 110, "disqualified")], awards=[award("A")]
    )
    assert r035.check(two_valid, NO_CONTEXT, DEFAULT) is None
    pending = compiled(
        bids=[bid("A", 120), bid("B", 100, "disqualified")],
        awards=[award("A"), award("B", status="pending")],
    )
    assert r035.check(pending, NO_CONTEXT, DEFAULT) is None
    one_out = compiled(bids=[bid("A", 120), bid("B", 100, "disqualified")], awards=[award("A")])
    assert r035.check(one_out, NO_CONTEXT, DEFAULT) is not None
    strict = Thresholds(r035_min_disqualified_tenderers=2)
    assert r035.check(one_out, NO_CONTEXT, strict) is None


def test_r036_lowest_bid_disqualified() -> None:
    release = compiled(
        bids=[bid("A", 111_111), bid("B", 100_000, "disqualified")], awards=[award("A")]
    )
    flag = r036.check(release, NO_CONTEXT, DEFAULT)
    assert flag is not None and flag.evidence["tenderers"] == ["B"]
    assert "100,000.00 MXN" in flag.reason


def test_r036_negative_cases() -> None:
    higher_out = compiled(
        bids=[bid("A", 100_000), bid("B", 111_111, "disqualified")], awards=[award("A")]
    )
    assert r036.check(higher_out, NO_CONTEXT, DEFAULT) is None
    not_awarded = compiled(bids=[bid("A", 111_111), bid("B", 100_000, "disqualified")])
    assert r036.check(not_awarded, NO_CONTEXT, DEFAULT) is None


def test_flags_are_plain_data() -> None:
    on_time = bid("A", 100, date="2026-03-01T12:00:00Z")
    release = compiled(end="2026-03-02T00:00:00Z", bids=[on_time], awards=[award("A")])
    flags = evaluate(release)
    assert [f.code for f in flags] == ["R003", "R018"]
    assert all(dataclasses.asdict(f)["title"] for f in flags)
