"""The processes of ``bench/generate.py``: release logs in a realistic mix of states.

Each process is a release log shaped like ``bench.process_data.ProcessMaker``'s (tender,
answered questions, sealed bids, opening, a disqualification, award, contract,
payments; every release a full snapshot, as ours are), cut where its state says, with
the closing release our services publish for that state (``tenderCancellation``, an
unsuccessful ``tenderUpdate``, ``contractTermination``) or, for a plan, the single
``planning`` release.

Built for speed (a million processes): every snapshot is a new tree of dicts whose
unchanged parts are shared with the previous release instead of deep-copied (nothing is
mutated once a release holds it), and each process has its own ``random.Random`` seeded
from (seed, n), so a batch can be built in any worker and the output is the same.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

from bench.process_data import iso, item_lines, sealed_contents, sha

#: (state, weight): roughly what a year of a purchasing office's processes looks like.
STATES: list[tuple[str, int]] = [
    ("planning", 8),
    ("tender", 12),
    ("evaluation", 7),
    ("awarded", 6),
    ("contracted", 32),
    ("completed", 20),
    ("cancelled", 8),
    ("unsuccessful", 7),
]
_EPOCH = dt.datetime(2025, 1, 1)
_DESCRIPTION = "Equipamiento para oficinas de la unidad compradora. " * 3
_QUESTION = "Pregunta: ¿Se aceptan equipos equivalentes?\n\nRespuesta: Sí."


class MixMaker:
    """Processes of ``ocid_prefix`` for the given buyers and suppliers (party id, name)."""

    def __init__(
        self,
        seed: int,
        ocid_prefix: str,
        buyers: list[tuple[str, str]],
        suppliers: list[tuple[str, str]],
    ) -> None:
        self.seed = seed
        self.suppliers = suppliers
        self.buyers = buyers
        self.prefix = ocid_prefix
        self.states = [s for s, _ in STATES]
        self.weights = [w for _, w in STATES]

    def process(self, n: int) -> tuple[str, list[dict[str, Any]]]:
        """Process ``n``: its ocid and release log (the same for the same seed and n)."""
        rng = random.Random(f"{self.seed}/{n}")
        state = rng.choices(self.states, self.weights)[0]
        bids = rng.randint(50, 80) if rng.random() < 0.002 else rng.randint(1, 8)
        bids = min(bids, len(self.suppliers))
        buyer_id, buyer_name = rng.choice(self.buyers)
        ocid = f"{self.prefix}-{n}"
        return ocid, _Log(rng, ocid, n, buyer_id, buyer_name).build(
            state, self.suppliers, bids, rng.randint(6, 12)
        )


class _Log:
    """One process's releases, emitted one snapshot at a time."""

    def __init__(self, rng: random.Random, ocid: str, n: int, buyer_id: str, name: str) -> None:
        self.rng, self.ocid, self.n = rng, ocid, n
        self.buyer = {"id": buyer_id, "name": name}
        self.releases: list[dict[str, Any]] = []
        self.when = _EPOCH + dt.timedelta(days=rng.randrange(600))
        self.parties: list[dict[str, Any]] = [{**self.buyer, "roles": ["buyer", "procuringEntity"]}]
        self.documents: list[dict[str, Any]] = []
        self.status = "active"

    def tender(self) -> dict[str, Any]:
        return {**self.tender_head, "status": self.status, **self.tender_tail,
                "documents": list(self.documents), "procuringEntity": self.buyer}  # fmt: skip

    def emit(self, tag: str, **sections: Any) -> dict[str, Any]:
        self.when += dt.timedelta(hours=self.rng.randint(2, 72))
        release = {
            "ocid": self.ocid,
            "initiationType": "tender",
            "language": "es",
            "buyer": self.buyer,
            "id": f"{self.ocid}-{len(self.releases) + 1}",
            "date": iso(self.when),
            "tag": [tag],
            "parties": list(self.parties),
            "tender": self.tender(),
            **sections,
        }
        self.releases.append(release)
        return release

    def later(self, release: dict[str, Any], tag: str, **changes: Any) -> dict[str, Any]:
        """``release`` a few hours later as the next release, with ``changes``."""
        when = dt.datetime.fromisoformat(release["date"][:-1])
        when += dt.timedelta(hours=self.rng.randint(2, 72))
        n = len(self.releases) + 1
        return {**release, "id": f"{self.ocid}-{n}", "date": iso(when), "tag": [tag], **changes}

    def build(
        self, state: str, suppliers: list[tuple[str, str]], bids_count: int, wanted: int
    ) -> list[dict[str, Any]]:
        rng, ocid, n = self.rng, self.ocid, self.n
        start = self.when
        lines, items, estimate = item_lines(rng)
        title = f"Adquisición de {lines[0][0].lower()} ({n})"
        method = rng.choice(["open", "open", "selective"])
        self.tender_head = {"id": ocid, "title": title, "description": _DESCRIPTION}
        self.tender_tail = {
            "procurementMethod": method,
            "procurementMethodDetails": "Licitación pública",
            "mainProcurementCategory": "goods",
            "value": {"amount": estimate, "currency": "MXN"},
            "awardCriteria": "ratedCriteria",
            "awardCriteriaDetails": "Precio 60 %, calidad 40 %",
            "tenderPeriod": {"startDate": iso(start), "endDate": iso(start + dt.timedelta(20))},
            "enquiryPeriod": {"startDate": iso(start), "endDate": iso(start + dt.timedelta(8))},
            "items": items,
        }
        self.documents.append(
            {
                "id": "conv",
                "documentType": "biddingDocuments",
                "title": "Convocatoria",
                "url": f"https://example.org/{n}/conv.pdf",
            }
        )
        first = self.emit("tender")
        if state == "planning":
            return [self.planning(first)]
        bidders = rng.sample(suppliers, bids_count)
        canon = sealed_contents(rng, bidders, estimate)
        fixed = 4 + (1 if bids_count > 1 else 0)  # tender, opening, award, contract (+ disq.)
        enquiries = max(0, min(3, wanted - fixed - 2))
        for q in range(enquiries):
            self.documents.append(
                {
                    "id": f"enquiry-{q + 1}",
                    "documentType": "clarifications",
                    "title": f"Pregunta {q + 1} y respuesta",
                    "description": _QUESTION,
                }
            )
            self.emit("tenderUpdate")
        sealed_steps = max(1, min(3, wanted - fixed - enquiries))
        sealed: list[dict[str, Any]] = []
        for step in range(sealed_steps):
            date = iso(self.when)
            for s in bidders[
                step * len(bidders) // sealed_steps : (step + 1) * len(bidders) // sealed_steps
            ]:
                sealed.append(
                    {
                        "id": f"bid-{s[0]}",
                        "date": date,
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
            self.emit("tenderUpdate", bids={"details": list(sealed)})
        opening = len(self.releases)  # the index of the first release disclosing the bids
        if state in ("tender", "cancelled"):
            kept = self.releases[: rng.randint(1, opening)]
            if state == "tender":
                return kept
            last = kept[-1]
            del self.releases[len(kept) :]
            cancellation = {
                "id": "cancellation",
                "documentType": "cancellationDetails",
                "title": "Cancelación",
                "description": "La necesidad dejó de existir por un cambio de prioridades.",
            }
            tender = {**last["tender"], "status": "cancelled"}
            tender["documents"] = [*tender["documents"], cancellation]
            return [*kept, self.later(last, "tenderCancellation", tender=tender)]
        details = []
        for d, s in zip(sealed, bidders, strict=True):
            amount = float(json.loads(canon[s[0]])["prices"][0]["amount"])
            details.append(
                {
                    "id": d["id"],
                    "date": d["date"],
                    "status": "valid",
                    "documents": [
                        *d["documents"],
                        {
                            "id": "disclosure",
                            "documentType": "submissionDocuments",
                            "description": canon[s[0]],
                        },
                    ],
                    "tenderers": [{"id": s[0], "name": s[1]}],
                    "value": {"amount": round(amount, 2), "currency": "MXN"},
                }
            )
            self.parties.append({"id": s[0], "name": s[1], "roles": ["tenderer"]})
        self.emit("tenderUpdate", bids={"details": list(details)})
        if bids_count > 1:
            details[-1] = {**details[-1], "status": "disqualified"}
            self.emit("tenderUpdate", bids={"details": list(details)})
        award_at = len(self.releases)
        if state == "evaluation":
            return self.releases
        if state == "unsuccessful":
            last = self.releases[-1]
            return [
                *self.releases,
                self.later(
                    last,
                    "tenderUpdate",
                    tender={**last["tender"], "status": "unsuccessful"},
                    bids={"details": [{**d, "status": "disqualified"} for d in details]},
                ),
            ]
        winner = min(
            (d for d in details if d["status"] == "valid"), key=lambda d: d["value"]["amount"]
        )
        award = {
            "id": "award-1",
            "status": "active",
            "date": iso(self.when),
            "value": winner["value"],
            "suppliers": winner["tenderers"],
            "items": items,
        }
        self.status = "complete"
        bids = {"details": details}
        self.emit("award", bids=bids, awards=[award])
        if state == "awarded":
            return self.releases
        signed = self.when
        contract: dict[str, Any] = {
            "id": "contract-1",
            "awardID": "award-1",
            "status": "active",
            "title": title,
            "dateSigned": iso(signed),
            "value": winner["value"],
            "period": {"startDate": iso(signed), "endDate": iso(signed + dt.timedelta(180))},
            "milestones": [
                {
                    "id": "m1",
                    "title": "Entrega",
                    "type": "delivery",
                    "status": "scheduled",
                    "dueDate": iso(signed + dt.timedelta(60)),
                }
            ],
        }
        self.emit("contract", bids=bids, awards=[award], contracts=[contract])
        contract_at = award_at + 1
        transactions: list[dict[str, Any]] = []
        payment = {"amount": round(winner["value"]["amount"] / 4, 2), "currency": "MXN"}
        while len(self.releases) < wanted:
            transactions.append(
                {
                    "id": f"tx-{len(transactions) + 1}",
                    "date": iso(self.when),
                    "value": payment,
                    "payer": self.buyer,
                    "payee": winner["tenderers"][0],
                }
            )
            contract = {**contract, "implementation": {"transactions": list(transactions)}}
            self.emit("implementation", bids=bids, awards=[award], contracts=[contract])
        if state == "contracted":
            return self.releases[: rng.randint(contract_at + 1, len(self.releases))]
        # completed
        last = self.releases[-1]
        end = self.later(last, "contractTermination")
        date = end["date"]
        end["contracts"] = [
            {
                **c,
                "status": "terminated",
                "milestones": [
                    {**m, "status": "met", "dateMet": date} for m in c.get("milestones", [])
                ],
            }
            for c in last["contracts"]
        ]
        return [*self.releases, end]

    def planning(self, first: dict[str, Any]) -> dict[str, Any]:
        tender = first["tender"]
        value = tender["value"]
        year = int(first["date"][:4])
        return {
            "ocid": first["ocid"],
            "id": f"{first['ocid']}-1",
            "date": first["date"],
            "tag": ["planning"],
            "initiationType": "tender",
            "language": "es",
            "buyer": first["buyer"],
            "parties": [first["parties"][0]],
            "planning": {
                "budget": {
                    "id": f"plan-{year}-{first['ocid'].rsplit('-', 1)[-1]}",
                    "description": "Presupuesto de egresos, capítulo 5000",
                    "amount": value,
                },
                "rationale": "Renovación del equipo con más de cinco años de uso.",
            },
            "tender": {
                "id": tender["id"],
                "title": tender["title"],
                "status": "planned",
                "procuringEntity": tender["procuringEntity"],
                "mainProcurementCategory": tender["mainProcurementCategory"],
                "value": value,
            },
        }
