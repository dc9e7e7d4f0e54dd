"""Builders for the contract tests (and the integration and asset tests): an active award
on an opened tender, and a signed contract, through the real services.

The award row is written directly (the award services are another topic's; contracts
only read active awards): a verified supplier's bid is opened, marked valid, and awarded
lot 1 at its bid price.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.awards.models import Award, AwardStatus
from marketplace.bids.models import Bid
from marketplace.bids.opening import mark_valid, open_bids
from marketplace.contracts.models import Contract
from marketplace.contracts.services import DocumentInput, SignInput, sign_contract
from marketplace.suppliers.models import Supplier
from marketplace.tenders.models import Tender
from tests.bid_helpers import DEADLINE, SECRET, bid_input, bidder, place_bid, tendering

OPENED_AT = DEADLINE + dt.timedelta(hours=1)
AWARDED_AT = DEADLINE + dt.timedelta(days=1)
#: When :func:`signed_contract` signs, and the contract period it gives.
SIGNED_AT = DEADLINE + dt.timedelta(days=12)
PERIOD_START = DEADLINE + dt.timedelta(days=15)
PERIOD_END = PERIOD_START + dt.timedelta(days=365)
#: Lot 1's price in :func:`tests.bid_helpers.bid_input` (300 notebooks).
LOT1_PRICE = Decimal("1500000.00")
LOT2_PRICE = Decimal("420000.50")


def opened_tender(db: Session) -> tuple[Tender, User, list[tuple[Supplier, User, Bid]]]:
    """A tender (two lots) whose bids from two verified suppliers were opened and marked
    valid; returns (tender, its buyer, [(supplier, supplier user, bid)])."""
    tender, owner = tendering(db)
    bidders = []
    for prices in ({"lot-1": "1500000.00", "lot-2": "420000.50"}, {"lot-1": "1600000.00"}):
        supplier, user = bidder(db)
        bid = place_bid(db, tender, user, bid_input(prices))
        bidders.append((supplier, user, bid))
    open_bids(db, tender, owner, secret=SECRET, now=OPENED_AT)
    for _s, _u, bid in bidders:
        mark_valid(db, bid, owner, now=OPENED_AT)
    return tender, owner, bidders


def make_award(
    db: Session,
    tender: Tender,
    bid: Bid,
    *,
    lot: str = "lot-1",
    value: Decimal = LOT1_PRICE,
    status: AwardStatus = AwardStatus.ACTIVE,
) -> Award:
    count = db.scalar(select(func.count(Award.id)).where(Award.tender_id == tender.id)) or 0
    award = Award(
        tender_id=tender.id,
        tender=tender,
        local_id=f"award-{count + 1}",
        related_lot=lot,
        bid_id=bid.id,
        supplier_id=bid.supplier_id,
        supplier=bid.supplier,
        status=status,
        title=f"Adjudicación {lot}",
        value_amount=value,
        currency=tender.currency,
        date=AWARDED_AT,
        standstill_end=AWARDED_AT + dt.timedelta(days=10),
    )
    db.add(award)
    db.flush()
    return award


def active_award(db: Session) -> tuple[Award, User, User]:
    """An active award of lot 1 to the lowest bidder; (award, buyer, supplier user)."""
    tender, owner, bidders = opened_tender(db)
    _supplier, user, bid = bidders[0]
    return make_award(db, tender, bid), owner, user


def sign_input(**overrides: Any) -> SignInput:
    values: dict[str, Any] = {
        "period_start": PERIOD_START,
        "period_end": PERIOD_END,
        "value": None,
        "date_signed": SIGNED_AT,
        "title": "Suministro de 300 computadoras portátiles",
        "documents": [
            DocumentInput("Contrato firmado", "https://example.org/contrato-1.pdf"),
        ],
    }
    values.update(overrides)
    return SignInput(**values)


def signed_contract(db: Session, **overrides: Any) -> tuple[Contract, User, User]:
    """A contract signed for an active award (lot 1, 300 notebooks at 1,500,000 MXN);
    returns (contract, buyer, supplier user)."""
    award, owner, user = active_award(db)
    contract = sign_contract(db, award, owner, sign_input(**overrides), now=SIGNED_AT)
    return contract, owner, user
