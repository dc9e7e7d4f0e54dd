"""Framework agreements: several suppliers admitted per lot, published as OCDS awards."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role
from marketplace.frameworks.errors import FrameworkError, NotAllowed
from marketplace.frameworks.models import Admission, Application, ApplicationStatus, Framework
from marketplace.frameworks.services import (
    apply_to_lot,
    create_framework,
    decide_application,
)
from marketplace.frameworks.windows import next_window_start, window_at
from marketplace.publication.models import OcdsRecord, OcdsRelease
from tests.factories import make_user
from tests.framework_helpers import END, NOW, RUNNING, START, admit, framework_input, make_framework
from tests.supplier_helpers import make_supplier
from tests.tender_helpers import assert_valid

STATEMENT = "Equipo de 20 personas, 10 años de experiencia."


def test_several_suppliers_per_lot_become_one_award_each_in_valid_releases(db: Session) -> None:
    framework, buyer = make_framework(db)
    assert framework.ocid and framework.ocid.endswith(f"-fa-{framework.id}")
    first, company_a, _ = admit(db, framework, buyer, 0)
    second, company_b, _ = admit(db, framework, buyer, 0)
    third, company_c, _ = admit(db, framework, buyer, 1)

    releases = db.scalars(
        select(OcdsRelease).where(OcdsRelease.ocid == framework.ocid).order_by(OcdsRelease.sequence)
    ).all()
    assert [r.tags for r in releases] == [["tender"], ["award"], ["award"], ["award"]]
    for row in releases:
        assert_valid(row.data)
    compiled = db.get(OcdsRecord, framework.ocid).compiled  # type: ignore[union-attr]
    assert [lot["id"] for lot in compiled["tender"]["lots"]] == ["lot-1", "lot-2"]
    assert "Acuerdo marco" in compiled["tender"]["procurementMethodDetails"]
    by_lot = {}
    for award in compiled["awards"]:
        by_lot.setdefault(award["relatedLots"][0], []).append(award["suppliers"][0]["name"])
        assert award["contractPeriod"]["endDate"].startswith("2032-02-01")
    assert by_lot == {
        "lot-1": [company_a.legal_name, company_b.legal_name],
        "lot-2": [company_c.legal_name],
    }
    party_names = {p["name"] for p in compiled["parties"]}
    assert {company_a.legal_name, company_b.legal_name, company_c.legal_name} <= party_names


def test_a_rejection_needs_a_reason_and_publishes_no_award(db: Session) -> None:
    framework, buyer = make_framework(db)
    _company, user = make_supplier(db, verified=True)
    application = apply_to_lot(db, user, framework.lots[0], STATEMENT, NOW)
    with pytest.raises(FrameworkError) as refused:
        decide_application(db, buyer, application, admit=False, reason="no", now=NOW)
    assert refused.value.field == "reason"
    assert application.status == ApplicationStatus.PENDING
    decide_application(
        db, buyer, application, admit=False, reason="Sin experiencia en nube.", now=NOW
    )
    assert application.status == ApplicationStatus.REJECTED
    assert db.scalar(select(func.count()).select_from(Admission)) == 0
    assert db.get(OcdsRecord, framework.ocid).release_count == 1  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "SW"}, "title"),
        ({"end_date": START}, "end_date"),
        ({"start_date": NOW - dt.timedelta(days=1)}, "start_date"),
        ({"refresh_months": 0}, "refresh_months"),
        ({"lots": []}, "lots-0-title"),
    ],
)
def test_bad_framework_input_is_refused_and_nothing_saved(
    db: Session, overrides: dict[str, object], field: str
) -> None:
    buyer = make_user(db, Role.BUYER)
    with pytest.raises(FrameworkError) as refused:
        create_framework(db, buyer, framework_input(**overrides), NOW)
    assert refused.value.field == field
    assert db.scalar(select(func.count()).select_from(Framework)) == 0


def test_only_buyers_of_the_unit_decide_and_only_verified_suppliers_apply(db: Session) -> None:
    framework, _buyer = make_framework(db)
    supplier_user = make_supplier(db, verified=True)[1]
    with pytest.raises(NotAllowed):
        create_framework(db, supplier_user, framework_input(), NOW)
    application = apply_to_lot(db, supplier_user, framework.lots[0], STATEMENT, NOW)
    other_buyer = make_user(db, Role.BUYER)
    with pytest.raises(NotAllowed):
        decide_application(db, other_buyer, application, admit=True, reason="", now=NOW)
    with pytest.raises(NotAllowed):
        apply_to_lot(db, other_buyer, framework.lots[0], STATEMENT, NOW)
    pending_user = make_supplier(db, verified=False)[1]
    with pytest.raises(FrameworkError, match="verified"):
        apply_to_lot(db, pending_user, framework.lots[0], STATEMENT, NOW)
    with pytest.raises(FrameworkError, match="already applied"):
        apply_to_lot(db, supplier_user, framework.lots[0], STATEMENT, NOW)
    assert db.scalar(select(func.count()).select_from(Application)) == 1


def test_applications_only_while_a_window_is_open(db: Session) -> None:
    framework, _buyer = make_framework(db)
    assert window_at(framework, NOW) == 0
    assert window_at(framework, RUNNING) is None
    assert next_window_start(framework, RUNNING) == dt.datetime(2030, 8, 1)
    assert window_at(framework, dt.datetime(2030, 8, 15)) == 1
    assert window_at(framework, dt.datetime(2031, 2, 2)) == 2
    assert window_at(framework, END) is None
    user = make_supplier(db, verified=True)[1]
    with pytest.raises(FrameworkError, match="closed"):
        apply_to_lot(db, user, framework.lots[0], STATEMENT, RUNNING)
    application = apply_to_lot(db, user, framework.lots[0], STATEMENT, dt.datetime(2030, 8, 15))
    assert application.window == 1
