"""Home, language switch, public audit page, error pages and security headers."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from marketplace.accounts.models import OrgKind, Role
from marketplace.audit.services import record
from tests.factories import make_org, make_user


def test_home_page_is_served_with_security_headers(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_language_switch_sets_cookie_and_returns_to_the_page(client: FlaskClient) -> None:
    response = client.get("/lang/en?next=/audit")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/audit")
    page = client.get("/audit").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Audit trail" in page
    client.get("/lang/es?next=/audit")
    page = client.get("/audit").get_data(as_text=True)
    assert '<html lang="es">' in page
    assert "Bitácora" in page


def test_language_switch_never_redirects_off_site(client: FlaskClient) -> None:
    response = client.get("/lang/en?next=//evil.example/x")
    assert "evil.example" not in response.headers["Location"]


def test_public_audit_page_lists_public_actions_without_personal_data(
    client: FlaskClient, db: Session
) -> None:
    buyer_org = make_org(db, OrgKind.BUYER, "Unidad Compradora de Prueba")
    person = make_user(db, Role.BUYER, buyer_org)
    record(db, "tender.published", "tender", 77, actor_user_id=person.id,
           actor_org_id=buyer_org.id, public=True)
    record(db, "user.password_changed", "user", person.id, actor_user_id=person.id,
           actor_org_id=buyer_org.id, public=False)
    db.commit()
    page = client.get("/audit").get_data(as_text=True)
    assert "tender.published" in page
    assert "Unidad Compradora de Prueba" in page
    assert "user.password_changed" not in page
    assert person.email not in page and person.name not in page


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "<h1>404</h1>" in response.get_data(as_text=True)


def test_api_errors_are_json(client: FlaskClient) -> None:
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404


def test_home_shows_what_is_open_and_the_latest_published_steps(
    client: FlaskClient, db: Session
) -> None:
    import datetime as dt

    from marketplace.db import utcnow
    from marketplace.tenders.services import publish_tender
    from tests.tender_helpers import buyer, drafted_tender

    owner = buyer(db)
    start = utcnow().replace(microsecond=0) - dt.timedelta(minutes=5)
    tender = drafted_tender(
        db, owner, start, title="Renta de impresoras multifuncionales", value_amount=400000
    )
    publish_tender(db, tender, owner, now=start)
    db.commit()
    client.set_cookie("lang", "es")
    page = client.get("/").get_data(as_text=True)
    closing = page.split("<h2>", 2)[1]  # the "closing soon" section
    assert "Renta de impresoras multifuncionales" in closing
    assert "400,000.00 MXN" in closing  # Mexican number format in Spanish
    assert 'action="/search"' in page
