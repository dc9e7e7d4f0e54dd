"""Demo step "cases": the business cases live in business_cases/demo.py."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy.orm import Session


def load(session: Session, rng: random.Random, ctx: dict[str, Any]) -> str:
    from business_cases.demo import load as load_cases

    return load_cases(session, rng, ctx)
