"""R024 Price close to the winning bid.

Rule (Cardinal R024): difference = (second-lowest valid bid - winning bid) / winning bid
(see ``base.winner_and_runner_up`` for the exclusions: one active award to one supplier,
single-tenderer bids, same currency, the winner is the lowest bid). Flagged when the
difference is a low outlier: at or below Q1 - 1.5 IQR of all processes' differences
(from the context), or at or below ``Thresholds.r024_max_difference`` when set.

Why: a colluding bidder can mimic competition with a bid just above its partner's.
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

CODE = "R024"
TITLE = "Price close to the winning bid"


def check(compiled: Compiled, context: Context, thresholds: Thresholds) -> Flag | None:
    pair = winner_and_runner_up(compiled)
    if pair is None:
        return None
    evidence = pair.outlier_evidence(
        thresholds.r024_max_difference, context.difference_fence, low=True
    )
    if evidence is None:
        return None
    difference = pair.difference
    return Flag(
        CODE,
        TITLE,
        f"The second-lowest bid ({fmt_money(pair.runner_up_amount, pair.currency)}) was only "
        f"{percent(difference)} above the winning bid "
        f"({fmt_money(pair.winner_amount, pair.currency)}), unusually close.",
        evidence,
    )
