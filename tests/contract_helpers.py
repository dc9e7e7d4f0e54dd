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
from marketplace.db import utcnow
from marketplace.suppliers.models import Supplier
from marketplace.tenders.models import Tender
from tests.bid_helpers import SECRET, bid_input, bidder, place_bid, tendering
from tests.tender_helpers import NOW

# The clock of a contract's life, from the tender's publication (``start``).


def opened_at(start: dt.datetime = NOW) -> dt.datetime:
    return start + dt.timedelta(days=20, hours=1)


def awarded_at(start: dt.datetime = NOW) -> dt.datetime:
    return start + dt.timedelta(days=21)


def signed_at(start: dt.datetime = NOW) -> dt.datetime:
    return start + dt.timedelta(days=32)


def period(start: dt.datetime = NOW) -> tuple[dt.datetime, dt.datetime]:
    begin = start + dt.timedelta(days=35)
    return begin, begin + dt.timedelta(days=365)


#: For a tender published at ``tests.tender_helpers.NOW`` (the service tests).
OPENED_AT = opened_at()
AWARDED_AT = awarded_at()
SIGNED_AT = signed_at()
PERIOD_START, PERIOD_END = period()
#: A tender published this long before the real clock has its contract signed 28 days
#: ago (for page tests, whose services use the real clock).
PAST_START = dt.timedelta(days=60)
#: Lot prices of the winning bid (lot 1: 300 notebooks; lot 2: 100 monitors).
LOT1_PRICE = Decimal("1500000.00")
LOT2_PRICE = Decimal("420000.50")


def past_start() -> dt.datetime:
    """A publication date putting a whole contract life before the real clock."""
    return utcnow().replace(microsecond=0) - PAST_START


def opened_tender(
    db: Session, start: dt.datetime = NOW
) -> tuple[Tender, User, list[tuple[Supplier, User, Bid]]]:
    """A tender (two lots) published at ``start`` whose bids from two verified suppliers
    were opened and marked valid; returns (tender, its buyer, [(supplier, user, bid)])."""
    tender, owner = tendering(db, start)
    bidders = []
    for prices in ({"lot-1": "1500000.00", "lot-2": "420000.50"}, {"lot-1": "1600000.00"}):
        supplier, user = bidder(db)
        bid = place_bid(db, tender, user, bid_input(prices), now=start + dt.timedelta(days=1))
        bidders.append((supplier, user, bid))
    open_bids(db, tender, owner, secret=SECRET, now=opened_at(start))
    for _s, _u, bid in bidders:
        mark_valid(db, bid, owner, now=opened_at(start))
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
    awarded = tender.tender_end + dt.timedelta(days=1) if tender.tender_end else utcnow()
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
        date=awarded,
        standstill_end=awarded + dt.timedelta(days=10),
    )
    db.add(award)
    db.flush()
    return award


def active_award(db: Session, start: dt.datetime = NOW) -> tuple[Award, User, User]:
    """An active award of lot 1 to the lowest bidder; (award, buyer, supplier user)."""
    tender, owner, bidders = opened_tender(db, start)
    _supplier, user, bid = bidders[0]
    return make_award(db, tender, bid), owner, user


def sign_input(start: dt.datetime = NOW, **overrides: Any) -> SignInput:
    begin, end = period(start)
    values: dict[str, Any] = {
        "period_start": begin,
        "period_end": end,
        "value": None,
        "date_signed": signed_at(start),
        "title": "Suministro de 300 computadoras portátiles",
        "documents": [
            DocumentInput("Contrato firmado", "https://example.org/contrato-1.pdf"),
        ],
    }
    values.update(overrides)
    return SignInput(**values)


def signed_contract(
    db: Session, start: dt.datetime = NOW, **overrides: Any
) -> tuple[Contract, User, User]:
    """A contract signed for an active award (lot 1, 300 notebooks at 1,500,000 MXN) of
    a tender published at ``start`` (:func:`past_start` for page tests); returns
    (contract, buyer, supplier user)."""
    award, owner, user = active_award(db, start)
    contract = sign_contract(db, award, owner, sign_input(start, **overrides), now=signed_at(start))
    return contract, owner, user
