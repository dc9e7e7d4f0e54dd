"""Progress report reminders (`tianguis tick`): to the unit 14 days before a report is
due, and to the unit and finance once it is overdue. Each is sent once (a
ProgressReminder row per case, period and kind); a clock that jumped past the due date
sends only the overdue one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from business_cases.benefits import REGISTER_STATES
from business_cases.models import BusinessCase, CaseOption
from business_cases.progress import progress_of
from business_cases.progress_models import ProgressReminder
from business_cases.services import finance_users
from marketplace.accounts.models import Role, User
from marketplace.inbox.services import notify
from marketplace.ticks import register


def _unit_buyers(session: Session, case: BusinessCase) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(
                User.organisation_id == case.buyer_org_id,
                User.role == Role.BUYER,
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    )


@register
def progress_reminders(session: Session, now: dt.datetime) -> str:
    today = now.date()
    sent = {(r.case_id, r.period_end, r.kind) for r in session.scalars(select(ProgressReminder))}
    cases = session.scalars(
        select(BusinessCase)
        .where(BusinessCase.status.in_(REGISTER_STATES))
        .options(
            selectinload(BusinessCase.options).selectinload(CaseOption.lines),
            selectinload(BusinessCase.risks),
            selectinload(BusinessCase.decisions),
        )
        .order_by(BusinessCase.id)
    ).all()
    counts = {"due_soon": 0, "overdue": 0}
    for case in cases:
        for status in progress_of(session, case, today).periods:
            kind = {"due_soon": "due_soon", "overdue": "overdue"}.get(status.state)
            end = status.period.end
            if kind is None or (case.id, end, kind) in sent:
                continue
            if kind == "due_soon" and (case.id, end, "overdue") in sent:
                continue
            due = status.period.due_on.isoformat()
            link = f"/buyer/cases/{case.id}/progress"
            if kind == "due_soon":
                for user in _unit_buyers(session, case):
                    notify(
                        session,
                        user,
                        "business_case.progress_due",
                        f"Progress report due on {due}: {case.title}",
                        f"The report on the period ending {end.isoformat()} is due on {due}.",
                        link=link,
                    )
            else:
                for user in _unit_buyers(session, case):
                    notify(
                        session,
                        user,
                        "business_case.progress_overdue",
                        f"Progress report overdue: {case.title}",
                        f"The report on the period ending {end.isoformat()} was due on "
                        f"{due}. Send it as soon as possible.",
                        link=link,
                    )
                for user in finance_users(session):
                    notify(
                        session,
                        user,
                        "business_case.progress_overdue",
                        f"Progress report overdue: {case.title}",
                        f"{case.buyer.name} has not reported on the period ending "
                        f"{end.isoformat()} (due on {due}).",
                        link=f"/finance/cases/{case.id}#progress",
                    )
            session.add(ProgressReminder(case_id=case.id, period_end=end, kind=kind, sent_at=now))
            sent.add((case.id, end, kind))
            counts[kind] += 1
    session.flush()
    return (
        f"progress reports: {counts['due_soon']} due-soon and {counts['overdue']} overdue reminders"
    )
