"""RFC and generic tax id validation."""

from __future__ import annotations

import pytest

from marketplace.suppliers.rfc import (
    TaxIdError,
    rfc_check_digit,
    validate_rfc,
    validate_tax_id,
)

# Real, published RFCs of public bodies and large companies, and the examples of the
# SAT algorithm's common references: each check digit is the last character.
REAL_FORMAT = [
    "SAT970701NN3",  # Servicio de Administración Tributaria (moral)
    "CFE370814QI0",  # Comisión Federal de Electricidad (moral)
    "WMT970714R10",  # Wal-Mart de México (moral)
    "MAB9307148T4",  # moral
    "GODE561231GR8",  # física (13 characters)
]


@pytest.mark.parametrize("rfc", REAL_FORMAT)
def test_real_format_rfcs_are_valid(rfc: str) -> None:
    assert validate_rfc(rfc) == rfc


@pytest.mark.parametrize("rfc", REAL_FORMAT)
def test_check_digit_is_computed_over_the_rest(rfc: str) -> None:
    assert rfc_check_digit(rfc[:-1]) == rfc[-1]


def test_check_digit_ten_is_written_a() -> None:
    # Find a body whose remainder gives 10, and check the digit is "A", per the SAT table.
    bodies = (f"ABC0101{day:02d}X1" for day in range(1, 29))
    body = next(b for b in bodies if rfc_check_digit(b) == "A")
    assert validate_rfc(body + "A") == body + "A"


def test_separators_and_case_are_normalised() -> None:
    assert validate_rfc(" sat-970701-nn3 ") == "SAT970701NN3"


def test_wrong_check_digit_is_refused() -> None:
    with pytest.raises(TaxIdError, match="check digit"):
        validate_rfc("SAT970701NN4")


@pytest.mark.parametrize("rfc", ["SAT971301NN3", "SAT970732NN3", "SAT010229NN3"])
def test_impossible_date_is_refused(rfc: str) -> None:
    with pytest.raises(TaxIdError, match="not a real date"):
        validate_rfc(rfc)


def test_29_february_of_a_leap_year_is_a_date() -> None:
    body = "SAT000229N1"
    validate_rfc(body + rfc_check_digit(body))


@pytest.mark.parametrize(
    ("rfc", "message"),
    [
        ("SAT97070", "12 characters"),
        ("SAT970701NN3XX", "12 characters"),
        ("S4T970701NN3", "3 letters"),
        ("SAT19707011N3", "4 letters"),
        ("SAT9707O1NN3", "3 letters"),
        ("", "Enter the RFC"),
    ],
)
def test_wrong_format_is_refused_with_what_is_expected(rfc: str, message: str) -> None:
    with pytest.raises(TaxIdError, match=message):
        validate_rfc(rfc)


def test_generic_public_rfc_is_refused() -> None:
    with pytest.raises(TaxIdError, match="generic RFC"):
        validate_rfc("XAXX010101000")


def test_scheme_depends_on_country() -> None:
    assert validate_tax_id("MX", "SAT970701NN3").scheme == "MX-RFC"
    foreign = validate_tax_id("US", "12-3456789")
    assert (foreign.scheme, foreign.value) == ("US-TAXID", "123456789")


@pytest.mark.parametrize("value", ["12", "ABC$%123", "X" * 21])
def test_generic_tax_id_needs_4_to_20_alphanumerics(value: str) -> None:
    with pytest.raises(TaxIdError, match="4 to 20"):
        validate_tax_id("US", value)
