"""Demo plans and tenders: fictional Spanish ICT purchases of the demo purchasing units,
in every state this part of the workflow reaches (plan line, planning, prebases open for
comment, questions, bids, evaluation, cancelled). Later steps add bids and awards.

Everything goes through the real services with a moving ``now`` in the past, so each
process has a believable history of releases. Idempotent: skipped when plan lines exist.
"""

# ruff: noqa: E501  (the purchase catalogue below reads best one purchase per few long lines)
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from business_cases.demo import approved_case_for
from marketplace.accounts.models import Organisation, Role, User
from marketplace.db import utcnow
from marketplace.plans.models import PlanLine
from marketplace.plans.services import PlanLineInput, add_plan_line
from marketplace.tenders import conversation
from marketplace.tenders.models import ProcurementMethod, Tender
from marketplace.tenders.rules import DocumentInput, ItemInput, LotInput, TenderInput
from marketplace.tenders.services import (
    AmendmentInput,
    amend_tender,
    cancel_tender,
    publish_tender,
    save_draft,
    start_process,
)
from marketplace.tenders.workflow import apply_due

DAY = dt.timedelta(days=1)


@dataclass
class Spec:
    """One demo purchase: the plan line, the tender and how far it gets."""

    buyer: str
    title: str
    rationale: str
    category: str
    main_category: str
    amount: int
    budget: str
    #: (description, UNSPSC, UNSPSC name, quantity, unit, UN/CEFACT code, lot number)
    items: list[tuple[str, str, str, int, str, str, int | None]]
    lots: list[str] = field(default_factory=list)
    method: ProcurementMethod = ProcurementMethod.OPEN
    rationale_method: str = ""
    weights: tuple[int, int, int] = (60, 20, 20)
    #: plan, planning, comments, enquiries, tendering, evaluation, cancelled
    stage: str = "plan"


