"""What a tender must satisfy to be saved or published: the inputs and their guards.

Every rule lives here once; ``validate`` returns all broken rules at once, keyed by the
form field they belong to, so the buyer fixes everything in one pass.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from marketplace.tenders.errors import N_, Msg
from marketplace.tenders.models import ProcurementMethod

MAIN_CATEGORIES = ("goods", "services", "works")
PERMISSIONS = ("required", "allowed", "notAllowed")
#: documentType codes a buyer may attach to a tender (others are ours: clarifications...).
DOCUMENT_TYPES = (
    "tenderNotice",
    "biddingDocuments",
    "technicalSpecifications",
    "evaluationCriteria",
    "eligibilityCriteria",
    "contractDraft",
    "billOfQuantity",
    "marketStudies",
    "feasibilityStudy",
    "illustration",
)
#: A quick purchase compares at least this many quotes.
QUICK_MIN_QUOTES = 3
_UNSPSC = re.compile(r"^\d{8}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)


@dataclass
class LotInput:
    title: str = ""
    description: str = ""
    value_amount: Decimal | None = None

    def blank(self) -> bool:
        return not (self.title.strip() or self.description.strip() or self.value_amount)


@dataclass
class ItemInput:
    description: str = ""
    classification_id: str = ""
    classification_description: str = ""
    quantity: Decimal | None = None
    unit_name: str = ""
    unit_code: str = ""
    #: 1-based number of the lot row the item belongs to (None: the whole tender).
    lot: int | None = None

    def blank(self) -> bool:
        return not (self.description.strip() or self.classification_id.strip() or self.quantity)


@dataclass
class DocumentInput:
    document_type: str = "biddingDocuments"
    title: str = ""
    description: str = ""
    url: str = ""
    format: str = ""
    lot: int | None = None

    def blank(self) -> bool:
        return not (self.title.strip() or self.url.strip())


@dataclass
class TenderInput:
    """Everything the buyer writes in the tender form."""

    title: str = ""
    description: str = ""
    main_category: str = "goods"
    value_amount: Decimal | None = None
    currency: str = "MXN"
    procurement_method: ProcurementMethod = ProcurementMethod.OPEN
    method_details: str = ""
    method_rationale: str = ""
    weight_price: int = 100
    weight_quality: int = 0
    weight_technical: int = 0
    eligibility_criteria: str = ""
    #: None: no enquiry period (bids open at publication).
    enquiry_end: dt.datetime | None = None
    tender_end: dt.datetime | None = None
    bid_validity_days: int | None = 90
    deposits_guarantees: str = ""
    variant_policy: str = "notAllowed"
    multiple_bids_allowed: bool = False
    languages: str = "es"
    lots: list[LotInput] = field(default_factory=list)
    items: list[ItemInput] = field(default_factory=list)
    documents: list[DocumentInput] = field(default_factory=list)
    invited_org_ids: list[int] = field(default_factory=list)


def validate(data: TenderInput, now: dt.datetime) -> dict[str, str | Msg]:
    """All broken rules as {field path: message}; empty when the tender may be saved."""
    errors: dict[str, str | Msg] = {}
    if not data.title.strip():
        errors["title"] = N_("Give the tender a title.")
    elif len(data.title) > 300:
        errors["title"] = N_("Use at most 300 characters.")
    if data.main_category not in MAIN_CATEGORIES:
        errors["main_category"] = N_("Choose goods, services or works.")
    if data.value_amount is not None and data.value_amount < 0:
        errors["value_amount"] = N_("The estimated value cannot be negative.")
    if not _CURRENCY.match(data.currency or ""):
        errors["currency"] = N_("Use a three-letter ISO 4217 currency code, e.g. MXN.")
    _check_method(data, errors)
    _check_weights(data, errors)
    _check_periods(data, now, errors)
    if data.bid_validity_days is not None and not 1 <= data.bid_validity_days <= 365:
        errors["bid_validity_days"] = N_("Bid validity must be between 1 and 365 days.")
    if data.variant_policy not in PERMISSIONS:
        errors["variant_policy"] = N_("Choose whether variant bids are required, allowed or not.")
    lot_numbers = _check_lots(data, errors)
    _check_items(data, lot_numbers, errors)
    _check_documents(data, lot_numbers, errors)
    return errors


def _check_method(data: TenderInput, errors: dict[str, str | Msg]) -> None:
    if data.procurement_method == ProcurementMethod.DIRECT and not data.method_rationale.strip():
        errors["method_rationale"] = N_(
            "A direct award needs a justification (the legal ground and why no competition)."
        )
    if (
        data.procurement_method == ProcurementMethod.QUICK
        and len(set(data.invited_org_ids)) < QUICK_MIN_QUOTES
    ):
        errors["invited"] = Msg(
            N_("A quick purchase needs at least %(min)s invited suppliers (now %(n)s)."),
            {"min": QUICK_MIN_QUOTES, "n": len(set(data.invited_org_ids))},
        )


def _check_weights(data: TenderInput, errors: dict[str, str | Msg]) -> None:
    weights = (data.weight_price, data.weight_quality, data.weight_technical)
    if any(w < 0 or w > 100 for w in weights):
        errors["weight_price"] = N_("Each weight is a percentage between 0 and 100.")
    elif sum(weights) != 100:
        errors["weight_price"] = Msg(
            N_("The award criteria weights must add up to 100 (they add up to %(sum)s)."),
            {"sum": sum(weights)},
        )


def _check_periods(data: TenderInput, now: dt.datetime, errors: dict[str, str | Msg]) -> None:
    if data.tender_end is None:
        errors["tender_end"] = N_("Set the deadline for bids.")
        return
    if data.enquiry_end is not None:
        if data.enquiry_end <= now:
            errors["enquiry_end"] = N_("The enquiry period must end in the future.")
        if data.tender_end <= data.enquiry_end:
            errors["tender_end"] = N_(
                "The deadline for bids must come after the enquiry period ends."
            )
    if "tender_end" not in errors and data.tender_end <= now:
        errors["tender_end"] = N_("The deadline for bids must be in the future.")


def _check_lots(data: TenderInput, errors: dict[str, str | Msg]) -> set[int]:
    numbers: set[int] = set()
    for i, lot in enumerate(data.lots):
        if lot.blank():
            continue
        numbers.add(i + 1)
        if not lot.title.strip():
            errors[f"lots-{i}-title"] = N_("Give the lot a title.")
        if lot.value_amount is not None and lot.value_amount < 0:
            errors[f"lots-{i}-value_amount"] = N_("The value cannot be negative.")
    return numbers


def _check_items(data: TenderInput, lots: set[int], errors: dict[str, str | Msg]) -> None:
    rows = [(i, it) for i, it in enumerate(data.items) if not it.blank()]
    if not rows:
        errors["items-0-description"] = N_("Describe at least one item to buy.")
    for i, item in rows:
        if not item.description.strip():
            errors[f"items-{i}-description"] = N_("Describe the item.")
        if not _UNSPSC.match(item.classification_id.strip()):
            errors[f"items-{i}-classification_id"] = N_(
                "Use an 8-digit UNSPSC code, e.g. 43211503."
            )
        if item.quantity is None or item.quantity <= 0:
            errors[f"items-{i}-quantity"] = N_("The quantity must be more than zero.")
        if not item.unit_name.strip():
            errors[f"items-{i}-unit_name"] = N_("Name the unit (licencia, equipo, mes...).")
        if item.lot is not None and item.lot not in lots:
            errors[f"items-{i}-lot"] = Msg(
                N_("There is no lot %(n)s in this tender."), {"n": item.lot}
            )
        if lots and item.lot is None:
            errors[f"items-{i}-lot"] = N_("The tender has lots: say which lot the item belongs to.")


def _check_documents(data: TenderInput, lots: set[int], errors: dict[str, str | Msg]) -> None:
    for i, doc in enumerate(data.documents):
        if doc.blank():
            continue
        if doc.document_type not in DOCUMENT_TYPES:
            errors[f"documents-{i}-document_type"] = N_("Choose a document type from the list.")
        if not doc.title.strip():
            errors[f"documents-{i}-title"] = N_("Give the document a title.")
        if doc.url.strip() and not _URL.match(doc.url.strip()):
            errors[f"documents-{i}-url"] = N_("Use a full web address starting with https://.")
        if doc.lot is not None and doc.lot not in lots:
            errors[f"documents-{i}-lot"] = Msg(
                N_("There is no lot %(n)s in this tender."), {"n": doc.lot}
            )
