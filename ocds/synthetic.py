"""Realistic synthetic OCDS releases (tender, award, contract stages), for benchmarks and
tests. Deterministic for a given seed; uses the bid, lots and process_title extensions.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

BUYERS = ["Secretaría de Administración y Finanzas", "Agencia Digital de Innovación Pública",
          "Sistema de Transporte Colectivo", "Secretaría de Salud", "Secretaría de Movilidad"]
PRODUCTS = [
    ("Laptop 14 pulgadas", "43211503", 18500.0), ("Servidor rack 2U", "43211501", 210000.0),
    ("Licencia de ofimática", "43231513", 2400.0), ("Switch 48 puertos", "43222612", 56000.0),
    ("Servicio de nube (mes)", "81112003", 98000.0), ("Impresora láser", "43212105", 7600.0),
]
SUPPLIERS = [f"Proveedor Tecnológico {n} S.A. de C.V." for n in range(1, 41)]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _party(pid: str, name: str, roles: list[str]) -> dict[str, Any]:
    return {"id": pid, "name": name, "roles": roles,
            "identifier": {"scheme": "MX-RFC", "id": pid.split("-")[-1]},
            "address": {"locality": "Ciudad de México", "countryName": "México"}}


def process_releases(rng: random.Random, prefix: str, number: int) -> list[dict[str, Any]]:
    """The releases of one contracting process: tender, maybe an update, award, contract."""
    ocid = f"{prefix}-{number:07d}"
    start = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(700),
                                                         minutes=rng.randrange(1440))
    buyer_name = rng.choice(BUYERS)
    buyer = _party(f"MX-RFC-B{BUYERS.index(buyer_name):03d}", buyer_name,
                   ["buyer", "procuringEntity"])
    lines = rng.sample(PRODUCTS, rng.randint(1, 3))
    items: list[dict[str, Any]] = [
        {"id": str(i + 1), "description": name, "quantity": rng.randint(1, 50),
         "classification": {"scheme": "UNSPSC", "id": code, "description": name},
         "unit": {"name": "pieza", "value": {"amount": price, "currency": "MXN"}},
         "relatedLot": "lot-1"}
        for i, (name, code, price) in enumerate(lines)
    ]
    total = round(sum(i["quantity"] * i["unit"]["value"]["amount"] for i in items), 2)
    tender = {"id": f"{ocid}-tender", "title": f"Adquisición de {lines[0][0].lower()}",
              "status": "active", "procuringEntity": {"id": buyer["id"], "name": buyer_name},
              "items": items, "value": {"amount": total, "currency": "MXN"},
              "procurementMethod": rng.choice(["open", "selective", "limited"]),
              "mainProcurementCategory": "goods", "submissionMethod": ["electronicSubmission"],
              "tenderPeriod": {"startDate": _iso(start),
                               "endDate": _iso(start + timedelta(days=20))},
              "lots": [{"id": "lot-1", "title": "Lote único", "status": "active",
                        "value": {"amount": total, "currency": "MXN"}}],
              "documents": [{"id": "doc-1", "documentType": "tenderNotice",
                             "url": f"https://tianguis.example/docs/{number}/convocatoria.pdf",
                             "format": "application/pdf", "language": "es"}]}
    base = {"ocid": ocid, "initiationType": "tender", "language": "es",
            "title": tender["title"], "buyer": {"id": buyer["id"], "name": buyer_name}}
    releases = [{**base, "id": f"{ocid}-1", "date": _iso(start), "tag": ["tender"],
                 "parties": [buyer], "tender": tender}]
    moment = start
    if rng.random() < 0.3:
        moment += timedelta(days=3)
        update = {"id": tender["id"], "tenderPeriod": {"startDate": _iso(start),
                  "endDate": _iso(start + timedelta(days=25))},
                  "documents": [{"id": "doc-2", "documentType": "clarifications",
                                 "url": f"https://tianguis.example/docs/{number}/aclaraciones.pdf"}]}
        releases.append({**base, "id": f"{ocid}-{len(releases) + 1}", "date": _iso(moment),
                         "tag": ["tenderUpdate"], "parties": [buyer], "tender": update})
    bidders = rng.sample(range(len(SUPPLIERS)), rng.randint(1, 4))
    suppliers = [_party(f"MX-RFC-S{n:03d}", SUPPLIERS[n], ["tenderer"]) for n in bidders]
    winner = dict(suppliers[0], roles=["tenderer", "supplier"])
    moment += timedelta(days=30)
    amount = round(total * rng.uniform(0.85, 1.0), 2)
    award = {"id": f"{ocid}-award-1", "status": "active", "date": _iso(moment),
             "value": {"amount": amount, "currency": "MXN"}, "relatedLots": ["lot-1"],
             "suppliers": [{"id": winner["id"], "name": winner["name"]}], "items": items}
    bids = {"statistics": [{"id": "1", "measure": "bids", "value": len(suppliers)}],
            "details": [{"id": f"bid-{s['id']}", "status": "valid", "date": _iso(moment),
                         "tenderers": [{"id": s["id"], "name": s["name"]}],
                         "value": {"amount": round(total * rng.uniform(0.85, 1.1), 2),
                                   "currency": "MXN"}} for s in suppliers]}
    releases.append({**base, "id": f"{ocid}-{len(releases) + 1}", "date": _iso(moment),
                     "tag": ["award"], "parties": [buyer, winner, *suppliers[1:]],
                     "tender": {"id": tender["id"], "status": "complete",
                                "tenderers": [{"id": s["id"], "name": s["name"]}
                                              for s in suppliers]},
                     "awards": [award], "bids": bids})
    moment += timedelta(days=rng.randint(5, 15))
    contract = {"id": f"{ocid}-contract-1", "awardID": award["id"], "status": "active",
                "title": tender["title"], "dateSigned": _iso(moment),
                "value": {"amount": amount, "currency": "MXN"},
                "period": {"startDate": _iso(moment),
                           "endDate": _iso(moment + timedelta(days=365))},
                "items": items}
    releases.append({**base, "id": f"{ocid}-{len(releases) + 1}", "date": _iso(moment),
                     "tag": ["contract"], "parties": [buyer, winner], "awards": [award],
                     "contracts": [contract]})
    return releases


def generate_releases(count: int, seed: int = 1, prefix: str = "ocds-tgs001") -> Iterator[
        dict[str, Any]]:
    """About `count` releases, whole processes (3 or 4 releases each), in process order."""
    rng = random.Random(seed)
    produced = 0
    number = 0
    while produced < count:
        number += 1
        for release in process_releases(rng, prefix, number):
            if produced >= count:
                return
            produced += 1
            yield release
