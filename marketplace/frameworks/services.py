"""Framework agreements: create one, let suppliers apply to its lots, admit or reject
them. Each change publishes the framework's release in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.audit.services import record as audit
from marketplace.frameworks.errors import N_, FrameworkError, NotAllowed
from marketplace.frameworks.models import (
    Admission,
    Application,
    ApplicationStatus,
    Framework,
    FrameworkLot,
)
from marketplace.frameworks.releases import framework_release
from marketplace.frameworks.windows import (
    next_change,
    phase_at,
    window_at,
)
from marketplace.publication.services import PublishedRelease, ocid_for, publish
from marketplace.suppliers.models import Supplier, SupplierStatus


@dataclass
class LotInput:
    title: str
    description: str = ""


@dataclass
class FrameworkInput:
    title: str
    start_date: dt.datetime
    end_date: dt.datetime
    description: str = ""
    refresh_months: int = 6
    lots: list[LotInput] = field(default_factory=list)


def ensure_buyer_of(framework: Framework, user: User) -> None:
    if user.role != Role.BUYER or user.organisation_id != framework.buyer_org_id:
        raise NotAllowed("This framework belongs to another purchasing unit.")


def supplier_of(session: Session, user: User) -> Supplier:
    supplier = session.scalar(
        select(Supplier).where(Supplier.organisation_id == user.organisation_id)
    )
    if user.role != Role.SUPPLIER or supplier is None:
        raise NotAllowed("Only a registered supplier may do this.")
    return supplier


def emit(session: Session, framework: Framework, tag: str, now: dt.datetime) -> PublishedRelease:
    session.flush()
    session.refresh(framework)
    return publish(session, framework_release(framework, tag, now))


def create_framework(
    session: Session, user: User, data: FrameworkInput, now: dt.datetime
) -> Framework:
    """A buyer opens a framework agreement with its lots (the ``tender`` release)."""
    if user.role != Role.BUYER:
        raise NotAllowed("Only a buyer may open a framework agreement.")
    if len(data.title.strip()) < 5:
        raise FrameworkError(N_("Give the framework a title (at least 5 characters)."), "title")
    if data.end_date <= data.start_date:
        raise FrameworkError(N_("The agreement must end after it starts."), "end_date")
    if data.start_date <= now:
        raise FrameworkError(
            N_("The agreement must start in the future: suppliers apply before it starts."),
            "start_date",
        )
    if not 1 <= data.refresh_months <= 24:
        raise FrameworkError(N_("Reopen every 1 to 24 months."), "refresh_months")
    lots = [lot for lot in data.lots if lot.title.strip()]
    if not lots:
        raise FrameworkError(N_("Add at least one lot."), "lots-0-title")
    framework = Framework(
        buyer_org_id=user.organisation_id,
        title=data.title.strip(),
        description=data.description.strip(),
        start_date=data.start_date,
        end_date=data.end_date,
        refresh_months=data.refresh_months,
        created_by_user_id=user.id,
        created_at=now,
        lots=[
            FrameworkLot(
                local_id=f"lot-{i}",
                title=lot.title.strip(),
                description=lot.description.strip(),
                position=i,
            )
            for i, lot in enumerate(lots, 1)
        ],
    )
    session.add(framework)
    session.flush()
    framework.ocid = ocid_for(f"fa-{framework.id}")
    framework.phase = phase_at(framework, now)
    framework.next_check_at = next_change(framework, now)
    published = emit(session, framework, "tender", now)
    audit(
        session,
        "framework.create",
        "framework",
        framework.id,
        actor_user_id=user.id,
        actor_org_id=user.organisation_id,
        details={"ocid": framework.ocid, "release": published.id},
        public=True,
    )
    return framework


def apply_to_lot(
    session: Session, user: User, lot: FrameworkLot, statement: str, now: dt.datetime
) -> Application:
    """A verified supplier applies to join ``lot`` while a window is open."""
    supplier = supplier_of(session, user)
    framework = lot.framework
    if supplier.status != SupplierStatus.VERIFIED:
        raise FrameworkError(N_("Your company must be verified before it can apply."))
    window = window_at(framework, now)
    if window is None:
        raise FrameworkError(N_("Applications are closed: wait for the next refresh window."))
    taken = session.scalar(
        select(func.count())
        .select_from(Application)
        .where(
            Application.lot_id == lot.id,
            Application.supplier_id == supplier.id,
            Application.status != ApplicationStatus.REJECTED,
        )
    )
    if taken:
        raise FrameworkError(N_("You have already applied to this lot."))
    if len(statement.strip()) < 20:
        raise FrameworkError(
            N_("Describe what you offer for this lot (at least 20 characters)."), "statement"
        )
    application = Application(
        framework_id=framework.id,
        lot_id=lot.id,
        supplier_id=supplier.id,
        statement=statement.strip(),
        window=window,
        submitted_at=now,
    )
    session.add(application)
    session.flush()
    audit(
        session,
        "framework.apply",
        "framework",
        framework.id,
        actor_user_id=user.id,
        actor_org_id=user.organisation_id,
        details={"lot": lot.local_id, "supplier": supplier.id},
    )
    return application


def decide_application(
    session: Session,
    user: User,
    application: Application,
    *,
    admit: bool,
    reason: str,
    now: dt.datetime,
) -> Admission | None:
    """The buyer admits (an award in the release) or rejects (with a reason) an application.

    Admitting adds the supplier without touching anything else: running call-offs and
    earlier admissions stay as they are.
    """
    framework = application.lot.framework
    ensure_buyer_of(framework, user)
    if application.status != ApplicationStatus.PENDING:
        raise FrameworkError(N_("This application has already been decided."))
    if now >= framework.end_date:
        raise FrameworkError(N_("The framework has expired."))
    if not admit and len(reason.strip()) < 10:
        raise FrameworkError(N_("Explain the rejection (at least 10 characters)."), "reason")
    application.reason = reason.strip()
    application.decided_at = now
    admission = None
    if admit:
        application.status = ApplicationStatus.ADMITTED
        count = session.scalar(
            select(func.count())
            .select_from(Admission)
            .where(Admission.framework_id == framework.id)
        )
        admission = Admission(
            framework_id=framework.id,
            lot_id=application.lot_id,
            supplier_id=application.supplier_id,
            local_id=f"award-{(count or 0) + 1}",
            admitted_at=now,
            window=application.window,
        )
        session.add(admission)
        published = emit(session, framework, "award", now)
        release_id: str | None = published.id
    else:
        application.status = ApplicationStatus.REJECTED
        release_id = None
    audit(
        session,
        "framework.admit" if admit else "framework.reject",
        "framework",
        framework.id,
        actor_user_id=user.id,
        actor_org_id=user.organisation_id,
        details={
            "lot": application.lot.local_id,
            "supplier": application.supplier_id,
            **({"release": release_id} if release_id else {"reason": application.reason}),
        },
        public=True,
    )
    return admission


def admitted(session: Session, lot: FrameworkLot, supplier_id: int) -> Admission | None:
    return session.scalar(
        select(Admission).where(Admission.lot_id == lot.id, Admission.supplier_id == supplier_id)
    )


def apply_due(session: Session, framework: Framework, now: dt.datetime) -> bool:
    """Publish the framework's new phase (a window opened or closed, the agreement
    ended) when it changed by ``now``; True when a release was published."""
    if framework.next_check_at is None or framework.next_check_at > now:
        return False
    phase = phase_at(framework, now)
    framework.next_check_at = next_change(framework, now)
    if phase == framework.phase:
        return False
    framework.phase = phase
    published = emit(session, framework, "tenderUpdate", now)
    audit(
        session, "framework.phase", "framework", framework.id,
        details={"phase": phase, "release": published.id}, public=True,
    )  # fmt: skip
    return True


def tick(session: Session, now: dt.datetime) -> int:
    due = session.scalars(
        select(Framework)
        .where(Framework.next_check_at.is_not(None), Framework.next_check_at <= now)
        .order_by(Framework.id)
    ).all()
    return sum(apply_due(session, framework, now) for framework in due)
