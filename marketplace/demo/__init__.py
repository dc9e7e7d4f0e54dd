"""Demo data: realistic, fictional, Spanish-language; deterministic by seed; idempotent.

Each step is a module with ``load(session, rng, ctx) -> str``; ``ctx`` carries what earlier
steps created (organisations, users) to later ones. A step that finds its data already
present returns without writing, so ``tianguis demo`` can run twice.
"""

from __future__ import annotations

import importlib
import random
from typing import Any

from sqlalchemy.orm import Session

#: Order matters: later steps use what earlier steps made.
STEPS = (
    "accounts",
    "suppliers",
    "tenders",
    "cases",
    "bids",
    "awards",
    "contracts",
    "assets",
    "ratings",
    "contract_changes",
    "frameworks",
)


def load_demo(
    session: Session, processes: int = 40, seed: int = 1, bid_secret: str | None = None
) -> str:
    """Run every step; ``bid_secret`` (the app's, see ``app.buyer.opening.bid_secret``)
    seals the demo bids, so without it the steps from bids on find nothing to do."""
    rng = random.Random(seed)
    ctx: dict[str, Any] = {"processes": processes, "seed": seed, "bid_secret": bid_secret}
    lines = []
    for name in STEPS:
        module = importlib.import_module(f"marketplace.demo.{name}")
        lines.append(f"{name}: {module.load(session, rng, ctx)}")
        session.commit()
    return "\n".join(lines)
