"""Steps a person takes on the account pages, for the auth tests."""

from __future__ import annotations

import datetime as dt
import html

import pyotp
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import PASSWORD, post_form

LOGIN = "/account/login"
CHALLENGE = "/account/login/code"
ACCOUNT = "/account/"


def text(response: TestResponse) -> str:
    """The page as a person reads it (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def submit_password(
    client: FlaskClient, email: str, password: str = PASSWORD, next_url: str = ""
) -> TestResponse:
    form_url = f"{LOGIN}?next={next_url}" if next_url else LOGIN
    data = {"email": email, "password": password, "next": next_url}
    return post_form(client, LOGIN, data, form_url=form_url)


def submit_code(client: FlaskClient, code: str) -> TestResponse:
    return post_form(client, CHALLENGE, {"code": code})


def current_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def wrong_code(secret: str) -> str:
    """A 6-digit code that is not valid in the current window."""
    totp = pyotp.TOTP(secret)
    now = dt.datetime.now(dt.UTC)
    window = {totp.at(now + dt.timedelta(seconds=s)) for s in (-30, 0, 30)}
    candidate = int(totp.at(now))
    while f"{candidate:06d}" in window:
        candidate = (candidate + 1) % 1_000_000
    return f"{candidate:06d}"


def is_logged_in(client: FlaskClient) -> bool:
    response = client.get(ACCOUNT)
    return response.status_code == 200


def log_out(client: FlaskClient) -> TestResponse:
    return post_form(client, "/account/logout", {}, form_url=ACCOUNT)


def speak_english(client: FlaskClient) -> None:
    """Pages default to Spanish; these tests read the English source texts."""
    client.set_cookie("lang", "en")
