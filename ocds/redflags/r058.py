"""R058 Heavily discounted bid.

Rule (Cardinal R058): the same difference as R024, (second-lowest valid bid - winning
bid) / winning bid, is a high outlier: at or above Q3 + 1.5 IQR of all processes'
differences (from the context), or at or above ``Thresholds.r058_min_difference``.

Why: a winner far below everyone else may deliver defective goods ("lemons") when the
quality criteria are weak.
"""

from __future__ import annotations

from ocds.redflags.base import (
    Compiled,
    Flag,
    Thresholds,
    fmt_money,
    percent,
    winner_and_runner_up,
)
from ocds.redflags.context import Context

CODE = "R058"
TITLE = "Heavily discounted bid"


def check(compiled: Compiled, context: Context, thresholds: Thresholds) -> Flag | None:
    pair = winner_and_runner_up(compiled)
    if pair is None:
        return None
    evidence = pair.outlier_evidence(
        thresholds.r058_min_difference, context.difference_fence, low=False
    )
    if evidence is None:
        return None
    difference = pair.difference
    return Flag(
        CODE,
        TITLE,
        f"The next lowest bid ({fmt_money(pair.runner_up_amount, pair.currency)}) was "
        f"{percent(difference)} above the winning bid "
        f"({fmt_money(pair.winner_amount, pair.currency)}), an unusually large gap.",
        evidence,
    )
