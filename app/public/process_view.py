"""What the public process page shows, built only from published data.

The page reads the record (compiled release) and the release log of one ocid, the public
audit events naming those releases, and the red-flag context of the search index, and
turns them into view objects worded for the visitor's language (sections:
``process_data``; red flags: ``process_flags``; what changed: ``ocds.diff``). The
template only lays them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.public.process_data import (
    Amendment,
    Award,
    BidView,
    Contract,
    Document,
    Item,
    Money,
    ReleaseRow,
    amendments,
    as_dict,
    as_list,
    awards,
    bids,
    contracts,
    documents,
    items,
    money,
    parse_date,
    text,
    words,
)
from app.public.process_flags import FlagView, flags
from app.public.process_format import Formatter
from marketplace.accounts.models import Organisation
from marketplace.audit.models import AuditEvent
from marketplace.publication.catch_up import record_compiled
from marketplace.publication.models import OcdsRecord, OcdsRelease
from ocds.diff import Change, release_diffs
from ocds.redflags import Context

CHANGES_SHOWN = 6

TAG_WORDS = {
    "planning": _l("Plan published"),
    "planningUpdate": _l("Plan updated"),
    "tender": _l("Tender published"),
    "tenderAmendment": _l("Tender amended"),
    "tenderUpdate": _l("Tender updated"),
    "tenderCancellation": _l("Tender cancelled"),
    "award": _l("Award"),
    "awardUpdate": _l("Award updated"),
    "awardCancellation": _l("Award cancelled"),
    "contract": _l("Contract signed"),
    "contractUpdate": _l("Contract updated"),
    "contractAmendment": _l("Contract amended"),
    "implementation": _l("Implementation"),
    "implementationUpdate": _l("Implementation updated"),
    "contractTermination": _l("Contract terminated"),
    "compiled": _l("Compiled"),
}

#: Public audit actions worded for the timeline (others fall back to the release tags).
ACTION_WORDS = {
    "tender.start": _l("Process started"),
    "tender.open_comments": _l("Draft documents published for comment"),
    "tender.close_comments": _l("Comment period closed"),
    "tender.publish": _l("Tender published"),
    "tender.close_enquiries": _l("Question period closed"),
    "tender.close_tendering": _l("Bidding closed"),
    "tender.cancel": _l("Tender cancelled"),
    "tender.complete": _l("Process complete"),
    "tender.fail": _l("Process unsuccessful"),
    "tender.amended": _l("Tender amended"),
    "tender.prebases_answer": _l("Comment answered"),
    "tender.enquiry_answer": _l("Question answered"),
    "bids.opened": _l("Bids opened"),
    "bid.disqualified": _l("Bid disqualified"),
    "bid.valid": _l("Bid qualified"),
}


# --- timeline --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeLine:
    op: str
    path: str
    before: str
    after: str
    entry: str


@dataclass
class TimelineEntry:
    release_id: str
    sequence: int
    date: dt.datetime | None
    tags: list[str]
    #: What happened, in words: the public audit action(s), else the release tags.
    what: list[str]
    #: Organisations that acted (never people); "the system" for timed steps.
    who: list[str]
    first: bool
    changes: list[ChangeLine] = field(default_factory=list)
    more: int = 0


#: Messages of the bids table, one per bid (``Formatter.say``).
BID_TEXTS = {
    "match": _l("This bid matches the hash published on %(date)s."),
    "mismatch": _l("Warning: this bid does NOT match the hash published on %(date)s."),
    "sealed": _l("Sealed; commitment published on %(date)s."),
}


def show_value(value: Any, fmt: Formatter) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return fmt.number(value)
    if isinstance(value, list):
        return ", ".join(show_value(v, fmt) for v in value) or "[]"
    value = str(value)
    if len(value) >= 16 and value[4:5] == "-" and value[10:11] == "T":
        parsed = parse_date(value)
        if parsed:
            return fmt.date_text(parsed)
    return value if len(value) <= 120 else value[:119] + "…"


def change_line(change: Change, fmt: Formatter) -> ChangeLine:
    entry = ""
    if change.entry is not None:
        s = change.entry
        parts = [s.id]
        if s.label:
            parts.append(s.label if len(s.label) <= 80 else s.label[:79] + "…")
        if s.parties:
            parts.append(", ".join(s.parties))
        if s.amount is not None:
            parts.append(fmt.money(Money(s.amount, s.currency)))
        entry = " — ".join(parts)
        if s.status:
            entry += f" ({fmt.word(s.status)})"
    return ChangeLine(
        change.op, change.path, show_value(change.before, fmt), show_value(change.after, fmt), entry
    )


#: How far apart a release and the audit event of the action that published it may be
#: (both are written in one transaction, so milliseconds in practice).
AUDIT_WINDOW = dt.timedelta(minutes=2)


#: Probes per searched time and step: each query narrows every range by this factor.
PROBES = 24


def _first_seqs(session: Session, times: Sequence[dt.datetime]) -> list[int]:
    """For each time, the first audit ``seq`` that occurred at or after it.

    ``occurred_at`` is taken once the chain's head is locked, so it grows with ``seq``:
    a search over the primary key, all the times at once, each query looking up a few
    evenly spaced rows per range (three or four queries for a million events) instead
    of scanning the log.
    """
    top = session.scalar(select(func.max(AuditEvent.seq))) or 0
    low, high = [1] * len(times), [top + 1] * len(times)
    while True:
        points: dict[int, set[int]] = {}
        for n in range(len(times)):
            width = high[n] - low[n]
            if width > 0:
                step = max(1, width // (PROBES + 1))
                points[n] = (
                    set(range(low[n], high[n], step))
                    if width <= PROBES
                    else {low[n] + width * j // (PROBES + 1) for j in range(1, PROBES + 1)}
                )
        if not points:
            return low
        wanted = set().union(*points.values())
        seen: dict[int, dt.datetime] = {
            seq: at
            for seq, at in session.execute(
                select(AuditEvent.seq, AuditEvent.occurred_at).where(AuditEvent.seq.in_(wanted))
            )
        }
        for n, probed in points.items():
            for seq in sorted(probed):
                at = seen.get(seq)
                if at is not None and at < times[n]:
                    low[n] = max(low[n], seq + 1)
                else:
                    high[n] = min(high[n], seq)
                    break
            if low[n] > high[n]:  # a clock step back: settle on the safe side
                low[n] = high[n]


def actors(session: Session, releases: Sequence[ReleaseRow]) -> dict[str, list[tuple[str, str]]]:
    """release id -> [(audit action, organisation name or "")] of the public audit events
    that published it. Organisations only: the person who acted is never shown.

    The audit log has no index on the release an event names; an event is written in
    the release's transaction, so only the events around each release's time are read.
    """
    result: dict[str, list[tuple[str, str]]] = {}
    stamped = [r for r in releases if r.created_at is not None]
    if not stamped:
        return result
    edges = _first_seqs(
        session,
        [t for r in stamped if r.created_at for t in (r.created_at - AUDIT_WINDOW,
                                                       r.created_at + AUDIT_WINDOW)],
    )  # fmt: skip
    ranges = [AuditEvent.seq.between(edges[n], edges[n + 1] - 1) for n in range(0, len(edges), 2)]
    release_id = AuditEvent.details["release"].as_string()
    rows = session.execute(
        select(AuditEvent.action, release_id, AuditEvent.public, Organisation.name)
        .outerjoin(Organisation, Organisation.id == AuditEvent.actor_org_id)
        .where(or_(*ranges))
        .order_by(AuditEvent.seq)
    )
    wanted = {r.id for r in stamped}
    for action, published, public, org_name in rows:
        if public and published in wanted:
            result.setdefault(published, []).append((action, org_name or ""))
    return result


def timeline(
    releases: Sequence[ReleaseRow], acted: dict[str, list[tuple[str, str]]], fmt: Formatter
) -> list[TimelineEntry]:
    diffs = release_diffs([r.data for r in releases])
    entries = []
    for release, changes in zip(releases, diffs, strict=True):
        tags = [t for t in (release.tags or []) if isinstance(t, str)]
        events = acted.get(release.id, [])
        what = [str(ACTION_WORDS[a]) for a, _org in events if a in ACTION_WORDS]
        if not what:
            what = [words(TAG_WORDS, t) for t in tags]
        who: list[str] = []
        for _action, org in events:
            label = org or _("the system (a deadline passed)")
            if label not in who:
                who.append(label)
        shown = changes.changes[:CHANGES_SHOWN]
        entries.append(
            TimelineEntry(
                release_id=release.id,
                sequence=release.sequence,
                date=release.date,
                tags=tags,
                what=list(dict.fromkeys(what)),
                who=who,
                first=changes.first,
                changes=[change_line(c, fmt) for c in shown],
                more=len(changes.changes) - len(shown),
            )
        )
    return entries


# --- the whole page ---------------------------------------------------------------------


@dataclass
class ProcessView:
    ocid: str
    compiled: dict[str, Any]
    title: str
    description: str
    status: str
    buyer: str
    method: str
    method_details: str
    value: Money | None
    tender_period: tuple[dt.datetime | None, dt.datetime | None]
    enquiry_period: tuple[dt.datetime | None, dt.datetime | None]
    items: list[Item]
    lots: list[dict[str, Any]]
    documents: list[Document]
    clarifications: list[Document]
    enquiries: list[dict[str, Any]]
    tender_amendments: list[Amendment]
    bids: list[BidView]
    awards: list[Award]
    contracts: list[Contract]
    timeline: list[TimelineEntry]
    flags: list[FlagView]
    award_criteria: str
    eligibility: str
    bid_validity_days: Any
    guarantees: str
    budget: Money | None
    budget_source: str
    cancellation: Document | None
    #: Who published it when it is imported (None for our own processes).
    publisher_name: str | None
    release_count: int
    first_date: dt.datetime | None
    last_date: dt.datetime | None


def release_rows(session: Session, record: OcdsRecord) -> list[ReleaseRow]:
    """The releases of ``record``: our release log, or the imported releases of a record
    imported from another publisher (kept apart from our log)."""
    if getattr(record, "publisher_name", None):
        return _imported_rows(session, record.ocid)
    rows = session.execute(
        select(OcdsRelease.id, OcdsRelease.sequence, OcdsRelease.date, OcdsRelease.tags,
               OcdsRelease.data, OcdsRelease.created_at)
        .where(OcdsRelease.ocid == record.ocid)
        .order_by(OcdsRelease.sequence)
    )  # fmt: skip
    return [
        ReleaseRow(rid, seq, date, list(tags or []), data if isinstance(data, dict) else {}, made)
        for rid, seq, date, tags, data, made in rows
    ]


def _imported_rows(session: Session, ocid: str) -> list[ReleaseRow]:
    try:
        from marketplace.publication.import_models import RELEASE, ImportedRelease
    except ImportError:  # the importer is optional: no releases, the record alone
        return []
    rows = session.execute(
        select(ImportedRelease.release_id, ImportedRelease.date, ImportedRelease.data)
        .where(ImportedRelease.ocid == ocid, ImportedRelease.kind == RELEASE)
        .order_by(ImportedRelease.date, ImportedRelease.id)
    )
    result = []
    for n, (rid, date, data) in enumerate(rows, start=1):
        data = data if isinstance(data, dict) else {}
        tags = data.get("tag")
        tags = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
        result.append(ReleaseRow(rid, n, date, tags, data, None))
    return result


def process_view(
    session: Session, record: OcdsRecord, context: Context, fmt: Formatter
) -> ProcessView:
    compiled = record_compiled(session, record) if isinstance(record.compiled, dict) else {}
    releases = release_rows(session, record)
    tender = as_dict(compiled.get("tender"))
    tender_docs = documents(tender.get("documents"))
    lots = [
        {
            "id": text(lot.get("id")),
            "title": text(lot.get("title")) or text(lot.get("id")),
            "description": text(lot.get("description")),
            "value": money(lot.get("value")),
        }
        for lot in as_list(tender.get("lots"))
    ]
    enquiries = [
        {
            "id": text(e.get("id")),
            "question": text(e.get("description")) or text(e.get("title")),
            "answer": text(e.get("answer")),
            "date": parse_date(e.get("date")),
            "answered": parse_date(e.get("dateAnswered")),
        }
        for e in as_list(tender.get("enquiries"))
    ]
    terms = as_dict(tender.get("submissionTerms"))
    budget = as_dict(as_dict(compiled.get("planning")).get("budget"))
    validity = as_dict(terms.get("bidValidityPeriod")).get("durationInDays")
    tender_period, enquiry_period = (
        as_dict(tender.get("tenderPeriod")),
        as_dict(tender.get("enquiryPeriod")),
    )
    return ProcessView(
        ocid=record.ocid,
        compiled=compiled,
        title=text(tender.get("title")) or text(compiled.get("title")) or record.ocid,
        description=text(tender.get("description")) or text(compiled.get("description")),
        status=text(tender.get("status")),
        buyer=text(as_dict(compiled.get("buyer")).get("name")),
        method=text(tender.get("procurementMethod")),
        method_details=text(tender.get("procurementMethodDetails")),
        value=money(tender.get("value")),
        tender_period=(
            parse_date(tender_period.get("startDate")),
            parse_date(tender_period.get("endDate")),
        ),
        enquiry_period=(
            parse_date(enquiry_period.get("startDate")),
            parse_date(enquiry_period.get("endDate")),
        ),
        items=items(tender.get("items")),
        lots=lots,
        documents=[
            d for d in tender_docs if d.type not in ("clarifications", "cancellationDetails")
        ],
        clarifications=[d for d in tender_docs if d.type == "clarifications"],
        enquiries=enquiries,
        tender_amendments=amendments(tender.get("amendments")),
        bids=bids(compiled, releases),
        awards=awards(compiled),
        contracts=contracts(compiled),
        timeline=timeline(releases, actors(session, releases), fmt),
        flags=flags(compiled, context),
        award_criteria=text(tender.get("awardCriteriaDetails"))
        or text(tender.get("awardCriteria")),
        eligibility=text(tender.get("eligibilityCriteria")),
        bid_validity_days=validity if isinstance(validity, int) else None,
        guarantees=text(terms.get("depositsGuarantees")),
        budget=money(budget.get("amount")),
        budget_source=text(budget.get("description")),
        cancellation=next((d for d in tender_docs if d.type == "cancellationDetails"), None),
        publisher_name=getattr(record, "publisher_name", None) or None,
        release_count=len(releases) or record.release_count,
        first_date=record.first_release_date,
        last_date=record.last_release_date,
    )
