"""The business-case state machine: states, transitions, and who may take each one.

    draft ──submit──► submitted ──request_iteration──► iteration_requested
      ▲                  │                                   │
      └──start_revision (version + 1) ◄──────────────────────┘
                         ├──approve──────────────────► approved
                         ├──approve_with_observations─► approved_with_observations
                         └──reject───────────────────► rejected

The last three are closed: nothing leaves them.
"""

from __future__ import annotations

from dataclasses import dataclass

from business_cases.models import CaseStatus, Outcome
from marketplace.accounts.models import Role


@dataclass(frozen=True)
class Transition:
    name: str
    source: CaseStatus
    target: CaseStatus
    #: The role that takes it.
    role: Role
    #: Audit action written when it happens.
    action: str


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("submit", CaseStatus.DRAFT, CaseStatus.SUBMITTED, Role.BUYER,
                   "business_case.submitted"),
        Transition("start_revision", CaseStatus.ITERATION_REQUESTED, CaseStatus.DRAFT,
                   Role.BUYER, "business_case.revision_started"),
        Transition("request_iteration", CaseStatus.SUBMITTED, CaseStatus.ITERATION_REQUESTED,
                   Role.FINANCE, "business_case.iteration_requested"),
        Transition("approve", CaseStatus.SUBMITTED, CaseStatus.APPROVED, Role.FINANCE,
                   "business_case.approved"),
        Transition("approve_with_observations", CaseStatus.SUBMITTED,
                   CaseStatus.APPROVED_WITH_OBSERVATIONS, Role.FINANCE,
                   "business_case.approved_with_observations"),
        Transition("reject", CaseStatus.SUBMITTED, CaseStatus.REJECTED, Role.FINANCE,
                   "business_case.rejected"),
    )
}

#: The transition each decision outcome takes.
OUTCOME_TRANSITION: dict[Outcome, str] = {
    Outcome.ITERATION_REQUESTED: "request_iteration",
    Outcome.APPROVED: "approve",
    Outcome.APPROVED_WITH_OBSERVATIONS: "approve_with_observations",
    Outcome.REJECTED: "reject",
}

CLOSED = frozenset(
    {CaseStatus.APPROVED, CaseStatus.APPROVED_WITH_OBSERVATIONS, CaseStatus.REJECTED}
)

#: States in which the buyer may change the case's content.
EDITABLE = frozenset({CaseStatus.DRAFT})


def allowed(status: CaseStatus, name: str) -> bool:
    t = TRANSITIONS.get(name)
    return t is not None and t.source == status


def available(status: CaseStatus, role: Role) -> list[str]:
    """Transitions a user of ``role`` could take from ``status`` (for showing buttons)."""
    return [t.name for t in TRANSITIONS.values() if t.source == status and t.role == role]
