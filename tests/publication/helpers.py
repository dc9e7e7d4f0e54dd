"""Releases for the publication tests: small, valid, and shaped like ours."""

from __future__ import annotations

import copy
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from ocds.schema import OcdsSchema

BUYER = {"id": "MX-CDMX-ADIP", "name": "Agencia Digital de Innovación Pública"}
SUPPLIER = {"id": "MX-RFC-ABC010101AB1", "name": "Cómputo del Valle SA de CV"}
RELEASE_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
VERSIONED_URL = (
    "https://standard.open-contracting.org/schema/1__1__5/versioned-release-validation-schema.json"
)


def tender_release(ocid: str, date: str | None = None, title: str = "Laptops") -> dict[str, Any]:
    release: dict[str, Any] = {
        "ocid": ocid,
        "tag": ["tender"],
        "initiationType": "tender",
        "parties": [{**BUYER, "roles": ["buyer", "procuringEntity"]}],
        "buyer": dict(BUYER),
        "tender": {
            "id": f"{ocid}-tender",
            "title": title,
            "status": "active",
            "procurementMethod": "open",
            "value": {"amount": 90000, "currency": "MXN"},
            "items": [
                {
                    "id": "1",
                    "description": "Laptop, 16 GB",
                    "quantity": 10,
                    "classification": {
                        "scheme": "UNSPSC",
                        "id": "43211503",
                        "description": "Notebook computers",
                    },
                    "unit": {"name": "unit", "value": {"amount": 9000, "currency": "MXN"}},
                }
            ],
        },
    }
    if date:
        release["date"] = date
    return release


def award_release(ocid: str, date: str) -> dict[str, Any]:
    return {
        "ocid": ocid,
        "date": date,
        "tag": ["award", "contract"],
        "initiationType": "tender",
        "parties": [
            {**SUPPLIER, "roles": ["supplier", "tenderer", "payee"]},
            {**BUYER, "roles": ["buyer", "payer"]},
        ],
        "tender": {"id": f"{ocid}-tender", "status": "complete"},
        "bids": {
            "details": [
                {
                    "id": "bid-1",
                    "date": date,
                    "status": "valid",
                    "tenderers": [dict(SUPPLIER)],
                    "value": {"amount": 85000, "currency": "MXN"},
                }
            ]
        },
        "awards": [
            {
                "id": "award-1",
                "title": "Laptops, lot 1",
                "status": "active",
                "date": date,
                "value": {"amount": 85000, "currency": "MXN"},
                "suppliers": [dict(SUPPLIER)],
            }
        ],
        "contracts": [
            {
                "id": "contract-1",
                "awardID": "award-1",
                "title": "Laptops, lot 1",
                "status": "active",
                "dateSigned": date,
                "value": {"amount": 85000, "currency": "MXN"},
                "implementation": {
                    "transactions": [
                        {
                            "id": "tx-1",
                            "date": date,
                            "value": {"amount": 42500, "currency": "MXN"},
                            "payer": dict(BUYER),
                            "payee": dict(SUPPLIER),
                        }
                    ]
                },
            }
        ],
    }


def package_validator(schema: OcdsSchema, package_schema: dict[str, Any]) -> Draft4Validator:
    """The official package schema, its release $refs pointed at our patched release schema
    and at the versioned schema made from it (as OCDS tools make it for extended data: an
    extension that gives ``details`` fields makes each of them versioned)."""
    import warnings

    from ocdsextensionregistry import get_versioned_release_schema

    # We declare, without patching in, OCP's partyScale extension (details.scale): with it
    # ``details`` is an object whose fields are versioned one by one, as ocdsmerge versions
    # them. Its schema is not at hand, so only that much of it is stated here: an object
    # with properties (none named), which the tools version field by field.
    release = copy.deepcopy(schema.release_schema)
    release["definitions"]["Organization"]["properties"]["details"].update(
        type="object", properties={}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # notes about extension fields it versions whole
        versioned = get_versioned_release_schema(release, "1__1__5")
    registry: Registry = Registry().with_resources(
        [
            (RELEASE_URL, DRAFT4.create_resource(copy.deepcopy(schema.release_schema))),
            (VERSIONED_URL, Resource.from_contents(versioned, default_specification=DRAFT4)),
        ]
    )
    return Draft4Validator(package_schema, registry=registry)


def schema_errors(validator: Draft4Validator, data: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)
    ]
