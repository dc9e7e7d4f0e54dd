"""Saved searches (owner only) and the explorer's Atom feeds (public; a saved search's
feed by its secret token, 404 for an unknown one)."""

from __future__ import annotations

from tests.access import EVERYONE, LOGGED_IN

ROUTES: dict[str, frozenset[str]] = {
    "public.saved_search_list": LOGGED_IN,
    "public.saved_search_create": LOGGED_IN,
    "public.saved_search_delete": LOGGED_IN,
    "public.search_feed": EVERYONE,
    "public.saved_search_feed": EVERYONE,
    "public.buyer_feed": EVERYONE,
    "public.supplier_feed": EVERYONE,
}
