"""Demo sealed bids, and processes past their deadline for the award and contract steps.

- Sealed bids from demo suppliers on the tenders still taking bids (the open ones, the
  quick purchase from its invited suppliers, the direct award), dated in the last hours.
- Processes published, bid on and closed in the past through the real services, with
  dates that leave the later steps room before now: one in evaluation with its bids
  still sealed, the others with their bids opened. ``ctx["bid_processes"]`` maps each
  one's demo stage (``sealed``, ``opened``, ``standstill``, ``complaint``, ``contracted``,
  ``amended``, ``terminated``, ``completed``, ``unsuccessful``) to its tender id; the awards step
  (``marketplace/demo/awards.py``) takes them further.

``ctx["bid_secret"]`` is the server secret the bid keys derive from (``tianguis demo``
passes the app's ``BID_SECRET``, else ``SECRET_KEY``): bids sealed under another secret
could not be opened by the app. Without it this step writes nothing. Idempotent: skipped
when any bid exists.
"""

# ruff: noqa: E501  (the purchase catalogue below reads best one purchase per few long lines)
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from business_cases.demo import approved_case_for
from marketplace.accounts.models import Organisation, Role, User
from marketplace.bids.models import Bid
from marketplace.bids.opening import open_bids
from marketplace.bids.services import BidInput, DocumentUpload, PriceInput, submit_bid
from marketplace.db import utcnow
from marketplace.demo.tenders import Spec, _tender_input
from marketplace.plans.services import PlanLineInput, add_plan_line
from marketplace.tenders.models import ProcurementMethod, Tender
from marketplace.tenders.services import publish_tender, save_draft, start_process
from marketplace.tenders.states import TenderState
from marketplace.tenders.workflow import apply_due

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
#: A minimal PDF: each demo bid carries one sealed document.
_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

NOTES = [
    "Entrega en 30 días naturales a partir de la firma; garantía de tres años en sitio.",
    "Equipo certificado por el fabricante; soporte con tiempo de respuesta de 4 horas.",
    "Propuesta con personal certificado y plan de transición de 15 días.",
    "Incluye capacitación a 40 personas usuarias y manuales en español.",
    "Cumplimos el anexo técnico completo; se adjunta ficha técnica.",
]

