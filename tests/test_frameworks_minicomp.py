"""Mini-competition call-offs: the lot's admitted suppliers quote in a short sealed-bid
round run by the ordinary tender, bid, award and contract services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.assets.models import Asset
from marketplace.awards.services import decide_award
from marketplace.bids.errors import BidError
from marketplace.bids.opening import open_bids
from marketplace.bids.services import submit_bid
from marketplace.contracts.services import DocumentInput, SignInput, sign_contract
from marketplace.frameworks.calloff_models import CallOff
from marketplace.frameworks.catalogue import ListingInput, add_listing, change_price
from marketplace.frameworks.errors import FrameworkError
from marketplace.frameworks.minicomp import MiniInput, running_competition, start_mini_competition
from marketplace.publication.models import OcdsRecord, OcdsRelease
from marketplace.tenders.models import Tender
from marketplace.tenders.workflow import tick
from tests.bid_helpers import SECRET, bid_input
from tests.framework_helpers import END, RUNNING, admit, make_framework
from tests.supplier_helpers import make_supplier
from tests.tender_helpers import assert_valid


def _lot_with_two(db: Session):  # type: ignore[no-untyped-def]
    framework, owner = make_framework(db)
    first, _a, user_a = admit(db, framework, owner)
    second, _b, user_b = admit(db, framework, owner)
    return framework, owner, (first, user_a), (second, user_b)


def mini(**overrides: object) -> MiniInput:
    values: dict[str, object] = {
        "description": "Migración del portal de trámites a contenedores",
        "quantity": "1", "unit": "servicio", "days": 5,
    }  # fmt: skip
    values.update(overrides)
    return MiniInput(**values)  # type: ignore[arg-type]


def test_mini_competition_end_to_end_awards_the_cheapest_and_feeds_the_register(
    db: Session,
) -> None:
    framework, owner, (first, user_a), (second, user_b) = _lot_with_two(db)
    listing = add_listing(
        db, user_a, first, ListingInput("Ingeniero DevOps", "Nube", "900", "hora"), RUNNING
    )
    calloff = start_mini_competition(db, owner, framework.lots[0], mini(), RUNNING)
    tender = db.get(Tender, calloff.tender_id)
    assert tender is not None and tender.state.value == "active.tendering"
    assert {i.supplier_org_id for i in tender.invitations} == {
        user_a.organisation_id,
        user_b.organisation_id,
    }
    # Prices are frozen while the round takes bids.
    assert running_competition(db, framework.lots[0], RUNNING) is calloff
    with pytest.raises(FrameworkError, match="frozen") as frozen:
        change_price(db, user_a, listing, "700", RUNNING + dt.timedelta(hours=1))
    assert frozen.value.field == "unit_price" and listing.unit_price == Decimal("900.00")
    # A supplier not admitted to the lot cannot quote.
    _outsider, outsider_user = make_supplier(db, verified=True)
    with pytest.raises(BidError, match="Only invited suppliers"):
        submit_bid(db, tender, outsider_user, bid_input({"": "100000"}), secret=SECRET,
                   now=RUNNING + dt.timedelta(hours=2))  # fmt: skip
    quote_at = RUNNING + dt.timedelta(days=1)
    submit_bid(db, tender, user_a, bid_input({"": "180000"}), secret=SECRET, now=quote_at)
    cheapest = submit_bid(
        db, tender, user_b, bid_input({"": "150000"}), secret=SECRET, now=quote_at
    )
    after = RUNNING + dt.timedelta(days=5, minutes=1)
    assert tick(db, after) == 1 and tender.state.value == "evaluation"
    assert running_competition(db, framework.lots[0], after) is None
    change_price(db, user_a, listing, "700", after)
    open_bids(db, tender, owner, secret=SECRET, now=after)
    award = decide_award(db, cheapest, "", owner, now=after, standstill_days=3)
    signed_at = after + dt.timedelta(days=4)
    contract = sign_contract(
        db, award, owner,
        SignInput(period_start=signed_at, period_end=signed_at + dt.timedelta(days=90),
                  date_signed=signed_at, documents=[DocumentInput("Contrato", "https://x.example/c.pdf")]),
        now=signed_at,
    )  # fmt: skip
    assert tender.state.value == "complete" and award.supplier_id == second.supplier_id
    assert db.scalars(select(Asset).where(Asset.contract_id == contract.id)).one()
    rows = db.scalars(select(OcdsRelease).where(OcdsRelease.ocid == tender.ocid)).all()
    for row in rows:
        assert_valid(row.data)
        # Full snapshots point to the framework; a bid's delta release (only its
        # bids entry, marketplace/bids/releases.py) merges into the record that does.
        if "parties" in row.data:
            assert row.data["relatedProcesses"][0]["identifier"] == framework.ocid
    assert sum("parties" in row.data for row in rows) >= 5
    compiled = db.get(OcdsRecord, tender.ocid).compiled  # type: ignore[union-attr]
    assert compiled["relatedProcesses"][0]["identifier"] == framework.ocid
    assert compiled["tender"]["procurementMethod"] == "limited"
    assert compiled["awards"][0]["value"]["amount"] == 150000


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"days": 1}, "days"),
        ({"quantity": "-1"}, "quantity"),
        ({"description": "poco"}, "description"),
    ],
)
def test_bad_mini_competitions_are_refused_and_nothing_saved(
    db: Session, overrides: dict[str, object], field: str
) -> None:
    framework, owner, _a, _b = _lot_with_two(db)
    before = db.scalar(select(func.count()).select_from(Tender))
    with pytest.raises(FrameworkError) as refused:
        start_mini_competition(db, owner, framework.lots[0], mini(**overrides), RUNNING)
    assert refused.value.field == field
    assert db.scalar(select(func.count()).select_from(Tender)) == before
    assert db.scalar(select(func.count()).select_from(CallOff)) == 0


def test_no_mini_competition_with_one_supplier_or_after_expiry(db: Session) -> None:
    framework, owner = make_framework(db)
    admit(db, framework, owner)
    with pytest.raises(FrameworkError, match="at least two"):
        start_mini_competition(db, owner, framework.lots[0], mini(), RUNNING)
    admit(db, framework, owner)
    with pytest.raises(FrameworkError, match="expired"):
        start_mini_competition(db, owner, framework.lots[0], mini(), END)


def test_buyer_page_starts_a_round_and_re_shows_bad_input(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # Running by the real clock: it started yesterday and ends in a year.
    from marketplace.db import utcnow
    from marketplace.frameworks.models import Framework
    from tests.factories import login_as, post_form
    from tests.supplier_helpers import english

    framework, owner, _a, _b = _lot_with_two(db)
    now = utcnow()
    db.get(Framework, framework.id).start_date = now - dt.timedelta(days=1)  # type: ignore[union-attr]
    db.get(Framework, framework.id).end_date = now + dt.timedelta(days=365)  # type: ignore[union-attr]
    db.commit()
    english(client)
    login_as(client, owner)
    url = f"/buyer/frameworks/lots/{framework.lots[0].id}/mini"
    typed = {"description": "Migración del portal a contenedores", "quantity": "1",
             "unit": "servicio", "days": "30"}  # fmt: skip
    bad = post_form(client, url, typed)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "between 2 and 15 days" in html
    assert "Migración del portal a contenedores" in html
    assert db.scalar(select(func.count()).select_from(CallOff)) == 0
    made = post_form(client, url, {**typed, "days": "5"})
    assert made.status_code == 302
    calloff = db.scalars(select(CallOff)).one()
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert calloff.tender.title in page
