"""Routes of the analytics page and the buyer pages: public, read-only."""

from __future__ import annotations

from tests.access import EVERYONE

ROUTES: dict[str, frozenset[str]] = {
    "public.analytics": EVERYONE,
    "public.analytics_csv": EVERYONE,
    "public.buyers": EVERYONE,
    "public.buyer_page": EVERYONE,
}
