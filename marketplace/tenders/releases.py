"""Mapping a tender to OCDS 1.1.5 releases (with the lots, process_title and
submissionTerms extensions). Pure functions: objects in, dicts out, no database access.

Every release is a full snapshot of what is public about the process at that moment, so
any single release reads on its own and the compiled record is simply the newest state.
Before publication (``planning`` states) only the plan is public: the draft tender's
method, items and criteria stay private until the ``tender`` release.

How the conversation maps to OCDS 1.1.5 (which has no enquiries object in core):

- prebases (draft documents for comment): a ``tender.documents`` entry ``prebases``
  (documentType ``technicalSpecifications``) with the comment period in its description;
  each answered comment is a ``clarifications`` document ``prebases-comment-<n>`` whose
  description holds the comment and the answer (``planningUpdate`` release);
- enquiries: each answered question is a ``clarifications`` document ``enquiry-<n>``
  (``tenderUpdate`` release); ``tender.hasEnquiries`` is true once one was asked;
- amendments: ``tender.amendments`` (``tenderAmendment`` release); whether an amendment is
  material is said in its description (the Amendment object has no field for it);
- cancellation: ``tender.status`` ``cancelled`` plus a ``cancellationDetails`` document
  with the reason (``tenderCancellation`` release).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from marketplace import app_settings
from marketplace.accounts.models import Organisation
from marketplace.plans.models import PlanLine
from marketplace.tenders.models import ProcurementMethod, Tender
from marketplace.tenders.qa_models import Amendment, DraftComment, DraftSpecification, Enquiry
from marketplace.tenders.states import OCDS_STATUS, TenderState

#: OCDS procurementMethod of each of our methods.
OCDS_METHOD: dict[ProcurementMethod, str] = {
    ProcurementMethod.OPEN: "open",
    ProcurementMethod.SELECTIVE: "selective",
    ProcurementMethod.LIMITED: "limited",
    ProcurementMethod.DIRECT: "direct",
    # A quick purchase invites at least three suppliers of the buyer's choice.
    ProcurementMethod.QUICK: "limited",
}

#: Spanish names used in procurementMethodDetails (release.language is "es").
METHOD_DETAILS_ES: dict[ProcurementMethod, str] = {
    ProcurementMethod.OPEN: "Licitación pública",
    ProcurementMethod.SELECTIVE: "Licitación con proveedores precalificados",
    ProcurementMethod.LIMITED: "Invitación restringida",
    ProcurementMethod.DIRECT: "Adjudicación directa",
    ProcurementMethod.QUICK: "Compra rápida con al menos tres cotizaciones",
}


@dataclass(frozen=True)
class LinkSettings:
    """Where public pages live, for document URLs (each web app keeps its own under
    :data:`LINKS_KEY`, from PUBLIC_BASE_URL; read through marketplace.app_settings)."""

    base_url: str = "http://127.0.0.1:5000"


LINKS_KEY = "tianguis_public_links"
_DEFAULT_LINKS = LinkSettings()


def current_links() -> LinkSettings:
    """The current app's public address (outside an app: the development server's)."""
    return app_settings.current(LINKS_KEY, LinkSettings, _DEFAULT_LINKS)


def process_url(ocid: str, anchor: str = "") -> str:
    base = current_links().base_url
    return f"{base}/processes/{ocid}" + (f"#{anchor}" if anchor else "")


@dataclass
class Conversation:
    """The public conversation of a process, passed alongside the tender."""

    draft: DraftSpecification | None = None
    comments: Sequence[DraftComment] = field(default_factory=list)
    enquiries: Sequence[Enquiry] = field(default_factory=list)
    amendments: Sequence[Amendment] = field(default_factory=list)


def iso(value: dt.datetime | None) -> str | None:
    """Naive UTC -> OCDS date-time (``Z``), seconds precision."""
    if value is None:
        return None
    return value.replace(microsecond=0).isoformat() + "Z"


def number(amount: Decimal) -> int | float:
    """JSON number of a Decimal amount (integers stay integers)."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def money(amount: Decimal | None, currency: str) -> dict[str, Any] | None:
    if amount is None:
        return None
    return {"amount": number(amount), "currency": currency}


def buyer_party_id(org: Organisation) -> str:
    """Party id of a purchasing unit: its code (stable, readable), else ``org-<id>``."""
    return org.code or f"org-{org.id}"


