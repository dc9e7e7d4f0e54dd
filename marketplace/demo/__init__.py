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
STEPS = ("accounts", "suppliers", "tenders", "cases", "contracts")


def load_demo(session: Session, processes: int = 40, seed: int = 1) -> str:
    rng = random.Random(seed)
    ctx: dict[str, Any] = {"processes": processes, "seed": seed}
    lines = []
    for name in STEPS:
        module = importlib.import_module(f"marketplace.demo.{name}")
        lines.append(f"{name}: {module.load(session, rng, ctx)}")
        session.commit()
    return "\n".join(lines)
