"""Records: our compiled releases equal ocdskit's and ocdsmerge's, fast path or not."""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from typing import Any

import ocdskit.combine
import pytest
from ocdsmerge.exceptions import DuplicateIdValueWarning

from ocds.merge import (
    compile_record,
    fast_compile,
    local_refs_schema,
    reference_compile,
    versioned_release,
)
from ocds.synthetic import generate_releases

from .conftest import make_release, package


def by_ocid(releases: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for release in releases:
        groups[release["ocid"]].append(release)
    return groups


def test_compiled_releases_equal_ocdskit_compile(schema) -> None:
    releases = list(generate_releases(120, seed=11))
    expected = list(ocdskit.combine.merge([package(releases)], schema=local_refs_schema(schema)))
    groups = by_ocid(releases)
    ours = [compile_record(groups[ocid], schema) for ocid in sorted(groups)]
    assert len(ours) == len(expected) > 25
    assert ours == expected
    # Same key order too, so the published JSON is byte for byte the same.
    assert json.dumps(ours) == json.dumps(expected)


def test_compiling_does_not_modify_releases(schema) -> None:
    releases = list(generate_releases(8, seed=2))
    before = copy.deepcopy(releases)
    for group in by_ocid(releases).values():
        compile_record(group, schema)
    assert releases == before


def test_latest_values_win_and_arrays_merge_by_id(schema) -> None:
    tender = make_release()
    update = make_release(id="r2", date="2024-03-05T10:00:00Z", tag=["tenderUpdate"])
    update["tender"] = {"id": "T1", "status": "complete",
                        "items": [{"id": "2", "description": "Mouse", "quantity": 5},
                                  {"id": "1", "quantity": 3}]}
    compiled = compile_record([update, tender], schema)  # order given does not matter
    assert compiled["id"] == "ocds-tgs001-000001-2024-03-05T10:00:00Z"
    assert compiled["tag"] == ["compiled"]
    assert compiled["tender"]["status"] == "complete"
    assert compiled["tender"]["items"] == [
        {"id": "1", "description": "Laptop", "quantity": 3},
        {"id": "2", "description": "Mouse", "quantity": 5},
    ]
    assert compiled["tender"]["value"] == {"amount": 1000, "currency": "MXN"}


def _pair(second_tender: dict[str, Any]) -> list[dict[str, Any]]:
    first = make_release()
    first["tender"]["submissionMethod"] = ["electronicSubmission", "written"]
    second = make_release(id="r2", date="2024-03-06T00:00:00Z", tender=second_tender)
    return [first, second]


@pytest.mark.parametrize("second_tender", [
    {"id": "T1", "value": None},  # null over an object: only ocdsmerge knows
    {"id": "T1", "description": None, "submissionMethod": ["written"]},  # whole-list merge
    {"id": "T1", "items": [{"description": "no id"}]},  # objects without id
    {"id": "T1", "items": [{"id": 1, "quantity": 9}]},  # integer ids
    {"id": "T1", "items": [], "value": {}},  # empty values are ignored
    {"id": "T1", "value": "not an object any more"},
])
def test_same_result_as_ocdsmerge_on_awkward_shapes(schema, second_tender) -> None:
    releases = _pair(second_tender)
    try:
        expected: Any = reference_compile(releases, schema)
    except Exception as exc:  # noqa: BLE001 (compare the failure too)
        expected = type(exc)
    try:
        ours: Any = compile_record(releases, schema)
    except Exception as exc:  # noqa: BLE001
        ours = type(exc)
    assert ours == expected


def test_duplicate_ids_warn_like_ocdsmerge(schema) -> None:
    release = make_release()
    release["tender"]["items"].append({"id": "1", "quantity": 7})
    with pytest.warns(DuplicateIdValueWarning):
        compiled = compile_record([release], schema)
    assert compiled["tender"]["items"] == [{"id": "1", "description": "Laptop", "quantity": 7}]


def test_fast_path_is_used_for_ordinary_processes(schema) -> None:
    releases = list(generate_releases(10, seed=8))
    for group in by_ocid(releases).values():
        assert fast_compile(group, schema) == reference_compile(group, schema)


def test_versioned_release_tracks_history(schema) -> None:
    first = make_release()
    second = make_release(id="r2", date="2024-03-06T00:00:00Z", tag=["tenderUpdate"])
    second["tender"] = dict(second["tender"], status="complete")
    versioned = versioned_release([first, second], schema)
    history = versioned["tender"]["status"]
    assert [(v["releaseID"], v["value"]) for v in history] == [
        ("ocds-tgs001-000001-1", "active"), ("r2", "complete")]
