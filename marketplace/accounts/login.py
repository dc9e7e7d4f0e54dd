"""Logging in: the password step, the second factor, and what a finished login records.

The web layer keeps a half-finished login (password right, second factor pending) in
its session; nothing here knows about sessions or Flask.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.accounts.services import (
    audit_account_event,
    check_password,
    find_user_by_email,
    hash_password,
    is_totp_code,
    totp_result,
    unused_recovery_codes,
    use_recovery_code,
)
from marketplace.db import utcnow

# Checked against when the e-mail is unknown, so that answering takes about as long
# whether or not an account exists.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not a real password, only for timing")
    return _DUMMY_HASH


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user whose e-mail and password these are, or None (never saying which was wrong).

    A wrong password for a real account counts in ``failed_logins`` and the private
    audit log; the caller commits either way.
    """
    user = find_user_by_email(session, email)
    if user is None:
        check_password(User(password_hash=_dummy_hash()), password)
        return None
    if not check_password(user, password) or not user.is_active:
        record_failed_login(session, user, "password")
        return None
    return user


def record_failed_login(session: Session, user: User, step: str) -> None:
    user.failed_logins = (user.failed_logins or 0) + 1
    audit_account_event(session, user, "account.login_failed", step=step)


@dataclass(frozen=True)
class SecondFactorResult:
    ok: bool
    #: "totp", "recovery_code" on success; "invalid" or "replayed" on failure.
    how: str
    #: Unused recovery codes left (meaningful when a recovery code was used).
    recovery_codes_left: int = 0


def check_second_factor(session: Session, user: User, code: str) -> SecondFactorResult:
    """Accept a 6-digit TOTP code or one unused recovery code; count failures."""
    if is_totp_code(code):
        result = totp_result(user, code)
        if result == "ok":
            return SecondFactorResult(True, "totp")
        record_failed_login(session, user, "totp")
        return SecondFactorResult(False, result)
    if use_recovery_code(user, code):
        audit_account_event(session, user, "account.recovery_code_used")
        return SecondFactorResult(True, "recovery_code", unused_recovery_codes(user))
    record_failed_login(session, user, "totp")
    return SecondFactorResult(False, "invalid")


def complete_login(session: Session, user: User) -> int:
    """Record a finished login; returns how many failed attempts preceded it."""
    failed = user.failed_logins or 0
    user.failed_logins = 0
    user.last_login_at = utcnow()
    audit_account_event(session, user, "account.login")
    return failed
