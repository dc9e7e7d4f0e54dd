"""Other publishers' OCDS, written for the import tests (nothing copied from elsewhere).

`fictional_example` is shaped like OCP's fictional example (one process from planning to
implementation, published as a release package); the other builders mimic shapes seen in
real publications: record packages with embedded releases, records with only linked
releases and a compiled release, JSON Lines of releases or of packages, unknown extensions.
"""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

FICTIONAL_OCID = "ocds-213czf-000-00001"
FICTIONAL_PUBLISHER = "Open Data Services Co-operative Limited"
BUYER = {"id": "GB-LAC-E09000003", "name": "London Borough of Barnet"}
SUPPLIER = {"id": "GB-COH-1234567844", "name": "AnyCorp Cycle Provision"}


def _parties(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            **BUYER,
            "identifier": {"scheme": "GB-LAC", "id": "E09000003", "legalName": BUYER["name"]},
            "address": {
                "streetAddress": "4, North London Business Park",
                "locality": "London",
                "postalCode": "N11 1NP",
                "countryName": "United Kingdom",
            },
            "roles": ["buyer", "procuringEntity"],
        },
        *extra,
    ]


def fictional_releases(ocid: str = FICTIONAL_OCID) -> list[dict[str, Any]]:
    """Planning, tender, amendment, award, contract and implementation of one process."""
    item = {
        "id": "0001",
        "description": "string",
        "classification": {"scheme": "CPV", "id": "45233130", "description": "Construction work"},
        "quantity": 8,
        "unit": {"name": "Miles", "value": {"amount": 120000, "currency": "GBP"}},
    }
    tender = {
        "id": f"{ocid}-tender",
        "title": "Planned cycle lane improvements",
        "description": "Tenders solicited for work to build new cycle lanes in the centre of town.",
        "status": "active",
        "items": [item],
        "value": {"amount": 1100000, "currency": "GBP"},
        "procurementMethod": "open",
        "procurementMethodDetails": "Open",
        "tenderPeriod": {"startDate": "2010-03-01T09:00:00Z", "endDate": "2011-04-01T18:00:00Z"},
        "numberOfTenderers": 1,
        "tenderers": [dict(SUPPLIER)],
        "procuringEntity": dict(BUYER),
    }
    supplier_party = {
        **SUPPLIER,
        "roles": ["tenderer", "supplier"],
        "identifier": {"scheme": "GB-COH", "id": "1234567844"},
    }
    award = {
        "id": f"{ocid}-award-01",
        "title": "Award of contract to build new cycle lanes in the centre of town.",
        "status": "active",
        "date": "2010-05-10T09:30:00Z",
        "value": {"amount": 11000000, "currency": "GBP"},
        "suppliers": [dict(SUPPLIER)],
        "items": [item],
        "contractPeriod": {"startDate": "2010-07-01T00:00:00Z", "endDate": "2011-08-01T23:59:00Z"},
    }
    contract = {
        "id": f"{ocid}-contract-01",
        "awardID": award["id"],
        "title": "Contract to build new cycle lanes in the centre of town.",
        "status": "active",
        "period": {"startDate": "2010-07-01T00:00:00Z", "endDate": "2011-08-01T23:59:00Z"},
        "value": {"amount": 11000000, "currency": "GBP"},
        "items": [item],
        "dateSigned": "2010-06-10T14:23:12Z",
    }
    common = {"ocid": ocid, "initiationType": "tender", "language": "en", "buyer": dict(BUYER)}
    return [
        {
            **common,
            "id": f"{ocid}-01-planning",
            "date": "2009-03-15T14:45:00Z",
            "tag": ["planning"],
            "parties": _parties(),
            "planning": {
                "rationale": "The cycle lane network is incomplete.",
                "budget": {
                    "description": "Budget for cycle lanes",
                    "amount": {"amount": 1000000, "currency": "GBP"},
                    "project": "Central Junction Cycle Lanes",
                },
            },
        },
        {
            **common,
            "id": f"{ocid}-02-tender",
            "date": "2010-03-01T09:00:00Z",
            "tag": ["tender"],
            "parties": _parties(),
            "tender": tender,
        },
        {
            **common,
            "id": f"{ocid}-03-tenderAmendment",
            "date": "2010-03-20T09:45:00Z",
            "tag": ["tenderAmendment"],
            "parties": _parties(),
            "tender": {
                **tender,
                "value": {"amount": 1200000, "currency": "GBP"},
                "amendments": [
                    {"id": "1", "date": "2010-03-20T09:45:00Z", "rationale": "Budget increased."}
                ],
            },
        },
        {
            **common,
            "id": f"{ocid}-04-award",
            "date": "2010-05-10T09:30:00Z",
            "tag": ["award"],
            "parties": _parties(supplier_party),
            "awards": [award],
        },
        {
            **common,
            "id": f"{ocid}-05-contract",
            "date": "2010-06-10T14:23:12Z",
            "tag": ["contract"],
            "parties": _parties(supplier_party),
            "contracts": [contract],
        },
        {
            **common,
            "id": f"{ocid}-06-implementation",
            "date": "2011-01-10T09:30:00Z",
            "tag": ["implementation"],
            "parties": _parties(supplier_party),
            "contracts": [
                {
                    **contract,
                    "implementation": {
                        "transactions": [
                            {
                                "id": "1",
                                "source": "https://openspending.org/uk-barnet-spending/",
                                "date": "2010-08-01T00:00:00Z",
                                "value": {"amount": 500000, "currency": "GBP"},
                                "payer": dict(BUYER),
                                "payee": dict(SUPPLIER),
                            }
                        ]
                    },
                }
            ],
        },
    ]


