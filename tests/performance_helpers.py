"""Builders for the performance tests: a signed contract with a met milestone, and a
rating of it, through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.contracts.implementation import MilestoneInput, add_milestone, update_milestone
from marketplace.contracts.life_models import ContractMilestone
from marketplace.contracts.models import Contract
from marketplace.performance.models import SupplierRating
from marketplace.performance.services import RatingInput, rate_supplier
from tests.contract_helpers import NOW, period, signed_contract


def met_milestone(
    db: Session, contract: Contract, buyer: User, start: dt.datetime = NOW, met: bool = True
) -> tuple[ContractMilestone, dt.datetime]:
    """A delivery milestone 30 days into the period, met that day; (milestone, met at)."""
    begin, _end = period(start)
    due = begin + dt.timedelta(days=30)
    milestone = add_milestone(db, contract, buyer, MilestoneInput("Entrega 1", due), now=begin)
    if met:
        update_milestone(db, milestone, buyer, "met", date_met=due, now=due)
    return milestone, due


def scores(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "quality": 4, "schedule": 3, "cost_control": 2, "management": 3, "compliance": 1,
    }  # fmt: skip
    values.update(overrides)
    return values


def rated(
    db: Session, start: dt.datetime = NOW, **score_overrides: Any
) -> tuple[SupplierRating, Contract, User, User, dt.datetime]:
    """A draft rating of a met milestone; (rating, contract, buyer, supplier user, rated at)."""
    contract, buyer, supplier_user = signed_contract(db, start)
    milestone, met_at = met_milestone(db, contract, buyer, start)
    at = met_at + dt.timedelta(days=1)
    rating = rate_supplier(
        db, contract, buyer,
        RatingInput(scores(**score_overrides), "Entregó a tiempo; un equipo con falla.",
                    milestone.id),
        now=at,
    )  # fmt: skip
    return rating, contract, buyer, supplier_user, at
