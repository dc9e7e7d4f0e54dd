"""Fixtures for the OCDS library tests: the shared schema and small releases."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ocds.schema import OcdsSchema, load_schema


@pytest.fixture(scope="session")
def schema() -> OcdsSchema:
    return load_schema()


BASE_RELEASE: dict[str, Any] = {
    "ocid": "ocds-tgs001-000001",
    "id": "ocds-tgs001-000001-1",
    "date": "2024-03-01T10:00:00Z",
    "tag": ["tender"],
    "initiationType": "tender",
    "parties": [
        {"id": "B1", "name": "Secretaría de Finanzas", "roles": ["buyer", "procuringEntity"]},
        {"id": "S1", "name": "Proveedor Uno", "roles": ["tenderer", "supplier"]},
    ],
    "buyer": {"id": "B1", "name": "Secretaría de Finanzas"},
    "tender": {
        "id": "T1",
        "status": "active",
        "procuringEntity": {"id": "B1", "name": "Secretaría de Finanzas"},
        "value": {"amount": 1000, "currency": "MXN"},
        "tenderPeriod": {"startDate": "2024-03-01T10:00:00Z", "endDate": "2024-03-20T10:00:00Z"},
        "items": [{"id": "1", "description": "Laptop", "quantity": 2}],
    },
}


def make_release(**changes: Any) -> dict[str, Any]:
    """A valid release with top-level fields replaced (None removes a field)."""
    release = copy.deepcopy(BASE_RELEASE)
    for key, value in changes.items():
        if value is None:
            release.pop(key, None)
        else:
            release[key] = value
    return release


def package(releases: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "uri": "https://tianguis.example/api/releases",
        "version": "1.1",
        "publishedDate": "2024-03-02T00:00:00Z",
        "publisher": {"name": "Tianguis"},
        "releases": releases,
    }
