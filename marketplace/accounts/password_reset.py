"""Password reset by a signed, time-limited, single-use link.

The token is signed (itsdangerous) with the server's secret key and salted with the
user's current password hash: once the password changes, every token issued before
stops verifying, so a link works once. Nothing is stored for tokens.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.accounts.services import (
    N_,
    AccountError,
    audit_account_event,
    find_user_by_email,
    set_password,
)
from marketplace.inbox.services import notify

RESET_MAX_AGE = 3600  # seconds a link stays valid
_SALT = "tianguis-password-reset:"


def clock() -> float:
    """Seconds since the epoch; tests move it forward instead of sleeping."""
    return time.time()


class _Signer(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock())


def _serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT + salt, signer=_Signer)


def make_reset_token(secret_key: str, user: User) -> str:
    return _serializer(secret_key, user.password_hash).dumps(user.id)


def user_for_reset_token(session: Session, secret_key: str, token: str) -> User:
    """The user a valid, unexpired, unused token belongs to; AccountError otherwise."""
    invalid = AccountError(
        N_("This link is not valid or was already used. Ask for a new one."), "token"
    )
    # The payload (a user id) is read before checking the signature only to find whose
    # password hash salts it; nothing is trusted until loads() below succeeds.
    _, user_id = _serializer(secret_key, "").loads_unsafe(token)
    if not isinstance(user_id, int):
        raise invalid
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise invalid
    try:
        _serializer(secret_key, user.password_hash).loads(token, max_age=RESET_MAX_AGE)
    except SignatureExpired:
        raise AccountError(
            N_("This link has expired: links work for one hour. Ask for a new one."), "token"
        ) from None
    except BadSignature:
        raise invalid from None
    return user


#: Builds (subject, body) for a user and their reset link, in the user's language.
Composer = Callable[[User, str], tuple[str, str]]


def request_password_reset(
    session: Session,
    email: str,
    *,
    secret_key: str,
    link_for: Callable[[str], str],
    compose: Composer,
    mail_url: str | None = None,
    outbox_dir: Path | None = None,
) -> User | None:
    """Send a reset link to the account with this e-mail, if there is one.

    Returns the user for the caller's logging only: the answer shown to whoever asked
    must not depend on it.
    """
    user = find_user_by_email(session, email)
    if user is None or not user.is_active:
        return None
    link = link_for(make_reset_token(secret_key, user))
    subject, body = compose(user, link)
    notify(
        session,
        user,
        "password_reset",
        subject,
        body,
        link=None,  # the link is in the body; the inbox list must not show live tokens
        mail_url=mail_url,
        outbox_dir=outbox_dir,
    )
    audit_account_event(session, user, "account.password_reset_requested")
    return user


def reset_password(session: Session, secret_key: str, token: str, new_password: str) -> User:
    """Set a new password through a reset link; the link (and all sessions) die with it."""
    user = user_for_reset_token(session, secret_key, token)
    set_password(user, new_password)
    user.failed_logins = 0
    audit_account_event(session, user, "account.password_reset")
    return user