SPECS: list[Spec] = [
    Spec("SEDUC", "Adquisición de equipo de cómputo para planteles de educación media",
         "Sustituir equipos con más de siete años de uso en 48 planteles.", "43211500", "goods",
         28_500_000, "Recursos fiscales 2026, partida 5151 Equipo de cómputo",
         [("Computadora portátil 14\", 16 GB RAM, 512 GB SSD", "43211503", "Computadoras portátiles",
           1200, "equipo", "H87", 1),
          ("Monitor LED 24\" Full HD", "43211902", "Monitores", 400, "pieza", "H87", 2)],
         lots=["Computadoras portátiles", "Monitores"], stage="enquiries"),
    Spec("SAF", "Licenciamiento de suite de ofimática y correo institucional",
         "Renovar el licenciamiento anual para 9,500 personas servidoras públicas.", "43231500",
         "goods", 19_800_000, "Recursos fiscales 2026, partida 3271 Arrendamiento de software",
         [("Licencia anual de suite de ofimática con correo", "43231513", "Software de oficina",
           9500, "licencia", "C62", None)], stage="tendering"),
    Spec("AGD", "Servicios de nube pública para sistemas institucionales",
         "Migrar 35 sistemas del centro de datos propio a infraestructura en la nube.", "81112000",
         "services", 42_000_000, "Programa presupuestario E047, partida 3171",
         [("Hospedaje de máquinas virtuales (4 vCPU, 16 GB)", "81112003", "Servicios de centro de datos",
           1440, "máquina al mes", "MON", 1),
          ("Almacenamiento de objetos", "81112003", "Servicios de centro de datos", 600, "TB al mes",
           "MON", 1),
          ("Respaldo administrado", "81112105", "Servicios de respaldo", 420, "servidor al mes", "MON", 2)],
         lots=["Cómputo y almacenamiento", "Respaldo"], weights=(40, 30, 30), stage="comments"),
    Spec("SAF", "Mesa de ayuda y soporte técnico en sitio",
         "Atender incidentes de 12,000 usuarios en 60 inmuebles.", "81112200", "services",
         24_000_000, "Recursos fiscales 2026, partida 3391 Servicios integrales",
         [("Mesa de ayuda de primer nivel", "81112200", "Mantenimiento y soporte de software", 24, "mes",
           "MON", 1),
          ("Soporte técnico en sitio de segundo nivel", "81111800", "Servicios de sistemas", 24, "mes",
           "MON", 2)],
         lots=["Primer nivel", "Segundo nivel"], weights=(50, 30, 20), stage="evaluation"),
    Spec("AGD", "Desarrollo del sistema de ventanilla única de trámites",
         "Digitalizar 120 trámites con firma electrónica y pagos en línea.", "81111500", "services",
         16_500_000, "Programa presupuestario E047, partida 3331 Servicios de desarrollo",
         [("Desarrollo de software a la medida", "81111504", "Programación de aplicaciones", 9000, "hora",
           "HUR", None),
          ("Pruebas de accesibilidad web (WCAG 2.1)", "81111508", "Pruebas de software", 30, "sitio",
           "H87", None)], weights=(40, 20, 40), stage="planning"),
    Spec("SEDUC", "Conectividad de banda ancha para escuelas",
         "Conectar 210 escuelas sin acceso a internet de al menos 100 Mbps.", "83112400", "services",
         31_000_000, "Fondo de Aportaciones, partida 3171",
         [("Enlace dedicado simétrico 100 Mbps", "83112400", "Servicios de conectividad", 5040,
           "enlace al mes", "MON", None),
          ("Punto de acceso Wi-Fi 6 instalado", "43222640", "Puntos de acceso inalámbrico", 630, "pieza",
           "H87", None)], stage="cancelled"),
    Spec("SAF", "Renovación de servidores del centro de datos",
         "Los servidores actuales terminan su soporte del fabricante en 2026.", "43211500", "goods",
         9_600_000, "Recursos fiscales 2026, partida 5151",
         [("Servidor en rack 2U, 2 CPU, 256 GB RAM", "43211501", "Servidores", 24, "pieza", "H87", None),
          ("UPS en línea 10 kVA", "39121011", "Fuentes de alimentación ininterrumpida", 4, "pieza", "H87",
           None)], stage="plan"),
    Spec("AGD", "Servicio de monitoreo de seguridad 24x7 (SOC)",
         "Detectar y responder a incidentes de ciberseguridad de la administración.", "81111800",
         "services", 14_400_000, "Programa presupuestario E047, partida 3391",
         [("Monitoreo de seguridad 24x7", "81111800", "Servicios de sistemas", 12, "mes", "MON", None),
          ("Prueba de penetración de aplicación web", "81111800", "Servicios de sistemas", 6, "servicio",
           "E48", None)], weights=(40, 20, 40), stage="tendering"),
    Spec("SEDUC", "Pruebas de accesibilidad de portales educativos",
         "Cumplir las pautas WCAG 2.1 en los portales de la Secretaría.", "81111500", "services",
         290_000, "Recursos fiscales 2026, partida 3331",
         [("Pruebas de accesibilidad web (WCAG 2.1)", "81111508", "Pruebas de software", 6, "sitio",
           "H87", None)], method=ProcurementMethod.QUICK, weights=(100, 0, 0), stage="tendering"),
    Spec("AGD", "Soporte de la plataforma de datos abiertos",
         "Mantener la plataforma de datos abiertos desarrollada por su titular de derechos.", "81112200",
         "services", 1_150_000, "Programa presupuestario E047, partida 3531",
         [("Soporte y mantenimiento de la plataforma", "81112200", "Mantenimiento y soporte de software",
           12, "mes", "MON", None)], method=ProcurementMethod.DIRECT,
         rationale_method="Artículo 54, fracción I: el proveedor es el único titular de los derechos "
         "de autor del sistema y no existen alternativas técnicamente razonables.",
         weights=(100, 0, 0), stage="tendering"),
    Spec("SEDUC", "Telefonía móvil institucional",
         "Líneas para supervisores escolares que trabajan en campo.", "83111600", "services",
         2_400_000, "Recursos fiscales 2026, partida 3151", [], stage="plan"),
    Spec("SAF", "Red inalámbrica para oficinas centrales",
         "Sustituir la red Wi-Fi de 2014 en seis edificios.", "43222600", "goods", 6_300_000,
         "Recursos fiscales 2026, partida 5651",
         [("Switch administrable 48 puertos PoE+", "43222612", "Conmutadores de red", 30, "pieza",
           "H87", None),
          ("Punto de acceso Wi-Fi 6 para interiores", "43222640", "Puntos de acceso inalámbrico", 220,
           "pieza", "H87", None)], stage="plan"),
]  # fmt: skip