#: (purchase, demo stage, days from the deadline to now). The tender is published 30 days
#: before its deadline, with ten days of questions; its bids come in the last nine days.
PAST: list[tuple[Spec, str, int]] = [
    (Spec("SAF", "Servicio de impresión y digitalización administrada",
          "Sustituir 300 impresoras propias por un servicio con pago por página.", "44101500", "services",
          3_600_000, "Recursos fiscales 2026, partida 3231",
          [("Servicio de impresión administrada", "44101501", "Fotocopiadoras", 24, "mes", "MON", None)],
          weights=(100, 0, 0)), "sealed", 2),
    (Spec("AGD", "Licencias de herramientas de diseño y prototipado",
          "Equipar al equipo de diseño de servicios digitales.", "43231500", "goods", 870_000,
          "Programa presupuestario E047, partida 3271",
          [("Licencia anual de herramienta de diseño colaborativo", "43231513", "Software de oficina", 40,
            "licencia", "C62", None)], weights=(70, 30, 0)), "opened", 4),
    (Spec("SEDUC", "Tabletas para docentes de primaria",
          "Dotar de tabletas a 1,500 docentes para el uso de libros digitales.", "43211500", "goods",
          9_750_000, "Fondo de Aportaciones, partida 5151",
          [("Tableta 10 pulgadas, 128 GB, con funda", "43211509", "Tabletas", 1500, "pieza", "H87", 1),
           ("Lápiz digital", "43211708", "Dispositivos de entrada", 1500, "pieza", "H87", 2)],
          lots=["Tabletas", "Lápices digitales"]), "standstill", 8),
    (Spec("SAF", "Cortafuegos perimetral de nueva generación",
          "Reemplazar el cortafuegos del centro de datos, sin soporte desde 2025.", "43222500", "goods",
          4_200_000, "Recursos fiscales 2026, partida 5151",
          [("Cortafuegos de nueva generación en alta disponibilidad", "43222501", "Cortafuegos", 2,
            "pieza", "H87", None)], weights=(50, 25, 25)), "complaint", 9),
    (Spec("AGD", "Servicio de videoconferencia institucional",
          "Salas virtuales para 5,000 personas servidoras públicas.", "43232300", "services", 2_900_000,
          "Programa presupuestario E047, partida 3171",
          [("Licencia anual de videoconferencia", "43232304", "Software de videoconferencia", 5000,
            "licencia", "C62", None)], weights=(60, 20, 20)), "contracted", 40),
    (Spec("SEDUC", "Cableado estructurado para planteles",
          "Renovar la red de datos de 35 planteles de educación media.", "72151600", "works",
          7_400_000, "Fondo de Aportaciones, partida 6221",
          [("Instalación de nodo de red categoría 6A", "72151603", "Cableado de redes", 2800, "nodo",
            "H87", None)], weights=(60, 20, 20)), "amended", 150),
    (Spec("SEDUC", "Mantenimiento de equipo de laboratorios de cómputo",
          "Mantener en operación 1,200 equipos de 40 laboratorios escolares.", "81112300", "services",
          2_100_000, "Fondo de Aportaciones, partida 3571",
          [("Mantenimiento preventivo y correctivo de equipo de cómputo", "81112306",
            "Mantenimiento de hardware", 12, "mes", "MON", None)], weights=(70, 0, 30)),
     "terminated", 220),
    (Spec("SAF", "Escáneres de alto volumen para el archivo",
          "Digitalizar el archivo de concentración de la Secretaría.", "43211700", "goods", 1_350_000,
          "Recursos fiscales 2025, partida 5151",
          [("Escáner de documentos dúplex 120 ppm", "43211711", "Escáneres", 12, "pieza", "H87", None)],
          weights=(100, 0, 0)), "completed", 300),
    (Spec("AGD", "Plataforma de encuestas ciudadanas",
          "Consultas públicas en línea con accesibilidad y datos abiertos.", "81112000", "services",
          980_000, "Programa presupuestario E047, partida 3331",
          [("Suscripción anual a plataforma de encuestas", "81112003", "Servicios de centro de datos",
            1, "servicio", "E48", None)], weights=(100, 0, 0)), "unsuccessful", 18),
]  # fmt: skip


def load(session: Session, rng: random.Random, ctx: dict[str, Any]) -> str:
    secret = ctx.get("bid_secret")
    if not secret:
        return "no bid secret given: skipped"
    if session.scalar(select(func.count(Bid.id))):
        return "bids already present"
    suppliers = _supplier_users(session, ctx)
    if len(suppliers) < 4:
        return "fewer than four verified suppliers: skipped"
    now = utcnow().replace(second=0, microsecond=0)
    sealed = _bid_on_open_tenders(session, suppliers, now, rng, secret)
    made: dict[str, int] = {}
    for spec, stage, days in PAST:
        buyer = _buyer(session, spec.buyer)
        if buyer is None:
            continue
        tender = _past_process(session, spec, buyer, now - days * DAY, rng)
        sealed += _bid(session, tender, rng.sample(suppliers, rng.randint(3, 4)), rng, secret)
        assert tender.tender_end is not None
        apply_due(session, tender, tender.tender_end)  # the clock closes it: evaluation
        if stage != "sealed":
            open_bids(session, tender, buyer, secret=secret, now=tender.tender_end + HOUR)
        made[stage] = tender.id
    ctx["bid_processes"] = made
    return f"{sealed} sealed bids; processes past their deadline: {', '.join(made)}"


