"""Organisations and the users who act for them."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import Base, string_enum, utcnow


class OrgKind(enum.StrEnum):
    """What an organisation is to the platform."""

    BUYER = "buyer"  # a purchasing unit (unidad compradora)
    SUPPLIER = "supplier"  # a company in the supplier registry
    FINANCE = "finance"  # the finance office that reviews business cases
    ADMIN = "admin"  # the platform operator


class Role(enum.StrEnum):
    """A user's role. Anonymous visitors are the 'public' role and have no row."""

    SUPPLIER = "supplier"
    BUYER = "buyer"
    FINANCE = "finance"
    ADMIN = "admin"


# The organisation kind each role must belong to.
ROLE_ORG_KIND: dict[Role, OrgKind] = {
    Role.SUPPLIER: OrgKind.SUPPLIER,
    Role.BUYER: OrgKind.BUYER,
    Role.FINANCE: OrgKind.FINANCE,
    Role.ADMIN: OrgKind.ADMIN,
}

# Roles that must enrol in TOTP two-factor authentication before they can act.
ROLES_REQUIRING_2FA = frozenset({Role.BUYER, Role.FINANCE, Role.ADMIN})


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(string_enum(OrgKind, 16))
    #: Public name, e.g. "Secretaría de Administración y Finanzas" or a company's legal name.
    name: Mapped[str] = mapped_column(String(300))
    #: Short code used in URLs and OCDS party ids of buyers (e.g. "SAF").
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.name!r}>"


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint("failed_logins >= 0", name="failed_logins_nonneg"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name; stored lower-case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: Person's display name. Personal data: never published.
    name: Mapped[str] = mapped_column(String(200))
    #: argon2id hash of the password.
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(string_enum(Role, 16))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Base32 TOTP secret; set at enrolment, confirmed when totp_enabled becomes true.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Last accepted TOTP time-step, so one code cannot be replayed.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    #: Preferred UI language ("es" or "en").
    locale: Mapped[str] = mapped_column(String(8), default="es")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    organisation: Mapped[Organisation] = relationship(back_populates="users")
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def needs_2fa(self) -> bool:
        return self.role in ROLES_REQUIRING_2FA

    # The three members below make a User usable as a Flask-Login user without
    # importing Flask here.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # The hash tail ends every session of this user when the password changes.
        return f"{self.id}:{self.password_hash[-12:]}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class RecoveryCode(Base):
    """One-time recovery code for a user who lost the TOTP device (stored hashed)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(back_populates="recovery_codes")
