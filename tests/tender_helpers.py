"""Builders for plan lines and tenders used by the tender tests (through the services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from sqlalchemy.orm import Session

from marketplace.accounts.models import OrgKind, Role, User
from marketplace.plans.models import PlanLine
from marketplace.plans.services import PlanLineInput, add_plan_line
from marketplace.tenders.models import ProcurementMethod, Tender
from marketplace.tenders.rules import DocumentInput, ItemInput, LotInput, TenderInput
from marketplace.tenders.services import save_draft, start_process
from ocds.schema import load_schema
from ocds.validate import validate_release
from tests.factories import make_org, make_user

NOW = dt.datetime(2030, 3, 2, 16, 0, 0)


def buyer(session: Session) -> User:
    return make_user(session, Role.BUYER, make_org(session, OrgKind.BUYER))


def plan_input(**overrides: Any) -> PlanLineInput:
    values: dict[str, Any] = {
        "year": 2030,
        "title": "Equipo de cómputo para escuelas",
        "rationale": "Renovar equipos con más de siete años de uso.",
        "category_code": "43211500",
        "main_category": "goods",
        "amount": Decimal("2500000.00"),
        "currency": "MXN",
        "quarter": 2,
        "budget_source": "Recursos fiscales 2030, partida 5151",
        "is_ict": True,
    }
    values.update(overrides)
    return PlanLineInput(**values)


def tender_input(now: dt.datetime = NOW, **overrides: Any) -> TenderInput:
    values: dict[str, Any] = {
        "title": "Adquisición de equipo de cómputo",
        "description": "Computadoras portátiles para docentes.",
        "value_amount": Decimal("2400000"),
        "procurement_method": ProcurementMethod.OPEN,
        "weight_price": 60,
        "weight_quality": 20,
        "weight_technical": 20,
        "eligibility_criteria": "Proveedores con registro vigente.",
        "enquiry_end": now + dt.timedelta(days=7),
        "tender_end": now + dt.timedelta(days=20),
        "lots": [LotInput("Portátiles", "", Decimal("2000000")), LotInput("Monitores")],
        "items": [
            ItemInput("Computadora portátil 14 pulgadas", "43211503", "Notebooks",
                      Decimal("300"), "equipo", "H87", 1),
            ItemInput("Monitor 24 pulgadas", "43211902", "", Decimal("100"), "pieza", "H87", 2),
        ],
        "documents": [
            DocumentInput("biddingDocuments", "Bases de la licitación", "",
                          "https://example.org/bases.pdf", "application/pdf"),
        ],
    }  # fmt: skip
    values.update(overrides)
    return TenderInput(**values)


def started_process(
    session: Session, user: User, now: dt.datetime = NOW
) -> tuple[PlanLine, Tender]:
    line = add_plan_line(session, user, plan_input())
    tender = start_process(session, line, user, now=now)
    return line, tender


def drafted_tender(
    session: Session, user: User, now: dt.datetime = NOW, **overrides: Any
) -> Tender:
    _line, tender = started_process(session, user, now)
    save_draft(session, tender, user, tender_input(now, **overrides), now=now)
    return tender


_schema = None


def assert_valid(release: dict[str, Any]) -> None:
    """The release validates against OCDS 1.1.5 patched with our four extensions."""
    global _schema
    _schema = _schema or load_schema()
    result = validate_release(release, _schema)
    assert result.valid, result.errors
    # Independently of our library: plain jsonschema, with date-time and uri formats checked.
    validator = Draft4Validator(_schema.release_schema, format_checker=FormatChecker())
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(release)]
    assert not problems, problems
