"""Account rules: creating users, passwords (argon2id), TOTP and recovery codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

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
from marketplace.audit.services import record
from marketplace.db import utcnow

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10
LOCALES = ("es", "en")


def N_(message: str) -> str:
    """Mark ``message`` for translation (pybabel extracts it); the web layer translates it."""
    return message


class AccountError(ValueError):
    """A rule was broken; ``field`` names the form field it belongs to.

    ``message`` is the untranslated English text with ``%(name)s`` placeholders filled
    from ``params``; the web layer passes both to gettext. ``str(error)`` is the English
    sentence.
    """

    def __init__(
        self, message: str, field: str | None = None, params: dict[str, object] | None = None
    ) -> None:
        self.message = message
        self.params = params or {}
        super().__init__(message % self.params if self.params else message)
        self.field = field


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def validate_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            N_("Use at least %(n)s characters."), field, {"n": MIN_PASSWORD_LENGTH}
        )


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
        raise AccountError(
            N_("A %(role)s user cannot belong to a %(kind)s organisation."),
            "role",
            {"role": role.value, "kind": organisation.kind.value},
        )
    validate_password(password)
    if find_user_by_email(session, email) is not None:
        raise AccountError(N_("An account with this e-mail already exists."), "email")
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


def set_password(user: User, password: str, field: str = "password") -> None:
    """Store a new password. The session tail in ``User.get_id`` changes with the hash,
    so every existing session of this user ends."""
    validate_password(password, field)
    user.password_hash = hash_password(password)


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """A logged-in user changes their password, proving they know the current one."""
    if not check_password(user, current):
        raise AccountError(N_("Your current password is not correct."), "current_password")
    if current == new:
        raise AccountError(N_("Choose a password different from the current one."), "new_password")
    set_password(user, new, "new_password")
    audit_account_event(session, user, "account.password_changed")


def update_profile(session: Session, user: User, name: str, locale: str) -> None:
    name = name.strip()
    if not name:
        raise AccountError(N_("Enter your name."), "name")
    if locale not in LOCALES:
        raise AccountError(N_("Choose a language from the list."), "locale")
    user.name = name
    user.locale = locale
    session.flush()


def audit_account_event(session: Session, user: User, action: str, **details: object) -> None:
    """Account events stay out of the public audit trail (they concern people)."""
    record(
        session,
        action,
        "user",
        user.id,
        actor_user_id=user.id,
        actor_org_id=user.organisation_id,
        details=dict(details),
        public=False,
    )


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


TotpResult = Literal["ok", "invalid", "replayed"]


def is_totp_code(code: str) -> bool:
    code = code.strip().replace(" ", "")
    return code.isdigit() and len(code) == 6


def totp_result(user: User, code: str, at: dt.datetime | None = None) -> TotpResult:
    """Check a code (±1 step for clock drift), accepting each time-step at most once.

    On "ok" the step is remembered, so the same code (or an older one) is "replayed".
    """
    if not user.totp_secret or not is_totp_code(code):
        return "invalid"
    code = code.strip().replace(" ", "")
    totp = pyotp.TOTP(user.totp_secret)
    now_step = totp.timecode(at or dt.datetime.now(dt.UTC))
    for step in (now_step - 1, now_step, now_step + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return "replayed"
            user.totp_last_step = step
            return "ok"
    return "invalid"


def check_totp(user: User, code: str) -> bool:
    return totp_result(user, code) == "ok"


_TOTP_ERRORS = {
    "invalid": N_("That code is not valid. Check your device's clock and try again."),
    "replayed": N_("That code was already used. Wait for your app to show a new one."),
}


def confirm_totp_enrolment(user: User, code: str) -> list[str]:
    """Activate 2FA if ``code`` matches; return new recovery codes (shown once)."""
    result = totp_result(user, code)
    if result != "ok":
        raise AccountError(_TOTP_ERRORS[result], "code")
    user.totp_enabled = True
    return new_recovery_codes(user)


def enable_totp(session: Session, user: User, code: str) -> list[str]:
    """Confirm enrolment with a first code from the app; returns the recovery codes."""
    if user.totp_enabled:
        raise AccountError(N_("Two-factor authentication is already on."), "code")
    if not user.totp_secret:
        raise AccountError(N_("Start the set-up again: no secret was issued."), "code")
    codes = confirm_totp_enrolment(user, code)
    audit_account_event(session, user, "account.totp_enabled")
    return codes


def regenerate_recovery_codes(session: Session, user: User, code: str) -> list[str]:
    """Replace all recovery codes; needs a current code from the authenticator app."""
    if not user.totp_enabled:
        raise AccountError(N_("Turn on two-factor authentication first."), "code")
    result = totp_result(user, code)
    if result != "ok":
        raise AccountError(_TOTP_ERRORS[result], "code")
    codes = new_recovery_codes(user)
    audit_account_event(session, user, "account.recovery_codes_renewed")
    return codes


def reset_totp(session: Session, user: User, actor: User | None = None) -> None:
    """Turn 2FA off (lost phone and recovery codes). Roles that need it must enrol
    again at their next login; ``actor`` is the administrator (None: an operator's CLI)."""
    user.totp_secret = None
    user.totp_enabled = False
    user.totp_last_step = None
    user.recovery_codes.clear()
    record(
        session,
        "account.totp_reset",
        "user",
        user.id,
        actor_user_id=actor.id if actor else None,
        actor_org_id=actor.organisation_id if actor else None,
        public=False,
    )


RECOVERY_CODE_COUNT = 10


def _recovery_hash(code: str) -> str:
    # 64 random bits per code: out of reach of brute force even with a fast hash, so
    # plain SHA-256 is enough (and checking ten codes stays instant).
    return "sha256$" + hashlib.sha256(code.encode()).hexdigest()


def normalise_recovery_code(code: str) -> str:
    code = code.strip().lower().replace(" ", "").replace("-", "")
    return f"{code[:8]}-{code[8:]}" if len(code) == 16 else code


def new_recovery_codes(user: User) -> list[str]:
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODE_COUNT)]
    user.recovery_codes.clear()
    for code in codes:
        user.recovery_codes.append(RecoveryCode(code_hash=_recovery_hash(code)))
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one unused recovery code; each works once."""
    wanted = _recovery_hash(normalise_recovery_code(code))
    for rc in user.recovery_codes:
        if rc.used_at is None and secrets.compare_digest(rc.code_hash, wanted):
            rc.used_at = utcnow()
            return True
    return False


def unused_recovery_codes(user: User) -> int:
    return sum(1 for rc in user.recovery_codes if rc.used_at is None)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: Role
    organisation: str
