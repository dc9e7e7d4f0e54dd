"""The framework process as an OCDS 1.1.5 release (core + lots extension).

The call for applications is ``tender`` (procurementMethod ``selective``: only suppliers
admitted after evaluation take part; the details say it is a framework agreement), each
lot a ``tender.lots`` entry, each admitted supplier an ``award`` for its lot with the
agreement's period. ``tender.techniques.hasFrameworkAgreement`` is true: OCP's techniques
extension is declared in packages (``ocds.schema.DECLARED_EXTENSIONS``) and the flag is
checked by ``ocds.checks.check_techniques``; core OCDS lets Tender carry it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from marketplace.frameworks.models import Framework
from marketplace.frameworks.windows import window_at, window_period
from marketplace.suppliers.ocds import supplier_party
from marketplace.tenders.releases import buyer_party, buyer_party_id, iso

METHOD_DETAILS = "Acuerdo marco: varios proveedores admitidos por lote"


def framework_release(framework: Framework, tag: str, now: dt.datetime) -> dict[str, Any]:
    """The release of ``framework`` now (``publish`` adds its id)."""
    assert framework.ocid
    buyer = buyer_party(framework.buyer)
    parties: dict[str, dict[str, Any]] = {buyer["id"]: buyer}
    awards = []
    for admission in framework.admissions:
        party = supplier_party(admission.supplier, ["supplier"])
        parties.setdefault(party["id"], party)
        awards.append(
            {
                "id": admission.local_id,
                "title": f"{admission.lot.title}: {admission.supplier.legal_name}",
                "status": "active",
                "date": iso(admission.admitted_at),
                "suppliers": [{"id": party["id"], "name": party["name"]}],
                "relatedLots": [admission.lot.local_id],
                "contractPeriod": {
                    "startDate": iso(framework.start_date),
                    "endDate": iso(framework.end_date),
                },
            }
        )
    window = window_at(framework, now)
    tender: dict[str, Any] = {
        "id": framework.ocid,
        "title": framework.title,
        "status": "active" if framework.end_date > now else "complete",
        "procuringEntity": {"id": buyer_party_id(framework.buyer), "name": framework.buyer.name},
        "procurementMethod": "selective",
        "procurementMethodDetails": METHOD_DETAILS,
        "mainProcurementCategory": "services",
        "techniques": {"hasFrameworkAgreement": True},
        "contractPeriod": {
            "startDate": iso(framework.start_date),
            "endDate": iso(framework.end_date),
        },
        "lots": [
            {"id": lot.local_id, "title": lot.title, "status": "active"}
            | ({"description": lot.description} if lot.description else {})
            for lot in framework.lots
        ],
    }
    if window is not None:
        # From the first call's opening to the close of the window now open: suppliers
        # admitted in earlier windows were admitted within the period (each window's own
        # dates are on the framework page).
        first_opens = window_period(framework, 0)[0]
        closes = window_period(framework, window)[1]
        tender["tenderPeriod"] = {"startDate": iso(first_opens), "endDate": iso(closes)}
    if framework.description:
        tender["description"] = framework.description
    release: dict[str, Any] = {
        "ocid": framework.ocid,
        "tag": [tag],
        "date": iso(now),
        "initiationType": "tender",
        "language": "es",
        "title": framework.title,
        "parties": list(parties.values()),
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "tender": tender,
    }
    if awards:
        release["awards"] = awards
    return release
