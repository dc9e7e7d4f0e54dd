"""One compiled release read into flat ProcessFacts (see the package docstring)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CURRENCY = "MXN"
COMPETITIVE_METHODS = frozenset({"open", "selective"})
SME_SCALES = frozenset({"micro", "sme"})
ACTIVE_AWARD = frozenset({"active", ""})
SIGNED_CONTRACT = frozenset({"active", "terminated", ""})
#: Largest bidder count shown on its own in the distribution; more go into "N+".
MAX_BIDDERS_BIN = 10
#: Rows kept in ranked tables (spend by buyer, by category, HHI); the rest add up in "other".
TOP = 10


@dataclass(frozen=True)
class Win:
    """What one supplier won in one process (its awards summed)."""

    party_id: str
    name: str
    amount: float | None
    awards: int
    contracts: int
    scale: str | None = None


@dataclass(frozen=True)
class ProcessFacts:
    ocid: str
    title: str
    year: int | None
    buyer_id: str | None
    buyer_name: str
    #: UNSPSC family code ("43210000") of the first classified item, else the
    #: mainProcurementCategory ("goods"), else "".
    category: str
    method: str
    estimate: float | None
    awarded: float | None
    #: Party ids of the disclosed bidders (empty when no bid is disclosed).
    bidders: tuple[str, ...]
    bidder_count: int | None
    wins: tuple[Win, ...]
    contracts: int
    contracted: float | None
    days_to_award: float | None

    @property
    def competitive(self) -> bool:
        return self.method in COMPETITIVE_METHODS

    @property
    def single_bid(self) -> bool | None:
        """True/False for a competitive process with a known number of bidders, else None."""
        if not self.competitive or not self.bidder_count:
            return None
        return self.bidder_count == 1

    @property
    def discount(self) -> float | None:
        if self.estimate is None or self.estimate <= 0 or self.awarded is None:
            return None
        return (self.estimate - self.awarded) / self.estimate

    def to_dict(self) -> dict[str, Any]:
        # dataclasses.asdict deep-copies field by field: ten times slower on this path.
        data = dict(self.__dict__)
        data["bidders"] = list(self.bidders)
        data["wins"] = [dict(w.__dict__) for w in self.wins]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProcessFacts:
        values = dict(data)
        values["bidders"] = tuple(values.get("bidders") or ())
        values["wins"] = tuple(Win(**w) for w in values.get("wins") or ())
        return cls(**values)


def _date(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _amount(value: Any) -> float | None:
    """The amount of an OCDS Value in CURRENCY, else None."""
    if not isinstance(value, Mapping) or value.get("currency", CURRENCY) != CURRENCY:
        return None
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return None
    return float(amount)


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _category(tender: Mapping[str, Any]) -> str:
    for item in _dicts(tender.get("items")):
        classification = item.get("classification")
        if isinstance(classification, Mapping) and classification.get("scheme") == "UNSPSC":
            code = str(classification.get("id") or "")
            if len(code) == 8 and code.isdigit():
                return code[:4] + "0000"
    main = tender.get("mainProcurementCategory")
    return main if isinstance(main, str) else ""


def _bidders(release: Mapping[str, Any]) -> tuple[tuple[str, ...], int | None]:
    bids = release.get("bids")
    seen: dict[str, None] = {}
    disclosed = False
    if isinstance(bids, Mapping):
        for detail in _dicts(bids.get("details")):
            tenderers = _dicts(detail.get("tenderers"))
            if not tenderers or detail.get("status") == "withdrawn":
                continue
            disclosed = True
            for tenderer in tenderers:
                if isinstance(tenderer.get("id"), str):
                    seen[tenderer["id"]] = None
    if disclosed:
        return tuple(sorted(seen)), len(seen)
    tender = release.get("tender")
    number = tender.get("numberOfTenderers") if isinstance(tender, Mapping) else None
    if isinstance(number, int) and not isinstance(number, bool) and number >= 0:
        return (), number
    return (), None


def _scales(release: Mapping[str, Any]) -> dict[str, str]:
    scales: dict[str, str] = {}
    for party in _dicts(release.get("parties")):
        details = party.get("details")
        if isinstance(details, Mapping) and isinstance(details.get("scale"), str):
            scales[str(party.get("id"))] = details["scale"]
    return scales


def process_facts(release: Mapping[str, Any]) -> ProcessFacts:
    """The facts of one compiled release (any missing part gives None or empty)."""
    tender = release.get("tender")
    tender = tender if isinstance(tender, Mapping) else {}
    buyer = release.get("buyer")
    buyer = buyer if isinstance(buyer, Mapping) else {}
    period = tender.get("tenderPeriod")
    start = _date(period.get("startDate") if isinstance(period, Mapping) else None) or _date(
        tender.get("datePublished")
    )
    when = start or _date(release.get("date"))

    scales = _scales(release)
    amounts: dict[str, float | None] = {}
    names: dict[str, str] = {}
    awards_of: Counter[str] = Counter()
    award_suppliers: dict[str, list[str]] = {}
    first_award: dt.datetime | None = None
    awarded: float | None = None
    for award in _dicts(release.get("awards")):
        if str(award.get("status") or "") not in ACTIVE_AWARD:
            continue
        suppliers = [s for s in _dicts(award.get("suppliers")) if isinstance(s.get("id"), str)]
        value = _amount(award.get("value"))
        if value is not None:
            awarded = (awarded or 0.0) + value
        award_suppliers[str(award.get("id"))] = [s["id"] for s in suppliers]
        for supplier in suppliers:
            party = supplier["id"]
            names[party] = str(supplier.get("name") or party)
            awards_of[party] += 1
            share = value / len(suppliers) if value is not None else None
            previous = amounts.get(party)
            amounts[party] = share if previous is None else previous + (share or 0.0)
        date = _date(award.get("date"))
        if date is not None and (first_award is None or date < first_award):
            first_award = date

    contracts_of: Counter[str] = Counter()
    contracts = 0
    contracted: float | None = None
    for contract in _dicts(release.get("contracts")):
        if str(contract.get("status") or "") not in SIGNED_CONTRACT:
            continue
        contracts += 1
        value = _amount(contract.get("value"))
        if value is not None:
            contracted = (contracted or 0.0) + value
        for party in award_suppliers.get(str(contract.get("awardID")), []):
            contracts_of[party] += 1

    bidders, bidder_count = _bidders(release)
    days = None
    if start is not None and first_award is not None and first_award >= start:
        # To the quarter hour: enough for a median shown in days, and few distinct values.
        days = round((first_award - start).total_seconds() / 86400, 2)
    return ProcessFacts(
        ocid=str(release.get("ocid") or ""),
        title=str(tender.get("title") or release.get("title") or ""),
        year=when.year if when else None,
        buyer_id=buyer.get("id") if isinstance(buyer.get("id"), str) else None,
        buyer_name=str(buyer.get("name") or buyer.get("id") or ""),
        category=_category(tender),
        method=str(tender.get("procurementMethod") or ""),
        estimate=_amount(tender.get("value")),
        awarded=awarded,
        bidders=bidders,
        bidder_count=bidder_count,
        wins=tuple(
            Win(
                party,
                names[party],
                amounts[party],
                awards_of[party],
                contracts_of[party],
                scales.get(party),
            )
            for party in sorted(names)
        ),
        contracts=contracts,
        contracted=contracted,
        days_to_award=days,
    )
