"""Builders for evaluation and award tests (through the real services): a tender with
opened bids, scores, and a tender with an active award (standstill over).

Other topics (contracts, the end-to-end walk) reuse :func:`opened_tender` and
:func:`active_award`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.awards.evaluation import lot_ranking, score_bid
from marketplace.awards.models import Award
from marketplace.awards.services import apply_due_awards, decide_award
from marketplace.bids.models import Bid
from marketplace.bids.opening import open_bids
from marketplace.inbox.models import Message
from marketplace.suppliers.models import Supplier
from marketplace.tenders.models import Tender
from tests.bid_helpers import DEADLINE, SECRET, bid_input, bidder, place_bid, tendering
from tests.published import releases
from tests.tender_helpers import NOW, assert_valid

#: When :func:`opened_tender` opens the bids.
OPENED_AT = DEADLINE + dt.timedelta(hours=1)
#: When :func:`active_award` decides the award (standstill of 10 days from then).
AWARDED_AT = OPENED_AT + dt.timedelta(hours=2)
STANDSTILL_DAYS = 10
#: After the standstill of an award decided at AWARDED_AT.
AFTER_STANDSTILL = AWARDED_AT + dt.timedelta(days=STANDSTILL_DAYS, seconds=1)

#: Each bidder's prices per lot. Lot 1: B is cheapest, then A, then C; lot 2: A, then B.
DEFAULT_PRICES: tuple[dict[str, str | None], ...] = (
    {"lot-1": "1500000.00", "lot-2": "420000.00"},
    {"lot-1": "1200000.00", "lot-2": "480000.00"},
    {"lot-1": "1600000.00"},
)


@dataclass
class OpenedTender:
    """A tender in evaluation whose bids are opened (weights: price 60, quality 20,
    technical 20), with its buyer and, in order, the bidders' bids, companies and users."""

    tender: Tender
    owner: User
    bids: list[Bid]
    suppliers: list[Supplier]
    users: list[User]
    opened_at: dt.datetime = OPENED_AT
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def awarded_at(self) -> dt.datetime:
        """When :func:`awarded_tender` decides (AWARDED_AT for the default start)."""
        return self.opened_at + (AWARDED_AT - OPENED_AT)

    @property
    def after_standstill(self) -> dt.datetime:
        return self.opened_at + (AFTER_STANDSTILL - OPENED_AT)


def opened_tender(
    db: Session,
    prices: tuple[dict[str, str | None], ...] = DEFAULT_PRICES,
    start: dt.datetime = NOW,
) -> OpenedTender:
    """A two-lot tender published at ``start`` with one bid per entry of ``prices``,
    opened an hour after its deadline (OPENED_AT for the default start; pages tests pass
    a start 25 days ago, so that server time is a few days after the opening)."""
    tender, owner = tendering(db, start)
    deadline = start + (DEADLINE - NOW)
    bids, suppliers, users = [], [], []
    for n, chosen in enumerate(prices):
        supplier, user = bidder(db)
        bids.append(place_bid(db, tender, user, bid_input(dict(chosen)),
                              now=deadline - dt.timedelta(days=5, hours=-n)))  # fmt: skip
        suppliers.append(supplier)
        users.append(user)
    opened_at = deadline + (OPENED_AT - DEADLINE)
    open_bids(db, tender, owner, secret=SECRET, now=opened_at)
    for bid in bids:
        db.refresh(bid)
    return OpenedTender(tender, owner, bids, suppliers, users, opened_at)


def score_all(
    db: Session,
    opened: OpenedTender,
    scores: dict[tuple[int, str], tuple[int, int]],
    evaluator: User | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Score bids: ``{(bid index, lot): (quality, technical)}`` (half an hour after the
    opening unless ``now`` says otherwise)."""
    when = now or opened.opened_at + dt.timedelta(minutes=30)
    for (index, lot), (quality, technical) in scores.items():
        score_bid(db, opened.bids[index], evaluator or opened.owner, lot,
                  quality=quality, technical=technical, now=when)  # fmt: skip


#: Scores making lot 1's ranking A (index 0) first despite B's lower price, and lot 2's A.
DEFAULT_SCORES: dict[tuple[int, str], tuple[int, int]] = {
    (0, "lot-1"): (95, 90),
    (1, "lot-1"): (50, 40),
    (2, "lot-1"): (70, 70),
    (0, "lot-2"): (80, 80),
    (1, "lot-2"): (60, 60),
}


def awarded_tender(
    db: Session, lots: tuple[str, ...] = ("lot-1", "lot-2"), start: dt.datetime = NOW
) -> tuple[OpenedTender, list[Award]]:
    """Opened and scored with DEFAULT_SCORES; each of ``lots`` awarded (pending, in
    standstill) to its best-ranked bid at ``opened.awarded_at`` (AWARDED_AT)."""
    opened = opened_tender(db, start=start)
    score_all(db, opened, DEFAULT_SCORES)
    awards = []
    for lot in lots:
        best = lot_ranking(db, opened.tender, lot).best
        assert best is not None
        awards.append(decide_award(db, best.bid, lot, opened.owner, now=opened.awarded_at,
                                   standstill_days=STANDSTILL_DAYS))  # fmt: skip
    return opened, awards


def active_award(
    db: Session, lots: tuple[str, ...] = ("lot-1", "lot-2"), start: dt.datetime = NOW
) -> tuple[OpenedTender, list[Award]]:
    """Like :func:`awarded_tender`, then the standstill passes without complaints: every
    award is ``active`` (lot 1 and lot 2 both to the first bidder, ``opened.suppliers[0]``)
    at ``opened.after_standstill`` (AFTER_STANDSTILL for the default start)."""
    opened, awards = awarded_tender(db, lots, start)
    apply_due_awards(db, opened.tender, opened.after_standstill)
    for award in awards:
        db.refresh(award)
    return opened, awards


# --- reading what was published and sent ------------------------------------------


def last_release(db: Session, ocid: str) -> dict[str, Any]:
    release = releases(db, ocid)[-1]
    assert_valid(release)
    assert_parties_resolve(release)
    return release


def assert_parties_resolve(release: dict[str, Any]) -> None:
    """Every party reference resolves, and each organisation is one parties entry."""
    ids = [p["id"] for p in release.get("parties", [])]
    assert len(ids) == len(set(ids)), ids
    refs = [release["buyer"]["id"]]
    refs += [t["id"] for t in release["tender"].get("tenderers", [])]
    for detail in release.get("bids", {}).get("details", []):
        refs += [t["id"] for t in detail.get("tenderers", [])]
    for award in release.get("awards", []):
        refs += [s["id"] for s in award.get("suppliers", [])]
    assert set(refs) <= set(ids), set(refs) - set(ids)


def award_entry(release: dict[str, Any], award: Award) -> dict[str, Any]:
    return next(a for a in release["awards"] if a["id"] == award.local_id)


def inbox(db: Session, user_id: int, kind: str) -> list[Message]:
    return list(db.scalars(select(Message).where(Message.user_id == user_id, Message.kind == kind)))
