"""Two-factor authentication: the login challenge, enrolment and recovery codes."""

from __future__ import annotations

import base64
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.auth import views as auth_views
from marketplace.accounts.models import Role
from marketplace.accounts.services import new_recovery_codes
from tests.auth_steps import (
    CHALLENGE,
    current_code,
    is_logged_in,
    log_out,
    speak_english,
    submit_code,
    submit_password,
    text,
    wrong_code,
)
from tests.factories import login_as, make_user, post_form

ENROL = "/account/two-factor"


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    speak_english(client)


def test_enrolled_user_needs_the_code_before_being_logged_in(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.BUYER)
    response = submit_password(client, user.email)
    assert response.headers["Location"] == CHALLENGE
    # Password alone is not a login: no protected page yet.
    assert not is_logged_in(client)
    assert client.get("/buyer/").status_code == 302
    response = submit_code(client, current_code(user.totp_secret or ""))
    assert response.status_code == 302
    assert response.headers["Location"] == "/buyer/"
    assert client.get("/buyer/").status_code == 200


def test_wrong_code_is_refused_clearly_and_counted(client: FlaskClient, db: Session) -> None:
    user = make_user(db, Role.FINANCE)
    submit_password(client, user.email)
    response = submit_code(client, wrong_code(user.totp_secret or ""))
    assert response.status_code == 200
    assert "That code is not right" in text(response)
    assert not is_logged_in(client)
    db.refresh(user)
    assert user.failed_logins == 1


def test_a_code_cannot_be_used_twice(client: FlaskClient, db: Session) -> None:
    user = make_user(db, Role.ADMIN)
    code = current_code(user.totp_secret or "")
    submit_password(client, user.email)
    submit_code(client, code)
    assert is_logged_in(client)
    log_out(client)
    submit_password(client, user.email)
    response = submit_code(client, code)
    assert "That code was already used" in text(response)
    assert not is_logged_in(client)


def test_wrong_codes_are_rate_limited(
    app: Flask, client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "3 per minute")
    user = make_user(db, Role.BUYER)
    submit_password(client, user.email)
    bad = wrong_code(user.totp_secret or "")
    for _ in range(3):
        assert submit_code(client, bad).status_code == 200
    response = submit_code(client, bad)
    assert response.status_code == 429
    assert "Too many attempts" in text(response)


def test_recovery_code_works_once(client: FlaskClient, db: Session) -> None:
    user = make_user(db, Role.BUYER)
    codes = new_recovery_codes(user)
    db.flush()
    submit_password(client, user.email)
    response = submit_code(client, codes[3].upper())
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "9 codes are left" in text(page)
    assert is_logged_in(client)
    log_out(client)
    submit_password(client, user.email)
    response = submit_code(client, codes[3])
    assert "That code is not right" in text(response)
    assert not is_logged_in(client)


def test_second_step_expires_after_five_minutes(
    client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(db, Role.BUYER)
    submit_password(client, user.email)
    later = auth_views.clock() + 5 * 60 + 1
    monkeypatch.setattr(auth_views, "clock", lambda: later)
    response = client.get(CHALLENGE)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "took longer than 5 minutes" in text(page)
    # Even the right code does not log in any more.
    response = post_form(client, CHALLENGE, {"code": current_code(user.totp_secret or "")},
                         form_url="/account/login")
    assert not is_logged_in(client)


def test_challenge_without_a_password_step_goes_to_login(client: FlaskClient) -> None:
    response = client.get(CHALLENGE)
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def _secret_on_page(page: str) -> str:
    match = re.search(r'<code class="code">([A-Z2-7 ]+)</code>', page)
    assert match, "the secret is shown for manual entry"
    return match.group(1).replace(" ", "")


def test_buyer_without_2fa_is_sent_to_enrol_and_cannot_use_buyer_pages(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.BUYER, enrol_2fa=False)
    response = submit_password(client, user.email)
    assert response.headers["Location"].startswith(ENROL)
    response = client.get("/buyer/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(ENROL)


def test_enrolment_shows_a_qr_code_and_the_secret_then_confirms_with_a_code(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.BUYER, enrol_2fa=False)
    submit_password(client, user.email)
    page = client.get(ENROL)
    assert page.headers["Cache-Control"] == "no-store"
    body = page.get_data(as_text=True)
    qr = re.search(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', body)
    assert qr, "the QR code is an inline SVG image"
    assert base64.b64decode(qr.group(1)).startswith(b"<svg")
    secret = _secret_on_page(body)
    # Reloading keeps the same secret (an app may already have scanned it).
    assert _secret_on_page(client.get(ENROL).get_data(as_text=True)) == secret

    response = post_form(client, ENROL, {"code": wrong_code(secret)})
    assert "That code is not valid" in text(response)
    assert client.get("/buyer/").status_code == 302

    response = post_form(client, ENROL, {"code": current_code(secret)})
    assert response.status_code == 200
    codes = re.findall(r'<code class="code">([0-9a-f]{8}-[0-9a-f]{8})</code>', text(response))
    assert len(codes) == 10
    assert client.get("/buyer/").status_code == 200
    db.refresh(user)
    assert user.totp_enabled


def test_supplier_may_turn_on_2fa_and_is_then_asked_for_codes(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    submit_password(client, user.email)
    account = client.get("/account/")
    assert "Turn on two-factor authentication" in text(account)
    secret = _secret_on_page(client.get(ENROL).get_data(as_text=True))
    post_form(client, ENROL, {"code": current_code(secret)})
    log_out(client)
    response = submit_password(client, user.email)
    assert response.headers["Location"] == CHALLENGE


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.BUYER)
    old = new_recovery_codes(user)
    db.flush()
    login_as(client, user)
    secret = user.totp_secret or ""
    response = post_form(client, "/account/recovery-codes", {"code": wrong_code(secret)})
    assert "That code is not valid" in text(response)
    response = post_form(
        client, "/account/recovery-codes", {"code": current_code(user.totp_secret or "")}
    )
    new = re.findall(r'<code class="code">([0-9a-f]{8}-[0-9a-f]{8})</code>', text(response))
    assert len(new) == 10 and not set(new) & set(old)
    log_out(client)
    submit_password(client, user.email)
    assert "That code is not right" in text(submit_code(client, old[0]))
    assert submit_code(client, new[0]).status_code == 302
