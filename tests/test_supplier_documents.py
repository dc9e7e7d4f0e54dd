"""Document uploads (type by content, size limit, expiry) and who may download them."""

from __future__ import annotations

import hashlib
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role
from marketplace.suppliers.models import SupplierDocument
from tests.factories import login_as, make_user, post_form
from tests.supplier_helpers import PDF, PNG, english, make_supplier


def _upload(client: FlaskClient, data: bytes, name: str, **fields: str):  # type: ignore[no-untyped-def]
    form = {"kind": "tax_certificate", "expires_on": "2099-01-31", **fields}
    form["file"] = (io.BytesIO(data), name)  # type: ignore[assignment]
    return post_form(client, "/supplier/documents", form, content_type="multipart/form-data")


def _documents(db: Session) -> int:
    return db.scalar(select(func.count(SupplierDocument.id))) or 0


def test_pdf_upload_is_stored_with_its_hash(client: FlaskClient, db: Session) -> None:
    supplier, user = make_supplier(db)
    login_as(english(client), user)
    assert _upload(client, PDF, "opinión SAT.pdf").status_code == 302
    doc = db.scalar(select(SupplierDocument).where(SupplierDocument.supplier_id == supplier.id))
    assert doc is not None
    assert (doc.content_type, doc.filename) == ("application/pdf", "opinión SAT.pdf")
    assert doc.sha256 == hashlib.sha256(PDF).hexdigest()
    assert "opinión SAT.pdf" in client.get("/supplier/documents").get_data(as_text=True)


def test_image_gets_the_extension_of_its_real_type(client: FlaskClient, db: Session) -> None:
    supplier, user = make_supplier(db)
    login_as(english(client), user)
    response = _upload(client, PNG, "domicilio.pdf", kind="proof_of_address", expires_on="")
    assert response.status_code == 302
    doc = db.scalar(select(SupplierDocument).where(SupplierDocument.supplier_id == supplier.id))
    assert doc is not None and (doc.content_type, doc.filename) == ("image/png", "domicilio.png")


def test_default_limit_is_5_mb(app: Flask) -> None:
    assert app.config["UPLOAD_MAX_BYTES"] == 5 * 1024 * 1024


def test_disguised_file_with_a_pdf_name_is_refused(client: FlaskClient, db: Session) -> None:
    _, user = make_supplier(db)
    login_as(english(client), user)
    before = _documents(db)
    for fake in (
        b"MZ\x90\x00 windows program",
        b"<html><script>x</script></html>",
        b"PK\x03\x04zip",
    ):
        response = _upload(client, fake, "certificado.pdf")
        assert response.status_code == 200
        assert "This file is not a PDF, PNG or JPEG" in response.get_data(as_text=True)
    assert _documents(db) == before


def test_oversized_upload_is_refused(
    app: Flask, client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small limit keeps the test's upload in memory (the rule is the same at 5 MB).
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 200 * 1024)
    _, user = make_supplier(db)
    login_as(english(client), user)
    limit = app.config["UPLOAD_MAX_BYTES"]
    before = _documents(db)
    response = _upload(client, PDF + b"0" * (limit - len(PDF) + 1), "grande.pdf")
    assert response.status_code == 200
    assert "The file is 200 KB; the limit is 200 KB." in response.get_data(as_text=True)
    assert _documents(db) == before
    # Exactly at the limit is fine.
    assert _upload(client, PDF + b"0" * (limit - len(PDF)), "justo.pdf").status_code == 302


def test_tax_certificate_needs_a_future_expiry_date(client: FlaskClient, db: Session) -> None:
    _, user = make_supplier(db)
    login_as(english(client), user)
    page = _upload(client, PDF, "sat.pdf", expires_on="").get_data(as_text=True)
    assert "Enter the date the tax certificate expires." in page
    page = _upload(client, PDF, "sat.pdf", expires_on="2001-01-01").get_data(as_text=True)
    assert "This document has already expired." in page
    page = _upload(client, PDF, "sat.pdf", expires_on="31/12/2099").get_data(as_text=True)
    assert "Not a valid date value." in page


def test_new_certificate_replaces_the_old_one(client: FlaskClient, db: Session) -> None:
    supplier, user = make_supplier(db)
    login_as(english(client), user)
    _upload(client, PDF, "old.pdf")
    _upload(client, PDF + b"\n", "new.pdf")
    docs = db.scalars(
        select(SupplierDocument)
        .where(SupplierDocument.supplier_id == supplier.id)
        .order_by(SupplierDocument.id)
    ).all()
    assert [d.replaced_at is not None for d in docs] == [True, False]


def test_only_the_owner_and_admins_can_download(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    supplier, user = make_supplier(db)
    login_as(english(client), user)
    _upload(client, PDF, "sat.pdf")
    doc = db.scalar(select(SupplierDocument).where(SupplierDocument.supplier_id == supplier.id))
    assert doc is not None
    url = f"/supplier/documents/{doc.id}/download"

    own = client.get(url)
    assert own.status_code == 200 and own.data == PDF
    assert own.headers["Content-Type"] == "application/pdf"
    assert "attachment" in own.headers["Content-Disposition"]

    _, other_user = make_supplier(db)
    other = app.test_client()
    login_as(other, other_user)
    assert other.get(url).status_code == 404

    buyer = app.test_client()
    login_as(buyer, make_user(db, Role.BUYER))
    assert buyer.get(url).status_code == 403

    anonymous = app.test_client()
    assert anonymous.get(url).status_code == 302  # to the login page

    admin = app.test_client()
    login_as(admin, make_user(db, Role.ADMIN))
    assert admin.get(url).data == PDF
