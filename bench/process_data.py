"""The process-page bench's data set (bench/process_page.py, also used by
bench/generate_mix.py): release logs shaped like ours, written straight into a fresh
database with their compiled records, audit events and a search-index generation holding
the red-flag context.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from bench.common import fresh_database  # noqa: E402
from marketplace.accounts.models import Organisation, OrgKind  # noqa: E402
from marketplace.audit.models import AuditEvent  # noqa: E402
from marketplace.db import make_engine  # noqa: E402
from marketplace.publication.models import OcdsRecord, OcdsRelease  # noqa: E402
from marketplace.search.index import new_generation, publish_generation, save_context  # noqa: E402
from ocds.diff import merge  # noqa: E402
from ocds.redflags import build_context  # noqa: E402

PREFIX = "ocds-bench1"
ITEMS = [
    ("Laptop 14 pulgadas", "43211503", 18_500),
    ("Servidor rack 2U", "43211501", 210_000),
    ("Licencia de ofimática", "43231513", 2_400),
    ("Switch 48 puertos", "43222612", 56_000),
    ("Servicio de nube (mes)", "81112003", 98_000),
    ("Impresora láser", "43212105", 7_600),
    ("Cámara IP exterior", "46171610", 4_300),
    ("Tableta 10 pulgadas", "43211509", 6_900),
]
BATCH = 2000


def iso(value: dt.datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"


def sha(text_: str) -> str:
    return hashlib.sha256(text_.encode()).hexdigest()


def sealed_contents(
    rng: random.Random, bidders: list[tuple[str, str]], estimate: float
) -> dict[str, str]:
    """Each bidder's sealed bid as canonical JSON (its price drawn around ``estimate``)."""
    return {
        s[0]: json.dumps(
            {
                "supplier": s[0],
                "prices": [{"lot": "", "amount": str(estimate * rng.uniform(0.8, 1.1))}],
                "documents": [{"title": "Propuesta técnica", "sha256": sha(s[0])}],
            },
            sort_keys=True,
        )
        for s in bidders
    }


def item_lines(
    rng: random.Random,
) -> tuple[list[tuple[str, str, float]], list[dict[str, Any]], float]:
    """One to four catalogue lines as OCDS items with quantities, and their total."""
    lines = rng.sample(ITEMS, rng.randint(1, 4))
    items = [
        {
            "id": str(i + 1),
            "description": d,
            "quantity": rng.randint(1, 50),
            "classification": {"scheme": "UNSPSC", "id": code},
            "unit": {"name": "pieza", "value": {"amount": price, "currency": "MXN"}},
        }
        for i, (d, code, price) in enumerate(lines)
    ]
    return lines, items, sum(i["quantity"] * i["unit"]["value"]["amount"] for i in items)


