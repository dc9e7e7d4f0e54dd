"""`tianguis ocds import` on generated malformed files: a one-line message per problem and a
summary, exit 0 or 1, never a traceback, never an item half-written (issue #10)."""

from __future__ import annotations

import pytest

from tests.fuzz.ocds_files import fuzz_import
from tests.fuzz.site import Site, Tally, examples

pytestmark = pytest.mark.fuzz


def test_import_survives_malformed_files(site: Site) -> None:
    tally = Tally()
    fuzz_import(site, tally, max_examples=max(10, 3 * examples()))
    assert tally.requests > 0
    assert not tally.problems, "\n".join(tally.problems)
