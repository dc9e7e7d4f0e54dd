"""Readable differences between consecutive releases (ocds/diff.py), on hand-built releases."""

from __future__ import annotations

from typing import Any

from ocds.diff import Change, Summary, diff, merge, release_diffs, summarise

OCID = "ocds-test01-1"


def release(n: int, tags: list[str], **sections: Any) -> dict[str, Any]:
    return {
        "ocid": OCID,
        "id": f"{OCID}-{n}",
        "date": f"2026-03-{n:02d}T10:00:00Z",
        "tag": tags,
        "initiationType": "tender",
        **sections,
    }


TENDER = {
    "id": "t1",
    "title": "Laptops",
    "status": "active",
    "value": {"amount": 100, "currency": "MXN"},
}
SUPPLIER = {"id": "S1", "name": "Cómputo del Valle"}


def test_first_release_has_no_diff_and_later_ones_list_field_changes() -> None:
    releases = [
        release(1, ["tender"], tender=TENDER),
        release(2, ["tenderUpdate"], tender={**TENDER, "status": "complete"}),
    ]
    first, second = release_diffs(releases)
    assert first.first and first.changes == [] and first.release_id == f"{OCID}-1"
    assert not second.first
    assert second.changes == [Change("changed", "tender.status", "active", "complete")]


def test_partial_release_is_compared_with_the_merged_state_not_the_previous_release() -> None:
    award = {
        "id": "award-1",
        "status": "active",
        "suppliers": [SUPPLIER],
        "value": {"amount": 90, "currency": "MXN"},
    }
    releases = [
        release(1, ["tender"], tender=TENDER),
        release(2, ["award"], awards=[award]),
        # Only the status of the tender: its title stays, nothing is "removed".
        release(3, ["tenderUpdate"], tender={"id": "t1", "status": "complete"}),
    ]
    _, awarded, completed = release_diffs(releases)
    assert awarded.changes == [
        Change(
            "added",
            "awards",
            entry=Summary("award-1", parties=("Cómputo del Valle",), amount=90, currency="MXN",
                          status="active"),
        )
    ]  # fmt: skip
    assert completed.changes == [Change("changed", "tender.status", "active", "complete")]


def test_arrays_keyed_by_id_give_added_removed_and_per_entry_changes() -> None:
    before = {
        "bids": {"details": [{"id": "b1", "status": "pending"}, {"id": "b2", "status": "pending"}]}
    }
    after = {
        "bids": {
            "details": [
                {"id": "b1", "status": "valid", "tenderers": [SUPPLIER]},
                {"id": "b3", "status": "pending"},
            ]
        }
    }
    changes = diff(before, after)
    assert Change("changed", "bids.details[b1].status", "pending", "valid") in changes
    assert (
        Change(
            "added", "bids.details[b1].tenderers", entry=Summary("S1", label="Cómputo del Valle")
        )
        in changes
    )
    assert Change("added", "bids.details", entry=Summary("b3", status="pending")) in changes
    assert Change("removed", "bids.details", entry=Summary("b2", status="pending")) in changes
    assert len(changes) == 4


def test_merge_keeps_earlier_entries_and_null_deletes() -> None:
    state = merge({}, {"awards": [{"id": "a1", "status": "pending"}], "description": "x"})
    state = merge(state, {"awards": [{"id": "a2", "status": "active"}], "description": None})
    assert [a["id"] for a in state["awards"]] == ["a1", "a2"]
    assert "description" not in state
    state = merge(state, {"awards": [{"id": "a1", "status": "cancelled", "date": None}]})
    assert state["awards"][0] == {"id": "a1", "status": "cancelled"}


def test_merge_does_not_change_its_arguments() -> None:
    state = {"tender": {"id": "t1", "status": "active"}}
    update = {"tender": {"status": "complete"}}
    merged = merge(state, update)
    assert state == {"tender": {"id": "t1", "status": "active"}}
    assert update == {"tender": {"status": "complete"}}
    assert merged["tender"] == {"id": "t1", "status": "complete"}


def test_added_objects_are_listed_leaf_by_leaf_and_lists_of_values_whole() -> None:
    changes = diff(
        {"tender": {"id": "t1", "submissionMethod": ["written"]}},
        {
            "tender": {
                "id": "t1",
                "submissionMethod": ["electronicSubmission"],
                "tenderPeriod": {"endDate": "2026-04-01T00:00:00Z"},
            }
        },
    )
    assert changes == [
        Change("changed", "tender.submissionMethod", ["written"], ["electronicSubmission"]),
        Change("added", "tender.tenderPeriod.endDate", after="2026-04-01T00:00:00Z"),
    ]


def test_removed_field_and_type_change_are_reported() -> None:
    changes = diff({"a": 1, "b": {"c": 2}}, {"b": "text"})
    assert Change("removed", "a", before=1) in changes
    assert Change("changed", "b", before="{c}", after="text") in changes


def test_metadata_changes_are_not_listed() -> None:
    releases = [release(1, ["tender"], tender=TENDER), release(2, ["tenderUpdate"], tender=TENDER)]
    assert release_diffs(releases)[1].changes == []


def test_summary_reads_transactions_and_labels() -> None:
    payment = {
        "id": "pay-1",
        "payee": {"id": "S1", "name": "Cómputo del Valle"},
        "value": {"amount": 1500.5, "currency": "MXN"},
    }
    assert summarise(payment) == Summary(
        "pay-1", parties=("Cómputo del Valle",), amount=1500.5, currency="MXN"
    )
    assert (
        summarise({"id": 7, "title": "  Contrato  ", "value": {"amount": True}}).label == "Contrato"
    )
    assert summarise({"id": 7, "value": {"amount": True}}).amount is None


def test_malformed_releases_do_not_break_the_diff() -> None:
    diffs = release_diffs(
        [
            release(1, ["tender"], tender=TENDER),
            "not a release",
            release(3, ["tenderUpdate"], tender=None),
        ]
    )  # type: ignore[list-item]
    assert diffs[1].changes == [] and diffs[1].release_id == ""
    assert diffs[2].changes[0].op == "removed"
    assert {c.path for c in diffs[2].changes} >= {"tender.title", "tender.status"}


def test_parties_are_listed_after_the_process_changes() -> None:
    releases = [
        release(1, ["tender"], tender=TENDER),
        release(2, ["award"], parties=[SUPPLIER], tender={**TENDER, "status": "complete"}),
    ]
    changes = release_diffs(releases)[1].changes
    assert [c.path for c in changes] == ["tender.status", "parties"]
