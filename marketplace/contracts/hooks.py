"""What other parts of the marketplace do when a contract is signed, in the same
transaction as the signing (before its release is built, so what they add is published
with it). The asset register registers here from its models module, which is always
imported; contracts know nothing of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from marketplace.accounts.models import User
    from marketplace.contracts.models import Contract

#: What a hook returns is ignored (the asset register returns the assets it made).
OnSigned = Callable[[Session, "Contract", "User", dt.datetime], object]

_ON_SIGNED: dict[str, OnSigned] = {}


def on_signed(fn: OnSigned) -> OnSigned:
    """Register ``fn(session, contract, user, now)`` (keyed by qualified name, so
    re-imports are harmless). An exception it raises undoes the whole signing."""
    _ON_SIGNED[f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def run_on_signed(session: Session, contract: Contract, user: User, now: dt.datetime) -> None:
    for fn in _ON_SIGNED.values():
        fn(session, contract, user, now)
