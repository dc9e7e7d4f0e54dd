"""Supplier actions on sealed bids: submit (or resubmit), withdraw, re-confirm.

Each is one call in the caller's transaction: the bid, its ``tenderUpdate`` release and
its audit event commit together (DESIGN.md §1). Nothing written in plain text anywhere
(release, audit, inbox) holds a price, the technical note or a document: those are in
the AES-GCM ciphertext only, and the public gets the SHA-256 commitment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.audit.services import record as audit
from marketplace.bids import crypto
from marketplace.bids.errors import N_, BidError, Msg, NotYourBid
from marketplace.bids.models import Bid, BidDocument, BidStatus
from marketplace.bids.releases import is_opened, publish_bids
from marketplace.db import utcnow
from marketplace.inbox.services import notify
from marketplace.suppliers.documents import safe_filename, sniff_content_type
from marketplace.suppliers.models import Supplier, SupplierStatus
from marketplace.suppliers.services import supplier_for_org
from marketplace.tenders.models import ProcurementMethod, Tender
from marketplace.tenders.qa_models import Amendment
from marketplace.tenders.states import TenderState
from marketplace.tenders.workflow import apply_due, lock

#: Most documents one bid may carry, and the most bytes each.
MAX_DOCUMENTS = 5
DEFAULT_MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_NOTE = 5000
_CENT = Decimal("0.01")


@dataclass
class PriceInput:
    """A price offered for one lot (``lot`` empty: the whole tender, when it has no lots)."""

    lot: str
    amount: Decimal | str | None


@dataclass
class DocumentUpload:
    filename: str
    data: bytes


@dataclass
class BidInput:
    """What the supplier writes in the bid form. Lots without a price are not bid on."""

    prices: list[PriceInput] = field(default_factory=list)
    technical_note: str = ""
    declarations_accepted: bool = False
    documents: list[DocumentUpload] = field(default_factory=list)


def bidding_supplier(session: Session, user: User) -> Supplier:
    """The user's company, which must be verified to bid."""
    supplier = (
        supplier_for_org(session, user.organisation_id) if user.role == Role.SUPPLIER else None
    )
    if supplier is None:
        raise BidError(N_("Only registered suppliers can bid."))
    if supplier.status != SupplierStatus.VERIFIED:
        raise BidError(N_("Your company must be verified before it can bid."))
    return supplier


def ensure_open_for_bids(session: Session, tender: Tender, now: dt.datetime) -> None:
    """Bids are taken only in the tendering phase, before the deadline to the second."""
    lock(session, tender)
    apply_due(session, tender, now)
    if tender.state == TenderState.CANCELLED:
        raise BidError(N_("This tender was cancelled: it takes no bids."))
    if tender.state != TenderState.TENDERING or tender.tender_end is None:
        if tender.state == TenderState.ENQUIRIES:
            raise BidError(N_("Bids are accepted once the enquiry period is over."))
        raise BidError(N_("This tender is not receiving bids."))
    if now >= tender.tender_end:
        raise BidError(N_("The deadline for bids has passed (server time)."))
    if tender.tender_start is not None and now < tender.tender_start:
        raise BidError(N_("Bids are not accepted yet."))


def may_bid(tender: Tender, supplier: Supplier) -> bool:
    """An open process takes anyone's bid; a restricted one with invitations, only the
    invited suppliers'."""
    if tender.procurement_method == ProcurementMethod.OPEN or not tender.invitations:
        return True
    return any(inv.supplier_org_id == supplier.organisation_id for inv in tender.invitations)


def _ensure_invited(tender: Tender, supplier: Supplier) -> None:
    if not may_bid(tender, supplier):
        raise BidError(N_("Only invited suppliers may bid in this process."))


def check_prices(tender: Tender, prices: list[PriceInput]) -> dict[str, tuple[int, Decimal]]:
    """{lot id: (row, amount)} of the lots bid on; BidError with every broken rule."""
    known = [lot.local_id for lot in tender.lots] or [""]
    errors: dict[str, str | Msg] = {}
    chosen: dict[str, tuple[int, Decimal]] = {}
    for row, price in enumerate(prices):
        path = f"prices-{row}"
        if price.lot not in known:
            errors[path] = Msg(N_("There is no lot %(lot)s in this tender."), {"lot": price.lot})
            continue
        raw = price.amount
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            amount = raw if isinstance(raw, Decimal) else Decimal(raw.strip().replace(",", ""))
        except InvalidOperation:
            errors[path] = N_("Write the price as a number, e.g. 125000.50.")
            continue
        if not amount.is_finite() or amount <= 0:
            errors[path] = N_("The price must be more than zero.")
        elif amount >= Decimal("1e16") or amount != amount.quantize(_CENT):  # size first:
            # quantizing a number beyond the context's 28 digits raises InvalidOperation
            errors[path] = N_("Use at most two decimals and sixteen digits.")
        elif price.lot in chosen:
            errors[path] = N_("This lot has two prices.")
        else:
            chosen[price.lot] = (row, amount.quantize(_CENT))
    if not chosen and not errors:
        errors["prices-0"] = N_("Offer a price for at least one lot.")
    if errors:
        raise BidError(errors)
    return chosen


