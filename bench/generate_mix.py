"""The processes of ``bench/generate.py``: release logs in a realistic mix of states.

Each process starts as a full log from ``bench.process_data.ProcessMaker`` (tender,
answered questions, sealed bids, opening, a disqualification, award, contract,
payments; every release a full snapshot, as ours are) and is cut where its state says,
with the closing release our services publish for that state (``tenderCancellation``,
an unsuccessful ``tenderUpdate``, ``contractTermination``) or, for a plan, the single
``planning`` release. Deterministic for a given ``random.Random``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

from bench.process_data import ProcessMaker, iso

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


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _tag_index(releases: list[dict[str, Any]], tag: str) -> int:
    return next(i for i, r in enumerate(releases) if r["tag"] == [tag])


def _opening_index(releases: list[dict[str, Any]]) -> int:
    """The first release disclosing the bids (their status is no longer ``pending``)."""
    return next(
        i
        for i, r in enumerate(releases)
        if any(d["status"] != "pending" for d in r.get("bids", {}).get("details", []))
    )


def _later(release: dict[str, Any], rng: random.Random, n: int, tag: str) -> dict[str, Any]:
    """A copy of ``release`` a few hours later, as release ``n`` of its process."""
    when = dt.datetime.fromisoformat(release["date"][:-1]) + dt.timedelta(hours=rng.randint(2, 72))
    return {**_copy(release), "id": f"{release['ocid']}-{n}", "date": iso(when), "tag": [tag]}


class MixMaker:
    """Processes of ``ocid_prefix`` for the given buyers and suppliers (party id, name)."""

    def __init__(
        self,
        seed: int,
        ocid_prefix: str,
        buyers: list[tuple[str, str]],
        suppliers: list[tuple[str, str]],
    ) -> None:
        self.rng = random.Random(seed)
        # ProcessMaker names a buyer MX-BUYER-<n>: our organisations carry that as their
        # code, which is their OCDS party id (marketplace.tenders.releases.buyer_party_id).
        self.maker = ProcessMaker(self.rng, [(0, "")])
        self.maker.suppliers = suppliers
        self.buyers = buyers
        self.prefix = ocid_prefix
        self.states = [s for s, _ in STATES]
        self.weights = [w for _, w in STATES]

    def process(self, n: int) -> tuple[str, list[dict[str, Any]]]:
        rng = self.rng
        state = rng.choices(self.states, self.weights)[0]
        bids = rng.randint(50, 80) if rng.random() < 0.002 else rng.randint(1, 8)
        bids = min(bids, len(self.maker.suppliers))
        ocid, log, _ = self.maker.process(n, bids, rng.randint(6, 12))
        buyer_id, buyer_name = rng.choice(self.buyers)
        wanted = f"{self.prefix}-{n}"
        placeholder = json.dumps({"id": "MX-BUYER-0", "name": ""})[1:-1]
        real = json.dumps({"id": buyer_id, "name": buyer_name})[1:-1]
        text = json.dumps(log).replace(f'"{ocid}', f'"{wanted}').replace(placeholder, real)
        log = json.loads(text)
        for release in log:
            release["tender"]["procuringEntity"] = release["buyer"]
        return wanted, self._cut(state, log)

    def _cut(self, state: str, log: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rng = self.rng
        if state == "planning":
            return [self._planning(log[0])]
        opening = _opening_index(log)
        award = _tag_index(log, "award")
        contract = _tag_index(log, "contract")
        if state == "tender":
            return log[: rng.randint(1, opening)]
        if state == "evaluation":
            return log[:award]
        if state == "awarded":
            return log[: award + 1]
        if state == "contracted":
            return log[: rng.randint(contract + 1, len(log))]
        if state == "completed":
            end = _later(log[-1], rng, len(log) + 1, "contractTermination")
            for c in end["contracts"]:
                c["status"] = "terminated"
                for m in c.get("milestones", []):
                    m["status"] = "met"
                    m["dateMet"] = end["date"]
            return [*log, end]
        if state == "cancelled":
            kept = log[: rng.randint(1, opening)]
            end = _later(kept[-1], rng, len(kept) + 1, "tenderCancellation")
            end["tender"]["status"] = "cancelled"
            end["tender"]["documents"].append(
                {
                    "id": "cancellation",
                    "documentType": "cancellationDetails",
                    "title": "Cancelación",
                    "description": "La necesidad dejó de existir por un cambio de prioridades.",
                }
            )
            return [*kept, end]
        # unsuccessful: every bid disqualified after the opening
        kept = log[:award]
        end = _later(kept[-1], rng, len(kept) + 1, "tenderUpdate")
        end["tender"]["status"] = "unsuccessful"
        for d in end.get("bids", {}).get("details", []):
            d["status"] = "disqualified"
        return [*kept, end]

    def _planning(self, first: dict[str, Any]) -> dict[str, Any]:
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
