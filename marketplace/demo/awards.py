"""Demo evaluation and awards: the processes the bids step closed with opened bids are
scored and awarded through the real services, dated in the past so that, seen from now,
one award is in its standstill, one is paused by a pending complaint, older ones are
active (the contracts step then signs them), and one process ended unsuccessful (every
bid disqualified, the lot declared void).

Works on ``ctx["bid_processes"]`` (stage -> tender id, from ``marketplace/demo/bids.py``).
Idempotent: skipped when any award exists.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.awards.complaints import file_complaint
from marketplace.awards.evaluation import lot_ids, lot_ranking, needed_criteria, score_bid
from marketplace.awards.models import Award
from marketplace.awards.services import apply_due_awards, decide_award, declare_unsuccessful
from marketplace.bids.models import BidOpening, BidStatus
from marketplace.bids.opening import disqualify_bid
from marketplace.bids.releases import tender_bids
from marketplace.db import utcnow
from marketplace.tenders.models import Tender

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)

#: Stages whose processes get an award, and when it is decided (days before now). With
#: the default standstill of ten days: in standstill, paused by a complaint, or active.
AWARDED = {
    "standstill": 6, "complaint": 7, "contracted": 25, "amended": 148, "terminated": 218,
    "completed": 298,
}  # fmt: skip

COMPLAINT = (
    "La propuesta adjudicada no acredita la certificación del fabricante que exige el "
    "anexo técnico, numeral 4.2; solicitamos que se revise la evaluación técnica."
)
DISQUALIFIED = (
    "La propuesta no incluye la carta de soporte del fabricante exigida en las bases, numeral 6.1."
)


def load(session: Session, rng: random.Random, ctx: dict[str, Any]) -> str:
    processes: dict[str, int] = ctx.get("bid_processes") or {}
    if not processes:
        return "no processes with opened bids: skipped"
    if session.scalar(select(func.count(Award.id))):
        return "awards already present"
    now = utcnow().replace(second=0, microsecond=0)
    done = []
    for stage, tender_id in processes.items():
        tender = session.get(Tender, tender_id)
        buyer = _buyer(session, tender) if tender is not None else None
        if tender is None or buyer is None:
            continue
        opened_at = session.scalar(
            select(BidOpening.opened_at).where(BidOpening.tender_id == tender.id)
        )
        if opened_at is None:
            continue
        if stage == "unsuccessful":
            _unsuccessful(session, tender, buyer, opened_at + DAY)
        elif stage in AWARDED:
            decided = now - AWARDED[stage] * DAY
            _score_and_award(session, tender, buyer, rng, opened_at + 2 * HOUR, decided)
            if stage == "complaint":
                _complain(session, tender, decided + DAY)
            # Standstills over by now end as the clock (or a read) would end them.
            apply_due_awards(session, tender, now)
        else:
            continue
        done.append(stage)
    return f"evaluated and decided: {', '.join(done)}"


def _buyer(session: Session, tender: Tender) -> User | None:
    return session.scalar(
        select(User)
        .where(User.organisation_id == tender.buyer_org_id, User.role == Role.BUYER)
        .order_by(User.id)
    )


def _score_and_award(
    session: Session, tender: Tender, buyer: User, rng: random.Random, scored: dt.datetime,
    decided: dt.datetime,
) -> None:  # fmt: skip
    """Score every opened bid of every lot, then award each lot to its best-ranked bid."""
    criteria = needed_criteria(tender)
    for lot in lot_ids(tender):
        for row in lot_ranking(session, tender, lot).rows:
            score_bid(
                session, row.bid, buyer, lot,
                quality=rng.randint(60, 98) if "quality" in criteria else None,
                technical=rng.randint(55, 97) if "technical" in criteria else None,
                comment="Cumple el anexo técnico.", now=scored,
            )  # fmt: skip
    for lot in lot_ids(tender):
        best = lot_ranking(session, tender, lot).best
        if best is not None:
            decide_award(session, best.bid, lot, buyer, now=decided)


def _complain(session: Session, tender: Tender, at: dt.datetime) -> None:
    """The runner-up of the first awarded lot complains during the standstill."""
    award = session.scalar(select(Award).where(Award.tender_id == tender.id).order_by(Award.id))
    if award is None or award.bid_id is None:
        return
    rows = lot_ranking(session, tender, award.related_lot).rows
    loser = next((r.bid for r in rows if r.bid.id != award.bid_id), None)
    if loser is None:
        return
    user = session.scalar(
        select(User).where(User.organisation_id == loser.supplier.organisation_id).order_by(User.id)
    )
    if user is not None:
        file_complaint(session, award, user, COMPLAINT, bid=loser, now=at)


def _unsuccessful(session: Session, tender: Tender, buyer: User, at: dt.datetime) -> None:
    """Every bid fails the eligibility check; each lot is declared void."""
    for bid in tender_bids(session, tender):
        if bid.status == BidStatus.OPENED:
            disqualify_bid(session, bid, buyer, DISQUALIFIED, now=at)
    for lot in lot_ids(tender):
        declare_unsuccessful(
            session, tender, lot, buyer,
            "Ninguna propuesta cumplió los requisitos de las bases.", now=at + HOUR,
        )  # fmt: skip
