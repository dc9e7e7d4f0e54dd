"""Supplier performance pages: the buyer's ratings page of a contract; the supplier's
ratings, reply and late-payment complaint. (Another unit's or company's contract or
rating: tests/test_performance_web.py.)"""

from __future__ import annotations

from tests.access import BUYER, SUPPLIER

ROUTES: dict[str, frozenset[str]] = {
    "buyer.contract_ratings": BUYER,
    "supplier.my_ratings": SUPPLIER,
    "supplier.rating_reply": SUPPLIER,
    "supplier.late_payment": SUPPLIER,
}
