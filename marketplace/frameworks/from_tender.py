"""A tender draft continued as a framework agreement.

The buyer's tender form offers "Framework agreement" as a method. A framework is its own
process (ocid ``<OCID_PREFIX>-fa-<id>``, see :mod:`marketplace.frameworks.models`), so
choosing it hands the draft's title, description and lots to the framework form; when
the framework is published the draft (only ever published as a plan) is closed with a
public reason naming the framework's ocid, so the planned process leads to it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.frameworks.errors import N_, FrameworkError, NotAllowed
from marketplace.frameworks.models import Framework
from marketplace.frameworks.services import FrameworkInput, create_framework
from marketplace.tenders.models import Tender
from marketplace.tenders.services import cancel_tender
from marketplace.tenders.states import DRAFT_STATES

#: The draft's public cancellation reason (releases are in Spanish, like METHOD_DETAILS).
HANDOVER_REASON = "Continúa como acuerdo marco {ocid}: {title}"


def framework_from_draft(
    session: Session, user: User, tender: Tender, data: FrameworkInput, now: dt.datetime
) -> Framework:
    """Publish the framework and close ``tender``, a draft of the same unit, pointing to it."""
    if tender.buyer_org_id != user.organisation_id:
        raise NotAllowed("This process belongs to another purchasing unit.")
    if tender.state not in DRAFT_STATES:
        raise FrameworkError(
            N_("This process is already published as a tender; "
               "open the framework agreement on its own.")
        )  # fmt: skip
    framework = create_framework(session, user, data, now)
    reason = HANDOVER_REASON.format(ocid=framework.ocid, title=framework.title)
    cancel_tender(session, tender, user, reason, now)
    return framework