QUESTIONS = [
    ("¿Se aceptan equipos con procesador de generación anterior si cumplen el rendimiento?",
     "No. Deben cumplirse las especificaciones mínimas del anexo técnico."),
    ("¿La garantía debe ser en sitio en todos los planteles?",
     "Sí, tres años en sitio en los 48 planteles, con tiempo de respuesta de 48 horas."),
    ("¿Puede presentarse una propuesta solo para el lote de monitores?", ""),
]  # fmt: skip
COMMENTS = [
    ("Sugerimos permitir centros de datos en la región de Querétaro, no solo en la CDMX.",
     "Se acepta: el proyecto de bases se ajustará para admitir regiones en territorio nacional."),
    ("El nivel de servicio de 99.99 % limita la participación de empresas medianas.", ""),
]  # fmt: skip


def load(session: Session, rng: random.Random, ctx: dict[str, Any]) -> str:
    if session.scalar(select(func.count(PlanLine.id))):
        return "plan lines already present"
    orgs = {
        o.code: o
        for o in session.scalars(select(Organisation).where(Organisation.code.isnot(None)))
    }
    buyers = {code: _buyer_user(session, orgs[code]) for code in ("AGD", "SAF", "SEDUC")}
    suppliers = _supplier_users(session, ctx)
    now = utcnow().replace(second=0, microsecond=0)
    counts: dict[str, int] = {}
    for n, spec in enumerate(SPECS):
        user = buyers[spec.buyer]
        if user is None:
            continue
        _run(
            session,
            spec,
            user,
            suppliers,
            now - dt.timedelta(days=40) + n * dt.timedelta(hours=5),
            now,
            rng,
        )
        counts[spec.stage] = counts.get(spec.stage, 0) + 1
    return ", ".join(f"{k}: {v}" for k, v in counts.items())


def _buyer_user(session: Session, org: Organisation) -> User | None:
    return session.scalar(
        select(User)
        .where(User.organisation_id == org.id, User.role == Role.BUYER)
        .order_by(User.id)
    )


def _supplier_users(session: Session, ctx: dict[str, Any]) -> list[User]:
    org_ids = [s.organisation_id for s in ctx.get("suppliers", [])]
    query = select(User).where(User.role == Role.SUPPLIER).order_by(User.id)
    if org_ids:
        query = query.where(User.organisation_id.in_(org_ids))
    return list(session.scalars(query.limit(40)))


def _tender_input(spec: Spec, start: dt.datetime, enquiry_days: int | None, tender_days: int,
                  invited: list[int]) -> TenderInput:  # fmt: skip
    price, quality, technical = spec.weights
    return TenderInput(
        title=spec.title,
        description=spec.rationale,
        main_category=spec.main_category,
        value_amount=Decimal(spec.amount),
        procurement_method=spec.method,
        method_rationale=spec.rationale_method,
        weight_price=price,
        weight_quality=quality,
        weight_technical=technical,
        eligibility_criteria="Proveedores con registro vigente en el padrón y opinión de cumplimiento "
        "fiscal positiva.",
        enquiry_end=start + enquiry_days * DAY if enquiry_days else None,
        tender_end=start + tender_days * DAY,
        bid_validity_days=90,
        deposits_guarantees="Garantía de cumplimiento del 10 % del monto del contrato.",
        lots=[LotInput(title) for title in spec.lots],
        items=[
            ItemInput(d, code, name, Decimal(q), unit, ucode, lot)
            for d, code, name, q, unit, ucode, lot in spec.items
        ],  # fmt: skip
        documents=[
            DocumentInput(
                "biddingDocuments",
                f"Bases: {spec.title}",
                "",
                "https://tianguis.example/docs/bases.pdf",
                "application/pdf",
            ),
            DocumentInput(
                "technicalSpecifications",
                "Anexo técnico",
                "",
                "https://tianguis.example/docs/anexo-tecnico.pdf",
                "application/pdf",
            ),
        ],  # fmt: skip
        invited_org_ids=invited,
    )


