"""The tender state machine: states, allowed transitions, guards' names and release tags.

States follow OCDS and ProZorro: a process starts in ``planning`` (from an annual plan
line), may open its draft documents for public comment (``planning.comments``, the
Mexican *prebases*), is published into ``active.enquiries`` (questions allowed), moves by
the clock to ``active.tendering`` (bids allowed) and to ``evaluation`` when the tender
period ends; later sessions take it to ``complete`` or ``unsuccessful``. ``cancelled``
can be reached from any open state.

This module is pure data plus small lookups: services call :func:`transition_for` to
check a move and learn which OCDS release tag it emits; the timed moves are listed in
:data:`TIMED` and driven by ``next_check_at``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class TenderState(enum.StrEnum):
    PLANNING = "planning"  # started from a plan line; tender details are a private draft
    COMMENTS = "planning.comments"  # draft documents (prebases) open for public comment
    ENQUIRIES = "active.enquiries"  # published; suppliers may ask questions
    TENDERING = "active.tendering"  # enquiry period over; bids may be submitted
    EVALUATION = "evaluation"  # tender period closed; bids are opened and evaluated
    COMPLETE = "complete"  # awarded and contracted (later sessions)
    UNSUCCESSFUL = "unsuccessful"  # no acceptable bid (later sessions)
    CANCELLED = "cancelled"  # stopped by the buyer, with a public reason


#: OCDS ``tender.status`` (tenderStatus codelist) shown for each state.
OCDS_STATUS: dict[TenderState, str] = {
    TenderState.PLANNING: "planned",
    TenderState.COMMENTS: "planned",
    TenderState.ENQUIRIES: "active",
    TenderState.TENDERING: "active",
    TenderState.EVALUATION: "active",
    TenderState.COMPLETE: "complete",
    TenderState.UNSUCCESSFUL: "unsuccessful",
    TenderState.CANCELLED: "cancelled",
}

FINAL_STATES = frozenset({TenderState.COMPLETE, TenderState.UNSUCCESSFUL, TenderState.CANCELLED})
#: States in which the tender has been published as a call for bids.
PUBLISHED_STATES = frozenset({TenderState.ENQUIRIES, TenderState.TENDERING, TenderState.EVALUATION})
#: States in which the buyer may still edit the tender as a draft (not yet published).
DRAFT_STATES = frozenset({TenderState.PLANNING, TenderState.COMMENTS})
#: States in which amendments are allowed (ProZorro: only while bids can still change).
AMENDABLE_STATES = frozenset({TenderState.ENQUIRIES, TenderState.TENDERING})


class Action(enum.StrEnum):
    """What causes a transition. ``by`` of the tick is the system (no user)."""

    START = "start"  # plan line -> process (creation, no previous state)
    OPEN_COMMENTS = "open_comments"  # publish prebases
    CLOSE_COMMENTS = "close_comments"  # timed: comment period ended
    PUBLISH = "publish"  # publish the call for bids
    CLOSE_ENQUIRIES = "close_enquiries"  # timed: enquiry period ended
    CLOSE_TENDERING = "close_tendering"  # timed: tender period (deadline) ended
    CANCEL = "cancel"
    # Hooks for the next sessions (evaluation, award, contract):
    COMPLETE = "complete"
    FAIL = "fail"


@dataclass(frozen=True)
class Transition:
    action: Action
    source: TenderState | None
    target: TenderState
    #: OCDS release tag published with the move (releaseTag codelist).
    tag: str
    #: True when the clock, not a person, makes the move (``tianguis tick`` or a read).
    timed: bool = False


_T = Transition
TRANSITIONS: tuple[Transition, ...] = (
    _T(Action.START, None, TenderState.PLANNING, "planning"),
    _T(Action.OPEN_COMMENTS, TenderState.PLANNING, TenderState.COMMENTS, "planningUpdate"),
    _T(Action.CLOSE_COMMENTS, TenderState.COMMENTS, TenderState.PLANNING, "planningUpdate", True),
    _T(Action.PUBLISH, TenderState.PLANNING, TenderState.ENQUIRIES, "tender"),
    # Publishing while comments are still open is refused by a guard; the transition
    # exists so the message is about the dates, not about the state.
    _T(Action.PUBLISH, TenderState.COMMENTS, TenderState.ENQUIRIES, "tender"),
    # Without an enquiry period (direct award, quick purchase) bids open at once.
    _T(Action.PUBLISH, TenderState.PLANNING, TenderState.TENDERING, "tender"),
    _T(Action.PUBLISH, TenderState.COMMENTS, TenderState.TENDERING, "tender"),
    _T(Action.CLOSE_ENQUIRIES, TenderState.ENQUIRIES, TenderState.TENDERING, "tenderUpdate", True),
    _T(Action.CLOSE_TENDERING, TenderState.TENDERING, TenderState.EVALUATION, "tenderUpdate", True),
    _T(Action.CANCEL, TenderState.PLANNING, TenderState.CANCELLED, "tenderCancellation"),
    _T(Action.CANCEL, TenderState.COMMENTS, TenderState.CANCELLED, "tenderCancellation"),
    _T(Action.CANCEL, TenderState.ENQUIRIES, TenderState.CANCELLED, "tenderCancellation"),
    _T(Action.CANCEL, TenderState.TENDERING, TenderState.CANCELLED, "tenderCancellation"),
    _T(Action.CANCEL, TenderState.EVALUATION, TenderState.CANCELLED, "tenderCancellation"),
    # The tender completes when its last contract is signed: that one release carries the
    # new contract, so it is tagged ``contract`` (marketplace/contracts/services.py).
    _T(Action.COMPLETE, TenderState.EVALUATION, TenderState.COMPLETE, "contract"),
    _T(Action.FAIL, TenderState.EVALUATION, TenderState.UNSUCCESSFUL, "tenderUpdate"),
)

#: Tags of releases that change the tender without changing its state.
AMENDMENT_TAG = "tenderAmendment"
UPDATE_TAG = "tenderUpdate"  # e.g. an enquiry answered
PLANNING_UPDATE_TAG = "planningUpdate"  # e.g. a prebases comment answered


class TransitionRefused(ValueError):
    """The action is not allowed from the current state."""

    def __init__(self, action: Action, state: TenderState | None) -> None:
        self.action = action
        self.state = state
        super().__init__(
            f"cannot {action.value} a tender in state {state.value if state else 'none'}"
        )


def transition_for(
    action: Action, state: TenderState | None, target: TenderState | None = None
) -> Transition:
    """The transition ``action`` makes from ``state`` (to ``target`` when an action has
    several, like publishing with or without an enquiry period); raises TransitionRefused."""
    for t in TRANSITIONS:
        if t.action == action and t.source == state and target in (None, t.target):
            return t
    raise TransitionRefused(action, state)


def allowed_actions(state: TenderState) -> frozenset[Action]:
    """Actions a person may take now (the timed ones are left to the clock)."""
    return frozenset(t.action for t in TRANSITIONS if t.source == state and not t.timed)


def timed_transition(state: TenderState) -> Transition | None:
    """The clock-driven move out of ``state``, if it has one."""
    for t in TRANSITIONS:
        if t.source == state and t.timed:
            return t
    return None