def buyer_party(org: Organisation) -> dict[str, Any]:
    return {"id": buyer_party_id(org), "name": org.name, "roles": ["buyer", "procuringEntity"]}


def award_criteria(tender: Tender) -> tuple[str, str]:
    """(awardCriteria code, awardCriteriaDetails) from the weights."""
    details = (
        f"Precio {tender.weight_price} %, calidad {tender.weight_quality} %, "
        f"técnico {tender.weight_technical} %"
    )
    if tender.weight_price == 100:
        return "priceOnly", details
    if tender.weight_quality == 100:
        return "qualityOnly", details
    return "ratedCriteria", details


def build_release(
    tender: Tender,
    tag: str,
    *,
    plan_line: PlanLine | None = None,
    conversation: Conversation | None = None,
    amends_release_id: str | None = None,
) -> dict[str, Any]:
    """The release for ``tag`` describing ``tender`` now. ``publish`` adds id and date."""
    assert tender.ocid, "the tender needs an ocid before it is published"
    conv = conversation or Conversation()
    party = buyer_party(tender.buyer)
    release: dict[str, Any] = {
        "ocid": tender.ocid,
        "tag": [tag],
        "initiationType": "tender",
        "language": "es",
        "title": tender.title,
        "parties": [party],
        "buyer": {"id": party["id"], "name": party["name"]},
        "tender": _tender_section(tender, conv),
    }
    if tender.description:
        release["description"] = tender.description
    if plan_line is not None:
        release["planning"] = planning_section(plan_line)
    return release


def planning_section(line: PlanLine) -> dict[str, Any]:
    planning: dict[str, Any] = {
        "budget": {
            "id": f"plan-{line.year}-{line.id}",
            "description": line.budget_source,
            "amount": money(line.amount, line.currency),
        }
    }
    if line.rationale:
        planning["rationale"] = line.rationale
    return planning


def _tender_section(tender: Tender, conv: Conversation) -> dict[str, Any]:
    published = tender.published_at is not None
    section: dict[str, Any] = {
        "id": tender.ocid,
        "title": tender.title,
        "status": OCDS_STATUS[tender.state],
        "procuringEntity": {"id": buyer_party_id(tender.buyer), "name": tender.buyer.name},
        "mainProcurementCategory": tender.main_category,
    }
    if tender.description:
        section["description"] = tender.description
    if tender.value_amount is not None:
        section["value"] = money(tender.value_amount, tender.currency)
    if published:
        section.update(_call_for_bids(tender))
        if conv.enquiries:
            section["hasEnquiries"] = True
    documents = _documents(tender, conv, published)
    if documents:
        section["documents"] = documents
    if conv.amendments:
        section["amendments"] = [_amendment(a) for a in conv.amendments]
    return _drop_empty(section)


def _call_for_bids(tender: Tender) -> dict[str, Any]:
    """What the ``tender`` release makes public: method, criteria, periods, lots, items."""
    criteria, criteria_details = award_criteria(tender)
    method_details = METHOD_DETAILS_ES[tender.procurement_method]
    if tender.method_details:
        method_details += f". {tender.method_details}"
    part: dict[str, Any] = {
        "procurementMethod": OCDS_METHOD[tender.procurement_method],
        "procurementMethodDetails": method_details,
        "procurementMethodRationale": tender.method_rationale or None,
        "awardCriteria": criteria,
        "awardCriteriaDetails": criteria_details,
        "eligibilityCriteria": tender.eligibility_criteria or None,
        "submissionMethod": ["electronicSubmission"],
        "submissionMethodDetails": "Propuestas en línea en Tianguis, cifradas hasta la apertura.",
        "tenderPeriod": {"startDate": iso(tender.tender_start), "endDate": iso(tender.tender_end)},
        "items": [_item(i) for i in tender.items],
        "submissionTerms": _submission_terms(tender),
    }
    if tender.enquiry_start and tender.enquiry_end:
        part["enquiryPeriod"] = {
            "startDate": iso(tender.enquiry_start),
            "endDate": iso(tender.enquiry_end),
        }
    if tender.lots:
        part["lots"] = [
            _drop_empty(
                {
                    "id": lot.local_id,
                    "title": lot.title,
                    "description": lot.description or None,
                    "value": money(lot.value_amount, tender.currency),
                    "status": OCDS_STATUS[tender.state],
                }
            )
            for lot in tender.lots
        ]
    return part


