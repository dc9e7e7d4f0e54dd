"""Issue #4's bad input not covered elsewhere: a supplier who was not invited to a
restricted process (a quick purchase) is refused, on the service and on the bid page,
with a clear message and nothing saved."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.bids.errors import BidError
from marketplace.bids.models import Bid
from marketplace.db import utcnow
from marketplace.suppliers.models import Supplier
from marketplace.tenders.models import ProcurementMethod, Tender
from tests.bid_helpers import bidder, place_bid, tendering
from tests.factories import csrf_token, login_as
from tests.supplier_helpers import PDF


def _bids(db: Session, tender: Tender) -> int:
    return db.scalar(select(func.count(Bid.id)).where(Bid.tender_id == tender.id)) or 0


def quick_purchase(db: Session, **overrides: object) -> tuple[Tender, list[tuple[Supplier, User]]]:
    """A quick purchase receiving bids, with three invited suppliers (company, user)."""
    invited = [bidder(db) for _ in range(3)]
    tender, _owner = tendering(
        db, procurement_method=ProcurementMethod.QUICK, enquiry_end=None,
        invited_org_ids=[s.organisation_id for s, _u in invited], **overrides,
    )  # fmt: skip
    return tender, invited


def test_an_uninvited_supplier_cannot_bid_in_a_quick_purchase(db: Session) -> None:
    tender, invited = quick_purchase(db)
    _outsider, outsider = bidder(db)
    with pytest.raises(BidError, match="Only invited suppliers may bid"):
        place_bid(db, tender, outsider)
    assert _bids(db, tender) == 0
    place_bid(db, tender, invited[0][1])
    assert _bids(db, tender) == 1


def test_the_bid_page_tells_an_uninvited_supplier_why(client: FlaskClient, db: Session) -> None:
    client.set_cookie("lang", "en")
    tender, invited = quick_purchase(db, now=utcnow().replace(microsecond=0))
    _outsider, outsider = bidder(db)
    db.commit()
    url = f"/supplier/tenders/{tender.id}/bid"
    login_as(client, invited[0][1])
    assert "Only invited suppliers" not in client.get(url).get_data(as_text=True)
    login_as(client, outsider)
    page = client.get(url).get_data(as_text=True)
    assert "Only invited suppliers may bid in this process." in page
    assert 'name="prices-0"' not in page  # no form to fill in for nothing
    token = csrf_token(client, "/supplier/bids")
    refused = client.post(url, data={
        "csrf_token": token, "prices-0": "1000", "technical_note": "Nota", "declarations": "y",
        "documents": (io.BytesIO(PDF), "ficha.pdf"),
    }, content_type="multipart/form-data")  # fmt: skip
    assert refused.status_code == 422
    assert "Only invited suppliers may bid" in refused.get_data(as_text=True)
    assert _bids(db, tender) == 0
