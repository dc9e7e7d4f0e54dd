"""Demo asset register: the contracts signed by earlier steps already made their assets;
this step adds what each purchasing unit held before the platform (by hand, with
locations, seats and support levels), a few of them ending in the next days, then runs
the register's tick so the alerts and the renewal-due statuses exist. Idempotent: a unit
with assets added by hand is skipped."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Organisation, OrgKind, Role, User
from marketplace.assets.models import Asset, AssetSource
from marketplace.assets.services import AssetInput, add_asset, apply_due
from marketplace.db import utcnow

#: (category, description, quantity, unit cost, supplier, licences, support level).
HOLDINGS: tuple[tuple[str, str, int, int, str, int | None, str], ...] = (
    (
        "hardware",
        "Computadoras de escritorio (2019)",
        180,
        14500,
        "Cómputo del Valle, S.A. de C.V.",
        None,
        "Garantía de fábrica",
    ),
    (
        "hardware",
        "Servidores del centro de datos",
        6,
        210000,
        "Sistemas Anáhuac, S.A. de C.V.",
        None,
        "24x7, 4 horas en sitio",
    ),
    (
        "softwareLicence",
        "Licencias de ofimática",
        400,
        2300,
        "Distribuidora de Software Tenochtitlan",
        400,
        "8x5, siguiente día hábil",
    ),
    (
        "saasSubscription",
        "Correo electrónico en la nube",
        1,
        620000,
        "Nube Mexicana de Servicios",
        650,
        "24x7",
    ),
    (
        "saasSubscription",
        "Mesa de ayuda en línea",
        1,
        180000,
        "Servicios Digitales Xochimilco",
        40,
        "8x5",
    ),
    (
        "telecom",
        "Enlace de datos 500 Mbps entre edificios",
        1,
        960000,
        "Telecomunicaciones Metropolitanas",
        None,
        "99.5 % de disponibilidad",
    ),
    (
        "service",
        "Soporte y mantenimiento de impresoras",
        1,
        240000,
        "Impresión y Servicios Coyoacán",
        None,
        "8x5, 8 horas",
    ),
    (
        "softwareLicence",
        "Antivirus para estaciones de trabajo",
        450,
        310,
        "Seguridad Informática del Bajío",
        450,
        "8x5",
    ),
)
#: Days from today to the end of each holding: some end within the alert windows.
ENDS = (-400, 700, 6, 13, 27, 45, 120, 330)
LOCATIONS = ("Edificio sede, piso 3", "Centro de datos, sala 1", "Almacén central", "")


def _buyer(session: Session, org: Organisation) -> User | None:
    return session.scalar(
        select(User)
        .where(User.organisation_id == org.id, User.role == Role.BUYER)
        .order_by(User.id)
    )


def load(session: Session, rng: random.Random, ctx: dict[str, Any]) -> str:
    now = utcnow().replace(microsecond=0)
    today = now.date()
    units = session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.BUYER).order_by(Organisation.id)
    ).all()
    added = 0
    for org in units:
        buyer = _buyer(session, org)
        done = session.scalar(
            select(Asset.id)
            .where(Asset.owner_org_id == org.id, Asset.source == AssetSource.MANUAL)
            .limit(1)
        )
        if buyer is None or done is not None:
            continue
        for (category, description, qty, cost, supplier, licences, support), days in zip(
            HOLDINGS, ENDS, strict=True
        ):
            end = today + dt.timedelta(days=days + rng.randint(0, 2) if days > 30 else days)
            start = end - dt.timedelta(days=365 * (4 if category == "hardware" else 1))
            seats = None if licences is None else licences - rng.randint(0, licences // 5)
            add_asset(session, buyer, AssetInput(
                category=category, description=description, quantity=str(qty),
                unit_cost=str(cost), supplier_name=supplier, start_date=start, end_date=end,
                licence_count="" if licences is None else str(licences),
                seats_used="" if seats is None else str(seats), support_level=support,
                location=rng.choice(LOCATIONS),
                status="retired" if days < 0 else "active",
                notes="Registrado antes de Tianguis",
            ), now=now)  # fmt: skip
            added += 1
    result = apply_due(session, now)
    contract_assets = session.scalar(
        select(Asset.id).where(Asset.source == AssetSource.CONTRACT).limit(1)
    )
    return (
        f"{added} pre-platform assets, {result.activated} started, "
        f"{result.renewal_due} renewal due, {result.alerts} alerts"
        + ("" if contract_assets else " (no contract assets: no contracts signed)")
    )
