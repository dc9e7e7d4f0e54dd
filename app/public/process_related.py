"""Links between processes on the public process page.

Upwards, from the record's ``relatedProcesses``: a call-off says "part of framework
agreement X", other relationships name themselves; an entry with scheme ``ocid`` links to
that process's page when we hold its record. Downwards, a framework agreement's page lists
the call-offs made under it (their own processes, found through the call-off table).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.public.process_data import as_list, text
from marketplace.frameworks.calloff_models import CallOff, CallOffKind
from marketplace.frameworks.models import Framework
from marketplace.publication.models import OcdsRecord
from marketplace.tenders.models import Tender

#: relatedProcess codelist, worded for the visitor.
RELATIONSHIP_WORDS = {
    "framework": _l("Part of framework agreement"),
    "planning": _l("Planned in"),
    "parent": _l("Part of"),
    "prior": _l("Follows"),
    "unsuccessfulProcess": _l("Replaces the unsuccessful process"),
    "subContract": _l("Subcontract of"),
    "replacementProcess": _l("Replaces"),
    "renewalProcess": _l("Renews"),
}


@dataclass(frozen=True)
class ProcessLink:
    #: What the relation is, in words ("Part of framework agreement").
    relation: str
    title: str
    ocid: str
    #: Our page of that process, or the address the publisher gave, or "".
    url: str


@dataclass
class Related:
    upwards: list[ProcessLink] = field(default_factory=list)
    #: Call-offs under this framework agreement (empty for any other process).
    calloffs: list[ProcessLink] = field(default_factory=list)
    #: The framework's own page (lots, suppliers, catalogue) when this is a framework.
    framework_url: str = ""


def _upwards(session: Session, compiled: dict[str, Any]) -> list[ProcessLink]:
    links = []
    entries = as_list(compiled.get("relatedProcesses"))
    ocids = [text(e.get("identifier")) for e in entries if text(e.get("scheme")) == "ocid"]
    known = set(
        session.scalars(select(OcdsRecord.ocid).where(OcdsRecord.ocid.in_(ocids))) if ocids else ()
    )
    for entry in entries:
        raw = entry.get("relationship")
        codes = [c for c in raw if isinstance(c, str)] if isinstance(raw, list) else []
        relation = (
            str(RELATIONSHIP_WORDS[codes[0]])
            if codes and codes[0] in RELATIONSHIP_WORDS
            else _("Related process")
        )
        ocid = text(entry.get("identifier")) if text(entry.get("scheme")) == "ocid" else ""
        uri = text(entry.get("uri"))
        # Imported records are other publishers' data: only web addresses become links.
        external = uri if uri.startswith(("https://", "http://")) else ""
        url = url_for("public.process", ocid=ocid) if ocid in known else external
        title = text(entry.get("title")) or ocid or text(entry.get("identifier"))
        links.append(ProcessLink(relation, title, ocid, url))
    return links


def related(session: Session, ocid: str, compiled: dict[str, Any]) -> Related:
    result = Related(upwards=_upwards(session, compiled))
    framework = session.scalar(select(Framework).where(Framework.ocid == ocid))
    if framework is None:
        return result
    result.framework_url = url_for("public.framework_page", framework_id=framework.id)
    rows = session.execute(
        select(Tender.ocid, Tender.title, CallOff.kind)
        .join(CallOff, CallOff.tender_id == Tender.id)
        .where(CallOff.framework_id == framework.id, Tender.ocid.is_not(None))
        .order_by(CallOff.id)
    )
    for calloff_ocid, title, kind in rows:
        assert calloff_ocid is not None  # filtered above
        relation = _("direct award") if kind == CallOffKind.DIRECT else _("mini-competition")
        result.calloffs.append(
            ProcessLink(relation, title, calloff_ocid, url_for("public.process", ocid=calloff_ocid))
        )
    return result
