"""The account page, the inbox, the `tianguis users` commands and the demo logins."""

from __future__ import annotations

import datetime as dt
import random

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.cli import main
from marketplace.accounts.models import OrgKind, Role
from marketplace.accounts.services import check_password, find_user_by_email
from marketplace.demo import accounts as demo_accounts
from marketplace.inbox.services import notify
from tests.auth_steps import (
    ACCOUNT,
    current_code,
    is_logged_in,
    speak_english,
    submit_code,
    submit_password,
    text,
)
from tests.factories import PASSWORD, login_as, make_org, make_user, post_form

NEW_PASSWORD = "another long passphrase"


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    speak_english(client)


def test_account_page_shows_who_you_are_and_2fa_status(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.FINANCE)
    login_as(client, user)
    page = text(client.get(ACCOUNT))
    assert user.email in page
    assert user.organisation.name in page
    assert "Finance reviewer" in page
    assert "Make new recovery codes" in page


def test_name_and_language_are_saved_and_the_language_is_used(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    login_as(client, user)
    client.set_cookie("lang", "es")
    response = post_form(
        client, "/account/profile", {"name": "Renata Ruiz", "locale": "en"}, form_url=ACCOUNT
    )
    assert response.status_code == 302
    assert "lang=en" in response.headers["Set-Cookie"]
    db.refresh(user)
    assert (user.name, user.locale) == ("Renata Ruiz", "en")
    assert '<html lang="en">' in client.get(ACCOUNT).get_data(as_text=True)


def test_empty_name_is_refused_next_to_the_field(client: FlaskClient, db: Session) -> None:
    user = make_user(db, Role.SUPPLIER)
    login_as(client, user)
    response = post_form(
        client, "/account/profile", {"name": "  ", "locale": "es"}, form_url=ACCOUNT
    )
    assert response.status_code == 200
    assert "Enter your name." in text(response)


def test_password_change_needs_the_current_password(client: FlaskClient, db: Session) -> None:
    user = make_user(db, Role.SUPPLIER)
    login_as(client, user)
    response = post_form(
        client,
        "/account/password",
        {
            "current_password": "not it at all",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        form_url=ACCOUNT,
    )
    assert "Your current password is not correct." in text(response)
    db.refresh(user)
    assert check_password(user, PASSWORD)


def test_password_change_ends_other_sessions_but_keeps_this_one(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    other_device = app.test_client()
    speak_english(other_device)
    submit_password(other_device, user.email)
    submit_password(client, user.email)
    assert is_logged_in(other_device) and is_logged_in(client)

    response = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        form_url=ACCOUNT,
    )
    assert response.status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(other_device)


def test_inbox_lists_messages_and_opening_one_marks_it_read(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    msg = notify(db, user, "test.hello", "Welcome <b>aboard</b>", "Line one.\n\nLine two.",
                 link="/account/")
    db.flush()
    login_as(client, user)
    inbox = client.get("/account/inbox")
    body = inbox.get_data(as_text=True)
    assert "Welcome &lt;b&gt;aboard&lt;/b&gt;" in body
    assert 'class="badge">1<' in body
    opened = client.get(f"/account/inbox/{msg.id}")
    assert "Line two." in text(opened)
    db.refresh(msg)
    assert msg.read_at is not None
    assert 'class="badge"' not in client.get("/account/inbox").get_data(as_text=True)


def test_nobody_reads_someone_elses_message(client: FlaskClient, db: Session) -> None:
    owner = make_user(db, Role.SUPPLIER)
    other = make_user(db, Role.SUPPLIER)
    msg = notify(db, owner, "test.private", "Private", "Only for the owner.")
    db.flush()
    login_as(client, other)
    assert client.get(f"/account/inbox/{msg.id}").status_code == 404
    db.refresh(msg)
    assert msg.read_at is None


def test_cli_creates_a_user_who_can_log_in(app: Flask, db: Session) -> None:
    org = make_org(db, OrgKind.BUYER)
    db.flush()
    runner = app.test_cli_runner()
    result = runner.invoke(
        main,
        ["users", "create", "--email", "New.Buyer@Test.example", "--name", "Nora Nueva",
         "--role", "buyer", "--org-code", org.code or ""],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    user = find_user_by_email(db, "new.buyer@test.example")
    assert user is not None and user.role is Role.BUYER and check_password(user, NEW_PASSWORD)

    wrong_kind = runner.invoke(
        main,
        ["users", "create", "--email", "s@test.example", "--name", "S", "--role", "supplier",
         "--org-code", org.code or ""],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert wrong_kind.exit_code == 1
    assert "cannot belong" in wrong_kind.output
    missing = runner.invoke(
        main,
        ["users", "create", "--email", "x@test.example", "--name", "X", "--role", "buyer",
         "--org-code", "NOPE"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert missing.exit_code == 1


def _window(secret: str) -> set[str]:
    totp = pyotp.TOTP(secret)
    now = dt.datetime.now(dt.UTC)
    return {totp.at(now + dt.timedelta(seconds=s)) for s in (-30, 0, 30)}


def test_demo_staff_are_enrolled_with_the_documented_secret_and_cli_prints_codes(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    demo_accounts.load(db, random.Random(1), {})
    db.flush()
    email = "compras.saf@tianguis.example"
    user = find_user_by_email(db, email)
    assert user is not None and user.totp_enabled
    assert user.totp_secret == demo_accounts.demo_totp_secret(email) == (
        "6ZET5AVGD6GHO2W6GWQUEWMWP5RUGMR4"  # as listed in the README
    )

    result = app.test_cli_runner().invoke(main, ["users", "totp-code", email])
    assert result.exit_code == 0, result.output
    code = result.stdout.strip()
    assert code in _window(user.totp_secret)

    submit_password(client, email, demo_accounts.DEMO_PASSWORD)
    assert submit_code(client, current_code(user.totp_secret)).status_code == 302
    assert client.get("/buyer/").status_code == 200


def test_cli_refuses_codes_for_real_accounts(app: Flask, db: Session) -> None:
    user = make_user(db, Role.ADMIN)
    result = app.test_cli_runner().invoke(main, ["users", "totp-code", user.email])
    assert result.exit_code == 1
    assert "only demo accounts" in result.output


def test_links_to_this_site_in_a_message_are_clickable_others_are_not(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    body = "Open this:\n\nhttp://localhost/account/\n\nNot this:\n\nhttps://evil.example/x"
    msg = notify(db, user, "test.links", "Links", body)
    db.flush()
    login_as(client, user)
    page = client.get(f"/account/inbox/{msg.id}").get_data(as_text=True)
    assert '<a href="http://localhost/account/">' in page
    assert 'href="https://evil.example' not in page


def test_operator_resets_2fa_and_the_buyer_must_enrol_again(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.BUYER)
    db.flush()
    result = app.test_cli_runner().invoke(main, ["users", "reset-2fa", user.email])
    assert result.exit_code == 0, result.output
    response = submit_password(client, user.email)
    assert response.headers["Location"].startswith("/account/two-factor")
    assert app.test_cli_runner().invoke(main, ["users", "reset-2fa", "no@x.example"]).exit_code == 1
