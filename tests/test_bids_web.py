"""Sealed bids through the pages: the bid form, receipt, my bids, withdraw; the buyer's
opening page; and the canary: nothing of a sealed bid is public before the opening."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.bids.models import Bid, BidStatus
from marketplace.db import Base, utcnow
from marketplace.publication.bulk import write_jsonl_gz
from marketplace.search.sync import reindex
from marketplace.tenders.models import Tender
from tests.bid_helpers import bidder, tendering
from tests.factories import csrf_token, login_as, post_form
from tests.supplier_helpers import PDF
from tests.tender_helpers import buyer

PRICE = "987654.32"
NOTE_CANARY = "CANARY-NOTE-7f3a9c1e"
DOC_CANARY = b"CANARY-DOC-5b8e2d40"


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.set_cookie("lang", "en")


def open_tender(db: Session) -> tuple[Tender, object]:
    """A tender receiving bids now (server time), no enquiry period."""
    tender, owner = tendering(db, utcnow().replace(microsecond=0) - dt.timedelta(minutes=5))
    db.flush()
    return tender, owner


def pass_deadline(db: Session, tender: Tender) -> None:
    """Move the tender's deadline one second into the past (time passing)."""
    past = utcnow().replace(microsecond=0) - dt.timedelta(seconds=1)
    tender.tender_end = past
    tender.next_check_at = past
    db.flush()


def bid_form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "prices-0": PRICE,
        "prices-1": "",
        "technical_note": f"Garantía extendida {NOTE_CANARY}",
        "declarations": "y",
        "documents": (io.BytesIO(PDF + DOC_CANARY), "ficha técnica.pdf"),
    }
    data.update(overrides)
    return data


def submit(client: FlaskClient, db: Session, tender: Tender, **overrides: object):  # type: ignore[no-untyped-def]
    url = f"/supplier/tenders/{tender.id}/bid"
    resp = post_form(client, url, bid_form_data(**overrides), content_type="multipart/form-data")
    db.expire_all()
    return resp