class ProcessMaker:
    """Release logs shaped like ours: every release a full snapshot of the process."""

    def __init__(self, rng: random.Random, buyers: list[tuple[int, str]]) -> None:
        self.rng = rng
        self.buyers = buyers
        self.suppliers = [(f"MX-RFC-S{n:05d}", f"Proveedor {n} SA de CV") for n in range(400)]

    def process(
        self, n: int, bids_count: int, releases_wanted: int
    ) -> tuple[str, list[dict[str, Any]], int]:
        rng = self.rng
        ocid = f"{PREFIX}-{n}"
        org_id, buyer_name = rng.choice(self.buyers)
        buyer = {"id": f"MX-BUYER-{org_id}", "name": buyer_name}
        start = dt.datetime(2025, 1, 1) + dt.timedelta(days=rng.randrange(600))
        lines, items, estimate = item_lines(rng)
        tender: dict[str, Any] = {
            "id": ocid,
            "title": f"Adquisición de {lines[0][0].lower()} ({n})",
            "description": "Equipamiento para oficinas de la unidad compradora. " * 3,
            "status": "active",
            "procurementMethod": rng.choice(["open", "open", "selective"]),
            "procurementMethodDetails": "Licitación pública",
            "mainProcurementCategory": "goods",
            "value": {"amount": estimate, "currency": "MXN"},
            "awardCriteria": "ratedCriteria",
            "awardCriteriaDetails": "Precio 60 %, calidad 40 %",
            "tenderPeriod": {
                "startDate": iso(start),
                "endDate": iso(start + dt.timedelta(days=20)),
            },
            "enquiryPeriod": {
                "startDate": iso(start),
                "endDate": iso(start + dt.timedelta(days=8)),
            },
            "items": items,
            "documents": [
                {
                    "id": "conv",
                    "documentType": "biddingDocuments",
                    "title": "Convocatoria",
                    "url": f"https://example.org/{n}/conv.pdf",
                }
            ],
        }
        parties = [{**buyer, "roles": ["buyer", "procuringEntity"]}]
        base = {"ocid": ocid, "initiationType": "tender", "language": "es", "buyer": buyer}
        releases: list[dict[str, Any]] = []
        when = start

        def emit(tag: str, **sections: Any) -> None:
            nonlocal when
            when += dt.timedelta(hours=rng.randint(2, 72))
            release = {
                **base,
                "id": f"{ocid}-{len(releases) + 1}",
                "date": iso(when),
                "tag": [tag],
                "parties": list(parties),
                "tender": json.loads(json.dumps(tender)),
                **sections,
            }
            releases.append(release)

        emit("tender")
        bidders = rng.sample(self.suppliers, bids_count)
        canon = sealed_contents(rng, bidders, estimate)
        fixed = 4 + (1 if bids_count > 1 else 0)  # tender, opening, award, contract (+ disq.)
        enquiries = max(0, min(3, releases_wanted - fixed - 2))
        for q in range(enquiries):
            tender["documents"].append(
                {
                    "id": f"enquiry-{q + 1}",
                    "documentType": "clarifications",
                    "title": f"Pregunta {q + 1} y respuesta",
                    "description": "Pregunta: ¿Se aceptan equipos equivalentes?\n\nRespuesta: Sí.",
                }
            )
            emit("tenderUpdate")
        sealed_steps = max(1, min(3, releases_wanted - fixed - enquiries))
        details: list[dict[str, Any]] = []
        for step in range(sealed_steps):
            for s in bidders[
                step * len(bidders) // sealed_steps : (step + 1) * len(bidders) // sealed_steps
            ]:
                details.append(
                    {
                        "id": f"bid-{s[0]}",
                        "date": iso(when),
                        "status": "pending",
                        "documents": [
                            {
                                "id": "commitment",
                                "documentType": "submissionDocuments",
                                "description": sha(canon[s[0]]),
                            }
                        ],
                    }
                )
            emit("tenderUpdate", bids={"details": json.loads(json.dumps(details))})
        for d, s in zip(details, bidders, strict=True):
            d["status"] = "valid"
            d["tenderers"] = [{"id": s[0], "name": s[1]}]
            amount = float(json.loads(canon[s[0]])["prices"][0]["amount"])
            d["value"] = {"amount": round(amount, 2), "currency": "MXN"}
            d["documents"].append(
                {
                    "id": "disclosure",
                    "documentType": "submissionDocuments",
                    "description": canon[s[0]],
                }
            )
            parties.append({"id": s[0], "name": s[1], "roles": ["tenderer"]})
        emit("tenderUpdate", bids={"details": json.loads(json.dumps(details))})
        if bids_count > 1:
            details[-1]["status"] = "disqualified"
            emit("tenderUpdate", bids={"details": json.loads(json.dumps(details))})
        winner = min(
            (d for d in details if d["status"] == "valid"), key=lambda d: d["value"]["amount"]
        )
        award = {
            "id": "award-1",
            "status": "active",
            "date": iso(when),
            "value": winner["value"],
            "suppliers": winner["tenderers"],
            "items": items,
        }
        tender["status"] = "complete"
        emit("award", bids={"details": details}, awards=[award])
        contract: dict[str, Any] = {
            "id": "contract-1",
            "awardID": "award-1",
            "status": "active",
            "title": tender["title"],
            "dateSigned": iso(when),
            "value": winner["value"],
            "period": {"startDate": iso(when), "endDate": iso(when + dt.timedelta(days=180))},
            "milestones": [
                {
                    "id": "m1",
                    "title": "Entrega",
                    "type": "delivery",
                    "status": "scheduled",
                    "dueDate": iso(when + dt.timedelta(days=60)),
                }
            ],
        }
        emit("contract", bids={"details": details}, awards=[award], contracts=[contract])
        transactions: list[dict[str, Any]] = []
        while len(releases) < releases_wanted:
            transactions.append(
                {
                    "id": f"tx-{len(transactions) + 1}",
                    "date": iso(when),
                    "value": {"amount": round(winner["value"]["amount"] / 4, 2), "currency": "MXN"},
                    "payer": buyer,
                    "payee": winner["tenderers"][0],
                }
            )
            contract["implementation"] = {"transactions": list(transactions)}
            emit("implementation", bids={"details": details}, awards=[award], contracts=[contract])
        return ocid, releases, org_id