def _run(
    session: Session, spec: Spec, user: User, suppliers: list[User], t: dt.datetime,
    now: dt.datetime, rng: random.Random,
) -> None:  # fmt: skip
    line = add_plan_line(
        session, user,
        PlanLineInput(year=now.year, title=spec.title, rationale=spec.rationale,
                      category_code=spec.category, main_category=spec.main_category,
                      amount=Decimal(spec.amount), currency="MXN", quarter=rng.randint(1, 4),
                      budget_source=spec.budget, is_ict=True),
    )  # fmt: skip
    quick = spec.method == ProcurementMethod.QUICK
    if spec.stage == "plan" or (quick and len({u.organisation_id for u in suppliers}) < 3):
        return
    tender = start_process(session, line, user, now=t)
    orgs = sorted({u.organisation_id for u in suppliers})
    invited = rng.sample(orgs, 3) if quick else []
    # Periods are placed so that, seen from ``now``, the tender sits in its demo stage.
    plans = {
        "planning": (now + 10 * DAY, 10, 25),
        "comments": (now + 10 * DAY, 10, 25),
        "enquiries": (t + DAY, (now - t).days + 4, (now - t).days + 18),
        "tendering": (t + DAY, (now - t).days - 5, (now - t).days + 9),
        "evaluation": (t + DAY, 8, (now - t).days - 3),
        "cancelled": (t + DAY, (now - t).days + 5, (now - t).days + 20),
    }
    base, days, tender_days = plans[spec.stage]
    # Direct awards and quick purchases have no question period: bids open at publication.
    no_questions = spec.method in (ProcurementMethod.QUICK, ProcurementMethod.DIRECT)
    enquiry_days = None if no_questions else days
    draft_at = t + dt.timedelta(hours=2)
    save_draft(session, tender, user,
               _tender_input(spec, base if spec.stage in ("planning", "comments") else t,
                             enquiry_days, tender_days, invited), now=draft_at)  # fmt: skip
    if spec.stage == "planning":
        return
    if spec.stage == "comments":
        _prebases(session, tender, user, suppliers, now)
        return
    published = t + dt.timedelta(hours=3)
    approved_case_for(session, line, user, rng)  # the business-case gate on ICT tenders
    publish_tender(session, tender, user, now=published)
    if tender.enquiry_end is not None:
        _enquiries(session, tender, user, suppliers, published, min(tender.enquiry_end, now))
    if spec.stage == "tendering" and spec.method == ProcurementMethod.OPEN:
        assert tender.tender_end is not None
        amend_at = min(now, tender.enquiry_end or now) - dt.timedelta(hours=1)
        amend_tender(
            session, tender, user,
            AmendmentInput(rationale="Atender las preguntas recibidas y dar más tiempo para cotizar.",
                           tender_end=tender.tender_end + 3 * DAY, material=True,
                           note="Se amplía el plazo tres días."),
            now=amend_at,
        )  # fmt: skip
    if spec.stage == "cancelled":
        cancel_tender(session, tender, user,
                      "La Secretaría recibirá el servicio mediante un convenio con el gobierno federal.",
                      now=now - dt.timedelta(hours=2))  # fmt: skip
    apply_due(session, tender, now)


def _prebases(
    session: Session, tender: Tender, user: User, suppliers: list[User], now: dt.datetime
) -> None:
    opened = now - 3 * DAY
    conversation.open_prebases(
        session, tender, user,
        "Proyecto de bases: requisitos de disponibilidad, ubicación de centros de datos, "
        "niveles de servicio y transferencia de conocimiento.",
        "https://tianguis.example/docs/prebases-nube.pdf", now + 5 * DAY, now=opened,
    )  # fmt: skip
    for n, (body, answer) in enumerate(COMMENTS):
        if not suppliers:
            break
        at = opened + (n + 1) * dt.timedelta(hours=7)
        comment = conversation.add_comment(
            session, tender, suppliers[n % len(suppliers)], body, now=at
        )
        if answer:
            conversation.answer_comment(
                session, tender, user, comment.id, answer, now=at + dt.timedelta(hours=20)
            )


def _enquiries(
    session: Session, tender: Tender, user: User, suppliers: list[User], start: dt.datetime,
    end: dt.datetime,
) -> None:  # fmt: skip
    if not suppliers:
        return
    step = (end - start) / (len(QUESTIONS) + 2)
    for n, (question, answer) in enumerate(QUESTIONS):
        at = start + step * (n + 1)
        lot = tender.lots[-1].local_id if tender.lots and "lote" in question else ""
        enquiry = conversation.ask(
            session, tender, suppliers[(n * 7) % len(suppliers)], question, lot, now=at
        )
        if answer:
            conversation.answer_enquiry(
                session, tender, user, enquiry.id, answer, now=at + step / 2
            )
