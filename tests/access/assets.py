"""ICT asset register: the buyer's register pages (own unit only; another unit's asset:
tests/test_assets_web.py), the public expiring view, supplier view and feed, and our
own OCDS extensions' files."""

from __future__ import annotations

from tests.access import BUYER, EVERYONE

ROUTES: dict[str, frozenset[str]] = {
    "buyer.assets": BUYER,
    "buyer.assets_expiring": BUYER,
    "buyer.asset_new": BUYER,
    "buyer.asset_detail": BUYER,
    "buyer.asset_edit": BUYER,
    "buyer.asset_move": BUYER,
    "buyer.asset_import": BUYER,
    # Public data only (no location, notes or history).
    "public.assets_expiring": EVERYONE,
    "public.supplier_assets": EVERYONE,
    "public.assets_feed": EVERYONE,
    "public.ocds_extension_file": EVERYONE,
}
