"""Helpers for the framework tests: a framework with lots and admitted suppliers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.frameworks.models import Admission, Framework
from marketplace.frameworks.services import (
    FrameworkInput,
    LotInput,
    apply_to_lot,
    create_framework,
    decide_application,
)
from marketplace.suppliers.models import Supplier
from tests.factories import make_user
from tests.supplier_helpers import make_supplier

#: "Now" of the framework tests: the call for applications runs until START.
NOW = dt.datetime(2030, 1, 10, 9, 0)
START = dt.datetime(2030, 2, 1)
END = dt.datetime(2032, 2, 1)
#: Inside the agreement, outside any refresh window.
RUNNING = dt.datetime(2030, 3, 1, 12, 0)


def framework_input(**overrides: object) -> FrameworkInput:
    values: dict[str, object] = {
        "title": "Servicios de software para la Ciudad",
        "description": "Desarrollo, nube y soporte para todas las dependencias.",
        "start_date": START,
        "end_date": END,
        "lots": [LotInput("Desarrollo de software a la medida"), LotInput("Nube pública")],
    }
    values.update(overrides)
    return FrameworkInput(**values)  # type: ignore[arg-type]


def make_framework(session: Session, buyer: User | None = None) -> tuple[Framework, User]:
    buyer = buyer or make_user(session, Role.BUYER)
    return create_framework(session, buyer, framework_input(), NOW), buyer


def admit(
    session: Session, framework: Framework, buyer: User, lot_index: int = 0, **supplier: object
) -> tuple[Admission, Supplier, User]:
    """A new verified supplier, admitted to the lot at ``lot_index``."""
    company, user = make_supplier(session, verified=True, **supplier)  # type: ignore[arg-type]
    application = apply_to_lot(
        session,
        user,
        framework.lots[lot_index],
        "Equipo de 20 personas, 10 años de experiencia.",
        NOW,
    )
    admission = decide_application(session, buyer, application, admit=True, reason="", now=NOW)
    assert admission is not None
    return admission, company, user
