"""Each Data Review check on a valid release and on a release that breaks it."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from ocds.schema import Extension, build_schema
from ocds.synthetic import generate_releases
from ocds.validate import validate_release

from .conftest import make_release


def findings(release: dict[str, Any], schema, **options: Any) -> set[tuple[str, str, str]]:
    result = validate_release(release, schema, **options)
    return {(f.check, f.path, f.severity) for f in result.findings}


def test_a_complete_release_has_no_finding(schema) -> None:
    result = validate_release(make_release(), schema)
    assert result.valid and result.findings == []


def test_generated_processes_are_valid(schema) -> None:
    for release in generate_releases(60, seed=7):
        result = validate_release(release, schema)
        assert result.findings == [], (release["id"], result.findings)


def test_schema_errors_carry_json_paths(schema) -> None:
    release = make_release()
    release["tender"]["items"][0]["quantity"] = "two"
    del release["initiationType"]
    result = validate_release(release, schema)
    assert not result.valid
    paths = {(f.path, f.check) for f in result.errors}
    assert ("tender/items/0/quantity", "schema") in paths
    assert ("", "schema") in paths  # a missing required field is reported on its parent
    assert any("initiationType" in f.message for f in result.errors)


def test_not_an_object(schema) -> None:
    result = validate_release(["not", "a", "release"], schema)
    assert not result.valid and result.errors[0].path == ""


def test_closed_codelist_with_enum_is_left_to_the_schema(schema) -> None:
    release = make_release(bids={"details": [{"id": "b1", "status": "sealed"}]})
    result = validate_release(release, schema)
    assert [(f.path, f.check) for f in result.findings] == [("bids/details/0/status", "schema")]


def test_closed_codelist_without_enum_is_an_error(schema, tmp_path) -> None:
    ext = tmp_path / "colour"
    (ext / "codelists").mkdir(parents=True)
    (ext / "codelists" / "colour.csv").write_text("Code,Title\nred,Red\ngreen,Green\n")
    patch = {"definitions": {"Tender": {"properties": {"colour": {
        "type": "string", "codelist": "colour.csv", "openCodelist": False}}}}}
    (ext / "release-schema.json").write_text(json.dumps(patch))
    patched = build_schema(schema.schema_dir, [*schema.extensions, Extension("colour", ext)])
    release = make_release()
    release["tender"]["colour"] = "red"
    assert validate_release(release, patched).findings == []
    release["tender"]["colour"] = "blue"
    result = validate_release(release, patched)
    assert [(f.path, f.check, f.severity) for f in result.findings] == [
        ("tender/colour", "codelist", "error")]
    assert "colour.csv" in result.findings[0].message


def test_open_codelist_value_is_a_warning(schema) -> None:
    release = make_release()
    release["parties"][0]["roles"].append("auditor")
    release["tender"]["items"][0]["classification"] = {"scheme": "MY-OWN", "id": "1"}
    result = validate_release(release, schema)
    assert result.valid
    assert {(f.check, f.path, f.severity) for f in result.findings} == {
        ("codelist", "parties/0/roles/2", "warning"),
        ("codelist", "tender/items/0/classification/scheme", "warning"),
    }


def test_date_time_format(schema) -> None:
    release = make_release(date="2024-02-30T10:00:00Z")
    assert ("format", "date", "error") in findings(release, schema)
    release = make_release(date="1 March 2024")
    assert ("format", "date", "error") in findings(release, schema)


def test_ocid_prefix(schema) -> None:
    assert findings(make_release(), schema, ocid_prefix="ocds-tgs001") == set()
    assert ("ocid-prefix", "ocid", "error") in findings(
        make_release(), schema, ocid_prefix="ocds-other1")
    release = make_release(ocid="my-process-1")
    assert findings(release, schema) == {("ocid-prefix", "ocid", "warning")}


@pytest.mark.parametrize("period", ["tenderPeriod", "enquiryPeriod", "awardPeriod"])
def test_tender_periods_in_order(schema, period: str) -> None:
    release = make_release()
    release["tender"][period] = {"startDate": "2024-03-10T00:00:00Z",
                                 "endDate": "2024-03-01T00:00:00Z"}
    assert ("dates-order", f"tender/{period}/endDate", "error") in findings(release, schema)
    release["tender"][period]["endDate"] = "2024-03-10T00:00:00Z"  # same instant is fine
    assert findings(release, schema) == set()


def _awarded(**award_changes: Any) -> dict[str, Any]:
    release = make_release(tag=["contract"])
    award = {"id": "A1", "status": "active", "date": "2024-03-25T00:00:00Z",
             "suppliers": [{"id": "S1", "name": "Proveedor Uno"}],
             "value": {"amount": 900, "currency": "MXN"}}
    award.update(award_changes)
    release["awards"] = [award]
    release["contracts"] = [{"id": "C1", "awardID": "A1", "status": "active",
                             "dateSigned": "2024-04-01T00:00:00Z",
                             "period": {"startDate": "2024-04-01T00:00:00Z",
                                        "endDate": "2025-04-01T00:00:00Z"}}]
    return release


def test_award_and_contract_dates(schema) -> None:
    assert findings(_awarded(), schema) == set()
    early = _awarded(date="2024-02-01T00:00:00Z")
    assert findings(early, schema) == {("dates-order", "awards/0/date", "warning")}
    late_award = _awarded(date="2024-04-05T00:00:00Z")
    assert findings(late_award, schema) == {("dates-order", "contracts/0/dateSigned", "warning")}
    backwards = _awarded()
    backwards["contracts"][0]["period"]["endDate"] = "2023-01-01T00:00:00Z"
    assert findings(backwards, schema) == {("dates-order", "contracts/0/period/endDate",
                                            "error")}


def test_organization_references_resolve_to_parties(schema) -> None:
    release = _awarded(suppliers=[{"id": "S9", "name": "Nadie"}])
    release["buyer"] = {"id": "B7"}
    assert findings(release, schema) == {
        ("party-reference", "awards/0/suppliers/0/id", "error"),
        ("party-reference", "buyer/id", "error"),
    }
    release = make_release(bids={"details": [{"id": "b1", "tenderers": [{"id": "X"}]}]})
    assert ("party-reference", "bids/details/0/tenderers/0/id", "error") in findings(
        release, schema)


def test_party_roles_are_checked_as_warnings(schema) -> None:
    release = _awarded()
    release["parties"][1]["roles"] = ["tenderer"]
    assert findings(release, schema) == {("party-role", "awards/0/suppliers/0/id", "warning")}


def test_contract_award_id_resolves(schema) -> None:
    release = _awarded()
    release["contracts"][0]["awardID"] = "A2"
    assert findings(release, schema) == {("award-reference", "contracts/0/awardID", "error")}
    del release["awards"]
    assert findings(release, schema) == {("award-reference", "contracts/0/awardID", "warning")}


def test_amounts_non_negative_with_currency(schema) -> None:
    release = _awarded(value={"amount": -1, "currency": "MXN"})
    assert findings(release, schema) == {("amount", "awards/0/value/amount", "error")}
    release = _awarded(value={"amount": 10})
    assert findings(release, schema) == {("amount", "awards/0/value/currency", "error")}


def test_duplicate_ids_in_one_array(schema) -> None:
    release = make_release()
    release["tender"]["items"].append(dict(release["tender"]["items"][0], quantity=3))
    assert findings(release, schema) == {("duplicate-id", "tender/items/1/id", "error")}


def test_the_release_is_not_modified(schema) -> None:
    release = _awarded(value={"amount": -1})
    before = copy.deepcopy(release)
    validate_release(release, schema)
    assert release == before


def test_related_lots_resolve_to_tender_lots(schema) -> None:
    release = _awarded(relatedLots=["L1"])
    release["tender"]["lots"] = [{"id": "L1", "title": "Única"}]
    release["tender"]["items"][0]["relatedLot"] = "L1"
    assert findings(release, schema) == set()
    release["tender"]["items"][0]["relatedLot"] = "L2"
    release["awards"][0]["relatedLots"] = ["L1", "L3"]
    assert findings(release, schema) == {
        ("lot-reference", "tender/items/0/relatedLot", "error"),
        ("lot-reference", "awards/0/relatedLots/1", "error"),
    }
    del release["tender"]["lots"]  # lots published in an earlier release: nothing to check
    assert findings(release, schema) == set()


def test_party_scale_codes_are_checked_without_the_extension_schema(schema) -> None:
    release = make_release()
    first = len(release["parties"])
    release["parties"] += [
        {"id": "A", "name": "A", "roles": ["tenderer"], "details": {"scale": "sme"}},
        {"id": "B", "name": "B", "roles": ["tenderer"], "details": {"scale": "medium"}},
        {"id": "C", "name": "C", "roles": ["tenderer"], "details": {"scale": None}},
        {"id": "D", "name": "D", "roles": ["tenderer"], "details": {"other": 1}},
    ]
    result = validate_release(release, schema)
    assert [(f.check, f.path) for f in result.errors] == [
        ("codelist", f"parties/{first + 1}/details/scale")
    ]
    assert "'medium'" in result.errors[0].message
