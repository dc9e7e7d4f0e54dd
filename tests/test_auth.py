"""Logging in and out: passwords, generic errors, rate limits, CSRF, redirects."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.audit.models import AuditEvent
from tests.auth_steps import (
    ACCOUNT,
    LOGIN,
    is_logged_in,
    log_out,
    speak_english,
    submit_password,
    text,
)
from tests.factories import PASSWORD, csrf_token, make_user

GENERIC = "The e-mail address or the password is not correct."


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    speak_english(client)


def test_supplier_logs_in_with_password_and_lands_on_their_pages(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    response = submit_password(client, user.email)
    assert response.status_code == 302
    assert is_logged_in(client)
    db.refresh(user)
    assert user.last_login_at is not None


def test_email_is_matched_whatever_its_case_and_spaces(client: FlaskClient, db: Session) -> None:
    user = make_user(db, Role.SUPPLIER)
    submit_password(client, f"  {user.email.upper()} ")
    assert is_logged_in(client)


def test_wrong_password_and_unknown_email_get_the_same_message(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    wrong = submit_password(client, user.email, "not the password")
    unknown = submit_password(client, "nobody@test.example", "not the password")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert GENERIC in text(response)
        assert "no account" not in text(response).lower()
    assert not is_logged_in(client)


def test_failed_attempts_are_counted_and_reported_at_the_next_login(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    submit_password(client, user.email, "guess one")
    submit_password(client, user.email, "guess two")
    db.refresh(user)
    assert user.failed_logins == 2
    assert db.scalar(
        select(func.count(AuditEvent.seq)).where(
            AuditEvent.action == "account.login_failed",
            AuditEvent.object_id == str(user.id),
            AuditEvent.public.is_(False),
        )
    ) == 2
    response = submit_password(client, user.email)
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert "There were 2 failed attempts" in text(page)
    db.refresh(user)
    assert user.failed_logins == 0


def test_inactive_user_cannot_log_in(client: FlaskClient, db: Session) -> None:
    user = make_user(db, Role.SUPPLIER)
    user.is_active = False
    db.flush()
    response = submit_password(client, user.email)
    assert GENERIC in text(response)


def test_login_goes_to_a_local_next_page_only(client: FlaskClient, db: Session) -> None:
    user = make_user(db, Role.SUPPLIER)
    response = submit_password(client, user.email, next_url="/account/inbox")
    assert response.headers["Location"] == "/account/inbox"
    log_out(client)
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = submit_password(client, user.email, next_url=evil)
        assert "evil.example" not in response.headers["Location"]
        log_out(client)


def test_protected_page_sends_anonymous_visitor_to_login_and_back(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    response = client.get("/account/inbox")
    assert response.status_code == 302
    login_page = client.get(response.headers["Location"])
    assert 'value="/account/inbox"' in login_page.get_data(as_text=True)
    response = submit_password(client, user.email, next_url="/account/inbox")
    assert response.headers["Location"] == "/account/inbox"


@pytest.fixture
def limit_three(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "3 per minute")


@pytest.mark.usefixtures("limit_three")
def test_too_many_tries_on_one_account_get_429_even_from_other_addresses(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    for i in range(3):
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{i + 1}"
        assert submit_password(client, user.email, "wrong").status_code == 200
    client.environ_base["REMOTE_ADDR"] = "192.0.2.99"
    response = submit_password(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in text(response)
    assert not is_logged_in(client)


@pytest.mark.usefixtures("limit_three")
def test_too_many_tries_from_one_address_get_429_whatever_the_account(
    client: FlaskClient, db: Session
) -> None:
    for i in range(3):
        assert submit_password(client, f"someone{i}@test.example", "x").status_code == 200
    response = submit_password(client, "someone-else@test.example", "x")
    assert response.status_code == 429
    assert "Too many attempts" in text(response)


def test_missing_csrf_token_is_explained_on_the_form_with_the_email_kept(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    client.get(LOGIN)
    response = client.post(LOGIN, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    page = text(response)
    assert "came without its security token" in page
    assert f'value="{user.email}"' in page
    assert not is_logged_in(client)


def test_expired_csrf_token_is_explained_on_the_form_with_the_email_kept(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    csrf_token(client, LOGIN)  # the browser opened the page: the session has its secret
    with client.session_transaction() as sess:
        raw = sess["csrf_token"]
    limit = app.config["WTF_CSRF_TIME_LIMIT"]

    class Yesterday(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - limit - 60

    old_token = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt="wtf-csrf-token", signer=Yesterday
    ).dumps(raw)
    response = client.post(
        LOGIN, data={"email": user.email, "password": PASSWORD, "csrf_token": old_token}
    )
    page = text(response)
    assert "This form had expired" in page
    assert f'value="{user.email}"' in page
    assert not is_logged_in(client)
    # The page carries a fresh token, so sending again works.
    assert submit_password(client, user.email).status_code == 302


def test_markup_and_sql_in_the_email_field_are_shown_escaped_and_do_nothing(
    client: FlaskClient, db: Session
) -> None:
    users_before = db.scalar(select(func.count(User.id)))
    nasty = "<script>alert(1)</script>' OR '1'='1' --"
    response = submit_password(client, nasty, "x' OR '1'='1")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert GENERIC in text(response)
    assert not is_logged_in(client)
    assert db.scalar(select(func.count(User.id))) == users_before


def test_logout_needs_a_post_with_a_token(client: FlaskClient, db: Session) -> None:
    user = make_user(db, Role.SUPPLIER)
    submit_password(client, user.email)
    assert client.get("/account/logout").status_code == 405
    assert is_logged_in(client)
    response = client.post("/account/logout", data={})
    assert response.status_code == 200
    assert "Do you want to log out?" in text(response)
    assert is_logged_in(client)
    response = log_out(client)
    assert response.status_code == 302
    assert not is_logged_in(client)


def test_logged_in_user_visiting_login_goes_to_their_home(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    submit_password(client, user.email)
    assert client.get(LOGIN).status_code == 302


def test_account_page_needs_login(client: FlaskClient) -> None:
    response = client.get(ACCOUNT)
    assert response.status_code == 302
    assert LOGIN in response.headers["Location"]
