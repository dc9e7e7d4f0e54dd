"""The ``contracts`` section of a tender's releases (OCDS 1.1.5 core, no extension).

Registered with :func:`marketplace.tenders.workflow.release_part`, so every later release
of the process, whoever makes it, carries the signed contracts as they are now:

- ``contracts[]``: id, ``awardID`` (the award's id in the same release), status, period,
  value (current, after amendments), ``dateSigned``, the items of the awarded lot with
  their quantities (and the unit price when the lot has a single item), documents;
- ``amendments[]``: each change of value or period with its rationale;
- ``implementation.milestones[]`` and ``implementation.transactions[]`` (payer: the buyer
  party, payee: the supplier party);
- the end of a contract: status ``terminated`` in both cases (the contractStatus codelist
  has no "completed"); a completion adds an ``implementation.documents`` entry
  ``completion`` (documentType ``completionCertificate``), an early termination a
  ``contracts[].documents`` entry ``termination`` (documentType ``cancellationDetails``)
  whose description is the reason, and its period ends on the termination date.

Pending contracts are never published (a contract is written when it is signed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.awards.models import Award
from marketplace.bids.models import Bid
from marketplace.bids.releases import bid_content
from marketplace.contracts.life_models import (
    ContractAmendment,
    ContractDocument,
    ContractMilestone,
    ContractPayment,
)
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.publication.services import PublishedRelease, publish
from marketplace.suppliers.ocds import supplier_party
from marketplace.tenders.models import Item, Tender
from marketplace.tenders.releases import buyer_party_id, iso, money, number, process_url
from marketplace.tenders.workflow import release_part, tender_release

#: Release tags of the contract events (releaseTag codelist).
SIGNED_TAG = "contract"
AMENDMENT_TAG = "contractAmendment"
IMPLEMENTATION_TAG = "implementation"
TERMINATION_TAG = "contractTermination"

#: ``Contract.outcome`` values.
COMPLETED = "completed"
TERMINATED_EARLY = "terminated"
#: Unit prices derived from a lot price keep four decimals (420,000.50 / 100 = 4,200.005).
_UNIT_PRICE = Decimal("0.0001")


@dataclass(frozen=True)
class ContractLine:
    """One item bought under a contract: what the asset register reads."""

    item: Item
    quantity: Decimal
    #: The unit price, known when the awarded lot has this single item (bid prices are
    #: per lot); None otherwise.
    unit_price: Decimal | None
    #: The winning bid's price for the whole lot the item belongs to.
    lot_price: Decimal | None
    currency: str


def awarded_lot_price(award: Award, bid: Bid | None) -> Decimal | None:
    """The winning bid's price for the awarded lot (the disclosed canonical bid)."""
    if bid is None or bid.disclosed is None:
        return None
    for price in bid_content(bid)["prices"]:
        if price["lot"] == award.related_lot:
            return Decimal(price["amount"])
    return None


def contract_lines(session: Session, contract: Contract) -> list[ContractLine]:
    """The tender items of the awarded lot (all items when the tender has no lots), with
    quantities and prices from the winning bid."""
    award = contract.award
    items = [i for i in contract.tender.items if i.related_lot == award.related_lot] or (
        list(contract.tender.items) if not award.related_lot else []
    )
    bid = session.get(Bid, award.bid_id) if award.bid_id else None
    lot_price = awarded_lot_price(award, bid)
    single = len(items) == 1
    return [
        ContractLine(
            item=item,
            quantity=item.quantity,
            unit_price=(lot_price / item.quantity).quantize(_UNIT_PRICE)
            if single and lot_price is not None
            else None,
            lot_price=lot_price,
            currency=contract.currency,
        )
        for item in items
    ]


def published_contracts(session: Session, tender: Tender) -> list[Contract]:
    """The tender's contracts the public sees: signed ones (active or ended)."""
    return list(
        session.scalars(
            select(Contract)
            .where(
                Contract.tender_id == tender.id,
                Contract.status.in_([ContractStatus.ACTIVE, ContractStatus.TERMINATED]),
            )
            .order_by(Contract.id)
        )
    )


def _rows(session: Session, model: Any, contract: Contract) -> list[Any]:
    return list(
        session.scalars(select(model).where(model.contract_id == contract.id).order_by(model.id))
    )


def _item(line: ContractLine) -> dict[str, Any]:
    item = line.item
    unit: dict[str, Any] = {"name": item.unit_name}
    if item.unit_code:
        unit.update(scheme="UNCEFACT", id=item.unit_code)
    if line.unit_price is not None:
        unit["value"] = money(line.unit_price, line.currency)
    classification: dict[str, Any] = {
        "scheme": item.classification_scheme,
        "id": item.classification_id,
    }
    if item.classification_description:
        classification["description"] = item.classification_description
    return {
        "id": item.local_id,
        "description": item.description,
        "classification": classification,
        "quantity": number(item.quantity),
        "unit": unit,
    }


def _document(doc: ContractDocument) -> dict[str, Any]:
    return {
        "id": doc.local_id,
        "documentType": doc.document_type,
        "title": doc.title,
        "url": doc.url,
        "datePublished": iso(doc.date_published),
    }


def _amendment(a: ContractAmendment) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": a.local_id,
        "date": iso(a.date),
        "rationale": a.rationale,
        "description": a.description,
    }
    if a.amends_release_id:
        data["amendsReleaseID"] = a.amends_release_id
    if a.release_id:
        data["releaseID"] = a.release_id
    return data


