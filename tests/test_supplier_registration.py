"""Registration -> admin verification -> public page, and every refused input."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Organisation, Role, User
from marketplace.audit.models import AuditEvent
from marketplace.inbox.models import Message
from marketplace.suppliers.categories import category_by_code
from marketplace.suppliers.models import Supplier, SupplierStatus
from tests.factories import login_as, make_user, post_form
from tests.supplier_helpers import (
    PDF,
    english,
    load_categories,
    make_supplier,
    registration_form,
)


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_register_verify_and_publish(app: Flask, client: FlaskClient, db: Session) -> None:
    load_categories(db)
    english(client)
    laptops = category_by_code(db, "43211503")
    assert laptops is not None
    form = registration_form(categories=[str(laptops.id)], trade_name="Soluciones Web")
    response = post_form(client, "/supplier/register", form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/supplier/")

    supplier = db.scalar(select(Supplier).where(Supplier.tax_id == form["tax_id"]))
    assert supplier is not None and supplier.status == SupplierStatus.PENDING
    assert [c.code for c in supplier.categories] == ["43211503"]
    user = db.scalar(select(User).where(User.email == form["email"]))
    assert user is not None and user.role == Role.SUPPLIER
    assert user.organisation_id == supplier.organisation_id

    # The new user is logged in and lands on a dashboard saying what is missing.
    dashboard = client.get("/supplier/").get_data(as_text=True)
    assert "Pending verification" in dashboard
    assert "a current tax certificate" in dashboard
    upload = post_form(
        client,
        "/supplier/documents",
        {"kind": "tax_certificate", "expires_on": "2099-12-31", "file": (_file(PDF), "sat.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302

    admin_client = english(app.test_client())
    login_as(admin_client, make_user(db, Role.ADMIN))
    queue = admin_client.get("/admin/").get_data(as_text=True)
    assert form["legal_name"] in queue
    review = admin_client.get(f"/admin/suppliers/{supplier.id}").get_data(as_text=True)
    assert "sat.pdf" in review
    verified = post_form(
        admin_client,
        f"/admin/suppliers/{supplier.id}/verify",
        {},
        form_url=f"/admin/suppliers/{supplier.id}",
    )
    assert verified.status_code == 302
    db.refresh(supplier)
    assert supplier.status == SupplierStatus.VERIFIED
    assert supplier.verified_at is not None
    inbox = db.scalars(select(Message).where(Message.user_id == user.id)).all()
    assert [m.kind for m in inbox] == ["supplier.verified"]
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(supplier.id))
    ).all()
    assert {"supplier.registered", "supplier.verified"} <= set(actions)

    page = english(app.test_client()).get(f"/suppliers/{supplier.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Soluciones Web" in html
    assert form["contact_email"] in html  # the declared public contact point
    assert form["email"] not in html  # the login e-mail is personal data
    assert form["name"] not in html
    directory = client.get("/suppliers").get_data(as_text=True)
    assert f"/suppliers/{supplier.id}" in directory


def _file(data: bytes):  # type: ignore[no-untyped-def]
    import io

    return io.BytesIO(data)


def test_rejection_needs_a_reason_then_supplier_resubmits(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    supplier, user = make_supplier(db)
    admin_client = english(app.test_client())
    login_as(admin_client, make_user(db, Role.ADMIN))
    url = f"/admin/suppliers/{supplier.id}"
    empty = post_form(admin_client, f"{url}/reject", {"reason": "  "}, form_url=url)
    assert empty.status_code == 200
    assert "Say why, so the supplier can fix it." in empty.get_data(as_text=True)
    db.refresh(supplier)
    assert supplier.status == SupplierStatus.PENDING

    reason = "The proof of address is unreadable; upload a clearer scan."
    rejected = post_form(admin_client, f"{url}/reject", {"reason": reason}, form_url=url)
    assert rejected.status_code == 302
    db.refresh(supplier)
    assert supplier.status == SupplierStatus.REJECTED
    assert supplier.rejection_reason == reason
    message = db.scalar(select(Message).where(Message.user_id == user.id))
    assert message is not None and reason in message.body

    english(client)
    login_as(client, user)
    dashboard = client.get("/supplier/").get_data(as_text=True)
    assert "Needs changes" in dashboard and "unreadable" in dashboard
    assert english(app.test_client()).get(f"/suppliers/{supplier.id}").status_code == 404
    again = post_form(client, "/supplier/resubmit", {}, form_url="/supplier/")
    assert again.status_code == 302
    db.refresh(supplier)
    assert supplier.status == SupplierStatus.PENDING
    # The admin cannot verify twice or verify a supplier that is not pending.
    assert post_form(admin_client, f"{url}/verify", {}, form_url=url).status_code == 302
    again_verify = post_form(admin_client, f"{url}/verify", {}, form_url="/admin/")
    assert "not possible now" in again_verify.get_data(as_text=True)


def _refused(client: FlaskClient, db: Session, form: dict[str, object]) -> str:
    """Post the registration form, check it is refused with nothing saved, return the page."""
    before = (_count(db, Organisation), _count(db, User), _count(db, Supplier))
    response = post_form(english(client), "/supplier/register", form)
    assert response.status_code == 200
    assert (_count(db, Organisation), _count(db, User), _count(db, Supplier)) == before
    return response.get_data(as_text=True)


def test_duplicate_tax_id_is_refused_case_insensitively(client: FlaskClient, db: Session) -> None:
    existing, _ = make_supplier(db)
    form = registration_form(tax_id=existing.tax_id.lower())
    page = _refused(client, db, form)
    assert f"A supplier with the tax id {existing.tax_id} is already registered." in page
    assert form["legal_name"] in page  # what the user typed is kept
    assert form["street_address"] in page


def test_malformed_rfc_is_named(client: FlaskClient, db: Session) -> None:
    page = _refused(client, db, registration_form(tax_id="ABC12345"))
    assert "An RFC has 12 characters (company) or 13 (individual); this one has 8." in page
    assert 'value="ABC12345"' in page


def test_rfc_with_wrong_check_digit_is_named(client: FlaskClient, db: Session) -> None:
    page = _refused(client, db, registration_form(tax_id="SAT970701NN4"))
    assert "check digit does not match" in page


def test_bad_email_is_named(client: FlaskClient, db: Session) -> None:
    page = _refused(client, db, registration_form(email="not-an-email"))
    assert "Enter a valid e-mail address." in page
    assert 'value="not-an-email"' in page


def test_existing_login_email_is_refused(client: FlaskClient, db: Session) -> None:
    other = make_user(db, Role.BUYER)
    page = _refused(client, db, registration_form(email=other.email.upper()))
    assert "An account with this e-mail already exists." in page


def test_html_in_a_name_is_refused_and_shown_escaped(client: FlaskClient, db: Session) -> None:
    page = _refused(client, db, registration_form(legal_name="<script>alert(1)</script> SA"))
    assert "A name cannot contain the characters &lt; or &gt;." in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; SA" in page
    assert "<script>alert(1)" not in page


def test_sql_in_a_field_is_stored_as_text_and_shown_escaped(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    name = 'Robert\'); DROP TABLE supplier;-- "Tablas"'
    form = registration_form(trade_name=name, locality="'; DELETE FROM organisation; --")
    assert post_form(english(client), "/supplier/register", form).status_code == 302
    supplier = db.scalar(select(Supplier).where(Supplier.tax_id == form["tax_id"]))
    assert supplier is not None and supplier.trade_name == name
    assert _count(db, Organisation) >= 1
    dashboard = client.get("/supplier/").get_data(as_text=True)
    assert "Robert&#39;); DROP TABLE supplier;-- &#34;Tablas&#34;" in dashboard


def test_mismatched_passwords_and_missing_fields(client: FlaskClient, db: Session) -> None:
    page = _refused(
        client,
        db,
        registration_form(password_confirm="something else", locality="", size=""),
    )
    assert "The two passwords are not the same." in page
    assert "Enter the city or municipality." in page
    assert "Choose the company size." in page


def test_mexico_needs_a_state_and_a_five_digit_postal_code(
    client: FlaskClient, db: Session
) -> None:
    page = _refused(client, db, registration_form(state=""))
    assert "Choose the state from the list." in page
    page = _refused(client, db, registration_form(postal_code="1234"))
    assert "A Mexican postal code has 5 digits." in page


def test_foreign_supplier_uses_a_generic_scheme(client: FlaskClient, db: Session) -> None:
    form = registration_form(country="ES", tax_id="B-12345678", state="", region="Madrid")
    assert post_form(english(client), "/supplier/register", form).status_code == 302
    supplier = db.scalar(select(Supplier).where(Supplier.tax_id == "B12345678"))
    assert supplier is not None
    assert (supplier.identifier_scheme, supplier.region) == ("ES-TAXID", "Madrid")


def test_category_search_without_javascript_keeps_the_form(
    client: FlaskClient, db: Session
) -> None:
    load_categories(db)
    form = registration_form(action="search", cq="computadóra portatil")
    page = _refused(client, db, form)
    laptops = category_by_code(db, "43211503")
    assert laptops is not None
    assert f'name="categories" value="{laptops.id}"' in page
    assert "Computadoras portátiles" in page or "Notebook computers" in page
    assert form["legal_name"] in page
    # A chosen category stays ticked across searches.
    form = registration_form(action="search", cq="switch", categories=[str(laptops.id)])
    page = _refused(client, db, form)
    assert f'value="{laptops.id}" checked' in page


def test_category_search_json_matches_codes_and_labels_without_accents(
    client: FlaskClient, db: Session
) -> None:
    load_categories(db)
    by_label = client.get("/supplier/categories/search?q=telefonia").get_json()
    assert any(item["code"] == "83111500" for item in by_label)
    by_code = client.get("/supplier/categories/search?q=432115").get_json()
    assert by_code[0]["code"] == "43211500"


def test_profile_edit_keeps_tax_id_and_requeues_a_renamed_verified_supplier(
    client: FlaskClient, db: Session
) -> None:
    supplier, user = make_supplier(db, verified=True)
    login_as(english(client), user)
    page = client.get("/supplier/profile").get_data(as_text=True)
    assert supplier.legal_name in page
    form = {
        "legal_name": "Nuevo Nombre, S.A. de C.V.",
        "trade_name": "",
        "state": "MEX",
        "region": "",
        "locality": "Toluca",
        "street_address": "Av. Paseo Tollocan 10",
        "postal_code": "50000",
        "size": "medium",
        "website": "",
        "contact_name": "Ventas",
        "contact_email": "ventas@nuevo.example.mx",
        "contact_phone": "",
        "tax_id": "SAT970701NN3",  # ignored: the tax id cannot be edited
        "action": "save",
    }
    assert post_form(client, "/supplier/profile", form).status_code == 302
    db.refresh(supplier)
    assert supplier.legal_name == "Nuevo Nombre, S.A. de C.V."
    assert supplier.tax_id != "SAT970701NN3"
    assert (supplier.region, supplier.status) == ("MEX", SupplierStatus.PENDING)


def test_pages_need_the_right_role(app: Flask, client: FlaskClient, db: Session) -> None:
    supplier, user = make_supplier(db)
    assert client.get("/supplier/").status_code == 302  # to the login page
    assert client.get("/admin/").status_code == 302
    login_as(client, user)
    assert client.get("/admin/").status_code == 403
    assert client.get(f"/admin/suppliers/{supplier.id}").status_code == 403
    buyer_client = app.test_client()
    login_as(buyer_client, make_user(db, Role.BUYER))
    assert buyer_client.get("/supplier/").status_code == 403


def test_registration_posts_are_rate_limited(
    app: Flask, client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_REGISTER", "2 per hour")
    english(client)
    statuses = [
        post_form(
            client, "/supplier/register", registration_form(action="search", cq="red")
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert client.get("/supplier/register").status_code == 200  # reading is not limited
