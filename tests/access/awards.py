"""Evaluation, award and complaint routes (tests/test_awards_web.py has the cross-org
refusals)."""

from __future__ import annotations

from tests.access import BUYER, EVERYONE, SUPPLIER

ROUTES: dict[str, frozenset[str]] = {
    "buyer.evaluation": BUYER,
    "buyer.bid_score": BUYER,
    "buyer.bid_award": BUYER,
    "buyer.lot_unsuccessful": BUYER,
    "buyer.award_cancel": BUYER,
    "buyer.complaint_resolve": BUYER,
    "supplier.bid_complaints": SUPPLIER,
    "supplier.bid_complaint_file": SUPPLIER,
    "public.process_complaints": EVERYONE,
}
