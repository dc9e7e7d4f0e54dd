"""Builders for the sealed-bid tests: a tender receiving bids, verified suppliers, bids."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.bids.models import Bid
from marketplace.bids.services import BidInput, DocumentUpload, PriceInput, submit_bid
from marketplace.suppliers.models import Supplier
from marketplace.tenders.models import Tender
from marketplace.tenders.rules import LotInput
from marketplace.tenders.services import publish_tender
from tests.supplier_helpers import PDF, make_supplier
from tests.tender_helpers import NOW, buyer, drafted_tender

SECRET = "test-bid-secret"
#: The tender built by :func:`tendering` takes bids until this instant.
DEADLINE = NOW + dt.timedelta(days=20)


def below_gate(**overrides: Any) -> dict[str, Any]:
    """Tender overrides: no enquiry period, and an estimate under the business-case gate
    (bids do not depend on business cases)."""
    values: dict[str, Any] = {
        "enquiry_end": None,
        "value_amount": Decimal("450000"),
        "lots": [LotInput("Portátiles", "", Decimal("300000")), LotInput("Monitores")],
    }
    values.update(overrides)
    return values


def tendering(db: Session, now: dt.datetime = NOW, **overrides: Any) -> tuple[Tender, User]:
    """A published tender receiving bids from ``now``, two lots, and its buyer."""
    owner = buyer(db)
    tender = drafted_tender(db, owner, now, **below_gate(**overrides))
    publish_tender(db, tender, owner, now=now)
    return tender, owner


def bidder(db: Session, verified: bool = True) -> tuple[Supplier, User]:
    return make_supplier(db, verified=verified)


def bid_input(
    prices: dict[str, str | Decimal | None] | None = None,
    note: str = "Equipos con garantía de tres años.",
    declarations: bool = True,
    documents: list[tuple[str, bytes]] | None = None,
) -> BidInput:
    chosen = prices if prices is not None else {"lot-1": "1500000.00", "lot-2": "420000.50"}
    return BidInput(
        prices=[PriceInput(lot, amount) for lot, amount in chosen.items()],
        technical_note=note,
        declarations_accepted=declarations,
        documents=[DocumentUpload(n, d) for n, d in (documents or [("ficha.pdf", PDF)])],
    )


def place_bid(
    db: Session,
    tender: Tender,
    user: User,
    data: BidInput | None = None,
    now: dt.datetime = NOW + dt.timedelta(days=1),
) -> Bid:
    return submit_bid(db, tender, user, data or bid_input(), secret=SECRET, now=now)
