"""The business-case PDF is a real PDF with the case in its text."""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from business_cases.pdf import html_to_pdf
from business_cases.services import submit_case
from marketplace.accounts.models import OrgKind, Role
from tests.case_factories import english, make_case, rate_all
from tests.factories import login_as, make_org, make_user


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "case.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_case_pdf_for_buyer_and_finance(client: FlaskClient, db: Session, tmp_path: Path) -> None:
    english(client)
    buyer = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER))
    fin = make_user(db, Role.FINANCE, make_org(db, OrgKind.FINANCE))
    case = make_case(db, buyer, title="Red de telemedicina rural")
    submit_case(db, case, buyer)
    rate_all(db, case, fin)
    db.flush()

    login_as(client, buyer)
    response = client.get(f"/buyer/cases/{case.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    text = pdf_text(response.data, tmp_path)
    assert "Red de telemedicina rural" in text
    assert "Plataforma SaaS" in text and "103,305.79" in text  # the evaluation

    login_as(client, fin)
    response = client.get(f"/finance/cases/{case.id}.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    assert "Red de telemedicina rural" in text and fin.name in text  # the review

    other = make_user(db, Role.BUYER)
    login_as(client, other)
    assert client.get(f"/buyer/cases/{case.id}.pdf").status_code == 404


def _png(path: Path) -> None:
    """A 2×2 red PNG, written by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_pdf_never_fetches_files_or_urls(tmp_path: Path) -> None:
    """A local file an <img> points at is not read (WeasyPrint alone would embed it)."""
    from weasyprint import HTML

    image = tmp_path / "x.png"
    _png(image)
    html = f'<img src="{image.as_uri()}"><img src="http://127.0.0.1:9/x.png"><p>Texto</p>'
    assert b"/Image" in HTML(string=html).write_pdf()  # the control: it would be read
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF-") and b"/Image" not in pdf


@pytest.mark.parametrize("marker", ["<script>", "</style>"])
def test_case_text_is_escaped_in_the_pdf(
    client: FlaskClient, db: Session, tmp_path: Path, marker: str
) -> None:
    english(client)
    buyer = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER))
    case = make_case(db, buyer, title=f"Caso {marker} raro")
    login_as(client, buyer)
    text = pdf_text(client.get(f"/buyer/cases/{case.id}.pdf").data, tmp_path)
    assert f"Caso {marker} raro" in text
