"""What every red-flag indicator shares: the result type, the settings and OCDS helpers.

Terms follow OCP's Cardinal: a bid is *submitted* when its status is pending, valid or
disqualified (not invited or withdrawn); an award is *complete* when it is active.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Compiled = dict[str, Any]

SUBMITTED = frozenset({"pending", "valid", "disqualified"})


@dataclass(frozen=True)
class Flag:
    """One raised red flag: a reason to look closer, never a verdict."""

    code: str
    title: str
    #: One sentence a non-specialist understands, with this process's figures.
    reason: str
    #: The figures behind the flag (ids, amounts, fences), JSON-serialisable.
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Thresholds:
    """Every configurable number. ``None`` on an outlier indicator means "use the fence
    computed from all records" (Cardinal's default); a number fixes the threshold."""

    r003_min_days: float = 15
    r003_methods: tuple[str, ...] = ("open",)
    r018_methods: tuple[str, ...] = ("open", "selective")
    r024_max_difference: float | None = None
    r025_max_ratio_to_median: float | None = None
    r035_min_disqualified_tenderers: int = 1
    r038_max_ratio: float | None = None
    r038_min_submitted_bids: int = 2
    r038_min_processes: int = 2
    r048_max_variety: int | None = None
    r048_digits: int = 2
    r058_min_difference: float | None = None
    #: Fewer observations than this and an outlier fence is not computed: the quartiles
    #: of three numbers say nothing about what is normal.
    min_observations: int = 5


@dataclass(frozen=True)
class Fence:
    """Tukey's fences of a distribution (Q1 - 1.5 IQR, Q3 + 1.5 IQR)."""

    q1: float
    q3: float
    count: int

    @property
    def lower(self) -> float:
        return self.q1 - 1.5 * (self.q3 - self.q1)

    @property
    def upper(self) -> float:
        return self.q3 + 1.5 * (self.q3 - self.q1)

    def high_outlier(self, value: float) -> bool:
        # "> q3" as well: when most values are equal the IQR is 0 and the fence equals
        # the common value, and ">= fence" alone would flag every ordinary process.
        return value >= self.upper and value > self.q3

    def low_outlier(self, value: float) -> bool:
        return value <= self.lower and value < self.q1

    def as_dict(self) -> dict[str, float]:
        return {"q1": self.q1, "q3": self.q3, "lower": self.lower, "upper": self.upper}

    @classmethod
    def of(cls, values: list[float], min_observations: int) -> Fence | None:
        if len(values) < max(min_observations, 2):
            return None
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
        return cls(q1, q3, len(values))

    def to_json(self) -> list[float]:
        return [self.q1, self.q3, self.count]

    @classmethod
    def from_json(cls, data: list[float] | None) -> Fence | None:
        return None if data is None else cls(float(data[0]), float(data[1]), int(data[2]))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def tender(compiled: Compiled) -> dict[str, Any]:
    return _dict(compiled.get("tender"))


def bid_details(compiled: Compiled) -> list[dict[str, Any]]:
    return [b for b in _list(_dict(compiled.get("bids")).get("details")) if isinstance(b, dict)]


def submitted_bids(compiled: Compiled) -> list[dict[str, Any]]:
    return [b for b in bid_details(compiled) if b.get("status") in SUBMITTED]


def awards(compiled: Compiled) -> list[dict[str, Any]]:
    return [a for a in _list(compiled.get("awards")) if isinstance(a, dict)]


def active_awards(compiled: Compiled) -> list[dict[str, Any]]:
    return [a for a in awards(compiled) if a.get("status") == "active"]


def any_pending_award(compiled: Compiled) -> bool:
    return any(a.get("status") == "pending" for a in awards(compiled))


def org_ids(orgs: Any) -> list[str]:
    return [o["id"] for o in _list(orgs) if isinstance(o, dict) and isinstance(o.get("id"), str)]


def org_names(orgs: Any) -> dict[str, str]:
    return {
        o["id"]: str(o.get("name") or o["id"])
        for o in _list(orgs)
        if isinstance(o, dict) and isinstance(o.get("id"), str)
    }