def everything_public(client: FlaskClient, app: Flask, db: Session, ocid: str, tmp: Path) -> str:
    """The text of every public output about the process."""
    texts = []
    for url in (f"/processes/{ocid}", f"/api/records/{ocid}", "/audit", "/processes"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        texts.append(resp.get_data(as_text=True))
    url: str | None = "/api/releases"
    while url:
        resp = client.get(url)
        assert resp.status_code == 200
        package = resp.get_json()
        texts.append(json.dumps(package, ensure_ascii=False))
        url = (package.get("links") or {}).get("next")
        url = url.replace("http://localhost", "") if url else None
    index = tmp / "index"
    app.config["SEARCH_INDEX_DIR"] = str(index)
    reindex(db, index)
    # The search pages echo the query, so ask the index itself: nothing matches.
    assert client.get(f"/api/search?q={ocid}").get_json()["total"] == 1
    for query in (NOTE_CANARY, PRICE, "987654"):
        assert client.get(f"/api/search?q={query}").get_json()["total"] == 0, query
    bulk = tmp / "records.jsonl.gz"
    write_jsonl_gz(db, bulk)
    texts.append(gzip.decompress(bulk.read_bytes()).decode())
    return "\n".join(texts)


def whole_database(db: Session) -> str:
    """Every row of every table, bytes included, as text."""
    return "\n".join(repr(db.execute(select(t)).all()) for t in Base.metadata.sorted_tables)


def test_canary_stays_sealed_until_opening(
    client: FlaskClient, app: Flask, db: Session, tmp_path: Path
) -> None:
    tender, owner = open_tender(db)
    supplier, user = bidder(db)
    tender_id, ocid, party, owner_id = tender.id, tender.ocid, supplier.party_id, owner.id  # type: ignore[attr-defined]
    login_as(client, user)
    form = client.get(f"/supplier/tenders/{tender_id}/bid")
    assert form.status_code == 200 and "Server time" in form.get_data(as_text=True)
    resp = submit(client, db, tender)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    bid = db.scalar(select(Bid).where(Bid.tender_id == tender_id))
    assert bid is not None and bid.status == BidStatus.SUBMITTED
    receipt = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert bid.commitment in receipt and bid.receipt_number in receipt
    assert bid.receipt_number in client.get("/supplier/bids").get_data(as_text=True)

    original_index = app.config["SEARCH_INDEX_DIR"]
    try:
        public = everything_public(client, app, db, ocid, tmp_path)
    finally:
        app.config["SEARCH_INDEX_DIR"] = original_index
    for secret in (NOTE_CANARY, DOC_CANARY.decode(), PRICE, "987654", party):
        assert secret not in public, secret
    assert bid.commitment in public
    stored = whole_database(db)
    for secret in (NOTE_CANARY, DOC_CANARY.decode(), PRICE, "987654"):
        assert secret not in stored, secret

    # The deadline passes; the buyer opens the bids. (The bulk export detached every
    # loaded object, so they are loaded again.)
    tender, owner = db.get(Tender, tender_id), db.get(User, owner_id)
    assert tender is not None and owner is not None
    pass_deadline(db, tender)
    login_as(client, owner)
    page = client.get(f"/buyer/tenders/{tender_id}/bids")
    assert page.status_code == 200 and "1 sealed bid received" in page.get_data(as_text=True)
    resp = post_form(client, f"/buyer/tenders/{tender_id}/bids/open", {})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    db.expire_all()
    page = client.get(f"/buyer/tenders/{tender_id}/bids").get_data(as_text=True)
    assert "987,654.32" in page and NOTE_CANARY in page and "matches" in page
    assert "does not match" not in page
    bid = db.scalar(select(Bid).where(Bid.tender_id == tender_id))
    assert bid is not None
    doc = client.get(f"/buyer/bids/{bid.id}/documents/1")
    assert doc.status_code == 200 and doc.data == PDF + DOC_CANARY
    record = client.get(f"/api/records/{ocid}").get_data(as_text=True)
    assert PRICE in record and party in record
    compiled = client.get(f"/api/records/{ocid}").get_json()["records"][0]["compiledRelease"]
    assert compiled["tender"]["numberOfTenderers"] == 1
    assert compiled["bids"]["details"][0]["value"] == {"amount": 987654.32, "currency": "MXN"}

    # A second opening is refused, and so is another unit's buyer.
    again = post_form(client, f"/buyer/tenders/{tender_id}/bids/open", {},
                      form_url=f"/buyer/tenders/{tender_id}/bids")  # fmt: skip
    assert again.status_code == 422
    assert "already been opened" in again.get_data(as_text=True)
    login_as(client, buyer(db))
    assert client.get(f"/buyer/tenders/{tender_id}/bids").status_code == 403
    assert client.get(f"/buyer/bids/{bid.id}/documents/1").status_code == 403


def test_form_errors_keep_input(client: FlaskClient, db: Session) -> None:
    tender, _owner = open_tender(db)
    _supplier, user = bidder(db)
    login_as(client, user)
    resp = submit(client, db, tender, **{"prices-0": "", "declarations": ""})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Offer a price for at least one lot." in text
    assert "Accept the declarations to submit a bid." in text
    assert NOTE_CANARY in text  # the note typed is kept
    assert db.scalar(select(Bid).where(Bid.tender_id == tender.id)) is None


def test_unverified_supplier_sees_the_refusal(client: FlaskClient, db: Session) -> None:
    tender, _owner = open_tender(db)
    _supplier, user = bidder(db, verified=False)
    login_as(client, user)
    resp = submit(client, db, tender)
    assert resp.status_code == 422
    assert "must be verified" in resp.get_data(as_text=True)


def test_withdraw_resubmit_and_disqualify(client: FlaskClient, db: Session) -> None:
    tender, owner = open_tender(db)
    tender_id = tender.id
    _supplier, user = bidder(db)
    login_as(client, user)
    assert submit(client, db, tender).status_code == 302
    first = db.scalar(select(Bid).where(Bid.tender_id == tender_id))
    assert first is not None
    resp = post_form(client, f"/supplier/bids/{first.id}/withdraw", {},
                     form_url=f"/supplier/bids/{first.id}")  # fmt: skip
    assert resp.status_code == 302
    db.expire_all()
    assert first.status == BidStatus.WITHDRAWN
    assert submit(client, db, tender, **{"prices-1": "1200.00"}).status_code == 302
    bids = db.scalars(select(Bid).where(Bid.tender_id == tender_id).order_by(Bid.id)).all()
    assert [b.status for b in bids] == [BidStatus.WITHDRAWN, BidStatus.SUBMITTED]
    listing = client.get("/supplier/bids").get_data(as_text=True)
    assert "Withdrawn" in listing and "Sealed" in listing
    # Another supplier cannot see or withdraw it.
    _other, stranger = bidder(db)
    login_as(client, stranger)
    assert client.get(f"/supplier/bids/{bids[1].id}").status_code == 404

    tender = db.get(Tender, tender_id)
    assert tender is not None
    pass_deadline(db, tender)
    login_as(client, owner)  # type: ignore[arg-type]
    assert post_form(client, f"/buyer/tenders/{tender_id}/bids/open", {},
                     form_url=f"/buyer/tenders/{tender_id}/bids").status_code == 302  # fmt: skip
    url = f"/buyer/bids/{bids[1].id}/disqualify"
    page = f"/buyer/tenders/{tender_id}/bids"
    prefix = f"b{bids[1].id}-"
    token = {f"{prefix}csrf_token": csrf_token(client, page)}
    short = post_form(client, url, {f"{prefix}reason": "no", **token}, form_url=page)
    assert short.status_code == 422
    assert "at least 10 characters" in short.get_data(as_text=True)
    ok = post_form(client, url, {f"{prefix}reason": "Sin garantía de cumplimiento.", **token},
                   form_url=page)  # fmt: skip
    assert ok.status_code == 302
    db.expire_all()
    assert bids[1].status == BidStatus.DISQUALIFIED
    assert "Sin garantía de cumplimiento." in client.get(page).get_data(as_text=True)


def test_pages_link_to_the_bid_form_and_the_opening(client: FlaskClient, db: Session) -> None:
    tender, owner = open_tender(db)
    _supplier, user = bidder(db)
    login_as(client, user)
    public = client.get(f"/processes/{tender.ocid}").get_data(as_text=True)
    assert f"/supplier/tenders/{tender.id}/bid" in public
    assert 'href="/supplier/bids"' in public  # the "My bids" menu entry
    login_as(client, owner)  # type: ignore[arg-type]
    page = client.get(f"/buyer/tenders/{tender.id}").get_data(as_text=True)
    assert f"/buyer/tenders/{tender.id}/bids" in page


def test_pages_render_in_spanish(client: FlaskClient, db: Session) -> None:
    tender, owner = open_tender(db)
    tender_id = tender.id
    _supplier, user = bidder(db)
    client.set_cookie("lang", "es")
    login_as(client, user)
    assert client.get(f"/supplier/tenders/{tender_id}/bid").status_code == 200
    assert submit(client, db, tender).status_code == 302
    bid = db.scalar(select(Bid).where(Bid.tender_id == tender_id))
    assert bid is not None
    assert client.get(f"/supplier/bids/{bid.id}").status_code == 200
    assert client.get("/supplier/bids").status_code == 200
    pass_deadline(db, tender)
    login_as(client, owner)  # type: ignore[arg-type]
    assert client.get(f"/buyer/tenders/{tender_id}/bids").status_code == 200
    page = f"/buyer/tenders/{tender_id}/bids"
    assert post_form(client, f"{page}/open", {}, form_url=page).status_code == 302
    assert client.get(page).status_code == 200