def _item(item: Any) -> dict[str, Any]:
    classification: dict[str, Any] = {
        "scheme": item.classification_scheme,
        "id": item.classification_id,
    }
    if item.classification_description:
        classification["description"] = item.classification_description
    unit: dict[str, Any] = {"name": item.unit_name}
    if item.unit_code:
        unit.update(scheme="UNCEFACT", id=item.unit_code)
    return _drop_empty(
        {
            "id": item.local_id,
            "description": item.description,
            "classification": classification,
            "quantity": number(item.quantity),
            "unit": unit,
            "relatedLot": item.related_lot or None,
        }
    )


def _submission_terms(tender: Tender) -> dict[str, Any]:
    terms: dict[str, Any] = {
        "electronicSubmissionPolicy": "required",
        "variantPolicy": tender.variant_policy,
        "languages": tender.languages.split() or ["es"],
        "multipleBidsAllowed": tender.multiple_bids_allowed,
    }
    if tender.bid_validity_days:
        terms["bidValidityPeriod"] = {"durationInDays": tender.bid_validity_days}
    if tender.deposits_guarantees:
        terms["depositsGuarantees"] = tender.deposits_guarantees
    return terms


def _documents(tender: Tender, conv: Conversation, published: bool) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    assert tender.ocid
    if conv.draft is not None:
        d = conv.draft
        docs.append(
            {
                "id": "prebases",
                "documentType": "technicalSpecifications",
                "title": "Prebases (proyecto de convocatoria) para comentarios públicos",
                "description": (
                    f"{d.summary}\n\nComentarios del {iso(d.comment_start)} "
                    f"al {iso(d.comment_end)}."
                ),
                "url": d.url or process_url(tender.ocid, "prebases"),
                "datePublished": iso(d.comment_start),
            }
        )
        for n, c in enumerate(conv.comments, start=1):
            if c.answered_at is None:
                continue
            docs.append(
                {
                    "id": f"prebases-comment-{c.id}",
                    "documentType": "clarifications",
                    "title": f"Comentario {n} a las prebases y respuesta",
                    "description": f"Comentario: {c.body}\n\nRespuesta: {c.answer}",
                    "url": process_url(tender.ocid, f"comment-{c.id}"),
                    "datePublished": iso(c.answered_at),
                }
            )
    if published:
        for doc in tender.documents:
            docs.append(
                _drop_empty(
                    {
                        "id": doc.local_id,
                        "documentType": doc.document_type,
                        "title": doc.title,
                        "description": doc.description or None,
                        "url": doc.url or None,
                        "format": doc.format or None,
                        "datePublished": iso(doc.date_published),
                        "dateModified": iso(doc.date_modified),
                        "relatedLots": [doc.related_lot] if doc.related_lot else None,
                    }
                )
            )
    for e in conv.enquiries:
        if e.answered_at is None:
            continue
        docs.append(
            _drop_empty(
                {
                    "id": f"enquiry-{e.local_id}",
                    "documentType": "clarifications",
                    "title": f"Pregunta {e.local_id} y respuesta",
                    "description": f"Pregunta: {e.question}\n\nRespuesta: {e.answer}",
                    "url": process_url(tender.ocid, f"enquiry-{e.local_id}"),
                    "datePublished": iso(e.answered_at),
                    "relatedLots": [e.related_lot] if e.related_lot else None,
                }
            )
        )
    if tender.state == TenderState.CANCELLED:
        docs.append(
            {
                "id": "cancellation",
                "documentType": "cancellationDetails",
                "title": "Motivo de la cancelación",
                "description": tender.cancellation_reason,
                "url": process_url(tender.ocid, "cancellation"),
                "datePublished": iso(tender.cancelled_at),
            }
        )
    return docs


def _amendment(a: Amendment) -> dict[str, Any]:
    description = a.description
    if a.material:
        description += "\n\nModificación sustancial: las propuestas deberán confirmarse de nuevo."
    return _drop_empty(
        {
            "id": a.local_id,
            "date": iso(a.date),
            "rationale": a.rationale,
            "description": description,
            "amendsReleaseID": a.amends_release_id,
            "releaseID": a.release_id,
        }
    )


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out None and empty strings/lists: OCDS prefers absent to empty."""
    return {k: v for k, v in data.items() if v is not None and v != "" and v != []}