def _check_documents(uploads: list[DocumentUpload], max_bytes: int) -> list[dict[str, object]]:
    docs = [u for u in uploads if u.data]
    if len(docs) > MAX_DOCUMENTS:
        raise BidError(
            Msg(N_("Attach at most %(n)s documents."), {"n": MAX_DOCUMENTS}), "documents"
        )
    described: list[dict[str, object]] = []
    for upload in docs:
        if len(upload.data) > max_bytes:
            raise BidError(
                Msg(N_("%(name)s is too large (at most %(mb)s MB)."),
                    {"name": upload.filename, "mb": max_bytes // 1048576}),
                "documents",
            )  # fmt: skip
        sniffed = sniff_content_type(upload.data)
        if sniffed is None:
            raise BidError(N_("Attach PDF, PNG or JPEG files only."), "documents")
        content_type, ext = sniffed
        described.append(
            {
                "title": safe_filename(upload.filename, ext),
                "format": content_type,
                "bytes": len(upload.data),
                "sha256": hashlib.sha256(upload.data).hexdigest(),
            }
        )
    return described


def live_bid(session: Session, tender: Tender, supplier: Supplier) -> Bid | None:
    """The supplier's bid that is not withdrawn, if any."""
    return session.scalar(
        select(Bid).where(
            Bid.tender_id == tender.id,
            Bid.supplier_id == supplier.id,
            Bid.status != BidStatus.WITHDRAWN,
        )
    )


def submit_bid(
    session: Session,
    tender: Tender,
    user: User,
    data: BidInput,
    *,
    secret: str | bytes,
    now: dt.datetime | None = None,
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
) -> Bid:
    """Seal and submit a bid; a live bid of the same supplier is withdrawn (replaced).

    Publishes a ``tenderUpdate`` release with the bid's id, date, status ``pending`` and
    commitment. Raises BidError (nothing changed) when a rule is broken.
    """
    now = (now or utcnow()).replace(microsecond=0)
    supplier = bidding_supplier(session, user)
    ensure_open_for_bids(session, tender, now)
    _ensure_invited(tender, supplier)
    sync_reconfirmation(session, tender)
    errors: dict[str, str | Msg] = {}
    chosen: dict[str, tuple[int, Decimal]] = {}
    try:
        chosen = check_prices(tender, data.prices)
    except BidError as err:
        errors.update(err.errors)
    note = data.technical_note.strip()
    if len(note) > MAX_NOTE:
        errors["technical_note"] = Msg(N_("Use at most %(n)s characters."), {"n": MAX_NOTE})
    if not data.declarations_accepted:
        errors["declarations"] = N_("Accept the declarations to submit a bid.")
    documents: list[dict[str, object]] = []
    try:
        documents = _check_documents(data.documents, max_document_bytes)
    except BidError as err:
        errors.update(err.errors)
    if errors:
        raise BidError(errors)

    previous = live_bid(session, tender, supplier)
    if previous is not None:
        if previous.status not in (BidStatus.SUBMITTED, BidStatus.NEEDS_RECONFIRMATION):
            raise BidError(N_("Your bid has already been opened."))
        previous.status = BidStatus.WITHDRAWN
        previous.withdrawn_at = now
        session.flush()

    public_id = secrets.token_hex(8)
    content = {
        "version": 1,
        "ocid": tender.ocid,
        "bid": public_id,
        "tenderer": {"id": supplier.party_id, "name": supplier.legal_name},
        "prices": [
            {"lot": lot, "amount": f"{amount}", "currency": tender.currency}
            for lot, (_row, amount) in sorted(chosen.items(), key=lambda kv: kv[1][0])
        ],
        "technicalNote": note,
        "declarationsAccepted": True,
        "documents": documents,
        # 256 random bits: without them a price could be found by hashing guesses
        # against the public commitment.
        "salt": secrets.token_hex(32),
    }
    canonical = crypto.canonical_bid(content)
    nonce, ciphertext = crypto.encrypt(secret, tender.id, public_id, canonical.encode("utf-8"))
    bid = Bid(
        public_id=public_id,
        tender_id=tender.id,
        supplier_id=supplier.id,
        status=BidStatus.SUBMITTED,
        receipt_number=f"R{tender.id}-{secrets.token_hex(5).upper()}",
        commitment=crypto.commitment(canonical),
        nonce=nonce,
        ciphertext=ciphertext,
        submitted_at=now,
        confirmed_at=now,
        submitted_by_user_id=user.id,
        currency=tender.currency,
    )
    uploads = [u for u in data.documents if u.data]
    for position, upload in enumerate(uploads, start=1):
        doc_nonce, doc_cipher = crypto.encrypt(
            secret, tender.id, public_id, upload.data, part=f"document:{position}"
        )
        bid.documents.append(BidDocument(position=position, nonce=doc_nonce, ciphertext=doc_cipher))
    session.add(bid)
    session.flush()
    if previous is not None:
        previous.replaced_by_id = bid.id
    changed = [bid] if previous is None else [previous, bid]
    published = publish_bids(session, tender, now, changed)
    audit(
        session, "bid.submitted", "bid", bid.id,
        actor_user_id=user.id, actor_org_id=user.organisation_id,
        details={"ocid": tender.ocid, "bid": public_id, "receipt": bid.receipt_number,
                 "commitment": bid.commitment, "release": published.id,
                 **({"replaces": previous.public_id} if previous is not None else {})},
    )  # fmt: skip
    notify(
        session, user, "bid.receipt",
        f"Bid received: {tender.title}",
        f"Receipt {bid.receipt_number}, sealed at {now} UTC. SHA-256 commitment: {bid.commitment}",
        link=f"/supplier/bids/{bid.id}",
    )  # fmt: skip
    return bid


def own_bid(session: Session, bid_id: int, user: User) -> Bid:
    bid = session.get(Bid, bid_id)
    if bid is None or bid.supplier.organisation_id != user.organisation_id:
        raise NotYourBid()
    return bid


def withdraw_bid(session: Session, bid: Bid, user: User, now: dt.datetime | None = None) -> None:
    """Withdraw a sealed bid before the deadline (its commitment stays public, withdrawn)."""
    now = (now or utcnow()).replace(microsecond=0)
    if bid.supplier.organisation_id != user.organisation_id:
        raise NotYourBid()
    ensure_open_for_bids(session, bid.tender, now)
    if bid.status not in (BidStatus.SUBMITTED, BidStatus.NEEDS_RECONFIRMATION):
        raise BidError(N_("Only a sealed bid can be withdrawn."))
    bid.status = BidStatus.WITHDRAWN
    bid.withdrawn_at = now
    published = publish_bids(session, bid.tender, now, [bid])
    audit(
        session, "bid.withdrawn", "bid", bid.id,
        actor_user_id=user.id, actor_org_id=user.organisation_id,
        details={"ocid": bid.tender.ocid, "bid": bid.public_id, "release": published.id},
    )  # fmt: skip


def reconfirm_bid(session: Session, bid: Bid, user: User, now: dt.datetime | None = None) -> None:
    """Confirm a bid after a material amendment, unchanged, so that it counts again."""
    now = (now or utcnow()).replace(microsecond=0)
    if bid.supplier.organisation_id != user.organisation_id:
        raise NotYourBid()
    ensure_open_for_bids(session, bid.tender, now)
    sync_reconfirmation(session, bid.tender)
    if bid.status != BidStatus.NEEDS_RECONFIRMATION:
        raise BidError(N_("This bid does not need to be confirmed again."))
    bid.status = BidStatus.SUBMITTED
    bid.confirmed_at = now
    audit(
        session, "bid.reconfirmed", "bid", bid.id,
        actor_user_id=user.id, actor_org_id=user.organisation_id,
        details={"ocid": bid.tender.ocid, "bid": bid.public_id},
    )  # fmt: skip


def last_material_amendment(session: Session, tender: Tender) -> dt.datetime | None:
    return session.scalar(
        select(Amendment.date)
        .where(Amendment.tender_id == tender.id, Amendment.material.is_(True))
        .order_by(Amendment.date.desc())
        .limit(1)
    )


def sync_reconfirmation(session: Session, tender: Tender) -> int:
    """Mark sealed bids confirmed before the last material amendment as needing
    re-confirmation, and tell their suppliers. Every bid service calls this first, so
    the rule holds whether or not the amendment called :func:`on_material_amendment`.
    Returns how many bids changed."""
    amended = last_material_amendment(session, tender)
    if amended is None or is_opened(session, tender):
        return 0
    stale = session.scalars(
        select(Bid).where(
            Bid.tender_id == tender.id,
            Bid.status == BidStatus.SUBMITTED,
            Bid.confirmed_at < amended,
        )
    ).all()
    for bid in stale:
        bid.status = BidStatus.NEEDS_RECONFIRMATION
        audit(session, "bid.needs_reconfirmation", "bid", bid.id,
              details={"ocid": tender.ocid, "bid": bid.public_id})  # fmt: skip
        for member in bid.supplier.organisation.users:
            notify(
                session, member, "bid.reconfirm",
                f"Confirm your bid again: {tender.title}",
                "The tender was materially amended after you bid. Your bid counts only "
                f"if you confirm it (or submit a new one) before {tender.tender_end} UTC.",
                link=f"/supplier/bids/{bid.id}",
            )  # fmt: skip
    return len(stale)


def on_material_amendment(session: Session, tender: Tender) -> int:
    """Hook for the tender service: call after publishing a material amendment."""
    return sync_reconfirmation(session, tender)


def supplier_bids(session: Session, supplier: Supplier) -> list[Bid]:
    """A supplier's bids, newest first (withdrawn ones too), with re-confirmations due
    applied first (the caller commits)."""
    bids = list(
        session.scalars(select(Bid).where(Bid.supplier_id == supplier.id).order_by(Bid.id.desc()))
    )
    for tender in {b.tender_id: b.tender for b in bids if b.status == BidStatus.SUBMITTED}.values():
        sync_reconfirmation(session, tender)
    return bids
