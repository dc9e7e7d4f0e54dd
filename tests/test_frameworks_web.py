"""Framework pages: the tender form's "Framework agreement" method leads into the
framework flow; process pages link a call-off and its framework both ways; the direct
call-off ceiling comes from the configuration; a price change during a mini-competition
and another unit's draft are refused on the pages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import create_app
from app.cli import main
from app.config import ConfigError
from app.public.process_related import RELATIONSHIP_WORDS, related
from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.frameworks.calloffs import DirectInput, direct_calloff
from marketplace.frameworks.catalogue import ListingInput, add_listing
from marketplace.frameworks.minicomp import MiniInput, start_mini_competition
from marketplace.frameworks.models import Framework, Listing
from marketplace.publication.models import OcdsRecord, OcdsRelease
from marketplace.tenders.states import TenderState
from tests.factories import login_as, post_form
from tests.framework_helpers import admit, make_framework
from tests.supplier_helpers import english
from tests.tender_helpers import assert_valid, buyer, started_process


def _running_listing(db: Session) -> tuple[Listing, Framework, User]:
    """A listing (850 an hour) in a lot with two admitted suppliers, of a framework that
    runs now (the pages use the real clock), and the listing supplier's user."""
    framework, owner = make_framework(db)
    admission, _company, user = admit(db, framework, owner)
    admit(db, framework, owner)
    now = utcnow().replace(microsecond=0)
    framework.start_date = now - dt.timedelta(days=1)
    framework.end_date = now + dt.timedelta(days=365)
    listing = add_listing(
        db, user, admission, ListingInput("Desarrollador senior Python", "81111500", "850", "hora"),
        now,
    )  # fmt: skip
    return listing, framework, user


def test_the_tender_form_hands_a_draft_over_to_the_framework_flow(
    client: FlaskClient, db: Session
) -> None:
    user = buyer(db)
    _line, tender = started_process(db, user, now=utcnow())
    db.commit()
    english(client)
    login_as(client, user)
    form = client.get(f"/buyer/tenders/{tender.id}/edit").get_data(as_text=True)
    assert 'value="framework"' in form and "Framework agreement" in form

    handed = post_form(client, f"/buyer/tenders/{tender.id}/edit", {
        "title": "Servicios de nube 2031", "description": "Nube y mesa de ayuda.",
        "procurement_method": "framework", "main_category": "services", "currency": "MXN",
        "lots-0-title": "Nube pública", "lots-1-title": "Mesa de ayuda",
    })  # fmt: skip
    page = handed.get_data(as_text=True)
    assert handed.status_code == 200
    assert f'name="from_tender" value="{tender.id}"' in page
    assert 'value="Servicios de nube 2031"' in page and 'value="Mesa de ayuda"' in page
    db.expire_all()
    assert tender.state == TenderState.PLANNING  # nothing saved

    today = utcnow().date()
    published = post_form(client, "/buyer/frameworks", {
        "from_tender": str(tender.id), "title": "Servicios de nube 2031",
        "description": "Nube y mesa de ayuda.",
        "start_date": (today + dt.timedelta(days=30)).isoformat(),
        "end_date": (today + dt.timedelta(days=400)).isoformat(), "refresh_months": "6",
        "lots-0-title": "Nube pública", "lots-1-title": "Mesa de ayuda",
    })  # fmt: skip
    assert published.status_code == 302, published.get_data(as_text=True)
    framework = db.scalars(select(Framework)).one()
    assert [lot.title for lot in framework.lots] == ["Nube pública", "Mesa de ayuda"]
    db.expire_all()
    assert tender.state == TenderState.CANCELLED
    assert framework.ocid and framework.ocid in (tender.cancellation_reason or "")
    tender_ocds = db.get(OcdsRecord, framework.ocid).compiled["tender"]  # type: ignore[union-attr]
    assert tender_ocds["techniques"] == {"hasFrameworkAgreement": True}
    assert tender_ocds["procurementMethod"] == "selective"
    for row in db.scalars(select(OcdsRelease).where(
        OcdsRelease.ocid.in_([framework.ocid, tender.ocid]))):  # fmt: skip
        assert_valid(row.data)
    draft_page = client.get(f"/processes/{tender.ocid}").get_data(as_text=True)
    assert framework.ocid in draft_page


def test_another_units_draft_or_framework_and_a_published_process_are_refused(
    client: FlaskClient, db: Session
) -> None:
    user, other = buyer(db), buyer(db)
    _line, theirs = started_process(db, other, now=utcnow())
    db.commit()
    theirs_framework, _owner = make_framework(db)
    db.commit()
    login_as(client, user)
    assert client.get(f"/buyer/frameworks?from_tender={theirs.id}").status_code == 403
    assert client.get(f"/buyer/frameworks/{theirs_framework.id}").status_code == 403
    _line, mine = started_process(db, user, now=utcnow())
    mine.state = TenderState.ENQUIRIES  # published since
    db.commit()
    english(client)
    today = utcnow().date()
    refused = post_form(client, "/buyer/frameworks", {
        "from_tender": str(mine.id), "title": "Servicios de nube 2031",
        "start_date": (today + dt.timedelta(days=30)).isoformat(),
        "end_date": (today + dt.timedelta(days=400)).isoformat(), "refresh_months": "6",
        "lots-0-title": "Nube pública",
    }, form_url=f"/buyer/frameworks?from_tender={mine.id}")  # fmt: skip
    assert refused.status_code == 400
    assert "already published as a tender" in refused.get_data(as_text=True)
    assert db.scalars(select(Framework)).all() == [theirs_framework]  # nothing new


