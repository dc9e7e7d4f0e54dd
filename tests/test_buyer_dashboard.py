"""The buyer's dashboard names the next step around the evaluation: open the bids once
the deadline has passed, sign the contract of an award whose standstill is over; each
links to the page where it is done, and another unit's buyer sees none of it."""

from __future__ import annotations

import datetime as dt
import html

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role
from marketplace.contracts.services import DocumentInput, SignInput, sign_contract
from marketplace.db import utcnow
from tests.bid_helpers import DEADLINE, bidder, place_bid, tendering
from tests.contract_helpers import active_award, past_start
from tests.factories import login_as, make_user
from tests.tender_helpers import NOW


def dashboard(client: FlaskClient) -> str:
    client.set_cookie("lang", "en")
    return html.unescape(client.get("/buyer/").get_data(as_text=True))


def test_bids_to_open_once_the_deadline_has_passed(client: FlaskClient, db: Session) -> None:
    start = utcnow().replace(microsecond=0) - dt.timedelta(days=25)
    tender, owner = tendering(db, start)
    _supplier, user = bidder(db)
    place_bid(db, tender, user, now=start + (DEADLINE - NOW) - dt.timedelta(days=2))
    db.commit()
    login_as(client, owner)
    page = dashboard(client)  # the read applies the deadline: the tender is in evaluation
    assert f'<a href="/buyer/tenders/{tender.id}/bids">Open the bids</a>' in page
    login_as(client, make_user(db, Role.BUYER))
    assert f"/buyer/tenders/{tender.id}/bids" not in dashboard(client)


def test_contract_to_sign_until_it_is_signed(client: FlaskClient, db: Session) -> None:
    award, owner, _user = active_award(db, past_start())
    db.commit()
    login_as(client, owner)
    sign = f"/buyer/awards/{award.id}/contract"
    page = dashboard(client)
    assert f'<a href="{sign}">Sign the contract: {award.title}</a>' in page
    login_as(client, make_user(db, Role.BUYER))
    assert sign not in dashboard(client)

    now = utcnow().replace(microsecond=0)
    sign_contract(
        db, award, owner,
        SignInput(period_start=now, period_end=now + dt.timedelta(days=90),
                  documents=[DocumentInput("Contrato", "https://example.org/c.pdf")]),
        now=now,
    )  # fmt: skip
    db.commit()
    login_as(client, owner)
    assert sign not in dashboard(client)
