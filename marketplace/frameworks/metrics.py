"""Provider variety of a framework (the OECD's concern): suppliers per lot, who gets the
call-off value (shares and the Herfindahl–Hirschman index), the SME share, and the new
entrants each refresh window brought in."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.awards.models import Award, AwardStatus
from marketplace.frameworks.calloff_models import CallOff
from marketplace.frameworks.models import Framework
from marketplace.suppliers.models import Supplier, SupplierSize


@dataclass
class SupplierShare:
    supplier: Supplier
    value: Decimal
    #: Share of all call-off value, 0–100.
    percent: Decimal


@dataclass
class Variety:
    suppliers_per_lot: list[tuple[str, int]]
    admitted: int
    sme_admitted: int
    calloffs: int
    calloff_value: Decimal
    shares: list[SupplierShare] = field(default_factory=list)
    #: Herfindahl–Hirschman index of call-off value, 0–10,000 (None: no value yet).
    hhi: int | None = None
    #: Percent of call-off value won by SMEs (None: no value yet).
    sme_value_percent: Decimal | None = None
    #: {refresh window n ≥ 1: suppliers first admitted in it}.
    new_entrants: dict[int, int] = field(default_factory=dict)

    @property
    def sme_admitted_percent(self) -> Decimal | None:
        if not self.admitted:
            return None
        return (Decimal(100) * self.sme_admitted / self.admitted).quantize(Decimal("0.1"))


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def variety(session: Session, framework: Framework) -> Variety:
    per_lot = Counter(a.lot_id for a in framework.admissions)
    companies = {a.supplier_id: a.supplier for a in framework.admissions}
    first_window: dict[int, int] = {}
    for a in framework.admissions:
        first_window[a.supplier_id] = min(a.window, first_window.get(a.supplier_id, a.window))
    awards = session.execute(
        select(Award, CallOff.id)
        .join(CallOff, CallOff.tender_id == Award.tender_id)
        .where(
            CallOff.framework_id == framework.id,
            Award.status.in_([AwardStatus.ACTIVE, AwardStatus.PENDING]),
        )
    ).all()
    by_supplier: dict[int, Decimal] = defaultdict(Decimal)
    for award, _calloff_id in awards:
        if award.supplier_id is not None and award.value_amount is not None:
            by_supplier[award.supplier_id] += award.value_amount
            if award.supplier is not None:
                companies.setdefault(award.supplier_id, award.supplier)
    total = sum(by_supplier.values(), Decimal(0))
    result = Variety(
        suppliers_per_lot=[(lot.title, per_lot.get(lot.id, 0)) for lot in framework.lots],
        admitted=len({a.supplier_id for a in framework.admissions}),
        sme_admitted=len(
            {a.supplier_id for a in framework.admissions if a.supplier.size != SupplierSize.LARGE}
        ),
        calloffs=len({calloff_id for _a, calloff_id in awards}),
        calloff_value=total,
        new_entrants=dict(sorted(Counter(w for w in first_window.values() if w > 0).items())),
    )
    if total > 0:
        result.shares = sorted(
            (SupplierShare(companies[s], v, _pct(v, total)) for s, v in by_supplier.items()),
            key=lambda share: (-share.value, share.supplier.legal_name),
        )
        result.hhi = round(sum((v / total * 100) ** 2 for v in by_supplier.values()))
        sme = sum(
            (v for s, v in by_supplier.items() if companies[s].size != SupplierSize.LARGE),
            Decimal(0),
        )
        result.sme_value_percent = _pct(sme, total)
    return result
