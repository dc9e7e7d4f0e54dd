"""Account rules: creating users, passwords (argon2id), TOTP and recovery codes."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import (
    ROLE_ORG_KIND,
    Organisation,
    OrgKind,
    RecoveryCode,
    Role,
    User,
)
from marketplace.db import utcnow

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A rule was broken; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Use at least {MIN_PASSWORD_LENGTH} characters.", "password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_organisation(
    session: Session, kind: OrgKind, name: str, code: str | None = None
) -> Organisation:
    org = Organisation(kind=kind, name=name.strip(), code=code)
    session.add(org)
    session.flush()
    return org


def create_user(
    session: Session,
    organisation: Organisation,
    email: str,
    name: str,
    password: str,
    role: Role,
    locale: str = "es",
) -> User:
    """Add a user to an organisation of the kind their role needs."""
    if ROLE_ORG_KIND[role] != organisation.kind:
        raise AccountError(f"A {role.value} user cannot belong to a {organisation.kind.value}.")
    validate_password(password)
    if find_user_by_email(session, email) is not None:
        raise AccountError("An account with this e-mail already exists.", "email")
    user = User(
        organisation=organisation,
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
        locale=locale,
        is_active=True,
        totp_enabled=False,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    validate_password(password)
    user.password_hash = hash_password(password)


# --- two-factor authentication -------------------------------------------------------

TOTP_ISSUER = "Tianguis"


def start_totp_enrolment(user: User) -> str:
    """Give the user a fresh secret (not active until a code from it is confirmed)."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled = False
    return user.totp_secret


def totp_uri(user: User) -> str:
    assert user.totp_secret
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def check_totp(user: User, code: str) -> bool:
    """Accept the current code (±1 step for clock drift), each time-step at most once."""
    if not user.totp_secret:
        return False
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now_step = totp.timecode(dt.datetime.now(dt.UTC))
    for step in (now_step - 1, now_step, now_step + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # replayed
            user.totp_last_step = step
            return True
    return False


def confirm_totp_enrolment(user: User, code: str) -> list[str]:
    """Activate 2FA if ``code`` matches; return new recovery codes (shown once)."""
    if not check_totp(user, code):
        raise AccountError("That code is not valid. Check your device's clock and try again.", "code")
    user.totp_enabled = True
    return new_recovery_codes(user)


RECOVERY_CODE_COUNT = 10


def new_recovery_codes(user: User) -> list[str]:
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODE_COUNT)]
    user.recovery_codes.clear()
    for code in codes:
        user.recovery_codes.append(RecoveryCode(code_hash=_hasher.hash(code)))
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    code = code.strip().lower()
    for rc in user.recovery_codes:
        if rc.used_at is None:
            try:
                if _hasher.verify(rc.code_hash, code):
                    rc.used_at = utcnow()
                    return True
            except (VerificationError, InvalidHashError):
                continue
    return False


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: Role
    organisation: str
