"""The public copy of an approved business case, linked from the process's releases
(``planning.documents``, documentType ``feasibilityStudy``)."""

from __future__ import annotations

from flask import abort
from flask.typing import ResponseReturnValue

from app.buyer.cases import render_case_pdf
from app.db import db_session
from app.public import bp
from business_cases.gate import APPROVED
from business_cases.models import BusinessCase


@bp.get("/cases/<int:case_id>.pdf")
def case_public_pdf(case_id: int) -> ResponseReturnValue:
    # Only an approved case is public; drafts, cases under review and rejected cases are
    # the buyer's and finance's working papers.
    case = db_session().get(BusinessCase, case_id)
    if case is None or case.status not in APPROVED:
        abort(404)
    return render_case_pdf(case, public=True)
