"""Who the crawler visits the demo as, and the objects those people's forms need.

The demo's first user of a role sees only the forms of the states their own objects are
in. So, before crawling, this module puts objects in the missing states through the real
services (a bid to reconfirm, bids to score, an award past its standstill, a framework
taking applications, a saved search) and picks, besides the first user of each role, the
people whose work is waiting: every buyer, the rejected supplier, a bidder who may still
complain, a supplier with a rating to answer. A mailed reset link and a half-finished
login with its code still to type are made with the app's own functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.buyer.opening import bid_secret
from marketplace.accounts.models import Role, User
from marketplace.accounts.password_reset import make_reset_token
from marketplace.awards.evaluation import lot_ids, needed_criteria, score_bid
from marketplace.awards.models import Award, AwardStatus
from marketplace.awards.services import apply_due_awards
from marketplace.bids.models import Bid, BidStatus
from marketplace.bids.opening import open_bids
from marketplace.bids.services import on_material_amendment
from marketplace.db import utcnow
from marketplace.demo.accounts import DEMO_PASSWORD
from marketplace.frameworks.services import (
    FrameworkInput,
    LotInput,
    apply_to_lot,
    create_framework,
)
from marketplace.performance.models import RatingStatus, SupplierRating
from marketplace.search.saved import save_search
from marketplace.suppliers.models import Supplier, SupplierStatus
from marketplace.tenders.models import Tender, TenderState
from marketplace.tenders.services import AmendmentInput, amend_tender
from tests.factories import post_form
from tests.fuzz.crawl import MAX_PAGES, demo_users

#: How far a visitor with one page to see (a reset link, the login code page) crawls.
ONE_PAGE = 5


@dataclass
class Visitor:
    """One crawl: as whom (None: anonymous), from which extra pages, after which steps,
    how far. The visitors after the first of a role look for the forms of their waiting
    work only: the start pages and the role's own pages (``own_only``)."""

    role: str
    user: User | None
    start: tuple[str, ...] = ()
    prepare: Callable[[FlaskClient], None] | None = None
    max_pages: int = MAX_PAGES
    own_only: bool = False


def _first(session: Session, query: object) -> object:
    return session.scalars(query).first()  # type: ignore[call-overload]


def _user_of(session: Session, organisation_id: int, role: Role) -> User | None:
    query = select(User).where(User.organisation_id == organisation_id, User.role == role)
    return session.scalars(query.order_by(User.id)).first()


def _supplier_user(session: Session, supplier_id: int) -> User | None:
    supplier = session.get(Supplier, supplier_id)
    return _user_of(session, supplier.organisation_id, Role.SUPPLIER) if supplier else None


def _buyer_of(session: Session, tender: Tender) -> User:
    user = _user_of(session, tender.buyer_org_id, Role.BUYER)
    assert user is not None, f"no buyer user for tender {tender.id}"
    return user


def _tender(session: Session, state: TenderState, *, opened: bool | None = None) -> Tender:
    """The first demo tender in ``state`` (with opened bids, with none, or either)."""
    for tender in session.scalars(select(Tender).where(Tender.state == state).order_by(Tender.id)):
        statuses = {
            b.status for b in session.scalars(select(Bid).where(Bid.tender_id == tender.id))
        }
        if opened is None or (BidStatus.OPENED in statuses) == opened:
            return tender
    raise LookupError(f"the demo has no tender in {state} (opened={opened})")


def _reconfirmation(session: Session, now: dt.datetime) -> User | None:
    """A material amendment of a tender taking bids: its bidders must confirm again."""
    tender = _tender(session, TenderState.TENDERING)
    amendment = AmendmentInput(
        rationale="Cambio de especificación", material=True, description=tender.description + "."
    )
    amend_tender(session, tender, _buyer_of(session, tender), amendment, now=now)
    on_material_amendment(session, tender)
    bid = _first(session, select(Bid).where(Bid.tender_id == tender.id).order_by(Bid.id))
    return _supplier_user(session, bid.supplier_id) if isinstance(bid, Bid) else None


def _scored(session: Session, now: dt.datetime) -> None:
    """Every opened bid of a tender in evaluation scored: its lots can be awarded."""
    tender = _tender(session, TenderState.EVALUATION, opened=True)
    criteria = needed_criteria(tender)
    scores = {c: 80 for c in ("quality", "technical") if c in criteria}
    bids = session.scalars(
        select(Bid).where(Bid.tender_id == tender.id, Bid.status == BidStatus.OPENED)
    )
    for bid in bids:
        for lot in lot_ids(tender):
            score_bid(session, bid, _buyer_of(session, tender), lot, now=now, **scores)  # type: ignore[arg-type]


