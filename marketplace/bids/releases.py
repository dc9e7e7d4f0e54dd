"""The ``bids`` section of a tender's releases, by audience (DESIGN.md §4.5).

Before the opening the public sees, for each bid, only an opaque id, a date, a status
and the SHA-256 commitment: no value, no tenderer, not even the lots. After the opening
it also sees the tenderer (a ``parties`` entry), the total value, the lots, and the
canonical bid JSON itself, which hashes to the commitment published earlier.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.bids.models import Bid, BidOpening, BidStatus
from marketplace.db import utcnow
from marketplace.publication.services import PublishedRelease, publish
from marketplace.suppliers.ocds import supplier_party
from marketplace.tenders.models import Tender
from marketplace.tenders.releases import iso, money, number
from marketplace.tenders.states import UPDATE_TAG
from marketplace.tenders.workflow import release_part, tender_release

#: OCDS bidStatus of each of our statuses, before and after the opening. A bid still
#: waiting for re-confirmation at the opening was not confirmed: it lapses (withdrawn).
_SEALED_STATUS = {
    BidStatus.SUBMITTED: "pending",
    BidStatus.NEEDS_RECONFIRMATION: "pending",
    BidStatus.WITHDRAWN: "withdrawn",
}
_OPENED_STATUS = {
    BidStatus.OPENED: "pending",
    BidStatus.VALID: "valid",
    BidStatus.DISQUALIFIED: "disqualified",
    BidStatus.WITHDRAWN: "withdrawn",
    BidStatus.NEEDS_RECONFIRMATION: "withdrawn",
    BidStatus.SUBMITTED: "pending",
}


def tender_bids(session: Session, tender: Tender) -> list[Bid]:
    return list(session.scalars(select(Bid).where(Bid.tender_id == tender.id).order_by(Bid.id)))


def is_opened(session: Session, tender: Tender) -> bool:
    return (
        session.scalar(select(BidOpening.id).where(BidOpening.tender_id == tender.id)) is not None
    )


def ocds_status(bid: Bid, opened: bool) -> str:
    return (_OPENED_STATUS if opened else _SEALED_STATUS)[bid.status]


def _commitment_document(commitment: str, date: str | None) -> dict[str, Any]:
    return {
        "id": "commitment",
        "documentType": "submissionDocuments",
        "title": "Compromiso SHA-256 de la propuesta sellada",
        "description": commitment,
        "format": "text/plain",
        "datePublished": date,
    }


def _sealed_detail(
    public_id: str, submitted_at: dt.datetime, status: BidStatus, commitment: str
) -> dict[str, Any]:
    """A ``bids.details`` entry before the opening: id, date, status, commitment."""
    date = iso(submitted_at)
    return {
        "id": public_id,
        "date": date,
        "status": _SEALED_STATUS[status],
        "documents": [_commitment_document(commitment, date)],
    }


def bid_detail(bid: Bid, opened: bool) -> dict[str, Any]:
    """One ``bids.details`` entry as the public may see it now."""
    if not opened:
        return _sealed_detail(bid.public_id, bid.submitted_at, bid.status, bid.commitment)
    detail: dict[str, Any] = {
        "id": bid.public_id,
        "date": iso(bid.submitted_at),
        "status": ocds_status(bid, opened),
        "documents": [_commitment_document(bid.commitment, iso(bid.submitted_at))],
    }
    if opened and bid.disclosed is not None:
        content = bid_content(bid)
        detail["tenderers"] = [{"id": bid.supplier.party_id, "name": bid.supplier.legal_name}]
        detail["value"] = money(bid.total_amount, bid.currency)
        lots = [p["lot"] for p in content["prices"] if p["lot"]]
        if lots:
            detail["relatedLots"] = lots
        detail["documents"].append(
            {
                "id": "disclosure",
                "documentType": "submissionDocuments",
                "title": "Propuesta abierta: JSON canónico (su SHA-256 es el compromiso)",
                "description": bid.disclosed,
                "format": "application/json",
                "datePublished": iso(bid.opened_at),
            }
        )
    return detail


def bid_content(bid: Bid) -> dict[str, Any]:
    """The disclosed canonical bid as a dict (after opening only)."""
    assert bid.disclosed is not None, "the bid is still sealed"
    content: dict[str, Any] = json.loads(bid.disclosed)
    return content


def statistics(bids: Sequence[Bid], tender: Tender, date: dt.datetime) -> list[dict[str, Any]]:
    """bidStatistics after the opening: counts overall and per lot; lowest and highest
    value among bids the buyer marked valid."""
    opened = [b for b in bids if b.disclosed is not None]
    when = iso(date)
    stats: list[dict[str, Any]] = [
        {"id": "bids", "measure": "bids", "value": len(opened), "date": when},
        {"id": "bidders", "measure": "bidders",
         "value": len({b.supplier_id for b in opened}), "date": when},
        {"id": "electronicBids", "measure": "electronicBids", "value": len(opened), "date": when},
    ]  # fmt: skip
    valid = [b for b in opened if b.status == BidStatus.VALID]
    disqualified = [b for b in opened if b.status == BidStatus.DISQUALIFIED]
    if valid or disqualified:
        stats.append({"id": "validBids", "measure": "validBids", "value": len(valid), "date": when})
        out = len({b.supplier_id for b in disqualified})
        stats.append({"id": "disqualifiedBidders", "measure": "disqualifiedBidders",
                      "value": out, "date": when})  # fmt: skip
    lots: list[str] = [lot.local_id for lot in tender.lots] or [""]
    for lot in lots:
        suffix = f"-{lot}" if lot else ""
        prices = {b.id: _price(b, lot) for b in opened}
        bidding = [b for b in opened if prices[b.id] is not None]
        if lot:
            stats.append({"id": f"bids{suffix}", "measure": "bids", "value": len(bidding),
                          "date": when, "relatedLot": lot})  # fmt: skip
        valid_prices = [p for b in valid if (p := prices[b.id]) is not None]
        if valid_prices:
            for measure, value in (
                ("lowestValidBidValue", min(valid_prices)),
                ("highestValidBidValue", max(valid_prices)),
            ):
                stat: dict[str, Any] = {
                    "id": f"{measure}{suffix}", "measure": measure, "value": number(value),
                    "currency": tender.currency, "date": when,
                }  # fmt: skip
                if lot:
                    stat["relatedLot"] = lot
                stats.append(stat)
    return stats


def _price(bid: Bid, lot: str) -> Decimal | None:
    for price in bid_content(bid)["prices"]:
        if price["lot"] == lot:
            return Decimal(price["amount"])
    return None


@release_part
def bids_part(session: Session, tender: Tender, release: dict[str, Any]) -> None:
    """Add the bids section (sealed or opened) to a release of ``tender``, so every
    tender release, whoever makes it, is a full snapshot including the bids."""
    opened = is_opened(session, tender)
    if not opened:
        # Sealed: four columns per bid. Bids pour in before a deadline and each one
        # republishes all of them, so the ciphertexts are not loaded for nothing.
        rows = session.execute(
            select(Bid.public_id, Bid.submitted_at, Bid.status, Bid.commitment)
            .where(Bid.tender_id == tender.id)
            .order_by(Bid.id)
        ).all()
        if rows:
            release["bids"] = {"details": [_sealed_detail(*row) for row in rows]}
        return
    bids = tender_bids(session, tender)
    if not bids:
        return
    section: dict[str, Any] = {"details": [bid_detail(b, opened) for b in bids]}
    if opened:
        date = session.scalar(select(BidOpening.opened_at).where(BidOpening.tender_id == tender.id))
        section["statistics"] = statistics(bids, tender, date or utcnow())
        seen: dict[str, dict[str, Any]] = {}
        for bid in bids:
            if bid.disclosed is not None:
                seen.setdefault(bid.supplier.party_id, supplier_party(bid.supplier, ["tenderer"]))
        release["parties"] = [*release.get("parties", []), *seen.values()]
        release["tender"]["numberOfTenderers"] = len(seen)
        if seen:
            release["tender"]["tenderers"] = [
                {"id": p["id"], "name": p["name"]} for p in seen.values()
            ]
    release["bids"] = section


def publish_bids(
    session: Session, tender: Tender, now: dt.datetime, changed: Sequence[Bid] = ()
) -> PublishedRelease:
    """Publish a ``tenderUpdate`` release about ``tender``'s bids, in the caller's
    transaction.

    Without ``changed``: the tender as it is now, with all its bids (a full snapshot).
    With ``changed`` before the opening (a bid submitted, replaced or withdrawn): only the
    tender's id and the entries of those bids. The compiled record merges
    ``bids.details`` by id, so it ends up the same as with snapshots, while the cost of a
    submission no longer grows with the bids already in: 1,000 bids come in during the
    last minute before a deadline, and each snapshot would repeat all the earlier ones.
    """
    if changed and not is_opened(session, tender):
        assert tender.ocid, "the tender needs an ocid before it takes bids"
        session.flush()
        release: dict[str, Any] = {
            "ocid": tender.ocid,
            "tag": [UPDATE_TAG],
            "date": iso(now),
            "initiationType": "tender",
            "tender": {"id": tender.ocid},
            "bids": {
                "details": [
                    _sealed_detail(b.public_id, b.submitted_at, b.status, b.commitment)
                    for b in changed
                ]
            },
        }
        return publish(session, release)
    release = tender_release(session, tender, UPDATE_TAG)
    release["date"] = iso(now)
    return publish(session, release)
