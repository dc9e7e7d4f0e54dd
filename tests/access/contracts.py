"""Contract pages: the buyer's overview, signing and contract page with its actions; the
supplier's own contracts. (Another unit's or company's contract: tests/test_contracts_web.py.)"""

from __future__ import annotations

from tests.access import BUYER, SUPPLIER

ROUTES: dict[str, frozenset[str]] = {
    "buyer.contracts": BUYER,
    "buyer.contract_sign": BUYER,
    "buyer.contract_detail": BUYER,
    "buyer.contract_amend": BUYER,
    "buyer.contract_milestone_add": BUYER,
    "buyer.contract_milestone_update": BUYER,
    "buyer.contract_payment": BUYER,
    "buyer.contract_end": BUYER,
    "supplier.my_contracts": SUPPLIER,
    "supplier.contract_detail": SUPPLIER,
}