def tenderer_names(compiled: Compiled) -> dict[str, str]:
    names: dict[str, str] = {}
    for bid in bid_details(compiled):
        names.update(org_names(bid.get("tenderers")))
    for award in awards(compiled):
        names.update(org_names(award.get("suppliers")))
    return names


def money(value: Any) -> tuple[float, str] | None:
    """(amount, currency) of an OCDS Value; None when either is missing."""
    value = _dict(value)
    amount, currency = value.get("amount"), value.get("currency")
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return None
    if not isinstance(currency, str) or not currency:
        return None
    return float(amount), currency


def parse_date(value: Any) -> dt.datetime | None:
    """An OCDS date-time as aware UTC (naive ones are taken as UTC); None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def awarded_items(compiled: Compiled) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(award, item) for every item of every active award."""
    for award in active_awards(compiled):
        for item in _list(award.get("items")):
            if isinstance(item, dict):
                yield award, item


def classification_key(item: dict[str, Any]) -> str | None:
    classification = _dict(item.get("classification"))
    scheme, code = classification.get("scheme"), classification.get("id")
    if not isinstance(scheme, str) or not isinstance(code, str | int) or str(code) == "":
        return None
    return f"{scheme}:{code}"


@dataclass(frozen=True)
class WinnerRunnerUp:
    """The single winning bid and the lowest valid bid of another tenderer."""

    winner: str
    winner_amount: float
    runner_up: str
    runner_up_amount: float
    currency: str

    @property
    def difference(self) -> float:
        return (self.runner_up_amount - self.winner_amount) / self.winner_amount

    def outlier_evidence(
        self, threshold: float | None, fence: Fence | None, *, low: bool
    ) -> dict[str, object] | None:
        """Evidence when the difference is an outlier, else None (R024: low, R058: high).

        With a threshold set, the difference must reach it (at or below it when ``low``,
        at or above it otherwise); without one, it must lie beyond the fence.
        """
        difference = self.difference
        evidence: dict[str, object] = {
            "winner": self.winner,
            "winning_amount": self.winner_amount,
            "runner_up": self.runner_up,
            "runner_up_amount": self.runner_up_amount,
            "currency": self.currency,
            "difference": round(difference, 6),
        }
        if threshold is not None:
            if (difference > threshold) if low else (difference < threshold):
                return None
            evidence["threshold"] = threshold
            return evidence
        if fence is None:
            return None
        if not (fence.low_outlier(difference) if low else fence.high_outlier(difference)):
            return None
        evidence["fence"] = fence.as_dict()
        return evidence


def winner_and_runner_up(compiled: Compiled) -> WinnerRunnerUp | None:
    """Cardinal's "second-lowest valid bid" setting, shared by R024 and R058.

    Excluded (None): a pending award; other than one active award; an award to several
    suppliers; bids by several tenderers; amounts in another currency than the winner's;
    and a winner that is not the lowest bid (then price was not the only criterion).
    """
    if any_pending_award(compiled):
        return None
    complete = active_awards(compiled)
    if len(complete) != 1:
        return None
    suppliers = org_ids(complete[0].get("suppliers"))
    if len(suppliers) != 1:
        return None
    winner_id = suppliers[0]
    valid = []
    for bid in bid_details(compiled):
        tenderers = org_ids(bid.get("tenderers"))
        value = money(bid.get("value"))
        if bid.get("status") == "valid" and len(tenderers) == 1 and value and value[0] > 0:
            valid.append((tenderers[0], value))
    winning = [v for t, v in valid if t == winner_id]
    if not winning:
        return None
    amount, currency = min(winning)
    others = [(v[0], t) for t, v in valid if t != winner_id and v[1] == currency]
    if not others:
        return None
    runner_amount, runner = min(others)
    if runner_amount < amount:
        return None
    return WinnerRunnerUp(winner_id, amount, runner, runner_amount, currency)


def fmt_money(amount: float, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"
