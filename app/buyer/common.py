"""Pieces every buyer page about a tender uses: loading the unit's own tender and
running one service call inside the request's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from app.db import db_session
from marketplace.tenders.models import Tender
from marketplace.tenders.queries import read_tender


def own_tender(tender_id: int) -> Tender:
    """The tender, brought up to date; 403 when it belongs to another purchasing unit."""
    session = db_session()
    tender = session.get(Tender, tender_id)
    if tender is None:
        abort(404)
    if tender.buyer_org_id != current_user.organisation_id:
        abort(403)
    if read_tender(session, tender):
        session.commit()
    return tender


E = TypeVar("E", bound=Exception)


def run_service(
    action: Callable[[], Any],
    form: Any,
    *,
    refused: type[Exception],
    broken_rule: type[E],
    show: Callable[[Any, E], None],
) -> bool:
    """Call one service and commit; 403 on ``refused``; on ``broken_rule`` roll back and
    show it on the form (the user's input stays in the form)."""
    session = db_session()
    try:
        action()
        session.commit()
    except refused:
        session.rollback()
        abort(403)
    except broken_rule as err:
        session.rollback()
        show(form, err)
        return False
    return True
