"""Delivery monitoring of business cases: the unit's progress pages, finance's
acknowledgement of a report (issue #7, benefit realisation)."""

from __future__ import annotations

from tests.access import BUYER, FINANCE

ROUTES: dict[str, frozenset[str]] = {
    "buyer.case_progress_page": BUYER,
    "buyer.case_delivery_plan": BUYER,
    "buyer.case_go_live": BUYER,
    "buyer.case_report": BUYER,
    "finance.report_acknowledge": FINANCE,
}
