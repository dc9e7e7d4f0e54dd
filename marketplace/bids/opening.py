"""Opening the sealed bids of a tender, and the buyer's decisions on opened bids.

The only module that decrypts. The opening happens once (``BidOpening.tender_id`` is
unique), after the deadline, by a buyer of the purchasing unit running the tender; it
discloses every counted bid in one ``tenderUpdate`` release: tenderers, values, lots,
statistics and each canonical bid, which anyone can hash and compare with the commitment
published at submission (:func:`disclosure_matches`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.audit.services import record as audit
from marketplace.bids import crypto
from marketplace.bids.errors import N_, BidError
from marketplace.bids.models import Bid, BidDocument, BidOpening, BidStatus
from marketplace.bids.releases import bid_content, is_opened, publish_bids, tender_bids
from marketplace.bids.services import sync_reconfirmation
from marketplace.db import utcnow
from marketplace.publication.models import OcdsRecord
from marketplace.tenders.models import Tender
from marketplace.tenders.services import ensure_buyer_of
from marketplace.tenders.states import TenderState
from marketplace.tenders.workflow import apply_due, lock


def open_bids(
    session: Session,
    tender: Tender,
    user: User,
    *,
    secret: str | bytes,
    now: dt.datetime | None = None,
) -> BidOpening:
    """Decrypt and disclose every counted bid of ``tender`` (once, after the deadline)."""
    now = (now or utcnow()).replace(microsecond=0)
    ensure_buyer_of(tender.buyer_org_id, user)
    lock(session, tender)
    apply_due(session, tender, now)
    if tender.tender_end is None or now < tender.tender_end:
        raise BidError(N_("Bids can be opened only after the deadline."))
    if tender.state != TenderState.EVALUATION:
        raise BidError(N_("Only a tender in evaluation can have its bids opened."))
    if is_opened(session, tender):
        raise BidError(N_("The bids of this tender have already been opened."))
    sync_reconfirmation(session, tender)
    opening = BidOpening(tender_id=tender.id, opened_at=now, opened_by_user_id=user.id)
    session.add(opening)
    # The unique tender id makes a concurrent second opening fail here, before decrypting.
    session.flush()
    counted = [b for b in tender_bids(session, tender) if b.status == BidStatus.SUBMITTED]
    for bid in counted:
        try:
            plaintext = crypto.decrypt(secret, tender.id, bid.public_id, bid.nonce, bid.ciphertext)
        except InvalidTag:
            raise BidError(
                N_("A bid could not be decrypted with the server's secret; nothing was opened.")
            ) from None
        canonical = plaintext.decode("utf-8")
        if not crypto.matches_commitment(canonical, bid.commitment):
            raise BidError(N_("A bid does not match its commitment; nothing was opened."))
        bid.disclosed = canonical
        bid.opened_at = now
        bid.status = BidStatus.OPENED
        bid.total_amount = sum(
            (Decimal(p["amount"]) for p in bid_content(bid)["prices"]), Decimal("0")
        )
    opening.bid_count = len(counted)
    published = publish_bids(session, tender, now)
    opening.release_id = published.id
    audit(
        session, "bids.opened", "tender", tender.id,
        actor_user_id=user.id, actor_org_id=user.organisation_id,
        details={"ocid": tender.ocid, "bids": len(counted), "release": published.id},
        public=True,
    )  # fmt: skip
    return opening


def _opened_bid(session: Session, bid: Bid, user: User) -> None:
    ensure_buyer_of(bid.tender.buyer_org_id, user)
    lock(session, bid.tender)
    if bid.disclosed is None:
        raise BidError(N_("Only an opened bid can be qualified or disqualified."))


def disqualify_bid(
    session: Session, bid: Bid, user: User, reason: str, now: dt.datetime | None = None
) -> None:
    """Disqualify an opened bid with a public reason (statistics republished)."""
    now = (now or utcnow()).replace(microsecond=0)
    _opened_bid(session, bid, user)
    reason = reason.strip()
    if len(reason) < 10:
        raise BidError(N_("Explain the disqualification (at least 10 characters)."), "reason")
    if bid.status == BidStatus.DISQUALIFIED:
        raise BidError(N_("This bid is already disqualified."))
    bid.status = BidStatus.DISQUALIFIED
    bid.disqualification_reason = reason
    bid.decided_at = now
    bid.decided_by_user_id = user.id
    published = publish_bids(session, bid.tender, now)
    audit(
        session, "bid.disqualified", "bid", bid.id,
        actor_user_id=user.id, actor_org_id=user.organisation_id,
        details={"ocid": bid.tender.ocid, "bid": bid.public_id, "reason": reason,
                 "release": published.id},
        public=True,
    )  # fmt: skip


def mark_valid(session: Session, bid: Bid, user: User, now: dt.datetime | None = None) -> None:
    """Hook for evaluation: an opened bid passed qualification (``valid`` in OCDS)."""
    now = (now or utcnow()).replace(microsecond=0)
    _opened_bid(session, bid, user)
    if bid.status != BidStatus.OPENED:
        raise BidError(N_("Only an opened bid that was not yet decided can be marked valid."))
    bid.status = BidStatus.VALID
    bid.decided_at = now
    bid.decided_by_user_id = user.id
    published = publish_bids(session, bid.tender, now)
    audit(
        session, "bid.valid", "bid", bid.id,
        actor_user_id=user.id, actor_org_id=user.organisation_id,
        details={"ocid": bid.tender.ocid, "bid": bid.public_id, "release": published.id},
        public=True,
    )  # fmt: skip


def open_document(
    session: Session, document: BidDocument, user: User, *, secret: str | bytes
) -> tuple[dict[str, Any], bytes]:
    """(metadata from the canonical bid, bytes) of an opened bid's document, for the buyer."""
    bid = document.bid
    ensure_buyer_of(bid.tender.buyer_org_id, user)
    if bid.disclosed is None:
        raise BidError(N_("The documents of a bid are sealed until the opening."))
    data = crypto.decrypt(
        secret, bid.tender_id, bid.public_id, document.nonce, document.ciphertext,
        part=f"document:{document.position}",
    )  # fmt: skip
    meta: dict[str, Any] = bid_content(bid)["documents"][document.position - 1]
    return meta, data


def published_disclosure(session: Session, bid: Bid) -> str | None:
    """The canonical bid text as the public record shows it (None before opening)."""
    compiled = session.scalar(select(OcdsRecord.compiled).where(OcdsRecord.ocid == bid.tender.ocid))
    for detail in ((compiled or {}).get("bids") or {}).get("details") or []:
        if detail.get("id") != bid.public_id:
            continue
        for doc in detail.get("documents") or []:
            if doc.get("id") == "disclosure":
                text: str = doc.get("description", "")
                return text
    return None


def published_commitment(session: Session, bid: Bid) -> str | None:
    """The commitment as first published (the release log's earliest mention)."""
    compiled = session.scalar(select(OcdsRecord.compiled).where(OcdsRecord.ocid == bid.tender.ocid))
    for detail in ((compiled or {}).get("bids") or {}).get("details") or []:
        if detail.get("id") == bid.public_id:
            for doc in detail.get("documents") or []:
                if doc.get("id") == "commitment":
                    value: str = doc.get("description", "")
                    return value
    return None


def disclosure_matches(session: Session, bid: Bid) -> bool:
    """Anyone's check, done on public data: the published canonical bid hashes to the
    published commitment."""
    disclosed = published_disclosure(session, bid)
    committed = published_commitment(session, bid)
    return bool(disclosed and committed) and crypto.matches_commitment(
        disclosed or "", committed or ""
    )
