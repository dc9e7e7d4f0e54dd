"""After a crash and a restart: is every acknowledged action there with its release, is
every release backed by its action, does the audit chain verify, does the index catch up?

Read straight from the database (and the index directory), the way an auditor would:

- lost: an acknowledged action whose row is missing, or whose release is missing (the
  bid's entry, with its commitment, in the compiled record; the answer's clarification);
- orphans: a release after the seed without exactly one audit event naming it, or whose
  change names a bid or an answer the database does not hold; a bid or an answer the
  database holds without its release; a record whose release count, releases and
  outbox rows disagree;
- the audit chain verified from its genesis (``marketplace.audit.services.verify``);
- the index: after ``sync`` no outbox row is left, no record has releases waiting to be
  merged, and each record's document carries the record's latest date.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.audit.models import AuditEvent
from marketplace.audit.services import verify
from marketplace.bids.models import Bid
from marketplace.bids.releases import ocds_status
from marketplace.publication.catch_up import record_compiled
from marketplace.publication.models import OcdsRecord, OcdsRelease, SearchOutbox
from marketplace.publication.services import parse_ocds_datetime
from marketplace.search.backend import WhooshBackend
from marketplace.search.index import open_index
from marketplace.tenders.qa_models import Enquiry
from tests.crash.harness import Ack, World, engine_for

#: Audit actions whose event names the release published with them.
RELEASING = {"bid.submitted", "bid.withdrawn", "tender.enquiry_answer"}


@dataclass
class Findings:
    lost: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    chain: str | None = None  # the problem, None when the chain verifies
    index: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.orphans or self.chain or self.index)

    def summary(self) -> str:
        parts = [*self.lost, *self.orphans, *([self.chain] if self.chain else []), *self.index]
        return "; ".join(parts[:10]) or "ok"


def _details(compiled: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in compiled.get("bids", {}).get("details", [])}


def _commitment(detail: dict[str, Any]) -> str:
    return next(d["description"] for d in detail["documents"] if d["id"] == "commitment")


def _clarifications(compiled: dict[str, Any]) -> dict[str, str]:
    docs = compiled.get("tender", {}).get("documents", [])
    return {
        d["id"]: d.get("description", "") for d in docs if d["documentType"] == "clarifications"
    }


def check(world: World, acks: list[Ack]) -> Findings:
    found = Findings()
    with Session(engine_for(world.url)) as session:
        _check_actions(session, world, acks, found)
        _check_releases(session, world, found)
        result = verify(session)
        if not result.ok:
            found.chain = f"audit chain: {result.problem}"
    with Session(engine_for(world.url)) as session:
        _check_index(session, world, found)
    return found


def _check_actions(session: Session, world: World, acks: list[Ack], found: Findings) -> None:
    """(a) every acknowledged action, and (b) every stored one, with its release."""
    bids = {
        str(b.id): b for b in session.scalars(select(Bid).where(Bid.tender_id == world.bid_tender))
    }
    enquiries = list(
        session.scalars(select(Enquiry).where(Enquiry.tender_id == world.enquiry_tender))
    )
    bid_record = session.get(OcdsRecord, world.bid_ocid)
    enquiry_record = session.get(OcdsRecord, world.enquiry_ocid)
    assert bid_record is not None and enquiry_record is not None
    # As the public sees them: a kill between a bid's commit and its record's catch-up
    # leaves the release pending, which pages and the API merge on the fly.
    published = _details(record_compiled(session, bid_record))
    clarified = _clarifications(record_compiled(session, enquiry_record))
    for ack in acks:
        bid = bids.get(ack.key)
        if ack.kind == "bid" and (bid is None or ack.value not in ("", bid.receipt_number)):
            found.lost.append(f"acknowledged bid {ack.key} ({ack.value}) is not stored")
        elif ack.kind == "withdraw" and (bid is None or bid.withdrawn_at is None):
            found.lost.append(f"acknowledged withdrawal of bid {ack.key} is not stored")
        elif ack.kind == "question" and not any(e.question == ack.key for e in enquiries):
            found.lost.append(f"acknowledged question {ack.key[:26]} is not stored")
        elif ack.kind == "answer" and not any(
            str(e.id) == ack.key and e.answer == ack.value for e in enquiries
        ):
            found.lost.append(f"acknowledged answer to question {ack.key} is not stored")
    # Every stored bid and answer (acknowledged or cut off by the kill) has its release.
    for bid in bids.values():
        detail = published.get(bid.public_id)
        if detail is None:
            found.lost.append(f"bid {bid.id} is stored without its release")
        elif detail["status"] != ocds_status(bid, False) or _commitment(detail) != bid.commitment:
            found.lost.append(f"bid {bid.id}'s release says {detail['status']}, not its state")
    for enquiry in enquiries:
        text = clarified.get(f"enquiry-{enquiry.local_id}")
        if enquiry.answered_at is not None and (text is None or enquiry.answer not in text):
            found.lost.append(f"answer to question {enquiry.local_id} is stored without release")
    # A release entry naming a bid or an answer the database does not hold.
    commitments = {b.public_id: b.commitment for b in bids.values()}
    for public_id, detail in published.items():
        if commitments.get(public_id) != _commitment(detail):
            found.orphans.append(f"record of {world.bid_ocid} shows bid {public_id}, not stored")
    answered = {f"enquiry-{e.local_id}": e.answer for e in enquiries if e.answered_at}
    for doc_id, text in clarified.items():
        if doc_id not in answered or answered[doc_id] not in text:
            found.orphans.append(f"record of {world.enquiry_ocid} shows {doc_id}, not stored")
    asked = Counter(e.local_id for e in enquiries)
    found.orphans += [f"question number {n} given twice" for n, c in asked.items() if c > 1]


def _check_releases(session: Session, world: World, found: Findings) -> None:
    """(b) each release after the seed has exactly one audit event naming it (written in
    the same transaction), and each record agrees with its releases and outbox rows."""
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.seq > world.audit_before, AuditEvent.action.in_(RELEASING)
        )
    ).all()
    named = Counter(str(e.details.get("release")) for e in events)
    ocids = [world.bid_ocid, world.enquiry_ocid]
    releases = session.execute(
        select(OcdsRelease.id, OcdsRelease.ocid, OcdsRelease.sequence, OcdsRelease.data)
        .where(OcdsRelease.ocid.in_(ocids))
        .order_by(OcdsRelease.ocid, OcdsRelease.sequence)
    ).all()
    ids = {r.id for r in releases}
    for release in releases:
        if release.sequence > world.releases_before[release.ocid] and named[release.id] != 1:
            found.orphans.append(f"release {release.id} has {named[release.id]} audit events")
    for event in events:
        if str(event.details.get("release")) not in ids:
            found.lost.append(f"audit event {event.seq} ({event.action}) has no release")
    bids = set(session.scalars(select(Bid.public_id).where(Bid.tender_id == world.bid_tender)))
    for release in releases:
        for detail in release.data.get("bids", {}).get("details", []):
            if detail["id"] not in bids:
                found.orphans.append(f"release {release.id} names bid {detail['id']}, not stored")
    outbox = {
        ocid: count
        for ocid, count in session.execute(
            select(SearchOutbox.ocid, func.count())
            .where(SearchOutbox.ocid.in_(ocids))
            .group_by(SearchOutbox.ocid)
        )
    }
    for ocid in ocids:
        record = session.get(OcdsRecord, ocid)
        sequences = [r.sequence for r in releases if r.ocid == ocid]
        assert record is not None
        if sequences != list(range(1, record.release_count + 1)) or outbox.get(ocid) != len(
            sequences
        ):
            found.orphans.append(
                f"{ocid}: record counts {record.release_count} releases, "
                f"{len(sequences)} stored, {outbox.get(ocid)} outbox rows"
            )


def _check_index(session: Session, world: World, found: Findings) -> None:
    """(d) after ``sync`` the outbox is drained and the index has each record as it is."""
    WhooshBackend(world.index_dir).sync(session)  # what `tianguis search sync` runs
    session.commit()
    left = session.scalar(
        select(func.count()).select_from(SearchOutbox).where(SearchOutbox.processed_at.is_(None))
    )
    if left:
        found.index.append(f"{left} outbox rows left after sync")
    pending = session.scalar(select(func.count()).where(OcdsRecord.pending_releases > 0))
    if pending:
        found.index.append(f"{pending} records with releases not merged after sync")
    ix = open_index(world.index_dir)
    with ix.searcher() as searcher:
        for ocid in (world.bid_ocid, world.enquiry_ocid):
            record = session.get(OcdsRecord, ocid)
            assert record is not None
            document = searcher.document(ocid=ocid)
            latest = parse_ocds_datetime(record.compiled["date"])
            if document is None or document.get("updated") != latest:
                found.index.append(f"the index does not show {ocid} as of {latest}")