def _opened_without_bids(session: Session, now: dt.datetime) -> None:
    """A tender in evaluation that received no bid, opened: its lots can be declared
    unsuccessful."""
    for tender in session.scalars(select(Tender).where(Tender.state == TenderState.EVALUATION)):
        if session.scalar(select(Bid.id).where(Bid.tender_id == tender.id).limit(1)) is None:
            open_bids(session, tender, _buyer_of(session, tender), secret=bid_secret(), now=now)
            return
    raise LookupError("the demo has no tender in evaluation without bids")


def _past_standstill(session: Session) -> User | None:
    """The awards of one tender past their standstill without complaints: active, waiting
    for a signed contract. Returns a losing bidder of another tender still in standstill
    (who may complain)."""
    pending = session.scalars(
        select(Award).where(Award.status == AwardStatus.PENDING).order_by(Award.id)
    ).all()
    tenders = sorted({a.tender_id for a in pending})
    assert len(tenders) >= 2, "the demo needs two tenders with awards in standstill"
    first = session.get(Tender, tenders[0])
    ends = [a.standstill_end for a in pending if a.tender_id == tenders[0]]
    assert first is not None and ends and None not in ends
    apply_due_awards(session, first, max(e for e in ends if e) + dt.timedelta(minutes=1))
    winners = {a.supplier_id for a in pending if a.tender_id == tenders[1]}
    losers = session.scalars(
        select(Bid.supplier_id).where(Bid.tender_id == tenders[1]).order_by(Bid.id)
    )
    loser = next((s for s in losers if s not in winners), None)
    return _supplier_user(session, loser) if loser else None


def _framework_call(session: Session, buyer: User, supplier: User, now: dt.datetime) -> None:
    """A framework whose call for applications is open, one application waiting."""
    framework = create_framework(
        session,
        buyer,
        FrameworkInput(
            title="Servicios de soporte en sitio",
            description="Soporte técnico en planteles.",
            start_date=now + dt.timedelta(days=30),
            end_date=now + dt.timedelta(days=400),
            lots=[LotInput("Soporte de primer nivel"), LotInput("Soporte especializado")],
        ),
        now,
    )
    apply_to_lot(session, supplier, framework.lots[0], "Diez técnicos certificados.", now)


def _half_login(email: str) -> Callable[[FlaskClient], None]:
    def log_in(client: FlaskClient) -> None:
        data: dict[str, object] = {"email": email, "password": DEMO_PASSWORD}
        response = post_form(client, "/account/login", data)
        assert response.status_code == 302, "the password step of the login failed"

    return log_in


def visitors(app: Flask, session: Session) -> list[Visitor]:
    """Set up the states (committed into the demo's transaction) and list the crawls."""
    now = utcnow().replace(microsecond=0)
    first = demo_users(session)
    supplier = first["supplier"]
    buyers = session.scalars(select(User).where(User.role == Role.BUYER).order_by(User.id)).all()
    rejected = _first(session, select(Supplier).where(Supplier.status == SupplierStatus.REJECTED))
    rating = _first(
        session,
        select(SupplierRating)
        .where(SupplierRating.status == RatingStatus.DRAFT, SupplierRating.reply_due > now)
        .order_by(SupplierRating.id),
    )
    # Process pages that take a supplier's input: comments on draft documents, questions.
    talking = tuple(
        f"/processes/{_tender(session, state).ocid}"
        for state in (TenderState.COMMENTS, TenderState.ENQUIRIES)
    )
    save_search(session, supplier, "Cómputo", "q=equipo")
    found = [
        _reconfirmation(session, now),
        _past_standstill(session),
        _supplier_user(session, rating.supplier_id) if isinstance(rating, SupplierRating) else None,
        _user_of(session, rejected.organisation_id, Role.SUPPLIER)
        if isinstance(rejected, Supplier)
        else None,
    ]
    _scored(session, now)
    _opened_without_bids(session, now)
    _framework_call(session, first["buyer"], supplier, now)
    token = make_reset_token(app.config["SECRET_KEY"], first["finance"])
    session.commit()
    missing = [i for i, user in enumerate(found) if user is None]
    assert not missing, f"the demo lacks suppliers for states {missing}"
    return [
        Visitor("public", None),
        Visitor("public", None, (f"/account/reset/{token}",), max_pages=ONE_PAGE),
        Visitor(
            "public", None, ("/account/login/code",), _half_login(first["buyer"].email), ONE_PAGE
        ),
        Visitor("supplier", supplier, talking),
        *(Visitor("supplier", user, own_only=True) for user in found if user is not None),
        *(Visitor("buyer", user, own_only=i > 0) for i, user in enumerate(buyers)),
        Visitor("finance", first["finance"]),
        Visitor("admin", first["admin"]),
    ]
