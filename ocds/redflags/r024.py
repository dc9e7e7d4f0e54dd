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
    difference = pair.difference
    evidence: dict[str, object] = {
        "winner": pair.winner,
        "winning_amount": pair.winner_amount,
        "runner_up": pair.runner_up,
        "runner_up_amount": pair.runner_up_amount,
        "currency": pair.currency,
        "difference": round(difference, 6),
    }
    if thresholds.r024_max_difference is not None:
        if difference > thresholds.r024_max_difference:
            return None
        evidence["threshold"] = thresholds.r024_max_difference
    else:
        fence = context.difference_fence
        if fence is None or not fence.low_outlier(difference):
            return None
        evidence["fence"] = fence.as_dict()
    return Flag(
        CODE,
        TITLE,
        f"The second-lowest bid ({fmt_money(pair.runner_up_amount, pair.currency)}) was only "
        f"{percent(difference)} above the winning bid "
        f"({fmt_money(pair.winner_amount, pair.currency)}), unusually close.",
        evidence,
    )
