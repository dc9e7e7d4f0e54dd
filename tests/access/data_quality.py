"""The data review of our OCDS publication: a public page."""

from __future__ import annotations

from tests.access import EVERYONE

ROUTES: dict[str, frozenset[str]] = {
    "public.data_quality": EVERYONE,
}
