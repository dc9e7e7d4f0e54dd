"""A mini-competition call-off end to end through the pages: the buyer invites the
lot's suppliers, they quote on the ordinary bid page (an outsider cannot), the deadline
passes, the buyer opens, awards the cheapest and signs; the contract reaches the asset
register and the process page points to the framework."""

from __future__ import annotations

import datetime as dt
import io

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.assets.models import Asset
from marketplace.awards.models import Award, AwardStatus
from marketplace.bids.models import Bid
from marketplace.contracts.models import Contract
from marketplace.db import utcnow
from marketplace.frameworks.calloff_models import CallOff
from marketplace.publication.models import OcdsRecord
from tests.bid_helpers import PDF
from tests.factories import csrf_token, login_as, post_form
from tests.framework_helpers import admit, make_framework
from tests.supplier_helpers import english, make_supplier


def _quote(client: FlaskClient, tender_id: int, price: str):  # type: ignore[no-untyped-def]
    data = {"prices-0": price, "technical_note": "Equipo de 5 personas.", "declarations": "y",
            "documents": (io.BytesIO(PDF), "propuesta.pdf")}  # fmt: skip
    return post_form(client, f"/supplier/tenders/{tender_id}/bid", data,
                     content_type="multipart/form-data")  # fmt: skip


def test_mini_competition_through_the_pages(client: FlaskClient, db: Session) -> None:
    framework, owner = make_framework(db)
    _adm_a, _sup_a, user_a = admit(db, framework, owner)
    _adm_b, sup_b, user_b = admit(db, framework, owner)
    now = utcnow().replace(microsecond=0)
    framework.start_date, framework.end_date = (
        now - dt.timedelta(days=1),
        now + dt.timedelta(days=365),
    )
    _outsider, outsider_user = make_supplier(db, verified=True)
    db.commit()
    english(client)

    login_as(client, owner)
    started = post_form(client, f"/buyer/frameworks/lots/{framework.lots[0].id}/mini", {
        "description": "Rediseño del portal de trámites", "quantity": "1", "unit": "servicio",
        "days": "3"})  # fmt: skip
    assert started.status_code == 302
    calloff = db.scalars(select(CallOff)).one()
    tender = calloff.tender

    login_as(client, outsider_user)
    refused = _quote(client, tender.id, "90000")
    assert refused.status_code == 422
    assert "Only invited suppliers may bid" in refused.get_data(as_text=True)
    login_as(client, user_a)
    assert _quote(client, tender.id, "180000").status_code == 302
    login_as(client, user_b)
    assert _quote(client, tender.id, "150000").status_code == 302
    assert len(db.scalars(select(Bid).where(Bid.tender_id == tender.id)).all()) == 2

    # The deadline passes (time moving on, as in tests/test_bids_web.py).
    past = utcnow().replace(microsecond=0) - dt.timedelta(seconds=1)
    tender.tender_start = past - dt.timedelta(minutes=5)
    tender.tender_end = past
    tender.next_check_at = past
    db.commit()
    login_as(client, owner)
    opened = post_form(client, f"/buyer/tenders/{tender.id}/bids/open", {},
                       form_url=f"/buyer/tenders/{tender.id}/evaluation")  # fmt: skip
    assert opened.status_code == 302
    db.expire_all()
    cheapest = db.scalars(select(Bid).where(Bid.tender_id == tender.id,
                                            Bid.supplier_id == sup_b.id)).one()  # fmt: skip
    page_url = f"/buyer/tenders/{tender.id}/evaluation"
    token = csrf_token(client, page_url)
    awarded = post_form(client, f"/buyer/bids/{cheapest.id}/lots/tender/award",
                        {"a-tender-csrf_token": token}, form_url=page_url)  # fmt: skip
    assert awarded.status_code == 302, awarded.get_data(as_text=True)
    award = db.scalars(select(Award).where(Award.tender_id == tender.id)).one()
    # The standstill passes without complaints.
    award.standstill_end = past
    db.commit()
    today = utcnow().date()
    signed = post_form(client, f"/buyer/awards/{award.id}/contract", {
        "title": "Rediseño del portal", "value": "150000",
        "period_start": today.isoformat(),
        "period_end": (today + dt.timedelta(days=120)).isoformat(),
        "documents-0-title": "Contrato firmado", "documents-0-url": "https://x.example/c.pdf",
        "documents-0-document_type": "contractSigned",
        "documents-1-document_type": "contractAnnexe"})  # fmt: skip
    assert signed.status_code == 302, signed.get_data(as_text=True)
    db.expire_all()
    assert award.status == AwardStatus.ACTIVE
    contract = db.scalars(select(Contract).where(Contract.tender_id == tender.id)).one()
    assert db.scalars(select(Asset).where(Asset.contract_id == contract.id)).one()
    compiled = db.get(OcdsRecord, tender.ocid).compiled  # type: ignore[union-attr]
    assert compiled["relatedProcesses"][0]["identifier"] == framework.ocid
    assert compiled["tender"]["status"] == "complete"
    public = client.get(f"/frameworks/{framework.id}").get_data(as_text=True)
    assert "150,000.00" in public and sup_b.legal_name in public
