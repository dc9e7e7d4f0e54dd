"""ICT asset register: the buyer's register pages (own unit only; another unit's asset:
tests/test_assets_web.py), the public expiring view, supplier view and feed, and our
own OCDS extensions' files."""

from __future__ import annotations

from tests.access import EVERYONE

ROUTES: dict[str, frozenset[str]] = {
    "public.ocds_extension_file": EVERYONE,
}
