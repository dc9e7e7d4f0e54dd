"""Tax identifiers: the Mexican RFC (with its SAT check digit) and a generic foreign scheme.

RFC layout (Registro Federal de Contribuyentes):

* persona moral (company), 12 characters: 3 letters from the name, the incorporation date
  YYMMDD, and a 3-character homoclave;
* persona física (individual), 13 characters: 4 letters from the name, the birth date
  YYMMDD, and the homoclave.

The homoclave's first two characters are assigned by the SAT from the full name; the last
is a check digit over the preceding 11 (moral) or 12 (física) characters: each character's
value in the alphabet ``0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ`` is weighted 13, 12, … 2
(a company's RFC is left-padded with one space to 12 characters), and the digit is
``(11 - sum mod 11) mod 11`` written with the same alphabet (10 is "A").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from marketplace.suppliers.errors import N_

RFC_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"

_MORAL = re.compile(r"^[A-ZÑ&]{3}[0-9]{6}[A-Z0-9]{3}$")
_FISICA = re.compile(r"^[A-ZÑ&]{4}[0-9]{6}[A-Z0-9]{3}$")
_GENERIC_TAX_ID = re.compile(r"^[A-Z0-9]{4,20}$")

#: Generic RFCs the SAT uses for the general public and for foreigners: never a supplier's.
GENERIC_RFCS = frozenset({"XAXX010101000", "XEXX010101000"})


class TaxIdError(ValueError):
    """A tax id is malformed. ``message`` is English source text for gettext, with
    ``params`` to interpolate, so the web layer can translate it."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class TaxId:
    scheme: str  # "MX-RFC" or "<country>-TAXID"
    value: str  # normalised: upper-case, no separators


def compact(value: str) -> str:
    """Upper-case and drop the spaces, dashes and dots people type inside tax ids."""
    return re.sub(r"[\s\-_.]", "", value).upper()


def rfc_check_digit(body: str) -> str:
    """The check digit for an RFC without its last character (11 or 12 characters)."""
    padded = body.rjust(12)
    total = sum(RFC_ALPHABET.index(ch) * (13 - i) for i, ch in enumerate(padded))
    return RFC_ALPHABET[(11 - total % 11) % 11]


def _rfc_date(digits: str) -> dt.date:
    year, month, day = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    # The RFC has no century. Any year is valid in one of the two centuries except 29 Feb,
    # which must be valid in at least one of them.
    for century in (2000, 1900):
        try:
            return dt.date(century + year, month, day)
        except ValueError:
            continue
    raise TaxIdError(N_("The date in the RFC (%(date)s) is not a real date."), date=digits)


def validate_rfc(value: str) -> str:
    """Return the normalised RFC or raise TaxIdError saying what is wrong."""
    rfc = compact(value)
    if not rfc:
        raise TaxIdError(N_("Enter the RFC."))
    if rfc in GENERIC_RFCS:
        raise TaxIdError(
            N_("%(rfc)s is the SAT's generic RFC; enter the company's own RFC."), rfc=rfc
        )
    if len(rfc) not in (12, 13):
        raise TaxIdError(
            N_("An RFC has 12 characters (company) or 13 (individual); this one has %(length)s."),
            length=len(rfc),
        )
    pattern, letters = (_MORAL, 3) if len(rfc) == 12 else (_FISICA, 4)
    if not pattern.match(rfc):
        raise TaxIdError(
            N_(
                "An RFC of %(length)s characters is %(letters)s letters, a date as YYMMDD and "
                "3 letters or digits (for example %(example)s)."
            ),
            length=len(rfc),
            letters=letters,
            example="ABC010203XY1" if letters == 3 else "ABCD010203XY1",
        )
    _rfc_date(rfc[letters : letters + 6])
    expected = rfc_check_digit(rfc[:-1])
    if rfc[-1] != expected:
        raise TaxIdError(
            N_("The RFC's check digit does not match: check each character of %(rfc)s."),
            rfc=rfc,
        )
    return rfc


def validate_generic(country: str, value: str) -> str:
    """A foreign tax id: 4 to 20 letters or digits (separators are dropped)."""
    tax_id = compact(value)
    if not _GENERIC_TAX_ID.match(tax_id):
        raise TaxIdError(
            N_("A tax id for %(country)s has 4 to 20 letters or digits."), country=country
        )
    return tax_id


def scheme_for(country: str) -> str:
    return "MX-RFC" if country == "MX" else f"{country}-TAXID"


def validate_tax_id(country: str, value: str) -> TaxId:
    """Validate ``value`` for a supplier registered in ``country`` (ISO alpha-2)."""
    country = country.upper()
    if country == "MX":
        return TaxId("MX-RFC", validate_rfc(value))
    return TaxId(scheme_for(country), validate_generic(country, value))
