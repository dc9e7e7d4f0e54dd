"""`tianguis categories load` and `tianguis tick` through the real command line group."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli import main
from marketplace.db import utcnow
from marketplace.inbox.models import Message
from marketplace.suppliers.categories import category_by_code
from marketplace.suppliers.documents import add_document
from tests.supplier_helpers import PDF, make_supplier


def test_categories_load_links_parents_and_is_idempotent(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    path = tmp_path / "unspsc.csv"
    # Children before parents, and no parent_code column: parents come from the codes.
    path.write_text(
        "scheme,code,label_es,label_en\n"
        "UNSPSC,99211500,Computadoras de prueba,Test computers\n"
        "UNSPSC,99210000,Equipo de prueba,Test equipment\n"
        "UNSPSC,99000000,Segmento de prueba,Test segment\n",
        encoding="utf-8",
    )
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["categories", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated" in result.output
    leaf = category_by_code(db, "99211500")
    assert leaf is not None and leaf.level == 3
    assert leaf.parent is not None and leaf.parent.code == "99210000"
    assert leaf.parent.parent is not None and leaf.parent.parent.code == "99000000"
    again = runner.invoke(main, ["categories", "load", str(path)])
    assert "0 created, 0 updated" in again.output


def test_categories_load_refuses_a_file_without_the_columns(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("code,name\n43000000,IT\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(main, ["categories", "load", str(path)])
    assert result.exit_code == 1
    assert "needs the columns scheme, code, label_es, label_en" in result.output


def test_tick_command_sends_due_reminders(app: Flask, db: Session) -> None:
    supplier, user = make_supplier(db, verified=True)
    expires = utcnow().date() + dt.timedelta(days=40)
    add_document(db, supplier, user, "tax_certificate", "sat.pdf", PDF, expires, max_bytes=10**6)
    db.commit()
    now = dt.datetime.combine(expires - dt.timedelta(days=30), dt.time(9))
    result = app.test_cli_runner().invoke(main, ["tick", "--now", now.isoformat()])
    assert result.exit_code == 0, result.output
    assert "document_expiry: 1 expiry reminders" in result.output
    kinds = db.scalars(select(Message.kind).where(Message.user_id == user.id)).all()
    assert "supplier.document_expires_30" in kinds
    bad = app.test_cli_runner().invoke(main, ["tick", "--now", "tomorrow"])
    assert bad.exit_code == 2 and "not an ISO datetime" in bad.output