def _buyer(session: Session, code: str) -> User | None:
    return session.scalar(
        select(User)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(Organisation.code == code, User.role == Role.BUYER)
        .order_by(User.id)
    )


def _supplier_users(session: Session, ctx: dict[str, Any]) -> list[User]:
    """The first user of each verified demo supplier."""
    users = []
    for supplier in ctx.get("suppliers", []):
        user = session.scalar(
            select(User)
            .where(User.organisation_id == supplier.organisation_id, User.role == Role.SUPPLIER)
            .order_by(User.id)
        )
        if user is not None:
            users.append(user)
    return users


def _past_process(
    session: Session, spec: Spec, buyer: User, deadline: dt.datetime, rng: random.Random
) -> Tender:
    """Plan line, tender published 30 days before ``deadline`` (ten days of questions)."""
    start = deadline - 30 * DAY
    line = add_plan_line(
        session, buyer,
        PlanLineInput(year=start.year, title=spec.title, rationale=spec.rationale,
                      category_code=spec.category, main_category=spec.main_category,
                      amount=Decimal(spec.amount), currency="MXN",
                      quarter=(start.month - 1) // 3 + 1, budget_source=spec.budget, is_ict=True),
    )  # fmt: skip
    tender = start_process(session, line, buyer, now=start)
    save_draft(session, tender, buyer, _tender_input(spec, start, 10, 30, []),
               now=start + 2 * HOUR)  # fmt: skip
    approved_case_for(session, line, buyer, rng)  # the business-case gate on ICT tenders
    publish_tender(session, tender, buyer, now=start + 3 * HOUR)
    return tender


def _prices(tender: Tender, rng: random.Random) -> list[PriceInput]:
    """A price for each lot (a few bidders skip the second lot), around its estimate."""
    lots = [lot.local_id for lot in tender.lots] or [""]
    share = (tender.value_amount or Decimal(1_000_000)) / len(lots)
    prices = []
    for n, lot in enumerate(lots):
        if n > 0 and rng.random() < 0.3:
            continue
        factor = Decimal(str(round(rng.uniform(0.78, 1.04), 4)))
        prices.append(PriceInput(lot, (share * factor).quantize(Decimal("0.01"))))
    return prices


def _bid(
    session: Session, tender: Tender, users: list[User], rng: random.Random, secret: str,
    when: list[dt.datetime] | None = None,
) -> int:  # fmt: skip
    """Sealed bids of ``users`` (at ``when``, else spread over the last nine days)."""
    assert tender.tender_end is not None
    times = when or [
        tender.tender_end - 9 * DAY + n * dt.timedelta(hours=rng.randint(20, 50))
        for n in range(len(users))
    ]
    for user, at in zip(users, times, strict=False):
        submit_bid(
            session, tender, user,
            BidInput(prices=_prices(tender, rng), technical_note=rng.choice(NOTES),
                     declarations_accepted=True,
                     documents=[DocumentUpload("ficha-tecnica.pdf", _PDF)]),
            secret=secret, now=at,
        )  # fmt: skip
    return min(len(users), len(times))


def _bid_on_open_tenders(
    session: Session, suppliers: list[User], now: dt.datetime, rng: random.Random, secret: str
) -> int:
    """Bids from the last hours on every tender still taking bids."""
    count = 0
    tenders = session.scalars(
        select(Tender).where(Tender.state == TenderState.TENDERING).order_by(Tender.id)
    ).all()
    for tender in tenders:
        if tender.tender_end is None or tender.tender_end <= now:
            continue
        invited = {inv.supplier_org_id for inv in tender.invitations}
        if tender.procurement_method != ProcurementMethod.OPEN and invited:
            users = [u for u in suppliers if u.organisation_id in invited][:2]
        else:
            users = rng.sample(suppliers, 2)
        times = [now - (3 - n) * HOUR for n in range(len(users))]
        count += _bid(session, tender, users, rng, secret, times)
    return count
