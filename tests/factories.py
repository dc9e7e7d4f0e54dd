"""Factories for test data, built through the real services."""

from __future__ import annotations

import itertools
import re

import pyotp
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from marketplace.accounts.models import ROLE_ORG_KIND, Organisation, OrgKind, Role, User
from marketplace.accounts.services import create_organisation, create_user

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_org(session: Session, kind: OrgKind, name: str | None = None) -> Organisation:
    n = next(_counter)
    return create_organisation(
        session, kind, name or f"{kind.value.title()} {n}", f"T{kind.value[:3].upper()}{n}"
    )


def make_user(
    session: Session,
    role: Role,
    organisation: Organisation | None = None,
    *,
    email: str | None = None,
    enrol_2fa: bool = True,
) -> User:
    """A user of ``role``; roles that need 2FA are enrolled unless ``enrol_2fa`` is false."""
    n = next(_counter)
    org = organisation or make_org(session, ROLE_ORG_KIND[role])
    user = create_user(session, org, email or f"user{n}@test.example", f"User {n}", PASSWORD, role)
    if user.needs_2fa and enrol_2fa:
        user.totp_secret = pyotp.random_base32()
        user.totp_enabled = True
    session.flush()
    return user


def login_as(client: FlaskClient, user: User) -> None:
    """Start a fully authenticated session without going through the login pages.

    The login pages themselves are tested in tests/test_auth.py; elsewhere this keeps
    tests about other features independent of them.
    """
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token in the form at {url} (status {page.status_code})"
    return match.group(1)


def post_form(
    client: FlaskClient,
    url: str,
    data: dict[str, object],
    *,
    form_url: str | None = None,
    follow_redirects: bool = False,
    content_type: str | None = None,
) -> TestResponse:
    """Post a form the way a browser does: fetch the page, take its CSRF token, submit."""
    payload = dict(data)
    payload.setdefault("csrf_token", csrf_token(client, form_url or url))
    kwargs: dict[str, object] = {"data": payload, "follow_redirects": follow_redirects}
    if content_type:
        kwargs["content_type"] = content_type
    return client.post(url, **kwargs)  # type: ignore[arg-type]
