"""Demo framework agreement: software and ICT services for the city, three lots, nine
suppliers admitted in the original call plus a new entrant in the first refresh, priced
listings, direct call-offs under the ceiling, one finished mini-competition (bids,
opening, award, contract) and one still taking quotes. A second run finds the framework
and writes nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.awards.services import decide_award
from marketplace.bids.opening import open_bids
from marketplace.bids.services import BidInput, PriceInput, submit_bid
from marketplace.contracts.services import DocumentInput, SignInput, sign_contract
from marketplace.db import utcnow
from marketplace.frameworks import services
from marketplace.frameworks.calloffs import DEFAULT_CEILING, DirectInput, direct_calloff
from marketplace.frameworks.catalogue import ListingInput, add_listing
from marketplace.frameworks.minicomp import MiniInput, start_mini_competition
from marketplace.frameworks.models import Admission, Framework
from marketplace.frameworks.windows import window_period
from marketplace.suppliers.models import Supplier, SupplierStatus
from marketplace.tenders.models import Tender
from marketplace.tenders.workflow import apply_due

TITLE = "Acuerdo marco de servicios de software y TIC de la Ciudad"
DAY = dt.timedelta(days=1)
LOTS = (
    ("Desarrollo y mantenimiento de software", "Sistemas a la medida, portales y aplicaciones"),
    ("Servicios de nube", "Infraestructura y plataforma como servicio"),
    ("Mesa de ayuda y soporte", "Soporte a usuarios, niveles 1 y 2"),
)
#: (lot index, description, category, unit price, unit) per admitted supplier's listing.
OFFERS = (
    (0, "Desarrollador senior Python/Django", "81111500", "950", "hora"),
    (0, "Desarrollador móvil Android/iOS", "81111500", "1,050", "hora"),
    (0, "Arquitecto de software", "81111500", "1,400", "hora"),
    (1, "Máquina virtual 4 vCPU / 16 GB, región México", "81112000", "2,350", "mes"),
    (1, "Almacenamiento de objetos, 1 TB", "81112000", "480", "mes"),
    (1, "Kubernetes administrado, clúster pequeño", "81112000", "6,900", "mes"),
    (2, "Mesa de ayuda nivel 1, por usuario", "81111800", "95", "usuario-mes"),
    (2, "Soporte en sitio nivel 2", "81111800", "620", "hora"),
    (2, "Mesa de ayuda 24x7 bilingüe, por usuario", "81111800", "140", "usuario-mes"),
)


def _user_of(session: Session, supplier: Supplier) -> User | None:
    return session.scalar(
        select(User)
        .where(User.organisation_id == supplier.organisation_id, User.role == Role.SUPPLIER)
        .order_by(User.id)
        .limit(1)
    )


def load(session: Session, rng: random.Random, ctx: dict[str, Any]) -> str:
    if session.scalar(select(Framework.id).where(Framework.title == TITLE)) is not None:
        return "already loaded"
    buyers = list(session.scalars(select(User).where(User.role == Role.BUYER).order_by(User.id)))
    suppliers = [
        (s, u)
        for s in session.scalars(
            select(Supplier).where(Supplier.status == SupplierStatus.VERIFIED).order_by(Supplier.id)
        )
        if (u := _user_of(session, s)) is not None
    ]
    if not buyers or len(suppliers) < len(OFFERS) + 1:
        return "not enough buyers or verified suppliers: skipped"
    owner = buyers[0]
    other_unit = next((b for b in buyers if b.organisation_id != owner.organisation_id), owner)
    now = utcnow().replace(second=0, microsecond=0)
    created = now - 150 * DAY
    start = created + 20 * DAY
    data = services.FrameworkInput(
        title=TITLE,
        description="Contratación de servicios comunes de TIC por todas las dependencias "
        "mediante catálogo, con reapertura periódica para nuevos proveedores.",
        start_date=start, end_date=start + 730 * DAY, refresh_months=3,
        lots=[services.LotInput(t, d) for t, d in LOTS],
    )  # fmt: skip
    framework = services.create_framework(session, owner, data, created)
    statement = "Experiencia comprobable con dependencias públicas y personal certificado."
    listings = []
    for n, ((lot, text, category, price, unit), (_s, user)) in enumerate(
        zip(OFFERS, suppliers, strict=False)
    ):
        at = created + (n + 1) * dt.timedelta(hours=5)
        application = services.apply_to_lot(session, user, framework.lots[lot], statement, at)
        admission = services.decide_application(
            session, owner, application, admit=True, reason="", now=at + DAY
        )
        assert admission is not None
        listings.append(
            add_listing(
                session,
                user,
                admission,
                ListingInput(
                    text, category, price, unit, "Inicio en 5 días hábiles; facturación mensual."
                ),
                at + 2 * DAY,
            )  # fmt: skip
        )
    services.apply_due(session, framework, start)
    # A new entrant in the first refresh window (three months after the start).
    window_1 = window_period(framework, 1)[0]
    services.apply_due(session, framework, window_1)
    newcomer, new_user = suppliers[len(OFFERS)]
    application = services.apply_to_lot(
        session, new_user, framework.lots[2], statement, window_1 + 2 * DAY
    )
    admission = services.decide_application(
        session, owner, application, admit=True, reason="", now=window_1 + 4 * DAY
    )
    assert admission is not None
    add_listing(
        session, new_user, admission,
        ListingInput("Mesa de ayuda con chat y WhatsApp, por usuario", "81111800", "110",
                     "usuario-mes"), window_1 + 5 * DAY,
    )  # fmt: skip
    # Direct call-offs under the ceiling.
    made = 0
    orders = ((listings[0], "160"), (listings[3], "24"), (listings[6], "900"), (listings[4], "12"))
    for n, (listing, quantity) in enumerate(orders):
        buyer = owner if n % 2 == 0 else other_unit
        direct_calloff(
            session, buyer, listing,
            DirectInput(quantity, "Necesidad recurrente cubierta por el catálogo del acuerdo "
                        "marco a precio publicado.",
                        f"https://cdmx.example.mx/pedidos/{n + 1}.pdf"),
            ceiling=DEFAULT_CEILING, now=start + (10 + 7 * n) * DAY,
        )  # fmt: skip
        made += 1
    minis = _mini_competitions(session, framework, owner, suppliers, start, now, ctx)
    services.apply_due(session, framework, now)
    return (
        f"1 framework with {len(LOTS)} lots, {len(framework.admissions)} admitted suppliers, "
        f"{len(listings) + 1} listings, {made} direct call-offs, {minis}"
    )


def _mini_competitions(
    session: Session, framework: Framework, owner: User,
    suppliers: list[tuple[Supplier, User]], start: dt.datetime, now: dt.datetime,
    ctx: dict[str, Any],
) -> str:  # fmt: skip
    secret = ctx.get("bid_secret")
    lot = framework.lots[0]
    begun = start + 40 * DAY
    done = start_mini_competition(
        session, owner, lot,
        MiniInput("Rediseño del portal de trámites ciudadanos con accesibilidad WCAG 2.1",
                  "1", "servicio", 5),
        begun,
    )  # fmt: skip
    finished = "1 mini-competition (no bid secret: left without bids)"
    if secret:
        invited = {
            a.supplier.organisation_id
            for a in session.scalars(select(Admission).where(Admission.lot_id == lot.id))
        }
        prices = (Decimal("1480000"), Decimal("1325000"), Decimal("1610000"))
        for (_s, user), price in zip(
            [(s, u) for s, u in suppliers if s.organisation_id in invited], prices, strict=False
        ):
            submit_bid(
                session, done.tender, user,
                BidInput(prices=[PriceInput("", str(price))],
                         technical_note="Equipo de 6 personas, entrega en 4 meses.",
                         declarations_accepted=True),
                secret=secret, now=begun + DAY,
            )  # fmt: skip
        closed = begun + 5 * DAY + dt.timedelta(minutes=5)
        tender = session.get(Tender, done.tender_id)
        assert tender is not None
        apply_due(session, tender, closed)
        open_bids(session, tender, owner, secret=secret, now=closed)
        from marketplace.awards.evaluation import lot_ranking

        best = lot_ranking(session, tender, "").best
        assert best is not None
        award = decide_award(session, best.bid, "", owner, now=closed, standstill_days=10)
        signed = closed + 12 * DAY
        sign_contract(
            session, award, owner,
            SignInput(period_start=signed, period_end=signed + 150 * DAY, date_signed=signed,
                      documents=[DocumentInput("Contrato firmado",
                                               "https://cdmx.example.mx/contratos/mc-1.pdf")]),
            now=signed,
        )  # fmt: skip
        finished = "1 mini-competition awarded and contracted"
    start_mini_competition(
        session, owner, framework.lots[1],
        MiniInput("Migración de 40 servidores virtuales a la nube con respaldo diario", "40",
                  "servidor", 10),
        now - DAY,
    )  # fmt: skip
    return f"{finished}, 1 mini-competition taking quotes"
