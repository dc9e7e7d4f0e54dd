"""Business-case test data, built through the real services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from business_cases import gate
from business_cases.models import TEXT_FIELDS, BusinessCase, Criterion, Rating
from business_cases.services import create_case, rate_case
from marketplace.accounts.models import User


def line(kind: str, category: str, year: int, amount: str) -> dict[str, Any]:
    return {"kind": kind, "category": category, "year": year, "amount": Decimal(amount)}


def case_data(title: str = "Ventanilla única digital", **changes: Any) -> dict[str, Any]:
    """A complete case: three options at r = 10 %, costs in MXN, two small risks."""
    data: dict[str, Any] = {
        "title": title,
        "currency": "MXN",
        "jurisdiction": "MX",
        **{name: f"Texto de {name}." for name in TEXT_FIELDS},
        "delivery_approach": "agile",
        "options": [
            {"name": "Seguir igual", "do_minimum": True,
             "lines": [line("cost", "opex", y, "100000") for y in range(3)]},
            {"name": "Plataforma SaaS", "lines": [
                line("cost", "capex", 0, "500000"), line("cost", "licences", 1, "100000"),
                line("benefit", "cash_releasing", 1, "400000"),
                line("benefit", "non_cash", 2, "400000")]},
            {"name": "Desarrollo propio", "lines": [
                line("cost", "capex", 0, "900000"), line("cost", "staff", 1, "200000"),
                line("benefit", "societal", 2, "600000")]},
        ],
        "risks": [
            {"description": "Baja adopción", "likelihood": 2, "impact": 3, "mitigation": "Piloto"},
            {"description": "Retraso del proveedor", "likelihood": 2, "impact": 2},
        ],
    }
    data.update(changes)
    return data


def make_case(session: Session, author: User, **changes: Any) -> BusinessCase:
    return create_case(session, author, case_data(**changes))


def all_ratings(rating: Rating = Rating.FULLY_MET) -> dict[Criterion, tuple[Rating, str]]:
    comment = "" if rating == Rating.FULLY_MET else "Falta detalle."
    return {c: (rating, comment) for c in Criterion}


def rate_all(session: Session, case: BusinessCase, reviewer: User) -> None:
    rate_case(session, case, reviewer, all_ratings())


def english(client: FlaskClient) -> None:
    """Read pages in English (their source language), whatever the default locale."""
    client.set_cookie("lang", "en")


@contextmanager
def gate_at_default(app: Flask) -> Iterator[None]:
    """The business-case gate at the installation default (MXN 500,000) in ``app`` for the
    block: the test app turns it off."""
    before = app.extensions[gate.POLICY_KEY]
    app.extensions[gate.POLICY_KEY] = gate.DEFAULT_POLICY
    try:
        yield
    finally:
        app.extensions[gate.POLICY_KEY] = before
