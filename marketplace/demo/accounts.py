"""Demo organisations and users. Logins are listed in the README."""

from __future__ import annotations

import base64
import hashlib
import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Organisation, OrgKind, Role, User
from marketplace.accounts.services import create_organisation, create_user, find_user_by_email

DEMO_PASSWORD = "tianguis-demo-2026"

#: (code, name) of fictional purchasing units shaped like Mexico City's.
BUYERS = [
    ("AGD", "Agencia Digital de Innovación Pública (ficticia)"),
    ("SAF", "Secretaría de Administración y Finanzas (ficticia)"),
    ("SEDUC", "Secretaría de Educación, Ciencia y Tecnología (ficticia)"),
    ("SSC", "Secretaría de Seguridad Ciudadana (ficticia)"),
    ("SOBSE", "Secretaría de Obras y Servicios (ficticia)"),
    ("SEMOVI", "Secretaría de Movilidad (ficticia)"),
]

#: (email, name, role, org code); supplier users are made with their companies.
USERS = [
    ("admin@tianguis.example", "Ana Admin", Role.ADMIN, "ADMIN"),
    ("compras.agd@tianguis.example", "Beatriz Compras", Role.BUYER, "AGD"),
    ("compras.saf@tianguis.example", "Carlos Licitaciones", Role.BUYER, "SAF"),
    ("compras.seduc@tianguis.example", "Diana Adquisiciones", Role.BUYER, "SEDUC"),
    ("finanzas@tianguis.example", "Elena Finanzas", Role.FINANCE, "FIN"),
    ("finanzas2@tianguis.example", "Fernando Revisor", Role.FINANCE, "FIN"),
]


#: Only accounts under this (reserved, RFC 2606) domain count as demo accounts.
DEMO_EMAIL_DOMAIN = "@tianguis.example"


def is_demo_email(email: str) -> bool:
    return email.strip().lower().endswith(DEMO_EMAIL_DOMAIN)


def demo_totp_secret(email: str) -> str:
    """A fixed TOTP secret per demo account, published in the README so anyone trying
    the demo can add it to an authenticator app (or use `tianguis users totp-code`)."""
    digest = hashlib.sha256(f"tianguis-demo-totp:{email.lower()}".encode()).digest()
    return base64.b32encode(digest[:20]).decode("ascii")


def enrol_demo_totp(user: User) -> bool:
    """Turn on 2FA with the published secret for a demo user whose role needs it."""
    if not user.needs_2fa or user.totp_enabled or not is_demo_email(user.email):
        return False
    user.totp_secret = demo_totp_secret(user.email)
    user.totp_enabled = True
    return True


def load(session: Session, rng: random.Random, ctx: dict[str, Any]) -> str:
    known = session.scalars(select(Organisation).where(Organisation.code.isnot(None)))
    orgs = {o.code: o for o in known}
    made = 0
    for code, name in BUYERS:
        if code not in orgs:
            orgs[code] = create_organisation(session, OrgKind.BUYER, name, code)
            made += 1
    if "FIN" not in orgs:
        orgs["FIN"] = create_organisation(
            session, OrgKind.FINANCE, "Unidad de Evaluación de Proyectos TIC (ficticia)", "FIN"
        )
        made += 1
    if "ADMIN" not in orgs:
        orgs["ADMIN"] = create_organisation(
            session, OrgKind.ADMIN, "Operación de Tianguis", "ADMIN"
        )
        made += 1
    users = enrolled = 0
    for email, name, role, code in USERS:
        user = find_user_by_email(session, email)
        if user is None:
            user = create_user(session, orgs[code], email, name, DEMO_PASSWORD, role)
            users += 1
        enrolled += enrol_demo_totp(user)
    ctx["organisations"] = orgs
    return (
        f"{made} organisations, {users} users (password {DEMO_PASSWORD!r}), "
        f"{enrolled} enrolled in 2FA with the README's demo secrets"
    )
