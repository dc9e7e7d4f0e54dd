"""Reads of tenders for pages: one place that applies overdue timed transitions first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from marketplace.db import utcnow
from marketplace.plans.models import PlanLine
from marketplace.tenders.models import Tender
from marketplace.tenders.qa_models import DraftComment, DraftSpecification, Enquiry
from marketplace.tenders.states import TenderState
from marketplace.tenders.workflow import apply_due

OPEN_STATES = (TenderState.ENQUIRIES, TenderState.TENDERING)


def read_tender(session: Session, tender: Tender, now: dt.datetime | None = None) -> bool:
    """Bring an overdue tender up to date before showing it; True when something moved
    (the caller commits)."""
    return apply_due(session, tender, now or utcnow()) > 0


def tender_by_ocid(session: Session, ocid: str) -> Tender | None:
    return session.scalar(select(Tender).where(Tender.ocid == ocid))


def refresh_overdue(session: Session, tenders: list[Tender], now: dt.datetime) -> bool:
    moved = False
    for tender in tenders:
        if tender.next_check_at is not None and tender.next_check_at <= now:
            moved = read_tender(session, tender, now) or moved
    return moved


@dataclass
class BuyerRow:
    tender: Tender
    open_enquiries: int
    open_comments: int

    @property
    def needs_action(self) -> list[str]:
        """What the buyer should do next (English source text; views translate)."""
        todo = []
        if self.tender.state == TenderState.PLANNING and self.tender.tender_end is None:
            todo.append("Write the tender")
        elif self.tender.state == TenderState.PLANNING:
            todo.append("Publish the tender")
        if self.open_comments:
            todo.append("Answer comments")
        if self.open_enquiries:
            todo.append("Answer questions")
        if self.tender.state == TenderState.EVALUATION:
            todo.append("Evaluate bids")
        return todo


def buyer_overview(
    session: Session, org_id: int, now: dt.datetime
) -> dict[TenderState, list[BuyerRow]]:
    """The unit's processes grouped by state, with counts of unanswered questions."""
    tenders = list(
        session.scalars(
            select(Tender).where(Tender.buyer_org_id == org_id).order_by(Tender.updated_at.desc())
        )
    )
    refresh_overdue(session, tenders, now)
    enquiries = dict(
        session.execute(
            select(Enquiry.tender_id, func.count(Enquiry.id))
            .join(Tender, Tender.id == Enquiry.tender_id)
            .where(Tender.buyer_org_id == org_id, Enquiry.answered_at.is_(None))
            .group_by(Enquiry.tender_id)
        ).all()
    )
    comments = dict(
        session.execute(
            select(DraftSpecification.tender_id, func.count(DraftComment.id))
            .join(DraftComment, DraftComment.draft_id == DraftSpecification.id)
            .join(Tender, Tender.id == DraftSpecification.tender_id)
            .where(Tender.buyer_org_id == org_id, DraftComment.answered_at.is_(None))
            .group_by(DraftSpecification.tender_id)
        ).all()
    )
    grouped: dict[TenderState, list[BuyerRow]] = {state: [] for state in TenderState}
    for tender in tenders:
        grouped[tender.state].append(
            BuyerRow(tender, enquiries.get(tender.id, 0), comments.get(tender.id, 0))
        )
    return {state: rows for state, rows in grouped.items() if rows}


def unstarted_plan_lines(session: Session, org_id: int) -> list[PlanLine]:
    return list(
        session.scalars(
            select(PlanLine)
            .where(PlanLine.buyer_org_id == org_id, PlanLine.tender_id.is_(None))
            .order_by(PlanLine.year, PlanLine.quarter, PlanLine.id)
        )
    )


def public_processes(
    session: Session, now: dt.datetime, state: str = "", limit: int = 100
) -> list[Tender]:
    """Processes anyone can see (every process is public from its planning release)."""
    query = select(Tender).where(Tender.ocid.is_not(None))
    if state == "open":
        query = query.where(Tender.state.in_(OPEN_STATES))
    elif state in {s.value for s in TenderState}:
        query = query.where(Tender.state == TenderState(state))
    tenders = list(
        session.scalars(
            query.options(selectinload(Tender.buyer))
            .order_by(Tender.state_changed_at.desc(), Tender.id.desc())
            .limit(limit)
        )
    )
    refresh_overdue(session, tenders, now)
    return tenders


def category_prefix(code: str) -> str:
    """UNSPSC is hierarchical: 43210000 (a family) covers every code starting 4321."""
    code = code.strip()
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def opportunities(
    session: Session, supplier_org_id: int, category_codes: list[str], now: dt.datetime
) -> list[Tender]:
    """Open tenders a supplier is invited to, or whose items fall in its categories."""
    tenders = list(
        session.scalars(
            select(Tender)
            .where(Tender.state.in_(OPEN_STATES))
            .options(selectinload(Tender.items), selectinload(Tender.invitations))
            .order_by(Tender.tender_end, Tender.id)
        )
    )
    refresh_overdue(session, tenders, now)
    prefixes = tuple(category_prefix(c) for c in category_codes if c.strip())
    result = []
    for tender in tenders:
        if tender.state not in OPEN_STATES:
            continue
        invited = any(inv.supplier_org_id == supplier_org_id for inv in tender.invitations)
        matches = bool(prefixes) and any(
            item.classification_id.startswith(prefixes) for item in tender.items
        )
        if invited or matches:
            result.append(tender)
    return result
