"""Forgotten password: the link arrives in the inbox (and the dev outbox), works once,
for one hour, and the old password stops working."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts import password_reset
from marketplace.accounts.models import Role, User
from marketplace.inbox.models import Message
from tests.auth_steps import is_logged_in, speak_english, submit_password, text
from tests.factories import PASSWORD, make_user, post_form

NEW_PASSWORD = "a brand new passphrase"
RESET = "/account/reset"


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    speak_english(client)


def _ask_for_link(client: FlaskClient, email: str) -> str:
    response = post_form(client, RESET, {"email": email})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    return text(page)


def _link_from_inbox(db: Session, user: User) -> str:
    msg = db.scalars(
        select(Message)
        .where(Message.user_id == user.id, Message.kind == "password_reset")
        .order_by(Message.id.desc())
    ).first()
    assert msg is not None, "the reset message is in the user's inbox"
    match = re.search(r"http://localhost(/account/reset/\S+)", msg.body)
    assert match, msg.body
    return match.group(1)


def _outbox(app: Flask) -> list[Path]:
    return sorted((Path(app.instance_path) / "outbox").glob("*.eml"))


def test_full_reset_flow(app: Flask, client: FlaskClient, db: Session) -> None:
    user = make_user(db, Role.SUPPLIER)
    outbox_before = len(_outbox(app))
    page = _ask_for_link(client, user.email)
    assert "If an account uses that address" in page

    link = _link_from_inbox(db, user)
    # Without MAIL_URL, the mail is also kept in the instance outbox for developers.
    files = _outbox(app)
    assert len(files) == outbox_before + 1
    assert link in files[-1].read_text()

    assert client.get(link).status_code == 200
    response = post_form(
        client, link, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert "Your password has been changed" in text(client.get(response.headers["Location"]))

    assert "not correct" in text(submit_password(client, user.email, PASSWORD))
    submit_password(client, user.email, NEW_PASSWORD)
    assert is_logged_in(client)


def test_reset_link_works_only_once(client: FlaskClient, db: Session) -> None:
    user = make_user(db, Role.SUPPLIER)
    _ask_for_link(client, user.email)
    link = _link_from_inbox(db, user)
    post_form(client, link, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    response = client.get(link)
    assert response.status_code == 400
    assert "not valid or was already used" in text(response)


def test_reset_link_expires_after_an_hour(
    client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(db, Role.SUPPLIER)
    _ask_for_link(client, user.email)
    link = _link_from_inbox(db, user)
    later = password_reset.clock() + 3600 + 5
    monkeypatch.setattr(password_reset, "clock", lambda: later)
    response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired" in text(response)
    assert "Ask for a new link" in text(response)


def test_unknown_email_gets_the_same_answer_and_sends_nothing(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    messages_before = db.scalar(select(func.count(Message.id)))
    outbox_before = len(_outbox(app))
    unknown = _ask_for_link(client, "nobody-here@test.example")
    assert db.scalar(select(func.count(Message.id))) == messages_before
    assert len(_outbox(app)) == outbox_before
    known = _ask_for_link(client, user.email)
    assert unknown == known


def test_tampered_link_is_refused(client: FlaskClient, db: Session) -> None:
    user = make_user(db, Role.SUPPLIER)
    _ask_for_link(client, user.email)
    link = _link_from_inbox(db, user)
    response = client.get(link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb"))
    assert response.status_code == 400
    assert client.get("/account/reset/garbage").status_code == 400


def test_new_password_must_be_long_enough_and_typed_twice(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    _ask_for_link(client, user.email)
    link = _link_from_inbox(db, user)
    short = post_form(client, link, {"new_password": "short", "confirm": "short"})
    assert "Use at least 10 characters." in text(short)
    mismatch = post_form(
        client, link, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}
    )
    assert "The two passwords are not the same." in text(mismatch)
    # Nothing was changed, so the link still works.
    assert client.get(link).status_code == 200


def test_reset_keeps_two_factor_on(client: FlaskClient, db: Session) -> None:
    user = make_user(db, Role.BUYER)
    _ask_for_link(client, user.email)
    link = _link_from_inbox(db, user)
    post_form(client, link, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    response = submit_password(client, user.email, NEW_PASSWORD)
    assert response.headers["Location"] == "/account/login/code"


def test_reset_link_uses_the_configured_address_not_the_host_header(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, Role.SUPPLIER)
    token_page = client.get(RESET, headers={"Host": "evil.example"})
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', token_page.get_data(as_text=True))
    assert token
    client.post(
        RESET,
        data={"email": user.email, "csrf_token": token.group(1)},
        headers={"Host": "evil.example"},
    )
    msg = db.scalars(select(Message).where(Message.user_id == user.id)).one()
    assert "evil.example" not in msg.body
    assert "http://localhost/account/reset/" in msg.body


def test_reset_requests_for_one_address_are_rate_limited(
    app: Flask, client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "2 per minute")
    user = make_user(db, Role.SUPPLIER)
    for i in range(2):
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{i + 1}"
        assert post_form(client, RESET, {"email": user.email}).status_code == 302
    client.environ_base["REMOTE_ADDR"] = "198.51.100.77"
    response = post_form(client, RESET, {"email": user.email})
    assert response.status_code == 429
    assert "Too many attempts" in text(response)
