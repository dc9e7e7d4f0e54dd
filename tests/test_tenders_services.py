"""Tender services: each step publishes a valid release with the right tag; the clock
moves the tender; refusals change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import OrgKind, Role
from marketplace.publication.models import OcdsRecord, OcdsRelease
from marketplace.tenders import conversation
from marketplace.tenders.errors import NotYourProcess, TenderError
from marketplace.tenders.models import ProcurementMethod, Tender, TenderTransition
from marketplace.tenders.rules import TenderInput
from marketplace.tenders.services import (
    AmendmentInput,
    amend_tender,
    cancel_tender,
    publish_tender,
    save_draft,
    start_process,
)
from marketplace.tenders.states import TenderState
from marketplace.tenders.workflow import tick
from tests.factories import make_org, make_user
from tests.tender_helpers import (
    NOW,
    assert_valid,
    buyer,
    drafted_tender,
    started_process,
    tender_input,
)


def releases(db: Session, tender: Tender) -> list[OcdsRelease]:
    return list(
        db.scalars(
            select(OcdsRelease)
            .where(OcdsRelease.ocid == tender.ocid)
            .order_by(OcdsRelease.sequence)
        )
    )


def last(db: Session, tender: Tender) -> dict:
    data = releases(db, tender)[-1].data
    assert_valid(data)
    return data


def test_start_process_publishes_planning_release(db: Session) -> None:
    user = buyer(db)
    line, tender = started_process(db, user)
    assert tender.state == TenderState.PLANNING
    assert line.tender_id == tender.id
    release = last(db, tender)
    assert release["tag"] == ["planning"]
    assert release["planning"]["budget"]["amount"] == {"amount": 2500000, "currency": "MXN"}
    assert release["planning"]["budget"]["description"].startswith("Recursos fiscales")
    assert release["planning"]["rationale"]
    assert release["tender"]["status"] == "planned"
    assert release["buyer"]["name"] == user.organisation.name
    assert "buyer" in release["parties"][0]["roles"]
    # The draft's method and items are not public before the tender release.
    assert "procurementMethod" not in release["tender"]
    transition = db.scalar(select(TenderTransition).where(TenderTransition.tender_id == tender.id))
    assert transition is not None and transition.actor_user_id == user.id
    assert transition.from_state is None and transition.to_state == "planning"


def test_starting_a_line_twice_is_refused(db: Session) -> None:
    user = buyer(db)
    line, _tender = started_process(db, user)
    with pytest.raises(TenderError):
        start_process(db, line, user, now=NOW)


def test_publish_then_clock_moves_through_periods(db: Session) -> None:
    user = buyer(db)
    tender = drafted_tender(db, user)
    publish_tender(db, tender, user, now=NOW)
    assert tender.state == TenderState.ENQUIRIES
    assert tender.next_check_at == NOW + dt.timedelta(days=7)
    release = last(db, tender)
    assert release["tag"] == ["tender"]
    t = release["tender"]
    assert t["status"] == "active"
    assert t["procurementMethod"] == "open"
    assert t["awardCriteria"] == "ratedCriteria"
    assert [lot["id"] for lot in t["lots"]] == ["lot-1", "lot-2"]
    assert t["items"][0]["relatedLot"] == "lot-1"
    assert t["items"][0]["classification"] == {
        "scheme": "UNSPSC", "id": "43211503", "description": "Notebooks",
    }  # fmt: skip
    assert t["submissionTerms"]["electronicSubmissionPolicy"] == "required"
    assert t["enquiryPeriod"]["endDate"] == "2030-03-09T16:00:00Z"
    assert t["tenderPeriod"] == {
        "startDate": "2030-03-09T16:00:00Z",
        "endDate": "2030-03-22T16:00:00Z",
    }

    assert tick(db, NOW + dt.timedelta(days=1)) == 0
    assert tick(db, NOW + dt.timedelta(days=8)) == 1
    assert tender.state == TenderState.TENDERING
    assert last(db, tender)["tag"] == ["tenderUpdate"]
    assert tender.next_check_at == tender.tender_end
    assert tick(db, NOW + dt.timedelta(days=30)) == 1
    assert tender.state == TenderState.EVALUATION
    assert tender.next_check_at is None
    closing = db.scalars(
        select(TenderTransition)
        .where(TenderTransition.tender_id == tender.id)
        .order_by(TenderTransition.id)
    ).all()
    assert [t.to_state for t in closing] == [
        "planning",
        "active.enquiries",
        "active.tendering",
        "evaluation",
    ]
    assert closing[-1].actor_user_id is None  # the clock


def test_publishing_twice_is_refused(db: Session) -> None:
    user = buyer(db)
    tender = drafted_tender(db, user)
    publish_tender(db, tender, user, now=NOW)
    count = len(releases(db, tender))
    with pytest.raises(TenderError, match="already been published"):
        publish_tender(db, tender, user, now=NOW)
    assert len(releases(db, tender)) == count


def test_publish_rechecks_dates_at_publication(db: Session) -> None:
    user = buyer(db)
    tender = drafted_tender(db, user)
    with pytest.raises(TenderError) as err:
        publish_tender(db, tender, user, now=NOW + dt.timedelta(days=10))
    assert "enquiry_end" in err.value.errors
    assert tender.state == TenderState.PLANNING


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"weight_price": 50, "weight_quality": 20, "weight_technical": 20}, "weight_price"),
        (
            {"enquiry_end": NOW + dt.timedelta(days=9), "tender_end": NOW + dt.timedelta(days=8)},
            "tender_end",
        ),
        ({"enquiry_end": NOW - dt.timedelta(days=1)}, "enquiry_end"),
        ({"enquiry_end": None, "tender_end": NOW - dt.timedelta(hours=1)}, "tender_end"),
        (
            {"procurement_method": ProcurementMethod.DIRECT, "method_rationale": "  "},
            "method_rationale",
        ),
        ({"procurement_method": ProcurementMethod.QUICK}, "invited"),
        ({"items": []}, "items-0-description"),
    ],
)
def test_draft_refusals(db: Session, overrides: dict, field: str) -> None:
    user = buyer(db)
    _line, tender = started_process(db, user)
    with pytest.raises(TenderError) as err:
        save_draft(db, tender, user, tender_input(**overrides), now=NOW)
    assert field in err.value.errors
    assert tender.tender_end is None and tender.items == []


def test_quick_purchase_needs_three_invited_suppliers(db: Session) -> None:
    user = buyer(db)
    _line, tender = started_process(db, user)
    suppliers = [make_org(db, OrgKind.SUPPLIER) for _ in range(3)]
    data = tender_input(procurement_method=ProcurementMethod.QUICK, enquiry_end=None, lots=[],
                        invited_org_ids=[s.id for s in suppliers[:2]])  # fmt: skip
    for item in data.items:
        item.lot = None
    with pytest.raises(TenderError) as err:
        save_draft(db, tender, user, data, now=NOW)
    assert "at least 3" in str(err.value.errors["invited"])
    data.invited_org_ids = [s.id for s in suppliers]
    save_draft(db, tender, user, data, now=NOW)
    make_user(db, Role.SUPPLIER, suppliers[0])
    publish_tender(db, tender, user, now=NOW)
    assert tender.state == TenderState.TENDERING  # no enquiry period
    release = last(db, tender)
    assert release["tender"]["procurementMethod"] == "limited"
    assert "tres cotizaciones" in release["tender"]["procurementMethodDetails"]


def test_direct_award_with_justification(db: Session) -> None:
    user = buyer(db)
    tender = drafted_tender(
        db, user, procurement_method=ProcurementMethod.DIRECT, enquiry_end=None,
        method_rationale="Artículo 54 fracción I: licencias de un único titular de derechos.",
        weight_price=100, weight_quality=0, weight_technical=0,
    )  # fmt: skip
    publish_tender(db, tender, user, now=NOW)
    t = last(db, tender)["tender"]
    assert t["procurementMethod"] == "direct"
    assert t["procurementMethodRationale"].startswith("Artículo 54")
    assert t["awardCriteria"] == "priceOnly"


def test_other_unit_cannot_touch_the_tender(db: Session) -> None:
    owner = buyer(db)
    other = buyer(db)
    tender = drafted_tender(db, owner)
    count = len(releases(db, tender))
    for action in (
        lambda: save_draft(db, tender, other, tender_input(title="Hijacked"), now=NOW),
        lambda: publish_tender(db, tender, other, now=NOW),
        lambda: cancel_tender(db, tender, other, "No longer needed by us", now=NOW),
    ):
        with pytest.raises(NotYourProcess):
            action()
    assert tender.title == "Adquisición de equipo de cómputo"
    assert tender.state == TenderState.PLANNING
    assert len(releases(db, tender)) == count


def test_prebases_enquiry_amendment_cancel(db: Session) -> None:
    user = buyer(db)
    supplier = make_user(db, Role.SUPPLIER)
    tender = drafted_tender(db, user)
    conversation.open_prebases(db, tender, user, "Borrador de requisitos técnicos", "",
                               NOW + dt.timedelta(days=3), now=NOW)  # fmt: skip
    assert tender.state == TenderState.COMMENTS
    assert last(db, tender)["tag"] == ["planningUpdate"]
    comment = conversation.add_comment(
        db, tender, supplier, "¿Se aceptan equipos de 13 pulgadas?", now=NOW
    )
    conversation.answer_comment(
        db, tender, user, comment.id, "Sí, a partir de 13.3 pulgadas.", now=NOW
    )
    docs = last(db, tender)["tender"]["documents"]
    assert [d["documentType"] for d in docs] == ["technicalSpecifications", "clarifications"]
    with pytest.raises(TenderError, match="still open"):
        publish_tender(db, tender, user, now=NOW)
    later = NOW + dt.timedelta(days=4)
    with pytest.raises(TenderError, match="not open for comments"):
        conversation.add_comment(db, tender, supplier, "Otro comentario tardío", now=later)
    assert tender.state == TenderState.PLANNING  # the read applied the due transition
    save_draft(db, tender, user, tender_input(later), now=later)
    publish_tender(db, tender, user, now=later)

    enquiry = conversation.ask(
        db, tender, supplier, "¿Incluye garantía extendida?", "lot-1", now=later
    )
    conversation.answer_enquiry(db, tender, user, enquiry.id, "Sí, tres años en sitio.", now=later)
    release = last(db, tender)
    assert release["tag"] == ["tenderUpdate"]
    assert release["tender"]["hasEnquiries"] is True
    assert any(d["id"] == "enquiry-1" for d in release["tender"]["documents"])
    with pytest.raises(TenderError, match="already been answered"):
        conversation.answer_enquiry(db, tender, user, enquiry.id, "Otra vez", now=later)

    new_end = tender.tender_end + dt.timedelta(days=5)
    amendment = amend_tender(
        db, tender, user,
        AmendmentInput(rationale="Más tiempo para cotizar", tender_end=new_end, material=True),
        now=later,
    )  # fmt: skip
    release = last(db, tender)
    assert release["tag"] == ["tenderAmendment"]
    assert release["tender"]["amendments"][0]["rationale"] == "Más tiempo para cotizar"
    assert "sustancial" in release["tender"]["amendments"][0]["description"]
    assert amendment.material and amendment.release_id == release["id"]
    assert release["tender"]["tenderPeriod"]["endDate"] == new_end.isoformat() + "Z"

    cancel_tender(db, tender, user, "El área requirente canceló la necesidad.", now=later)
    release = last(db, tender)
    assert release["tag"] == ["tenderCancellation"]
    assert release["tender"]["status"] == "cancelled"
    assert tender.next_check_at is None
    with pytest.raises(TenderError, match="Only a tender open"):
        amend_tender(
            db, tender, user, AmendmentInput(rationale="x", value_amount=Decimal(1)), now=later
        )
    record = db.get(OcdsRecord, tender.ocid)
    assert record is not None and record.compiled["tender"]["status"] == "cancelled"
    count = db.scalar(
        select(func.count()).select_from(OcdsRelease).where(OcdsRelease.ocid == tender.ocid)
    )
    assert count == len(releases(db, tender))


def test_supplier_only_asks_during_enquiry_period(db: Session) -> None:
    user = buyer(db)
    supplier = make_user(db, Role.SUPPLIER)
    tender = drafted_tender(db, user)
    with pytest.raises(TenderError):
        conversation.ask(db, tender, supplier, "¿Pregunta antes de publicar?", now=NOW)
    publish_tender(db, tender, user, now=NOW)
    with pytest.raises(TenderError, match="Only supplier"):
        conversation.ask(db, tender, buyer(db), "Una pregunta de un comprador", now=NOW)
    with pytest.raises(TenderError, match="only during the enquiry"):
        conversation.ask(db, tender, supplier, "Pregunta tardía", now=NOW + dt.timedelta(days=8))
    assert tender.state == TenderState.TENDERING


def test_blank_input_is_the_default_dataclass(db: Session) -> None:
    assert TenderInput().weight_price == 100


def test_opportunities_match_categories_by_unspsc_prefix(db: Session) -> None:
    from marketplace.tenders.queries import category_prefix, opportunities

    user = buyer(db)
    tender = drafted_tender(db, user)
    publish_tender(db, tender, user, now=NOW)
    supplier_org = make_org(db, OrgKind.SUPPLIER)
    assert category_prefix("43210000") == "4321"
    found = opportunities(db, supplier_org.id, ["43210000"], NOW + dt.timedelta(hours=1))
    assert tender in found  # items 43211503 and 43211902 are in family 4321
    assert tender not in opportunities(db, supplier_org.id, ["81110000"], NOW)
    assert tender not in opportunities(db, supplier_org.id, [], NOW)


def test_registered_release_parts_join_every_release(db: Session) -> None:
    from marketplace.tenders import workflow

    def part(session: Session, tender: Tender, release: dict) -> None:
        release["tender"]["numberOfTenderers"] = 0

    workflow.release_part(part)
    try:
        user = buyer(db)
        _line, tender = started_process(db, user)
        assert last(db, tender)["tender"]["numberOfTenderers"] == 0
    finally:
        workflow._RELEASE_PARTS.pop(f"{part.__module__}.{part.__qualname__}")
