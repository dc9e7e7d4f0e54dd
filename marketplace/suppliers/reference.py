"""Reference lists the registry validates against, and text folding for search."""

from __future__ import annotations

import unicodedata

#: ISO 3166-2:MX subdivision codes (without the "MX-" prefix) and their names.
MEXICAN_STATES: dict[str, str] = {
    "AGU": "Aguascalientes",
    "BCN": "Baja California",
    "BCS": "Baja California Sur",
    "CAM": "Campeche",
    "CHP": "Chiapas",
    "CHH": "Chihuahua",
    "CMX": "Ciudad de México",
    "COA": "Coahuila de Zaragoza",
    "COL": "Colima",
    "DUR": "Durango",
    "GUA": "Guanajuato",
    "GRO": "Guerrero",
    "HID": "Hidalgo",
    "JAL": "Jalisco",
    "MEX": "Estado de México",
    "MIC": "Michoacán de Ocampo",
    "MOR": "Morelos",
    "NAY": "Nayarit",
    "NLE": "Nuevo León",
    "OAX": "Oaxaca",
    "PUE": "Puebla",
    "QUE": "Querétaro",
    "ROO": "Quintana Roo",
    "SLP": "San Luis Potosí",
    "SIN": "Sinaloa",
    "SON": "Sonora",
    "TAB": "Tabasco",
    "TAM": "Tamaulipas",
    "TLA": "Tlaxcala",
    "VER": "Veracruz de Ignacio de la Llave",
    "YUC": "Yucatán",
    "ZAC": "Zacatecas",
}


def country_names(locale: str = "en") -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> country name in ``locale`` (from Babel's CLDR data)."""
    from babel import Locale

    territories = Locale.parse(locale).territories
    # CLDR also lists regions ("419", "EU", "ZZ"); keep real two-letter countries only.
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in {"EU", "EZ", "UN", "ZZ", "QO"}
    }


def region_name(country: str, region: str | None) -> str | None:
    """Display name of a stored region: Mexican state codes become names."""
    if not region:
        return None
    if country == "MX":
        return MEXICAN_STATES.get(region, region)
    return region


def fold(text: str) -> str:
    """Lower-case, accent-free form used for accent-insensitive search ("Cómputo" ~ "computo").

    Stored in ``*_search`` columns so the database compares plain ASCII-ish text with LIKE,
    the same way on SQLite and PostgreSQL. Ñ folds to n, as Spanish users type it without.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())
