"""Demo business cases: one or more in every state, for the demo purchasing units.

Built through the real services (so snapshots, ratings, decisions and audit events are
all there). Idempotent: does nothing when any business case exists.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from business_cases.benefits import add_benefit, record_reading
from business_cases.models import BusinessCase, Criterion, Outcome, Rating
from business_cases.services import (
    create_case,
    decide_case,
    rate_case,
    start_revision,
    submit_case,
    update_case,
)
from marketplace.accounts.models import User
from marketplace.accounts.services import find_user_by_email
from marketplace.plans.models import PlanLine

BUYERS = {
    "AGD": "compras.agd@tianguis.example",
    "SAF": "compras.saf@tianguis.example",
    "SEDUC": "compras.seduc@tianguis.example",
}
REVIEWERS = ("finanzas@tianguis.example", "finanzas2@tianguis.example")


def _line(kind: str, category: str, year: int, amount: float, rng: random.Random
          ) -> dict[str, Any]:
    # ±5 % noise so different seeds give different, still plausible, figures.
    value = Decimal(str(round(amount * rng.uniform(0.95, 1.05), -3)))
    return {"kind": kind, "category": category, "year": year, "amount": value}


def _options(rng: random.Random, scale: float, years: int = 5) -> list[dict[str, Any]]:
    """Do minimum (keep the legacy system), a SaaS option and an in-house build."""
    do_min = [_line("cost", "support", y, 1_200_000 * scale, rng) for y in range(years)]
    saas = [
        _line("cost", "capex", 0, 2_500_000 * scale, rng),
        *(_line("cost", "licences", y, 900_000 * scale, rng) for y in range(1, years)),
        _line("cost", "exit", years - 1, 300_000 * scale, rng),
        *(_line("benefit", "cash_releasing", y, 1_500_000 * scale, rng)
          for y in range(1, years)),
        *(_line("benefit", "societal", y, 800_000 * scale, rng) for y in range(2, years)),
    ]
    build = [
        _line("cost", "capex", 0, 4_000_000 * scale, rng),
        _line("cost", "staff", 1, 2_000_000 * scale, rng),
        *(_line("cost", "support", y, 600_000 * scale, rng) for y in range(2, years)),
        *(_line("benefit", "cash_releasing", y, 1_300_000 * scale, rng)
          for y in range(2, years)),
        *(_line("benefit", "non_cash", y, 700_000 * scale, rng) for y in range(2, years)),
    ]
    return [
        {"name": "Mantener el sistema actual", "do_minimum": True,
         "description": "Soporte del sistema heredado, sin mejoras.", "lines": do_min},
        {"name": "Servicio en la nube (SaaS)", "description": "Suscripción con migración "
         "de datos y salida garantizada en formatos abiertos.", "lines": saas},
        {"name": "Desarrollo propio", "description": "Equipo interno con código abierto "
         "reutilizable por otras dependencias.", "lines": build},
    ]


def _case(title: str, problem: str, rng: random.Random, scale: float = 1.0,
          risk: tuple[int, int] = (3, 3)) -> dict[str, Any]:
    return {
        "title": title,
        "currency": "MXN",
        "jurisdiction": "MX",
        "delivery_approach": "agile",
        "problem_identification": problem,
        "proposed_solution": "Un servicio digital de punta a punta, diseñado con las "
        "personas usuarias y publicado por etapas.",
        "stakeholders": "Personas usuarias, personal de ventanilla, la Agencia Digital, "
        "la Secretaría de Administración y Finanzas y la contraloría.",
        "strategic_alignment": "Estrategia de gobierno digital de la ciudad; estándares de "
        "datos abiertos, identidad digital y accesibilidad.",
        "expected_benefits": "Menos tiempo de trámite, menos visitas presenciales y ahorro "
        "en impresión y mensajería; indicadores medidos cada trimestre.",
        "alternatives_considered": "Se compararon mantener el sistema actual, un servicio en "
        "la nube y un desarrollo propio; se descartó comprar licencias perpetuas.",
        "best_technology_choice": "Estándares abiertos, componentes reutilizables y salida "
        "sin pérdida de datos para evitar la dependencia de un proveedor.",
        "commissioning_strategy": "Contratación modular en tres lotes con pruebas de "
        "concepto pagadas antes del contrato principal; el proveedor asume el riesgo de "
        "disponibilidad.",
        "budget_analysis": "Costos estimados con cotizaciones de tres proveedores y "
        "contratos comparables publicados en datos abiertos.",
        "budget_vs_benefits": "Los ahorros liberados cubren la inversión antes del tercer "
        "año en el escenario central.",
        "product_iteration_plan": "Entregas cada seis semanas con pruebas de usabilidad; "
        "20 % del presupuesto reservado para mejoras tras cada entrega.",
        "options": _options(rng, scale),
        "risks": [
            {"description": "Baja adopción por parte de las personas usuarias",
             "likelihood": risk[0], "impact": risk[1], "mitigation": "Piloto y campaña",
             "owner": "Dirección de atención ciudadana"},
            {"description": "Retraso en la migración de datos", "likelihood": 2,
             "impact": 3, "mitigation": "Migración por etapas", "owner": "Área de TI"},
        ],
    }


def _ratings(rng: random.Random, weak: int = 0) -> dict[Criterion, tuple[Rating, str]]:
    """Every criterion fully met, except ``weak`` of them partly met (with a reason)."""
    weak_ones = set(rng.sample(list(Criterion), weak))
    return {c: (Rating.PARTLY_MET, "Falta evidencia cuantitativa.") if c in weak_ones
            else (Rating.FULLY_MET, "") for c in Criterion}


def approved_case_for(session: Session, line: PlanLine, author: User, rng: random.Random
                      ) -> BusinessCase | None:
    """An approved case linked to ``line``, so the demo can publish its tender through the
    business-case gate (business_cases/gate.py). None when the reviewers are missing."""
    fin = [find_user_by_email(session, email) for email in REVIEWERS]
    reviewers = [u for u in fin if u is not None]
    if len(reviewers) < len(REVIEWERS):
        return None
    data = _case(line.title, line.rationale or line.title, rng,
                 scale=max(0.05, float(line.amount) / 12_000_000))
    data["plan_line_id"] = line.id
    case = create_case(session, author, data)
    submit_case(session, case, author)
    for reviewer in reviewers:  # two ratings: enough even for a major project
        rate_case(session, case, reviewer, _ratings(rng, 1))
    decide_case(session, case, reviewers[0], Outcome.APPROVED, "")
    return case


def load(session: Session, rng: random.Random, ctx: dict[str, Any]) -> str:
    # The tenders step links an approved case to each plan line it publishes; the cases
    # of this step are the unlinked ones.
    if session.scalar(select(func.count(BusinessCase.id))
                      .where(BusinessCase.plan_line_id.is_(None))):
        return "business cases already present"
    buyers = {code: find_user_by_email(session, email) for code, email in BUYERS.items()}
    fin = [find_user_by_email(session, email) for email in REVIEWERS]
    if any(u is None for u in (*buyers.values(), *fin)):
        return "skipped: demo accounts missing"
    agd, saf, seduc = (buyers[c] for c in ("AGD", "SAF", "SEDUC"))
    f1, f2 = fin
    assert agd and saf and seduc and f1 and f2
    made: list[BusinessCase] = []

    def new(author: User, data: dict[str, Any]) -> BusinessCase:
        case = create_case(session, author, data)
        made.append(case)
        return case

    # Approved after one iteration: shows the version diff.
    data = _case("Ventanilla única de trámites digitales", "Los trámites exigen hasta cinco "
                 "visitas presenciales y no hay seguimiento en línea.", rng)
    case = new(agd, data)
    submit_case(session, case, agd)
    rate_case(session, case, f1, _ratings(rng, 3))
    decide_case(session, case, f1, Outcome.ITERATION_REQUESTED,
                "Detallar el costo de salida y el plan de pruebas con usuarios.")
    start_revision(session, case, agd)
    data["options"][1]["lines"].append(_line("cost", "exit", 2, 150_000, rng))
    data["product_iteration_plan"] += " Pruebas con 200 personas antes de cada entrega."
    update_case(session, case, agd, data)
    submit_case(session, case, agd)
    rate_case(session, case, f2, _ratings(rng), Decimal("0.6"))
    decide_case(session, case, f2, Outcome.APPROVED, "")

    # Major project (over USD 1M): two reviewers, approved with observations.
    case = new(saf, _case("Sistema de nómina en la nube", "La nómina de 250 mil personas "
                          "corre en un sistema de 1998 sin soporte.", rng, scale=6.0))
    submit_case(session, case, saf)
    rate_case(session, case, f1, _ratings(rng, 2), Decimal("0.4"))
    rate_case(session, case, f2, _ratings(rng, 1))
    decide_case(session, case, f1, Outcome.APPROVED_WITH_OBSERVATIONS,
                "Aprobado; informar trimestralmente la realización de beneficios.")

    # Submitted, one reviewer has rated.
    case = new(seduc, _case("Plataforma de aprendizaje para secundarias", "Las escuelas "
                            "no tienen una plataforma común para tareas y materiales.", rng))
    submit_case(session, case, seduc)
    rate_case(session, case, f1, _ratings(rng, 4))

    # Submitted, awaiting review.
    case = new(agd, _case("Expediente clínico electrónico", "Los expedientes en papel se "
                          "pierden entre clínicas.", rng, scale=1.5))
    submit_case(session, case, agd)

    # Iteration requested.
    case = new(seduc, _case("Red de sensores de calidad del aire", "Los datos de calidad del "
                            "aire llegan con un día de retraso.", rng, scale=0.5))
    submit_case(session, case, seduc)
    rate_case(session, case, f2, _ratings(rng, 5))
    decide_case(session, case, f2, Outcome.ITERATION_REQUESTED,
                "Las alternativas no incluyen sensores de bajo costo ya probados.")

    # Rejected: high risk, so two reviewers.
    case = new(saf, _case("Reemplazo del ERP financiero", "El ERP actual cuesta mucho de "
                          "mantener.", rng, scale=0.8, risk=(4, 5)))
    submit_case(session, case, saf)
    rate_case(session, case, f1, _ratings(rng, 6))
    rate_case(session, case, f2, _ratings(rng, 5))
    decide_case(session, case, f2, Outcome.REJECTED,
                "Los beneficios no están cuantificados y el riesgo de implantación es alto.")

    # Drafts.
    new(seduc, _case("Conectividad en 48 planteles", "Los planteles rurales no tienen "
                     "internet suficiente para clases en línea.", rng))
    new(agd, {"title": "Portal de datos abiertos 2.0", "currency": "MXN",
              "jurisdiction": "MX", "problem_identification": "Borrador inicial."})
    _benefits(session, made[0], agd, [
        ("Tiempo promedio del trámite", "días", 12, 3, [9.5, 7.0]),  # on track
        ("Trámites iniciados en línea", "%", 5, 80, [14, 29]),  # slightly behind
    ])
    _benefits(session, made[1], saf, [
        ("Errores de pago corregidos al mes", "casos", 400, 50, [390]),  # off track
        ("Costo de operación de la nómina", "MXN millones", 48, 30, []),  # no data yet
    ])
    made += load_deliveries(session, rng, saf, [f1, f2])
    ctx["business_cases"] = made
    return (f"{len(made)} business cases in every state, with benefit registers and "
            "progress reports")


def _benefits(session: Session, case: BusinessCase, author: User,
              items: list[tuple[str, str, float, float, list[float]]]) -> None:
    """Benefits registered 200 days ago, due in 18 months, with readings since."""
    today = dt.date.today()
    start = today - dt.timedelta(days=200)
    for description, unit, baseline, target, values in items:
        measure = add_benefit(session, case, author, {
            "description": description, "unit": unit, "baseline": Decimal(str(baseline)),
            "target": Decimal(str(target)), "start_on": start,
            "due_on": start + dt.timedelta(days=540), "owner": "Dirección de proyecto",
            "indicator": "Reporte trimestral del sistema; fuente: bitácoras de operación.",
        })
        for i, value in enumerate(values):
            day = start + dt.timedelta(days=90 * (i + 1))
            record_reading(session, measure, author, day, Decimal(str(value)), today=today)


# --- delivery monitoring --------------------------------------------------------------

#: (title, problem, months since approval, planned go-live and completion in months after
#: approval, actual go-live in months after approval (None: not live), reports as
#: (forecast cost as a share of the planned cost, forecast completion delay in months,
#: acknowledged), risk (likelihood, impact)). Lights: green, amber, red (with an overdue
#: report), and a major case not live yet.
DELIVERIES: tuple[tuple[Any, ...], ...] = (
    ("Mesa de ayuda ciudadana 072", "Las llamadas se atienden sin registro ni seguimiento.",
     20, (6, 18), 6, [(0.97, 0, True), (0.99, 0, False)], (2, 3)),
    ("Licencias de construcción en línea", "Una licencia tarda 90 días y siete visitas.",
     16, (6, 14), 8, [(1.06, 1, True)], (3, 3)),
    ("Padrón único de programas sociales", "Cada programa lleva su propio padrón y hay "
     "duplicados.", 26, (6, 16), 12, [(1.25, 5, False)], (3, 4)),
    ("Gestión documental del archivo", "El archivo de concentración no tiene inventario "
     "digital.", 5, (9, 20), None, [], (4, 4)),
)


def _months_ago(now: dt.datetime, months: int) -> dt.datetime:
    from business_cases.lights import add_months

    return dt.datetime.combine(add_months(now.date(), -months), dt.time(17))


def load_deliveries(session: Session, rng: random.Random, unit: User, reviewers: list[User]
                    ) -> list[BusinessCase]:
    """Cases approved months ago, with a delivery plan, go-live and progress reports, so
    the cost and schedule lights show each colour and one report is overdue."""
    from business_cases.lights import add_months
    from business_cases.progress import planned_cost, progress_of
    from business_cases.progress_actions import (
        acknowledge_report,
        record_delivery_plan,
        record_go_live,
        submit_report,
    )
    from marketplace.db import utcnow

    now = utcnow()
    made = []
    for title, problem, ago, (plan_live, plan_done), live, reports, risk in DELIVERIES:
        approved_at = _months_ago(now, ago)
        case = create_case(session, unit, _case(title, problem, rng, scale=0.4, risk=risk))
        submit_case(session, case, unit, now=approved_at - dt.timedelta(days=30))
        for reviewer in reviewers:
            rate_case(session, case, reviewer, _ratings(rng, 1))
        decide_case(session, case, reviewers[-1], Outcome.APPROVED, "", now=approved_at)
        day = approved_at.date()
        planned_live, planned_done = add_months(day, plan_live), add_months(day, plan_done)
        record_delivery_plan(session, case, unit, {"planned_go_live": planned_live,
                                                   "planned_completion": planned_done})
        if live is not None:
            record_go_live(session, case, unit, add_months(day, live), today=now.date())
        planned = planned_cost(case) or Decimal(0)
        periods = progress_of(session, case, now.date()).periods
        for status, (share, late, acknowledged) in zip(periods, reports, strict=False):
            end = status.period.end
            forecast = (planned * Decimal(str(share))).quantize(Decimal("1"))
            sent_at = dt.datetime.combine(end + dt.timedelta(days=12), dt.time(12))
            report = submit_report(session, case, unit, {
                "period_end": end, "actual_cost": (forecast * Decimal("0.6")).quantize(
                    Decimal("1")),
                "forecast_cost": forecast, "forecast_go_live": add_months(day, live or 0),
                "forecast_completion": add_months(planned_done, late),
                "narrative": "Se liberaron los módulos previstos para el periodo; las "
                "pruebas con personas usuarias guiaron los ajustes.",
                "risks": "Disponibilidad del equipo de la dependencia para las pruebas.",
            }, today=min(now.date(), end + dt.timedelta(days=12)), now=sent_at)
            if acknowledged:
                acknowledge_report(session, report, reviewers[0],
                                   "Sin observaciones; mantener el seguimiento del costo.",
                                   now=sent_at + dt.timedelta(days=5))
        made.append(case)
    return made
