"""Supplier documents: type checked by content, size limit, current document per kind."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata

from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.audit.services import record
from marketplace.db import utcnow
from marketplace.suppliers.errors import N_, SupplierError
from marketplace.suppliers.models import DocumentKind, Supplier, SupplierDocument

#: Leading bytes of the formats we accept. The browser's content type and the file name's
#: extension are the uploader's claims; the bytes are what a reviewer's viewer will parse.
MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)

#: Kinds of which only the newest upload counts (older ones are marked replaced).
SINGLE_KINDS = frozenset({DocumentKind.TAX_CERTIFICATE, DocumentKind.PROOF_OF_ADDRESS})


def sniff_content_type(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) of PDF, PNG or JPEG content; None for anything else."""
    for magic, content_type, ext in MAGIC:
        if data.startswith(magic):
            return content_type, ext
    return None


def human_size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, round(n / 1024))} KB"


def safe_filename(name: str, ext: str) -> str:
    """A display/download name: no directories, no control or quote characters, with the
    extension of the detected type (so a PNG called .pdf is served as .png)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r'[\x00-\x1f\x7f"<>:;|?*]', "", base).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{(stem or 'document')[:150]}{ext}"


def current_documents(supplier: Supplier) -> dict[DocumentKind, SupplierDocument]:
    """The newest, not replaced, not expired document of each kind."""
    today = utcnow().date()
    current: dict[DocumentKind, SupplierDocument] = {}
    for doc in supplier.documents:
        if doc.replaced_at is not None or (doc.expires_on and doc.expires_on < today):
            continue
        if doc.kind not in current or doc.uploaded_at > current[doc.kind].uploaded_at:
            current[doc.kind] = doc
    return current


def add_document(
    session: Session,
    supplier: Supplier,
    actor: User,
    kind: str,
    filename: str,
    data: bytes,
    expires_on: dt.date | None,
    *,
    max_bytes: int,
    today: dt.date | None = None,
) -> SupplierDocument:
    """Store an uploaded file after checking its kind, size, type and expiry date."""
    try:
        doc_kind = DocumentKind(kind)
    except ValueError:
        raise SupplierError(N_("Choose what kind of document this is."), "kind") from None
    if not data:
        raise SupplierError(N_("Choose a file to upload."), "file")
    if len(data) > max_bytes:
        raise SupplierError(
            N_("The file is %(size)s; the limit is %(max)s."),
            "file",
            size=human_size(len(data)),
            max=human_size(max_bytes),
        )
    sniffed = sniff_content_type(data)
    if sniffed is None:
        raise SupplierError(
            N_(
                "This file is not a PDF, PNG or JPEG (whatever its name says). Upload one of those."
            ),
            "file",
        )
    content_type, ext = sniffed
    today = today or utcnow().date()
    if doc_kind == DocumentKind.TAX_CERTIFICATE and expires_on is None:
        raise SupplierError(N_("Enter the date the tax certificate expires."), "expires_on")
    if expires_on is not None and expires_on < today:
        raise SupplierError(N_("This document has already expired."), "expires_on")
    now = utcnow()
    if doc_kind in SINGLE_KINDS:
        for old in supplier.documents:
            if old.kind == doc_kind and old.replaced_at is None:
                old.replaced_at = now
    doc = SupplierDocument(
        supplier=supplier,
        kind=doc_kind,
        filename=safe_filename(filename, ext),
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        expires_on=expires_on,
        uploaded_at=now,
        uploaded_by_id=actor.id,
    )
    session.add(doc)
    if doc_kind == DocumentKind.TAX_CERTIFICATE:
        supplier.tax_certificate_expired_on = None
    session.flush()
    record(
        session,
        "supplier.document_uploaded",
        "supplier_document",
        doc.id,
        actor_user_id=actor.id,
        actor_org_id=actor.organisation_id,
        details={"supplier_id": supplier.id, "kind": doc_kind.value, "sha256": doc.sha256},
    )
    return doc