def _milestone(m: ContractMilestone) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": m.local_id,
        "title": m.title,
        "type": m.type,
        "dueDate": iso(m.due_date),
        "status": m.status.value,
        "dateModified": iso(m.date_modified),
    }
    if m.description:
        data["description"] = m.description
    if m.date_met:
        data["dateMet"] = iso(m.date_met)
    return data


def _transaction(
    p: ContractPayment, payer: dict[str, str], payee: dict[str, str]
) -> dict[str, Any]:
    return {
        "id": p.local_id,
        "date": iso(p.date),
        "value": money(p.amount, p.currency),
        "payer": payer,
        "payee": payee,
    }


def contract_section(
    session: Session, contract: Contract, payer: dict[str, str], payee: dict[str, str]
) -> dict[str, Any]:
    """One ``contracts[]`` entry as the public sees it now."""
    assert contract.tender.ocid
    data: dict[str, Any] = {
        "id": contract.local_id,
        "awardID": contract.award.local_id,
        "title": contract.title,
        "status": contract.status.value,
        "period": {"startDate": iso(contract.period_start), "endDate": iso(contract.period_end)},
        "value": money(contract.value_amount, contract.currency),
        "dateSigned": iso(contract.date_signed),
    }
    if contract.description:
        data["description"] = contract.description
    items = [_item(line) for line in contract_lines(session, contract)]
    if items:
        data["items"] = items
    documents = [_document(d) for d in _rows(session, ContractDocument, contract)]
    if contract.outcome == TERMINATED_EARLY:
        documents.append(
            {
                "id": "termination",
                "documentType": "cancellationDetails",
                "title": "Terminación anticipada del contrato",
                "description": contract.status_reason,
                "url": process_url(contract.tender.ocid, f"{contract.local_id}-termination"),
                "datePublished": iso(contract.ended_at),
            }
        )
    if documents:
        data["documents"] = documents
    amendments = [_amendment(a) for a in _rows(session, ContractAmendment, contract)]
    if amendments:
        data["amendments"] = amendments
    implementation: dict[str, Any] = {}
    milestones = [_milestone(m) for m in _rows(session, ContractMilestone, contract)]
    if milestones:
        implementation["milestones"] = milestones
    payments = _rows(session, ContractPayment, contract)
    if payments:
        implementation["transactions"] = [_transaction(p, payer, payee) for p in payments]
    if contract.outcome == COMPLETED:
        implementation["documents"] = [
            {
                "id": "completion",
                "documentType": "completionCertificate",
                "title": "Contrato concluido a satisfacción",
                "description": contract.status_reason or "Cumplido en sus términos.",
                "url": process_url(contract.tender.ocid, f"{contract.local_id}-completion"),
                "datePublished": iso(contract.ended_at),
            }
        ]
    if implementation:
        data["implementation"] = implementation
    return data


def _party(release: dict[str, Any], party_id: str) -> dict[str, Any] | None:
    return next((p for p in release.get("parties", []) if p.get("id") == party_id), None)


def _add_roles(party: dict[str, Any], *roles: str) -> None:
    party["roles"] = [
        *party.get("roles", []),
        *(r for r in roles if r not in party.get("roles", [])),
    ]


def _ensure_award(release: dict[str, Any], award: Award) -> None:
    """Make sure ``awardID`` resolves in this release. The awards part (registered before
    this one) normally wrote the award; if it did not, a minimal public entry is added."""
    awards: list[dict[str, Any]] = release.setdefault("awards", [])
    if any(a.get("id") == award.local_id for a in awards):
        return
    entry: dict[str, Any] = {"id": award.local_id, "status": award.status.value,
                             "date": iso(award.date)}  # fmt: skip
    if award.value_amount is not None:
        entry["value"] = money(award.value_amount, award.currency)
    if award.supplier is not None:
        entry["suppliers"] = [{"id": award.supplier.party_id, "name": award.supplier.legal_name}]
    if award.related_lot:
        entry["relatedLots"] = [award.related_lot]
    awards.append(entry)


@release_part
def contracts_part(session: Session, tender: Tender, release: dict[str, Any]) -> None:
    """Add the signed contracts, and the parties' payer/payee roles, to a release."""
    contracts = published_contracts(session, tender)
    if not contracts:
        return
    buyer_id = buyer_party_id(tender.buyer)
    payer = {"id": buyer_id, "name": tender.buyer.name}
    sections = []
    for contract in contracts:
        supplier = contract.award.supplier
        assert supplier is not None, "a signed contract has a supplier"
        party = _party(release, supplier.party_id)
        if party is None:
            party = supplier_party(supplier, ["supplier"])
            release["parties"] = [*release.get("parties", []), party]
        _add_roles(party, "supplier")
        payee = {"id": supplier.party_id, "name": supplier.legal_name}
        section = contract_section(session, contract, payer, payee)
        if "transactions" in section.get("implementation", {}):
            _add_roles(party, "payee")
            buyer = _party(release, buyer_id)
            if buyer is not None:
                _add_roles(buyer, "payer")
        _ensure_award(release, contract.award)
        sections.append(section)
    release["contracts"] = sections


def publish_contracts(
    session: Session, tender: Tender, tag: str, now: dt.datetime
) -> PublishedRelease:
    """Publish the release describing ``tender`` now, tagged ``tag`` (caller's transaction)."""
    release = tender_release(session, tender, tag)
    release["date"] = iso(now)
    return publish(session, release)
