"""A supplier as an OCDS 1.1.5 Organization (a ``parties`` entry)."""

from __future__ import annotations

from typing import Any

from marketplace.suppliers.models import Supplier, SupplierSize
from marketplace.suppliers.reference import country_names, region_name

#: OCDS partyScale codes ("micro", "sme", "large") for our size strata: OCDS has no
#: separate small and medium, both are "sme".
SCALE: dict[SupplierSize, str] = {
    SupplierSize.MICRO: "micro",
    SupplierSize.SMALL: "sme",
    SupplierSize.MEDIUM: "sme",
    SupplierSize.LARGE: "large",
}


def supplier_party(supplier: Supplier, roles: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The OCDS Organization for ``supplier`` with ``roles`` (e.g. ["supplier", "tenderer"]).

    Only public data: the contact point is the one the supplier declared as public, never
    its users' accounts. Empty optional fields are left out rather than sent as null.
    """
    # Country names in OCDS releases are in the publisher's language (Spanish).
    address = {
        "streetAddress": supplier.street_address,
        "locality": supplier.locality,
        "region": region_name(supplier.country, supplier.region),
        "postalCode": supplier.postal_code,
        "countryName": country_names("es").get(supplier.country, supplier.country),
    }
    contact = {
        "name": supplier.contact_name,
        "email": supplier.contact_email,
        "telephone": supplier.contact_phone,
        "url": supplier.website,
    }
    party: dict[str, Any] = {
        "id": supplier.party_id,
        "name": supplier.legal_name,
        "identifier": {
            "scheme": supplier.identifier_scheme,
            "id": supplier.tax_id,
            "legalName": supplier.legal_name,
        },
        "address": {k: v for k, v in address.items() if v},
        "contactPoint": {k: v for k, v in contact.items() if v},
        "roles": list(roles),
        "details": {"scale": SCALE[supplier.size]},
    }
    return party
