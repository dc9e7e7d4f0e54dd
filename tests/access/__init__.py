"""The access matrix's role sets, and one module per topic adding its routes.

``tests/test_access_matrix.py`` holds the routes of the first pages; each later topic
(awards, contracts, assets, frameworks, ...) lists its own routes in a module here
defining ``ROUTES: dict[str, frozenset[str]]``, written by hand like the main table. The
matrix test merges them all and fails on an endpoint listed twice.
"""

from __future__ import annotations

import importlib
import pkgutil

ANON = "anonymous"
EVERYONE = frozenset({ANON, "supplier", "buyer", "finance", "admin"})
LOGGED_IN = frozenset({"supplier", "buyer", "finance", "admin"})
SUPPLIER = frozenset({"supplier"})
BUYER = frozenset({"buyer"})
FINANCE = frozenset({"finance"})
ADMIN = frozenset({"admin"})


def topic_routes() -> dict[str, frozenset[str]]:
    """Every topic module's ROUTES merged; an endpoint in two modules is an error."""
    merged: dict[str, frozenset[str]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for endpoint, roles in module.ROUTES.items():
            if endpoint in merged:
                raise AssertionError(f"{endpoint} is listed twice in tests/access")
            merged[endpoint] = roles
    return merged
