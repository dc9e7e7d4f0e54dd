"""Schemathesis from the app's own OpenAPI document, on the demo data: no 5xx, answers as
documented (status, content type, schema), 400s naming the parameter (issue #10)."""

from __future__ import annotations

import pytest
from schemathesis import GenerationMode

from tests.fuzz.api import fuzz_operation, operations
from tests.fuzz.site import Site, Tally

pytestmark = pytest.mark.fuzz


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_api_operation_answers_as_documented(site: Site, mode: GenerationMode) -> None:
    tally = Tally()
    found = operations(site)
    assert {op.path for op in found} >= {"/api/releases", "/api/records/{ocid}", "/api/search"}
    for operation in found:
        fuzz_operation(site, operation, mode, tally)
    assert tally.requests >= len(found)
    assert not tally.problems, "\n".join(tally.problems)
