"""The main menu: (endpoint, label, roles that see it or None for everyone).

Entries whose endpoint does not exist are left out, so a blueprint adds its pages here.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import Role

NAV: list[tuple[str, LazyString, frozenset[Role] | None]] = [
    ("public.processes", _l("Processes"), None),
    ("public.supplier_directory", _l("Suppliers"), None),
    ("public.analytics", _l("Analytics"), None),
    ("public.frameworks", _l("Frameworks"), None),
    ("public.opportunities_page", _l("My opportunities"), frozenset({Role.SUPPLIER})),
    ("supplier.my_bids", _l("My bids"), frozenset({Role.SUPPLIER})),
    ("supplier.my_contracts", _l("My contracts"), frozenset({Role.SUPPLIER})),
    ("supplier.dashboard", _l("My company"), frozenset({Role.SUPPLIER})),
    ("buyer.dashboard", _l("My unit"), frozenset({Role.BUYER})),
    ("buyer.plan", _l("Plan"), frozenset({Role.BUYER})),
    ("buyer.contracts", _l("Contracts"), frozenset({Role.BUYER})),
    ("buyer.assets", _l("Assets"), frozenset({Role.BUYER})),
    ("buyer.cases_list", _l("Business cases"), frozenset({Role.BUYER})),
    ("finance.dashboard", _l("Finance"), frozenset({Role.FINANCE})),
    ("admin.dashboard", _l("Administration"), frozenset({Role.ADMIN})),
]
