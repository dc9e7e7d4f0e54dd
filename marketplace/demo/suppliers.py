"""Demo suppliers: ~60 fictional Mexican ICT companies with RFCs, documents and catalogues.

Each is registered, documented and (mostly) verified through the real services, so the
audit trail and inboxes look like real use. Every supplier's login is
``<slug>@proveedor.example`` with the demo password. Idempotent: companies whose login
already exists are skipped.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.services import find_user_by_email
from marketplace.db import utcnow
from marketplace.demo.accounts import DEMO_PASSWORD
from marketplace.suppliers.catalogue import ProductInput, add_product
from marketplace.suppliers.categories import CURATED_CSV, load_categories_csv
from marketplace.suppliers.documents import add_document
from marketplace.suppliers.models import Category, Supplier, SupplierStatus
from marketplace.suppliers.reference import fold
from marketplace.suppliers.rfc import rfc_check_digit
from marketplace.suppliers.services import (
    AccountInput,
    ProfileInput,
    register_supplier,
    reject_supplier,
    verify_supplier,
)

#: Specialty -> (UNSPSC codes, [(product, unit, base price MXN)]).
SPECIALTIES: dict[str, tuple[tuple[str, ...], list[tuple[str, str, int]]]] = {
    "hardware": (
        ("43211503", "43211507", "43211902", "43212105"),
        [
            ('Laptop empresarial 14" Core i5, 16 GB, 512 GB SSD', "pieza", 18500),
            ("Computadora de escritorio Core i7, 16 GB, 1 TB SSD", "pieza", 21900),
            ('Monitor LED 24" Full HD', "pieza", 3200),
            ("Impresora láser monocromática 40 ppm", "pieza", 7800),
            ('Tableta 10" 128 GB con funda', "pieza", 6400),
            ("Estación de acoplamiento USB-C", "pieza", 2900),
            ("Teclado y ratón inalámbricos", "juego", 650),
            ("Escáner de documentos dúplex 35 ppm", "pieza", 9800),
        ],
    ),
    "network": (
        ("43222612", "43222609", "43222640", "72151603"),
        [
            ("Switch administrable 48 puertos PoE+", "pieza", 38500),
            ("Router empresarial con SD-WAN", "pieza", 27400),
            ("Punto de acceso Wi-Fi 6 para interiores", "pieza", 5600),
            ("Instalación de nodo de red categoría 6A", "nodo", 1450),
            ("Certificación de cableado estructurado", "nodo", 180),
            ("Gabinete de telecomunicaciones 42U", "pieza", 14900),
        ],
    ),
    "software": (
        ("81111504", "81111508", "43232304", "81112200"),
        [
            ("Hora de desarrollo de software (senior)", "hora", 1150),
            ("Hora de desarrollo de software (junior)", "hora", 620),
            ("Implementación de sistema de gestión documental", "proyecto", 480000),
            ("Soporte y mantenimiento de aplicaciones", "mes", 65000),
            ("Licencia anual de base de datos relacional", "licencia anual", 42000),
            ("Pruebas de accesibilidad web (WCAG 2.1)", "sitio", 38000),
            ("Migración de datos a la nube", "proyecto", 150000),
        ],
    ),
    "security": (
        ("43222501", "43233203", "46171610", "81111800"),
        [
            ("Firewall de nueva generación para sucursal", "pieza", 46000),
            ("Licencia anual de antivirus corporativo", "equipo", 540),
            ("Cámara IP tipo domo 4 MP para exterior", "pieza", 3900),
            ("Prueba de penetración de aplicación web", "servicio", 95000),
            ("Monitoreo de seguridad 24x7 (SOC)", "mes", 120000),
        ],
    ),
    "cloud": (
        ("81112003", "81112105", "43211501", "39121011"),
        [
            ("Servidor en rack 2U, 2 CPU, 256 GB RAM", "pieza", 265000),
            ("Hospedaje de máquina virtual 4 vCPU 16 GB", "mes", 3800),
            ("Almacenamiento en la nube", "TB al mes", 950),
            ("UPS en línea 10 kVA", "pieza", 88000),
            ("Respaldo administrado de servidores", "servidor al mes", 1200),
            ("Coubicación de rack en centro de datos", "mes", 24000),
        ],
    ),
    "telecom": (
        ("83111600", "83112400", "81161700", "43191501"),
        [
            ("Plan de telefonía móvil con datos ilimitados", "línea al mes", 399),
            ("Enlace dedicado simétrico 100 Mbps", "mes", 9800),
            ("Teléfono inteligente gama media", "pieza", 5200),
            ("Radio bidireccional digital", "pieza", 7300),
            ("Troncal SIP de 30 canales", "mes", 4600),
        ],
    ),
    "office": (
        ("44101501", "44103103", "44121600", "44122000"),
        [
            ("Arrendamiento de multifuncional 45 ppm", "mes", 3400),
            ("Tóner original para impresora láser", "pieza", 1850),
            ("Papel bond carta 75 g", "caja de 5,000 hojas", 690),
            ('Carpetas de argollas 2"', "paquete de 10", 540),
            ("Servicio de impresión por página", "página", 1),
            ("Engrapadora de escritorio", "pieza", 210),
        ],
    ),
    "furniture": (
        ("56101703", "56112102", "56111500", "56101706"),
        [
            ("Silla ergonómica con soporte lumbar", "pieza", 4900),
            ("Escritorio operativo 1.20 m", "pieza", 3700),
            ("Estación de trabajo para 4 personas", "juego", 28500),
            ("Mesa de juntas para 10 personas", "pieza", 16800),
            ("Archivero metálico de 4 gavetas", "pieza", 5200),
        ],
    ),
    "av": (
        ("45111609", "45111900", "45121500", "45111700"),
        [
            ("Proyector multimedia 5,000 lúmenes", "pieza", 24500),
            ("Equipo de videoconferencia para sala mediana", "juego", 62000),
            ('Pantalla interactiva 75"', "pieza", 71000),
            ("Sistema de audio para auditorio", "proyecto", 185000),
            ("Cámara PTZ para transmisión", "pieza", 33000),
        ],
    ),
    "consulting": (
        ("80101500", "80101600", "81111700", "81112000"),
        [
            ("Consultoría en gobierno digital", "hora", 1900),
            ("Gestión de proyecto TIC (PMP)", "mes", 78000),
            ("Diagnóstico de madurez digital", "estudio", 210000),
            ("Elaboración de caso de negocio TIC", "documento", 125000),
            ("Diseño de servicios centrado en usuarios", "semana", 68000),
        ],
    ),
    "logistics": (
        ("78102200", "78101800", "78131800"),
        [
            ("Mensajería local mismo día", "envío", 180),
            ("Paquetería nacional hasta 5 kg", "envío", 260),
            ("Flete en camioneta de 3.5 t", "viaje", 4200),
            ("Almacenaje de equipo de cómputo", "m² al mes", 310),
        ],
    ),
    "maintenance": (
        ("72102900", "72151500", "72151200"),
        [
            ("Mantenimiento preventivo de aire acondicionado de precisión", "servicio", 8900),
            ("Instalación eléctrica regulada por puesto", "puesto", 2300),
            ("Mantenimiento de planta de emergencia", "servicio", 12500),
            ("Tierra física para centro de datos", "proyecto", 48000),
        ],
    ),
    "training": (
        ("86101700", "81111600"),
        [
            ("Curso de ciberseguridad para personal administrativo", "participante", 2400),
            ("Taller de datos abiertos", "grupo", 36000),
            ("Certificación en administración de proyectos", "participante", 14500),
            ("Curso de ofimática intermedia", "participante", 1900),
        ],
    ),
}

#: (name, specialty, state). State codes are ISO 3166-2:MX.
COMPANIES: list[tuple[str, str, str]] = [
    ("Cómputo Integral del Valle", "hardware", "CMX"),
    ("Equipos Digitales Anáhuac", "hardware", "MEX"),
    ("Tecnología Xochimilco", "hardware", "CMX"),
    ("Sistemas y Equipos Tenochtitlan", "hardware", "CMX"),
    ("Distribuidora Informática Coyoacán", "hardware", "CMX"),
    ("Microequipos del Centro", "hardware", "CMX"),
    ("Computadoras Educativas Chalco", "hardware", "MEX"),
    ("Redes y Enlaces Chapultepec", "network", "CMX"),
    ("Conectividad Azteca", "network", "MEX"),
    ("Cableado Estructurado Iztapalapa", "network", "CMX"),
    ("Infraestructura de Red Mixcoac", "network", "CMX"),
    ("Telemática del Ajusco", "network", "CMX"),
    ("Desarrollo de Software Tlalpan", "software", "CMX"),
    ("Soluciones Digitales Roma Norte", "software", "CMX"),
    ("Código Abierto Condesa", "software", "CMX"),
    ("Aplicaciones Cívicas", "software", "CMX"),
    ("Ingeniería de Software Polanco", "software", "CMX"),
    ("Datos y Procesos Satélite", "software", "MEX"),
    ("Plataformas Web Santa Fe", "software", "CMX"),
    ("Sistemas de Gestión Pública Tacubaya", "software", "CMX"),
    ("Inteligencia de Datos Coacalco", "software", "MEX"),
    ("Ciberseguridad Mexicana del Norte", "security", "NLE"),
    ("Videovigilancia Urbana", "security", "CMX"),
    ("Protección de Datos Insurgentes", "security", "CMX"),
    ("Seguridad Informática Tlatelolco", "security", "CMX"),
    ("Centro de Datos Toluca", "cloud", "MEX"),
    ("Nube Mexiquense", "cloud", "MEX"),
    ("Hospedaje Digital Naucalpan", "cloud", "MEX"),
    ("Energía y Respaldo Tecámac", "cloud", "MEX"),
    ("Telecomunicaciones Lerma", "telecom", "MEX"),
    ("Enlaces Satelitales Texcoco", "telecom", "MEX"),
    ("Comunicaciones Móviles Ecatepec", "telecom", "MEX"),
    ("Radiocomunicación Zumpango", "telecom", "MEX"),
    ("Papelería y Consumibles Tacuba", "office", "CMX"),
    ("Copiadoras del Bajío", "office", "GUA"),
    ("Suministros de Oficina Balderas", "office", "CMX"),
    ("Consumibles e Impresión Azcapotzalco", "office", "CMX"),
    ("Impresión y Digitalización Milpa Alta", "office", "CMX"),
    ("Mobiliario Ejecutivo Coapa", "furniture", "CMX"),
    ("Muebles de Oficina Tlalnepantla", "furniture", "MEX"),
    ("Ergonomía y Espacios Metepec", "furniture", "MEX"),
    ("Audio y Video Profesional Reforma", "av", "CMX"),
    ("Salas de Videoconferencia Lindavista", "av", "CMX"),
    ("Proyección y Sonido Cuautitlán", "av", "MEX"),
    ("Consultores en Gobierno Digital", "consulting", "CMX"),
    ("Gestión de Proyectos TIC Narvarte", "consulting", "CMX"),
    ("Asesoría en Transformación Digital", "consulting", "CMX"),
    ("Innovación Pública Consultores", "consulting", "PUE"),
    ("Mensajería Express Iztacalco", "logistics", "CMX"),
    ("Logística y Transporte Tultitlán", "logistics", "MEX"),
    ("Mantenimiento Integral de Inmuebles Tláhuac", "maintenance", "CMX"),
    ("Instalaciones Eléctricas Nezahualcóyotl", "maintenance", "MEX"),
    ("Climas y Ventilación Cuajimalpa", "maintenance", "CMX"),
    ("Capacitación Tecnológica Zacatenco", "training", "CMX"),
    ("Instituto de Habilidades Digitales", "training", "MEX"),
    ("Soluciones TI de Monterrey", "software", "NLE"),
    ("Sistemas Tapatíos", "software", "JAL"),
    ("Redes del Bajío", "network", "QUE"),
    ("Software Poblano", "software", "PUE"),
    ("Infraestructura Digital Querétaro", "cloud", "QUE"),
]

#: Positions in COMPANIES left pending, and the one rejected (the rest are verified).
PENDING = {6, 20, 37, 52, 58}
REJECTED = {33}

LOCALITIES = {
    "CMX": [
        "Coyoacán",
        "Benito Juárez",
        "Cuauhtémoc",
        "Miguel Hidalgo",
        "Tlalpan",
        "Iztapalapa",
        "Álvaro Obregón",
        "Azcapotzalco",
        "Gustavo A. Madero",
    ],
    "MEX": [
        "Toluca",
        "Naucalpan de Juárez",
        "Tlalnepantla de Baz",
        "Ecatepec de Morelos",
        "Metepec",
        "Huixquilucan",
        "Texcoco",
        "Cuautitlán Izcalli",
    ],
    "NLE": ["Monterrey", "San Pedro Garza García"],
    "JAL": ["Guadalajara", "Zapopan"],
    "GUA": ["León", "Irapuato"],
    "PUE": ["Puebla"],
    "QUE": ["Santiago de Querétaro"],
}
POSTAL_RANGES = {
    "CMX": (1000, 16999),
    "MEX": (50000, 57999),
    "NLE": (64000, 67999),
    "JAL": (44100, 45999),
    "GUA": (36000, 38999),
    "PUE": (72000, 75999),
    "QUE": (76000, 76999),
}
STREETS = [
    "Av. Insurgentes Sur",
    "Calz. de Tlalpan",
    "Av. Revolución",
    "Calle Durango",
    "Av. Universidad",
    "Calle Morelos",
    "Av. Juárez",
    "Blvd. Adolfo López Mateos",
    "Calle Hidalgo",
    "Av. Paseo Tollocan",
    "Calle Zaragoza",
    "Av. Constituyentes",
]
FIRST_NAMES = [
    "María",
    "José",
    "Guadalupe",
    "Juan",
    "Fernanda",
    "Luis",
    "Alejandra",
    "Miguel",
    "Sofía",
    "Jorge",
    "Valeria",
    "Ricardo",
    "Mariana",
    "Héctor",
]
SURNAMES = [
    "Hernández",
    "García",
    "Martínez",
    "López",
    "González",
    "Pérez",
    "Rodríguez",
    "Sánchez",
    "Ramírez",
    "Cruz",
    "Flores",
    "Gómez",
    "Morales",
    "Vázquez",
]
SUFFIXES = ["S.A. de C.V.", "S.A. de C.V.", "S. de R.L. de C.V.", "S.A.P.I. de C.V."]
SIZES = ["micro", "small", "small", "medium", "medium", "large"]
# Words the SAT skips when taking a company's initials.
_SKIP = {"de", "del", "la", "las", "los", "y", "e", "en", "el", "para"}
_HOMOCLAVE = "123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"

_PDF = b"%PDF-1.4\n% Tianguis demo document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:40].rstrip("-")


def demo_rfc(name: str, rng: random.Random) -> str:
    """A well-formed company RFC: initials, incorporation date, homoclave, check digit."""
    words = [w for w in re.findall(r"[A-Z]+", fold(name).upper()) if w.lower() not in _SKIP]
    letters = "".join(w[0] for w in words[:3])
    if len(letters) < 3:
        letters = (letters + words[-1][1:])[:3]
    date = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(9000))
    body = f"{letters}{date:%y%m%d}{rng.choice(_HOMOCLAVE[:31])}{rng.choice(_HOMOCLAVE)}"
    return body + rfc_check_digit(body)


def load(session: Session, rng: random.Random, ctx: dict[str, Any]) -> str:
    loaded = load_categories_csv(session, CURATED_CSV)
    categories = {c.code: c for c in session.scalars(select(Category))}
    admin = find_user_by_email(session, "admin@tianguis.example")
    made = 0
    today = utcnow().date()
    for index, (name, specialty, state) in enumerate(COMPANIES):
        email = f"{slug(name)}@proveedor.example"
        if find_user_by_email(session, email) is not None:
            continue
        # Per-company randomness: the same company gets the same data whatever ran before.
        crng = random.Random(f"{ctx.get('seed', 1)}:{name}")
        codes, catalogue = SPECIALTIES[specialty]
        supplier, user = register_supplier(
            session,
            ProfileInput(
                legal_name=f"{name}, {crng.choice(SUFFIXES)}",
                trade_name=name if crng.random() < 0.5 else "",
                country="MX",
                tax_id=demo_rfc(name, crng),
                region=state,
                locality=crng.choice(LOCALITIES[state]),
                street_address=f"{crng.choice(STREETS)} {crng.randint(10, 3999)}",
                postal_code=f"{crng.randint(*POSTAL_RANGES[state]):05d}",
                size=crng.choice(SIZES),
                website=f"https://www.{slug(name).replace('-', '')[:24]}.example.mx",
                contact_name="Ventas gobierno",
                contact_email=f"gobierno@{slug(name).replace('-', '')[:24]}.example.mx",
                contact_phone=f"+52 55 {crng.randint(1000, 9999)} {crng.randint(1000, 9999)}",
                category_ids=[categories[c].id for c in codes if c in categories],
            ),
            AccountInput(
                email=email,
                name=f"{crng.choice(FIRST_NAMES)} {crng.choice(SURNAMES)} {crng.choice(SURNAMES)}",
                password=DEMO_PASSWORD,
            ),
        )
        # Some certificates expire within a month, so `tianguis tick` has reminders to send.
        expires = today + dt.timedelta(days=crng.choice([12, 25, 60, 90, 150, 200, 280, 330]))
        add_document(
            session,
            supplier,
            user,
            "tax_certificate",
            "opinion-cumplimiento-sat.pdf",
            _PDF,
            expires,
            max_bytes=5 * 1024 * 1024,
        )
        add_document(
            session,
            supplier,
            user,
            "proof_of_address",
            "comprobante-domicilio.pdf",
            _PDF,
            None,
            max_bytes=5 * 1024 * 1024,
        )
        for product_name, unit, base in crng.sample(
            catalogue, min(len(catalogue), crng.randint(3, 8))
        ):
            price = (Decimal(base) * Decimal(crng.uniform(0.85, 1.2))).quantize(Decimal("0.01"))
            category = categories.get(crng.choice(codes))
            add_product(
                session,
                supplier,
                ProductInput(
                    name=product_name,
                    unit=unit,
                    unit_price=price,
                    currency="MXN",
                    category_id=category.id if category else None,
                ),
                user,
            )
        if admin is not None and index in REJECTED:
            reject_supplier(
                session,
                supplier,
                admin,
                "El comprobante de domicilio no coincide con la dirección registrada. "
                "Suba un comprobante reciente del domicilio fiscal.",
            )
        elif admin is not None and index not in PENDING:
            verify_supplier(session, supplier, admin)
        made += 1
    ctx["suppliers"] = list(
        session.scalars(
            select(Supplier).where(Supplier.status == SupplierStatus.VERIFIED).order_by(Supplier.id)
        )
    )
    return (
        f"{loaded.created} categories, {made} suppliers "
        f"({len(ctx['suppliers'])} verified in total; logins <slug>@proveedor.example)"
    )
