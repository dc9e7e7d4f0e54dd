"""Framework agreements: public list, page, catalogue and comparison (prices are public);
supplier application and listing pages; buyer framework and call-off pages (a draft
tender handed over by the tender form comes with ``?from_tender=``). Another company's
listing: tests/test_frameworks_catalogue.py; another unit's framework or draft:
tests/test_frameworks_web.py."""

from __future__ import annotations

from tests.access import BUYER, EVERYONE, SUPPLIER

ROUTES: dict[str, frozenset[str]] = {
    "public.frameworks": EVERYONE,
    "public.framework_page": EVERYONE,
    "public.framework_catalogue": EVERYONE,
    "public.framework_compare": EVERYONE,
    "supplier.frameworks": SUPPLIER,
    "supplier.framework_apply": SUPPLIER,
    "supplier.framework_listing_new": SUPPLIER,
    "supplier.framework_listing_price": SUPPLIER,
    "buyer.frameworks": BUYER,
    "buyer.framework_manage": BUYER,
    "buyer.framework_decide": BUYER,
    "buyer.framework_direct": BUYER,
    "buyer.framework_mini": BUYER,
}