def build(url: str, processes: int, big: int, seed: int, index_dir: Path) -> list[tuple[str, bool]]:
    fresh_database(url)
    engine = make_engine(url)
    rng = random.Random(seed)
    with engine.begin() as conn:
        conn.execute(
            insert(Organisation),
            [
                {"id": 9000 + b, "kind": OrgKind.BUYER, "name": f"Unidad Compradora {b}"}
                for b in range(40)
            ],
        )
    maker = ProcessMaker(rng, [(9000 + b, f"Unidad Compradora {b}") for b in range(40)])
    ocids: list[tuple[str, bool]] = []
    compiled_all: list[dict[str, Any]] = []
    releases_rows: list[dict[str, Any]] = []
    records_rows: list[dict[str, Any]] = []
    audit_rows: list[dict[str, Any]] = []
    big_ids = set(rng.sample(range(processes), big))
    started = time.perf_counter()

    def flush(conn: Any) -> None:
        for table, rows in (
            (OcdsRelease, releases_rows),
            (OcdsRecord, records_rows),
        ):
            if rows:
                conn.execute(insert(table), rows)
                rows.clear()

    with engine.begin() as conn:
        for n in range(processes):
            is_big = n in big_ids
            bids_count = rng.randint(50, 80) if is_big else rng.randint(1, 8)
            wanted = rng.randint(13, 15) if is_big else rng.randint(5, 15)
            ocid, releases, org_id = maker.process(n, bids_count, wanted)
            state: dict[str, Any] = {}
            for s, release in enumerate(releases, start=1):
                date = dt.datetime.fromisoformat(release["date"][:-1])
                releases_rows.append(
                    {
                        "id": release["id"],
                        "ocid": ocid,
                        "sequence": s,
                        "date": date,
                        "tags": release["tag"],
                        "data": release,
                        "sha256": sha(json.dumps(release)),
                        "created_at": date,
                    }
                )
                audit_rows.append(
                    {
                        "occurred_at": date,
                        "actor_org_id": org_id,
                        "action": "tender.publish" if s == 1 else "tender.amended",
                        "object_type": "tender",
                        "object_id": str(n),
                        "details": {"ocid": ocid, "release": release["id"]},
                        "public": True,
                        "prev_hash": "0" * 64,
                        "hash": "0" * 64,
                    }
                )
                state = merge(state, release)
            compiled = {**state, "id": f"{ocid}-compiled", "tag": ["compiled"]}
            compiled_all.append(compiled)
            first = dt.datetime.fromisoformat(releases[0]["date"][:-1])
            last = dt.datetime.fromisoformat(releases[-1]["date"][:-1])
            records_rows.append(
                {
                    "ocid": ocid,
                    "compiled": compiled,
                    "release_count": len(releases),
                    "updated_at": last,
                    "first_release_date": first,
                    "last_release_date": last,
                    "year": first.year,
                }
            )
            ocids.append((ocid, is_big))
            if len(releases_rows) >= BATCH:
                flush(conn)
        flush(conn)
        # The log is in time order, as the live one is (seq is taken under its lock).
        audit_rows.sort(key=lambda row: row["occurred_at"])
        for seq, row in enumerate(audit_rows, start=1):
            row["seq"] = seq
        for start in range(0, len(audit_rows), BATCH):
            conn.execute(insert(AuditEvent), audit_rows[start : start + BATCH])
    engine.dispose()
    path, _ix = new_generation(index_dir)
    save_context(path, build_context(compiled_all))
    publish_generation(index_dir, path)
    count = sum(1 for _ in ocids)
    print(f"built {count} processes ({big} big) in {time.perf_counter() - started:.0f} s")
    return ocids
