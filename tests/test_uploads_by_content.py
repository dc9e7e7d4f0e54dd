"""Uploads are judged by their bytes, never by the file name or the browser's type.

Supplier documents and sealed-bid documents accept PDF, PNG and JPEG only, recognised
by their leading bytes; what is stored (and later served, as an attachment with
``nosniff``) carries the detected type and its extension.
"""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.bids.errors import BidError
from marketplace.bids.services import _check_documents
from marketplace.suppliers.documents import add_document, sniff_content_type
from marketplace.suppliers.errors import SupplierError
from marketplace.suppliers.models import SupplierDocument
from tests.bid_helpers import bid_input, bidder, place_bid, tendering
from tests.factories import csrf_token, login_as
from tests.supplier_helpers import PDF, PNG, make_supplier

HTML = b"<!doctype html><script>alert(document.cookie)</script>"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)
EXE = b"MZ\x90\x00\x03" + bytes(60)
ZIP = b"PK\x03\x04" + bytes(40)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, ("application/pdf", ".pdf")),
        (PNG, ("image/png", ".png")),
        (JPEG, ("image/jpeg", ".jpg")),
        (HTML, None),
        (EXE, None),
        (ZIP, None),
        (b" " + PDF, None),
        (b"", None),
    ],
)
def test_type_comes_from_the_bytes(data: bytes, expected: tuple[str, str] | None) -> None:
    assert sniff_content_type(data) == expected


def test_bid_document_named_pdf_but_html_is_refused(db: Session) -> None:
    tender, _owner = tendering(db)
    _supplier, user = bidder(db)
    with pytest.raises(BidError) as caught:
        place_bid(db, tender, user, bid_input(documents=[("ficha.pdf", HTML)]))
    assert "documents" in caught.value.errors


def test_bid_document_is_described_by_its_real_type() -> None:
    from marketplace.bids.services import DocumentUpload

    [described] = _check_documents([DocumentUpload("scan.pdf", PNG)], max_bytes=1 << 20)
    assert described["format"] == "image/png"
    assert described["title"] == "scan.png"


def test_supplier_document_disguised_by_name_and_type_is_refused(db: Session) -> None:
    supplier, user = make_supplier(db)
    for name, data in (("acta.pdf", HTML), ("acta.pdf", EXE), ("logo.png", ZIP)):
        with pytest.raises(SupplierError):
            add_document(db, supplier, user, "other", name, data, None, max_bytes=1 << 20)
    doc = add_document(db, supplier, user, "other", "acta.pdf", JPEG, None, max_bytes=1 << 20)
    assert (doc.content_type, doc.filename) == ("image/jpeg", "acta.jpg")


def test_upload_form_ignores_the_claimed_content_type(client: FlaskClient, db: Session) -> None:
    supplier, user = make_supplier(db)
    db.commit()
    login_as(client, user)
    token = csrf_token(client, "/supplier/documents")
    response = client.post(
        "/supplier/documents",
        data={
            "csrf_token": token,
            "kind": "other",
            "file": (io.BytesIO(HTML), "acta.pdf", "application/pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    stored = db.scalars(
        select(SupplierDocument).where(SupplierDocument.supplier_id == supplier.id)
    ).all()
    assert stored == []

    client.post(
        "/supplier/documents",
        data={
            "csrf_token": token,
            "kind": "other",
            "file": (io.BytesIO(PNG), "plano.pdf", "application/pdf"),
        },
        content_type="multipart/form-data",
    )
    [doc] = db.scalars(
        select(SupplierDocument).where(SupplierDocument.supplier_id == supplier.id)
    ).all()
    download = client.get(f"/supplier/documents/{doc.id}/download")
    assert download.mimetype == "image/png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "plano.png" in disposition