def release_package(
    releases: list[dict[str, Any]], publisher: str | None = FICTIONAL_PUBLISHER, **extra: Any
) -> dict[str, Any]:
    package: dict[str, Any] = {
        "uri": "https://example.org/releases.json",
        "version": "1.1",
        "publishedDate": "2011-02-01T00:00:00Z",
        "license": "http://opendatacommons.org/licenses/pddl/1.0/",
        "publicationPolicy": "https://example.org/policy",
        "releases": releases,
        **extra,
    }
    if publisher is not None:
        package["publisher"] = {"name": publisher, "scheme": "GB-COH", "uid": "09506232"}
    return package


def fictional_example() -> dict[str, Any]:
    return release_package(fictional_releases())


def record_package(records: list[dict[str, Any]], publisher: str) -> dict[str, Any]:
    return {
        "uri": "https://example.org/records.json",
        "version": "1.1",
        "publishedDate": "2024-01-01T00:00:00Z",
        "publisher": {"name": publisher},
        "records": records,
    }


def small_process(ocid: str, n: int = 2, title: str = "Servidores") -> list[dict[str, Any]]:
    """A short process of another publisher (tender, then an award when n > 1)."""
    base = {
        "ocid": ocid,
        "initiationType": "tender",
        "parties": [
            {"id": "MX-X-1", "name": "Ayuntamiento", "roles": ["buyer"]},
            {"id": "MX-X-9", "name": "Proveedora SA", "roles": ["supplier"]},
        ],
        "buyer": {"id": "MX-X-1", "name": "Ayuntamiento"},
    }
    releases = [
        {
            **copy.deepcopy(base),
            "id": f"{ocid}-1",
            "date": "2023-01-05T10:00:00-06:00",
            "tag": ["tender"],
            "tender": {
                "id": "t",
                "title": title,
                "status": "active",
                "value": {"amount": 50000.5, "currency": "MXN"},
                "items": [{"id": 1, "description": "Servidor", "quantity": 2}],
            },
        },
    ]
    if n > 1:
        releases.append(
            {
                **copy.deepcopy(base),
                "id": f"{ocid}-2",
                "date": "2023-02-05T10:00:00-06:00",
                "tag": ["award"],
                "awards": [
                    {
                        "id": "a1",
                        "status": "active",
                        "date": "2023-02-05T10:00:00-06:00",
                        "value": {"amount": 48000, "currency": "MXN"},
                        "suppliers": [{"id": "MX-X-9", "name": "Proveedora SA"}],
                    }
                ],
            }
        )
    return releases


def write_json(path: Path, data: Any, *, gz: bool = False, indent: int | None = None) -> Path:
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def write_lines(path: Path, values: list[Any], *, gz: bool = False) -> Path:
    text = "".join(
        (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)) + "\n"
        for value in values
    )
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path
