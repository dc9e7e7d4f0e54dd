"""Issue #4's canary, walked wide: a sealed bid's price, note and document appear on no
page another supplier (or anyone) can open before the opening — every public page from
the URL map and every page of a logged-in supplier, feeds and CSV exports included, the
API, the search index, the bulk files and the public audit log — and another supplier
can neither read nor withdraw the bid, before or after the opening. The document's bytes
never become public.

(tests/test_bids_web.py holds the first canary test, through the process page, the API,
the audit page, search and the JSON Lines file; this one walks everything.)
"""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.bids.models import Bid, BidStatus
from marketplace.publication.bulk import write_csv, write_jsonl_gz
from marketplace.search.sync import reindex
from marketplace.tenders.models import Tender
from tests.access import ANON
from tests.bid_helpers import bidder
from tests.factories import login_as, post_form
from tests.test_bids_web import (
    DOC_CANARY,
    NOTE_CANARY,
    PRICE,
    open_tender,
    pass_deadline,
    submit,
)
from tests.test_public_pages_walk import public_urls

#: Data files that take a name (the walk cannot guess it).
DATA_FILES = ("/analytics/spend-by-buyer.csv", "/analytics/bidders.csv", "/search.csv")


def all_text(client: FlaskClient, app: Flask, db: Session, role: str, tmp: Path) -> str:
    """Everything ``client`` (logged in as ``role``) can read that could hold a bid."""
    urls = [u for _e, u in public_urls(app, db, role, with_files=True)]
    urls += [*DATA_FILES, "/api/records", "/api/search?q=*"]
    texts = []
    for url in urls:
        with client.get(url) as response:
            texts.append(f"{url} {response.status_code}\n{response.get_data(as_text=True)}")
    next_url: str | None = "/api/releases"
    while next_url:
        package = client.get(next_url).get_json()
        texts.append(json.dumps(package, ensure_ascii=False))
        link = (package.get("links") or {}).get("next")
        next_url = link.replace("http://localhost", "") if link else None
    write_jsonl_gz(db, tmp / "all.jsonl.gz")
    texts.append(gzip.decompress((tmp / "all.jsonl.gz").read_bytes()).decode())
    write_csv(db, tmp / "all.csv.zip")
    with zipfile.ZipFile(tmp / "all.csv.zip") as archive:
        texts += [archive.read(name).decode() for name in archive.namelist()]
    return "\n".join(texts)


def test_a_sealed_bid_is_on_nothing_another_supplier_can_open(
    client: FlaskClient, app: Flask, db: Session, tmp_path: Path
) -> None:
    client.set_cookie("lang", "en")
    tender, owner = open_tender(db)
    tender_id = tender.id
    _author, author = bidder(db)
    login_as(client, author)
    assert submit(client, db, tender).status_code == 302
    bid = db.scalar(select(Bid).where(Bid.tender_id == tender_id))
    assert bid is not None
    bid_id, commitment = bid.id, bid.commitment
    original_index = app.config["SEARCH_INDEX_DIR"]
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "index")
    try:
        reindex(db, tmp_path / "index")
        _rival, rival = bidder(db)
        rival_id, owner_id = rival.id, owner.id  # type: ignore[attr-defined]
        login_as(client, rival)
        seen = all_text(client, app, db, "supplier", tmp_path)
        # (The bulk export detaches every loaded object: they are loaded again below.)
        client.get("/account/logout")
        anonymous = all_text(app.test_client(), app, db, ANON, tmp_path)
        for secret in (NOTE_CANARY, DOC_CANARY.decode(), PRICE, "987654", "987,654"):
            assert secret not in seen, secret
            assert secret not in anonymous, secret
        assert commitment in anonymous  # the walk reached the process's pages

        # The rival cannot read or withdraw it, nor open its document.
        rival = db.get(User, rival_id)
        assert rival is not None
        login_as(client, rival)
        assert client.get(f"/supplier/bids/{bid_id}").status_code == 404
        refused = post_form(client, f"/supplier/bids/{bid_id}/withdraw", {},
                            form_url="/supplier/bids")  # fmt: skip
        assert refused.status_code in (403, 404)
        assert client.get(f"/buyer/bids/{bid_id}/documents/1").status_code == 403
        db.expire_all()
        reloaded = db.get(Bid, bid_id)
        assert reloaded is not None and reloaded.status == BidStatus.SUBMITTED

        # Opened: the price is public now; the document's bytes and the bid's private
        # pages still are not.
        tender, owner = db.get(Tender, tender_id), db.get(User, owner_id)
        assert tender is not None and owner is not None
        pass_deadline(db, tender)
        login_as(client, owner)
        opened = post_form(client, f"/buyer/tenders/{tender_id}/bids/open", {},
                           form_url=f"/buyer/tenders/{tender_id}/bids")  # fmt: skip
        assert opened.status_code == 302
        reindex(db, tmp_path / "index")
        rival = db.get(User, rival_id)
        assert rival is not None
        login_as(client, rival)
        after = all_text(client, app, db, "supplier", tmp_path)
        assert "987654.32" in after  # the opening disclosed it
        assert DOC_CANARY.decode() not in after
        assert client.get(f"/supplier/bids/{bid_id}").status_code == 404
        assert client.get(f"/buyer/bids/{bid_id}/documents/1").status_code == 403
    finally:
        app.config["SEARCH_INDEX_DIR"] = original_index