def test_process_pages_link_a_calloff_and_its_framework(client: FlaskClient, db: Session) -> None:
    listing, framework, _user = _running_listing(db)
    calloff = direct_calloff(
        db, buyer(db), listing,
        DirectInput("10", "Soporte urgente al cierre anual de la nómina.",
                    "https://cdmx.example.mx/pedidos/1.pdf"),
        ceiling=Decimal("300000"), now=utcnow(),
    )  # fmt: skip
    db.commit()
    english(client)
    calloff_page = client.get(f"/processes/{calloff.tender.ocid}").get_data(as_text=True)
    assert re.search(
        rf'Part of framework agreement: <a href="/processes/{framework.ocid}">', calloff_page
    )
    framework_page = client.get(f"/processes/{framework.ocid}").get_data(as_text=True)
    assert "Call-offs under this framework" in framework_page
    assert f'href="/processes/{calloff.tender.ocid}"' in framework_page
    assert f'href="/frameworks/{framework.id}"' in framework_page
    compiled = db.get(OcdsRecord, calloff.tender.ocid).compiled  # type: ignore[union-attr]
    assert compiled["tender"]["techniques"] == {"hasFrameworkAgreement": True}
    # An ordinary process has neither.
    _line, plain = started_process(db, buyer(db), now=utcnow())
    db.commit()
    plain_page = client.get(f"/processes/{plain.ocid}").get_data(as_text=True)
    assert "Part of framework agreement" not in plain_page
    assert "Call-offs under this framework" not in plain_page


def test_the_direct_ceiling_comes_from_the_configuration(
    app: Flask, client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing, _framework, _user = _running_listing(db)
    db.commit()
    monkeypatch.setitem(app.config, "CALLOFF_DIRECT_CEILING_MXN", Decimal("50000"))
    english(client)
    login_as(client, buyer(db))
    db.commit()
    refused = post_form(client, f"/buyer/frameworks/listings/{listing.id}/direct", {
        "quantity": "100", "justification": "Soporte urgente al cierre anual de la nómina.",
        "contract_url": "https://cdmx.example.mx/pedidos/1.pdf",
    })  # fmt: skip
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "85,000.00 is above the direct call-off ceiling of 50,000.00" in html
    assert 'value="100"' in html  # the input stays


@pytest.mark.parametrize("value", ["abc", "0", "-5", "NaN"])
def test_a_bad_ceiling_stops_the_app_with_a_clear_message(app: Flask, value: str) -> None:
    with pytest.raises(ConfigError, match="CALLOFF_DIRECT_CEILING_MXN must be a positive amount"):
        create_app({**app.config, "CALLOFF_DIRECT_CEILING_MXN": value})


def test_the_ceiling_is_read_from_the_environment_and_the_cli_names_a_bad_one(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = {k: v for k, v in app.config.items() if k != "CALLOFF_DIRECT_CEILING_MXN"}
    monkeypatch.setenv("CALLOFF_DIRECT_CEILING_MXN", "-1")
    with pytest.raises(ConfigError, match="not '-1'"):
        create_app(settings)
    result = CliRunner().invoke(main, ["routes"], env={"CALLOFF_DIRECT_CEILING_MXN": "lots"})
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: CALLOFF_DIRECT_CEILING_MXN must be a positive amount (e.g. 300000), not 'lots'"
    ]


def test_a_price_change_during_a_mini_competition_is_refused_on_the_page(
    client: FlaskClient, db: Session
) -> None:
    listing, framework, supplier_user = _running_listing(db)
    mini = MiniInput("Migración del portal de trámites a contenedores", "1", "servicio", 5)
    start_mini_competition(db, buyer(db), framework.lots[0], mini, utcnow())
    db.commit()
    english(client)
    login_as(client, supplier_user)
    refused = post_form(client, f"/supplier/frameworks/listings/{listing.id}/price",
                        {"unit_price": "700"}, form_url="/supplier/frameworks")  # fmt: skip
    assert refused.status_code == 400
    assert "prices are frozen until it closes" in refused.get_data(as_text=True)
    db.expire_all()
    assert listing.unit_price == Decimal("850.00")


def test_related_processes_link_only_known_ocids_and_web_addresses(app: Flask, db: Session) -> None:
    compiled = {"relatedProcesses": [
        {"id": "1", "relationship": ["framework"], "scheme": "ocid",
         "identifier": "ocds-zzzzzz-unknown", "title": "Otro acuerdo",
         "uri": "javascript:alert(1)"},
        {"id": "2", "relationship": ["prior"], "scheme": "ocid", "identifier": "ocds-zzzzzz-2",
         "uri": "https://other.example/processes/2"},
        {"id": "3", "relationship": "planning", "title": "Sin relación legible"},
    ]}  # fmt: skip
    with app.test_request_context():
        links = related(db, "ocds-zzzzzz-1", compiled).upwards
        words = [str(RELATIONSHIP_WORDS[c]) for c in ("framework", "prior")] + [
            _("Related process")
        ]
    assert [(link.relation, link.title, link.url) for link in links] == [
        (words[0], "Otro acuerdo", ""),  # not ours: no link, and never a javascript: one
        (words[1], "ocds-zzzzzz-2", "https://other.example/processes/2"),
        (words[2], "Sin relación legible", ""),
    ]
