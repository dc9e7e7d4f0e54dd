"""What cancelling a tender does to its awards and contracts (a step of
:func:`marketplace.tenders.services.cancel_tender`, registered with
:func:`marketplace.tenders.workflow.cancel_step`).

- A signed contract (active or ended) cannot be undone by cancelling the process: the
  cancellation is refused before anything changes (end the contract instead).
- Every ``pending`` or ``active`` award (in its standstill, paused by a complaint, or
  waiting for its contract) becomes ``cancelled`` with the process's reason, and every
  ``pending`` (unsigned) contract too, in the tender's ``tenderCancellation`` release,
  which is then also tagged ``awardCancellation``. Winners get an inbox message.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.audit.services import record as audit
from marketplace.awards import notices
from marketplace.awards.models import Award, AwardStatus
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.publication.services import PublishedRelease
from marketplace.tenders.errors import N_, TenderError
from marketplace.tenders.models import Tender
from marketplace.tenders.workflow import Closed, cancel_step

#: Awards a cancelled process may no longer go on with.
OPEN_AWARDS = (AwardStatus.PENDING, AwardStatus.ACTIVE)
#: Contracts that bind the parties: a process with one cannot be cancelled.
SIGNED = (ContractStatus.ACTIVE, ContractStatus.TERMINATED)


def _reason(reason: str) -> str:
    return f"Proceso cancelado: {reason}"


@cancel_step
def close_awards_and_contracts(
    session: Session, tender: Tender, user: User, reason: str, now: dt.datetime
) -> Closed:
    contracts = session.scalars(
        select(Contract).where(Contract.tender_id == tender.id).order_by(Contract.id)
    ).all()
    if any(c.status in SIGNED for c in contracts):
        raise TenderError(
            N_("A contract of this process has been signed: the process cannot be cancelled. "
               "End or terminate the contract instead.")
        )  # fmt: skip
    awards = session.scalars(
        select(Award)
        .where(Award.tender_id == tender.id, Award.status.in_(OPEN_AWARDS))
        .order_by(Award.id)
    ).all()
    pending = [c for c in contracts if c.status == ContractStatus.PENDING]
    for award in awards:
        award.status = AwardStatus.CANCELLED
        award.status_reason = _reason(reason)
        award.updated_at = now
    for contract in pending:
        contract.status = ContractStatus.CANCELLED
        contract.status_reason = _reason(reason)
        contract.ended_at = now
    session.flush()

    def record(published: PublishedRelease) -> None:
        common = {"ocid": tender.ocid, "release": published.id, "reason": reason}
        for award in awards:
            audit(
                session, "award.cancelled", "award", award.id,
                actor_user_id=user.id, actor_org_id=user.organisation_id,
                details={**common, "award": award.local_id, "lot": award.related_lot,
                         "status": award.status.value, "by": "tenderCancellation"},
                public=True,
            )  # fmt: skip
            notices.award_cancelled(session, award)
        for contract in pending:
            audit(
                session, "contract.cancelled", "contract", contract.id,
                actor_user_id=user.id, actor_org_id=user.organisation_id,
                details={**common, "contract": contract.local_id},
                public=True,
            )  # fmt: skip

    tags = ["awardCancellation"] if awards else []
    return Closed(tags, [record])
