"""Timed transitions: a registry of tick functions that `tianguis tick` runs.

A tick function takes ``(session, now)`` (naive UTC), applies every transition due at
``now`` and returns a short summary line. Functions register themselves with
``@register`` in modules named ``ticks`` or ``*_ticks`` under marketplace/ or
business_cases/; ``run_due`` imports those modules first, so no list needs editing.
Tests pass ``now`` to move the clock.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable

from sqlalchemy.orm import Session

TickFn = Callable[[Session, dt.datetime], str]

_REGISTRY: dict[str, TickFn] = {}


def register(fn: TickFn) -> TickFn:
    """Add ``fn`` to the ticks (keyed by its qualified name, so re-imports are harmless)."""
    _REGISTRY[f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def discover() -> None:
    for pkg_name in ("marketplace", "business_cases"):
        try:
            pkg = importlib.import_module(pkg_name)
        except ModuleNotFoundError:
            continue
        for mod in pkgutil.walk_packages(pkg.__path__, prefix=f"{pkg_name}."):
            last = mod.name.rsplit(".", 1)[-1]
            if (last == "ticks" or last.endswith("_ticks")) and mod.name != __name__:
                importlib.import_module(mod.name)


def registered() -> dict[str, TickFn]:
    discover()
    return dict(_REGISTRY)


def run_due(session: Session, now: dt.datetime) -> dict[str, str]:
    """Run every tick function at ``now``; each one's writes are in the caller's session
    (the caller commits). Returns {tick name: summary}."""
    return {name: fn(session, now) for name, fn in sorted(registered().items())}
