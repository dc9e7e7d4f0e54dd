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

from flask_babel import format_datetime, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.public.process_data import (
    STATUS_WORDS,
    Amendment,
    Award,
    BidView,
    Contract,
    Document,
    Item,
    Money,
    ReleaseRow,
    amendments,
    amount_text,
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
from marketplace.accounts.models import Organisation
from marketplace.audit.models import AuditEvent
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


def show_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return format_decimal(value, "#,##0.##")
    if isinstance(value, list):
        return ", ".join(show_value(v) for v in value) or "[]"
    value = str(value)
    if len(value) >= 16 and value[4:5] == "-" and value[10:11] == "T":
        parsed = parse_date(value)
        if parsed:
            return format_datetime(parsed, "medium")
    return value if len(value) <= 120 else value[:119] + "…"


def change_line(change: Change) -> ChangeLine:
    entry = ""
    if change.entry is not None:
        s = change.entry
        parts = [s.id]
        if s.label:
            parts.append(s.label if len(s.label) <= 80 else s.label[:79] + "…")
        if s.parties:
            parts.append(", ".join(s.parties))
        if s.amount is not None:
            parts.append(amount_text(s.amount, s.currency))
        entry = " — ".join(parts)
        if s.status:
            entry += f" ({words(STATUS_WORDS, s.status)})"
    return ChangeLine(
        change.op, change.path, show_value(change.before), show_value(change.after), entry
    )


def actors(session: Session, release_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """release id -> [(audit action, organisation name or "")] of the public audit events
    that published it. Organisations only: the person who acted is never shown."""
    result: dict[str, list[tuple[str, str]]] = {}
    if not release_ids:
        return result
    rows = session.execute(
        select(AuditEvent.action, AuditEvent.details["release"].as_string(), Organisation.name)
        .outerjoin(Organisation, Organisation.id == AuditEvent.actor_org_id)
        .where(
            AuditEvent.public.is_(True),
            AuditEvent.details["release"].as_string().in_(list(release_ids)),
        )
        .order_by(AuditEvent.seq)
    )
    for action, release_id, org_name in rows:
        result.setdefault(release_id, []).append((action, org_name or ""))
    return result


def timeline(
    releases: Sequence[ReleaseRow], acted: dict[str, list[tuple[str, str]]]
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
        lines = [change_line(c) for c in changes.changes]
        entries.append(
            TimelineEntry(
                release_id=release.id,
                sequence=release.sequence,
                date=release.date,
                tags=tags,
                what=list(dict.fromkeys(what)),
                who=who,
                first=changes.first,
                changes=lines[:CHANGES_SHOWN],
                more=max(0, len(lines) - CHANGES_SHOWN),
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
               OcdsRelease.data)
        .where(OcdsRelease.ocid == record.ocid)
        .order_by(OcdsRelease.sequence)
    )  # fmt: skip
    return [
        ReleaseRow(rid, seq, date, list(tags or []), data if isinstance(data, dict) else {})
        for rid, seq, date, tags, data in rows
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
        result.append(ReleaseRow(rid, n, date, tags, data))
    return result


def process_view(session: Session, record: OcdsRecord, context: Context) -> ProcessView:
    compiled = record.compiled if isinstance(record.compiled, dict) else {}
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
        timeline=timeline(releases, actors(session, [r.id for r in releases])),
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
