"""Schemathesis against the app's own OpenAPI document (``/api/openapi.json``), in process.

Every operation gets schema-valid (positive) and schema-breaking (negative) requests;
each answer must not be a 5xx, must conform to the document (status, content type,
body schema), and a 400 must name the offending parameter in ``error.path``.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from hypothesis import given
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.site import Site, Tally, crash, fuzz_settings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: Documented to accept anything and report problems in the body, never as a 4xx.
LENIENT = frozenset({"/api/search"})


def operations(site: Site) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", site.app)
    return [result.ok() for result in schema.get_all_operations()]


def _error_path_problem(response: Any, label: str) -> str | None:
    """A 400 must say which parameter is wrong (``error.path``, as documented)."""
    if response.status_code != 400:
        return None
    try:
        error = json.loads(response.content)["error"]
    except (ValueError, KeyError, TypeError):
        return f"{label}: 400 without a JSON error"
    if not isinstance(error.get("path"), str) or not error["path"]:
        return f"{label}: 400 without error.path: {error!r}"
    return None


def fuzz_operation(
    site: Site, operation: Any, mode: GenerationMode, tally: Tally, max_examples: int | None = None
) -> None:
    checks = list(CHECKS)
    if mode is GenerationMode.NEGATIVE and operation.path not in LENIENT:
        checks.append(negative_data_rejection)

    @fuzz_settings(max_examples)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        label = f"{case.method} {case.formatted_path} {case.query!r}"[:400]
        with site.scratch():
            try:
                # The test client does not undo gzip (tests/publication test it).
                response = case.call(headers={"Accept-Encoding": "identity"})
            except Exception as exc:  # the test app propagates what would be a 500
                crash(label, exc, tally)
                return
            tally.requests += 1
            if response.status_code >= 500:
                tally.server_errors += 1
            if b"Traceback (most recent call last)" in response.content:
                tally.tracebacks += 1
            try:
                case.validate_response(response, checks=checks)
            except (AssertionError, BaseExceptionGroup) as exc:  # schemathesis's failures
                found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
                for failure in found:
                    tally.note(f"{label}: {str(failure).strip()[:600]}")
            problem = _error_path_problem(response, label)
            if problem:
                tally.note(problem)

    try:
        run()
    except Unsatisfiable:
        # An operation without parameters has no schema-breaking request to make.
        if mode is not GenerationMode.NEGATIVE:
            raise


def fuzz_api(site: Site, tally: Tally, max_examples: int | None = None) -> None:
    for operation in operations(site):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz_operation(site, operation, mode, tally, max_examples)
