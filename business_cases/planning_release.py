"""The approved business case in a process's OCDS releases (``planning`` section).

When the plan line of a process has an approved case (business_cases/gate.py), every
release of the process carries it: ``planning.rationale`` summarises the problem and the
proposed solution, ``planning.budget.amount`` is the preferred option's total cost of
ownership (else the plan line's amount stays), and ``planning.documents`` links to the
public PDF of the case (documentType ``feasibilityStudy``: "net benefits or costs of the
proposed goods, works or services"). Registered as a release part, so clock transitions
and answers carry it too.

The approval itself is news for the process: when finance approves a case whose plan
line has already become a process, :func:`publish_approved_case` publishes a
``planningUpdate`` release at once (the decision's service calls it), so the public
record carries the case from the moment it is approved, not only from the process's
next step. A process in a final state (complete, unsuccessful, cancelled) is left alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

# Module imports: business_cases.models imports this module at its end, possibly while
# gate or services are still being imported.
from business_cases import gate, services
from business_cases.models import BusinessCase
from marketplace.publication.services import PublishedRelease
from marketplace.tenders.models import Tender
from marketplace.tenders.releases import current_links, iso, money
from marketplace.tenders.states import FINAL_STATES, PLANNING_UPDATE_TAG
from marketplace.tenders.workflow import emit, lock, plan_line_of, release_part

SUMMARY_CHARS = 1500  # per part; the PDF has the whole case


def case_pdf_url(case: BusinessCase) -> str:
    return f"{current_links().base_url}/cases/{case.id}.pdf"


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def rationale(case: BusinessCase) -> str:
    """The problem and solution summary (Spanish labels: releases are ``language: es``)."""
    parts = []
    if case.problem_identification.strip():
        parts.append(f"Problema: {_clip(case.problem_identification)}")
    if case.proposed_solution.strip():
        parts.append(f"Solución propuesta: {_clip(case.proposed_solution)}")
    return "\n\n".join(parts)


def preferred_tco(case: BusinessCase) -> Decimal | None:
    result = services.evaluate_case(case)
    if result is None or result.preferred is None:
        return None
    tco = result.options[result.preferred][1].base.tco
    return tco.quantize(Decimal("0.01")) if tco > 0 else None


def case_document(case: BusinessCase) -> dict[str, Any]:
    decided = case.decisions[-1].decided_at if case.decisions else None
    doc: dict[str, Any] = {
        "id": f"business-case-{case.id}",
        "documentType": "feasibilityStudy",
        "title": f"Caso de negocio: {case.title}",
        "description": f"Caso de negocio TIC aprobado (versión {case.version}).",
        "url": case_pdf_url(case),
        "format": "application/pdf",
    }
    if decided is not None:
        doc["datePublished"] = iso(decided)
    return doc


@release_part
def business_case_planning(session: Session, tender: Tender, release: dict[str, Any]) -> None:
    planning = release.get("planning")
    if planning is None:
        return
    line = plan_line_of(session, tender)
    case = gate.approved_case(session, line) if line is not None else None
    if case is None:
        return
    text = rationale(case)
    if text:
        planning["rationale"] = text
    tco = preferred_tco(case)
    if tco is not None and "budget" in planning:
        planning["budget"]["amount"] = money(tco, case.currency)
    planning["documents"] = [*planning.get("documents", []), case_document(case)]


def publish_approved_case(session: Session, case: BusinessCase, now: dt.datetime
                          ) -> PublishedRelease | None:
    """Publish a ``planningUpdate`` release of the process of the case's plan line, now
    carrying the approved case; None when the line has no process yet (its first release
    will carry the case) or the process is over."""
    if case.status not in gate.APPROVED or case.plan_line is None:
        return None
    tender_id = case.plan_line.tender_id
    tender = session.get(Tender, tender_id) if tender_id is not None else None
    if tender is None or tender.state in FINAL_STATES:
        return None
    lock(session, tender)
    return emit(session, tender, PLANNING_UPDATE_TAG, now)
