"""The public process page, built from published releases (hand-built, valid OCDS,
published through ``marketplace.publication.services.publish``)."""

from __future__ import annotations

import gzip
import json
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from marketplace.accounts.models import OrgKind, Role
from marketplace.audit.services import record as audit
from marketplace.bids.crypto import commitment
from marketplace.publication.models import OcdsRecord, OcdsRelease
from marketplace.publication.services import publish
from tests.factories import make_org, make_user

OCID = "ocds-tgs001-pp1"
BUYER = {"id": "MX-CDMX-ADIP", "name": "Agencia Digital de Innovación Pública"}
S1 = {"id": "MX-RFC-AAA010101AA1", "name": "Cómputo del Valle"}
S2 = {"id": "MX-RFC-BBB010101BB2", "name": "Redes del Sur"}
BID_1 = json.dumps({"bid": "bid-1", "prices": [{"lot": "", "amount": "85000"}]}, sort_keys=True)
BID_2 = json.dumps({"bid": "bid-2", "prices": [{"lot": "", "amount": "80000"}]}, sort_keys=True)


def english(client: FlaskClient) -> None:
    client.set_cookie("lang", "en")


def page(client: FlaskClient, ocid: str = OCID) -> str:
    resp = client.get(f"/processes/{ocid}")
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def plain(html: str) -> str:
    """The visible text, tags removed and spaces collapsed."""
    collapsed = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return collapsed.replace(" .", ".").replace(" :", ":")


def section(html: str, section_id: str) -> str:
    """The visible text of one section of the page."""
    start = html.index(f'<section id="{section_id}"')
    return plain(html[start : html.index("</section>", start)])


def _tender(status: str = "active", **extra: Any) -> dict[str, Any]:
    return {
        "id": f"{OCID}-tender",
        "title": "Laptops para escuelas",
        "status": status,
        "procurementMethod": "open",
        "value": {"amount": 90000, "currency": "MXN"},
        "tenderPeriod": {"startDate": "2026-03-01T10:00:00Z", "endDate": "2026-03-20T10:00:00Z"},
        "items": [
            {
                "id": "1",
                "description": "Laptop, 16 GB",
                "quantity": 10,
                "classification": {"scheme": "UNSPSC", "id": "43211503"},
                "unit": {"name": "pieza", "value": {"amount": 8500, "currency": "MXN"}},
            }
        ],
        "documents": [
            {
                "id": "doc-1",
                "documentType": "biddingDocuments",
                "title": "Convocatoria",
                "url": "https://example.org/convocatoria.pdf",
            },
            {
                "id": "doc-2",
                "documentType": "technicalSpecifications",
                "title": "Anexo técnico",
                "url": "javascript:alert(1)",
            },
        ],
        **extra,
    }


def _commitment_doc(canonical: str) -> dict[str, Any]:
    return {"id": "commitment", "documentType": "submissionDocuments",
            "description": commitment(canonical)}  # fmt: skip


def _bids(opened: bool) -> dict[str, Any]:
    details = []
    for bid_id, canonical, supplier, amount, status in (
        ("bid-1", BID_1, S1, 85000, "valid"),
        ("bid-2", BID_2, S2, 80000, "disqualified"),
    ):
        detail: dict[str, Any] = {
            "id": bid_id,
            "date": "2026-03-10T10:00:00Z",
            "status": status if opened else "pending",
            "documents": [_commitment_doc(canonical)],
        }
        if opened:
            detail["tenderers"] = [supplier]
            detail["value"] = {"amount": amount, "currency": "MXN"}
            # bid-2's disclosed text is not what was committed to.
            disclosed = canonical if bid_id == "bid-1" else canonical.replace("80000", "79000")
            detail["documents"] = [
                *detail["documents"],
                {"id": "disclosure", "documentType": "submissionDocuments",
                 "description": disclosed},
            ]  # fmt: skip
        details.append(detail)
    return {"details": details}


def base(tag: str, date: str, **sections: Any) -> dict[str, Any]:
    return {
        "ocid": OCID,
        "date": date,
        "tag": [tag],
        "initiationType": "tender",
        "parties": [{**BUYER, "roles": ["buyer", "procuringEntity"]}],
        "buyer": dict(BUYER),
        **sections,
    }


def publish_full_process(db: Session) -> list[str]:
    """Tender → sealed bids → opening → award → contract with payments. Release ids."""
    award = {
        "id": "award-1",
        "title": "Laptops",
        "status": "active",
        "date": "2026-03-25T10:00:00Z",
        "value": {"amount": 85000, "currency": "MXN"},
        "suppliers": [S1],
    }
    contract = {
        "id": "contract-1",
        "awardID": "award-1",
        "title": "Contrato de laptops",
        "status": "active",
        "dateSigned": "2026-04-01T10:00:00Z",
        "value": {"amount": 85000, "currency": "MXN"},
        "period": {"startDate": "2026-04-01T00:00:00Z", "endDate": "2026-12-31T00:00:00Z"},
        "amendments": [
            {
                "id": "am-1",
                "date": "2026-05-01T10:00:00Z",
                "rationale": "Cambio de domicilio de entrega",
            }
        ],  # fmt: skip
        "milestones": [
            {
                "id": "m-1",
                "title": "Entrega de equipos",
                "type": "delivery",
                "status": "met",
                "dueDate": "2026-05-15T00:00:00Z",
                "dateMet": "2026-05-10T00:00:00Z",
            }
        ],  # fmt: skip
        "implementation": {
            "transactions": [
                {
                    "id": "tx-1",
                    "date": "2026-05-20T10:00:00Z",
                    "value": {"amount": 42500, "currency": "MXN"},
                    "payer": dict(BUYER),
                    "payee": dict(S1),
                }
            ]
        },
    }
    parties = [
        {**BUYER, "roles": ["buyer", "procuringEntity"]},
        {**S1, "roles": ["tenderer", "supplier"]},
        {**S2, "roles": ["tenderer"]},
    ]
    releases = [
        base("tender", "2026-03-01T10:00:00Z", tender=_tender()),
        base("tenderUpdate", "2026-03-10T10:00:00Z", tender=_tender(), bids=_bids(False)),
        base(
            "tenderUpdate",
            "2026-03-21T10:00:00Z",
            tender=_tender(),
            bids=_bids(True),
            parties=parties,
        ),  # fmt: skip
        base("award", "2026-03-25T10:00:00Z", awards=[award], parties=parties),
        base(
            "contract",
            "2026-04-01T10:00:00Z",
            tender=_tender("complete"),
            contracts=[contract],
            parties=parties,
        ),  # fmt: skip
    ]
    return [publish(db, release).id for release in releases]


def test_the_page_tells_the_whole_story_from_the_published_data(
    client: FlaskClient, db: Session
) -> None:
    ids = publish_full_process(db)
    english(client)
    html = page(client)
    text = plain(html)
    # Tender, items, documents (only web links are links).
    assert "Laptops para escuelas" in text and "Laptop, 16 GB" in text and "43211503" in text
    assert 'href="https://example.org/convocatoria.pdf"' in html
    assert "javascript:" not in html and "Anexo técnico" in text
    # Timeline: tags in words, oldest first, with what changed.
    timeline = section(html, "timeline")
    print(timeline)
    assert (
        timeline.index("Tender published")
        < timeline.index("Tender updated")
        < timeline.index("Award")
        < timeline.index("Contract signed")
    )
    assert "First publication of this process" in timeline
    assert "tender.status: active → complete" in timeline
    assert (
        "awards added: award-1 — Laptops — Cómputo del Valle — 85,000.00 MXN (Active)" in timeline
    )
    assert "bids.details[bid-1].status: pending → valid" in timeline
    # Bids after opening: one matches its commitment, one does not.
    assert "This bid matches the hash published on" in text
    assert "this bid does NOT match the hash published on" in text
    # Award, contract, amendment, milestone, payment.
    assert "Contrato de laptops" in text and "Cambio de domicilio de entrega" in text
    assert "Entrega de equipos" in text and "42,500.00 MXN" in text
    # Red flags raised by these data, with reasons in words.
    assert "R036" in text and "The lowest bid (80,000.00 MXN) was disqualified" in text
    assert "R035" in text and "leaving Cómputo del Valle as the only valid bidder" in text
    # Links to the JSON: the record, the versioned record, each release.
    assert f'href="/api/records/{OCID}"' in html
    assert f'href="/api/records/{OCID}?versioned=1"' in html
    for release_id in ids:
        assert f'href="/api/releases/{release_id}"' in html
    assert "<script" not in html


def test_commitment_check_names_the_date_of_first_publication(
    client: FlaskClient, db: Session
) -> None:
    publish_full_process(db)
    english(client)
    html = page(client)
    row = plain(
        html[html.index('id="bid-bid-1"') : html.index("</tr>", html.index('id="bid-bid-1"'))]
    )
    # The commitment was first published by the release of 10 March, not the opening's.
    assert "Mar 10, 2026" in row, row
    assert commitment(BID_1)[:12] in row


def test_timeline_names_the_organisation_never_the_person(client: FlaskClient, db: Session) -> None:
    ids = publish_full_process(db)
    org = make_org(db, OrgKind.BUYER, name="Unidad de Compras Centrales")
    person = make_user(db, Role.BUYER, org)
    audit(db, "bids.opened", "tender", 1, actor_user_id=person.id, actor_org_id=org.id,
          details={"ocid": OCID, "release": ids[2]}, public=True)  # fmt: skip
    # A private event naming a release is not shown.
    hidden = make_org(db, OrgKind.BUYER, name="Organismo Privado")
    audit(db, "tender.draft_saved", "tender", 1, actor_org_id=hidden.id,
          details={"release": ids[3]}, public=False)  # fmt: skip
    english(client)
    text = plain(page(client))
    assert "Bids opened" in text
    assert "by Unidad de Compras Centrales" in text
    assert person.email not in text and "Organismo Privado" not in text


def test_unknown_ocid_is_a_404_page(client: FlaskClient, db: Session) -> None:
    english(client)
    resp = client.get("/processes/ocds-tgs001-nope")
    assert resp.status_code == 404
    assert "<html" in resp.get_data(as_text=True)


def test_malformed_published_data_still_renders(client: FlaskClient, db: Session) -> None:
    """Rows written without validation (older data, a bug): every section degrades."""
    ocid = "ocds-tgs001-broken"
    weird: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-1",
        "date": "not a date",
        "tag": "tender",
        "tender": {
            "title": ["a list"],
            "items": "none",
            "value": {"amount": "lots"},
            "documents": [{"url": 3}, "x"],
            "tenderPeriod": "soon",
        },  # fmt: skip
        "bids": {"details": [None, {"id": "b1", "documents": "nope", "value": 5}]},
        "awards": "nothing",
        "contracts": [
            {
                "id": "c1",
                "implementation": {"transactions": [{"value": "x"}, 7]},
                "milestones": [{"dueDate": 12}],
                "amendments": "no",
            }
        ],  # fmt: skip
    }
    import datetime as dt

    when = dt.datetime(2026, 1, 1)
    db.add(OcdsRelease(id=f"{ocid}-1", ocid=ocid, sequence=1, date=when, tags=["tender"],
                       data=weird, sha256="0" * 64))  # fmt: skip
    db.add(OcdsRelease(id=f"{ocid}-2", ocid=ocid, sequence=2, date=when, tags=[],
                       data=["not", "a", "release"], sha256="0" * 64))  # type: ignore[arg-type]  # fmt: skip
    db.add(OcdsRecord(ocid=ocid, compiled=weird, release_count=2, first_release_date=when,
                      last_release_date=when, year=2026))  # fmt: skip
    db.flush()
    english(client)
    text = plain(page(client, ocid))
    assert "Timeline" in text and "c1" in text and "b1" in text


def test_big_process_page_is_small_enough_for_a_phone(client: FlaskClient, db: Session) -> None:
    """60 bids and 12 releases: HTML + CSS within 60 KB (gzip included when served so)."""
    ocid = "ocds-tgs001-big"
    details = [
        {
            "id": f"bid-{n}",
            "date": "2026-03-10T10:00:00Z",
            "status": "valid",
            "tenderers": [{"id": f"MX-RFC-S{n:03d}", "name": f"Proveedor Número {n} SA de CV"}],
            "value": {"amount": 100000 + n * 137, "currency": "MXN"},
            "documents": [
                _commitment_doc(f"bid {n}"),
                {"id": "disclosure", "description": f"bid {n}"},
            ],  # fmt: skip
        }
        for n in range(60)
    ]
    parties = [{**BUYER, "roles": ["buyer"]}, {**S1, "roles": ["supplier"]}] + [
        {**d["tenderers"][0], "roles": ["tenderer"]} for d in details
    ]
    releases = [base("tender", "2026-03-01T10:00:00Z", tender=_tender())]
    for n in range(10):
        releases.append(
            base(
                "tenderUpdate",
                f"2026-03-{n + 2:02d}T10:00:00Z",
                parties=parties,
                tender=_tender(description=f"Versión {n}"),
                bids={"details": details[: 6 * (n + 1)]},
            )
        )
    award = {"id": "award-1", "status": "active", "suppliers": [S1]}
    releases.append(base("award", "2026-03-25T10:00:00Z", parties=parties, awards=[award]))
    for release in releases:
        release["ocid"] = ocid
        publish(db, release)
    english(client)
    resp = client.get(f"/processes/{ocid}")
    assert resp.status_code == 200
    html = resp.get_data()
    static = client.get("/static/style.css")
    css = static.get_data()
    static.close()
    gzipped = resp.headers.get("Content-Encoding") == "gzip"
    size = len(html) + len(css) if not gzipped else len(gzip.compress(html + css))
    assert size <= 60 * 1024, size
    text = plain(html.decode())
    assert text.count("This bid matches the hash published on") == 60
    assert "and 1 more change" in text or "more changes" in text


def test_spanish_page(client: FlaskClient, db: Session) -> None:
    publish_full_process(db)
    client.set_cookie("lang", "es")
    html = page(client)
    assert '<html lang="es">' in html
    assert "Procedimientos de contratación" in html and "Unidad compradora" in html


def test_audit_search_finds_the_same_events_as_a_scan(db: Session) -> None:
    """The seq search behind "who acted" agrees with reading the whole log."""
    import datetime as dt

    from sqlalchemy import func, select

    from app.public.process_view import _first_seqs
    from marketplace.audit.models import AuditEvent

    start = (db.scalar(select(func.max(AuditEvent.seq))) or 0) + 1
    base_time = dt.datetime(2030, 1, 1)
    for n in range(300):  # several events may share a second, as in a busy log
        db.add(AuditEvent(seq=start + n, occurred_at=base_time + dt.timedelta(seconds=n // 3),
                          action="x.y", object_type="t", object_id="1", details={},
                          public=True, prev_hash="0" * 64, hash="0" * 64))  # fmt: skip
    db.flush()
    log = list(db.execute(select(AuditEvent.seq, AuditEvent.occurred_at).order_by(AuditEvent.seq)))
    probes = [base_time + dt.timedelta(seconds=s) for s in (-5, 0, 1, 17, 57, 99, 100, 500)]
    expected = [next((seq for seq, at in log if at >= t), log[-1][0] + 1) for t in probes]
    assert _first_seqs(db, probes) == expected


def test_imported_process_names_its_publisher_and_offers_no_actions(
    client: FlaskClient, db: Session
) -> None:
    import datetime as dt

    from marketplace.publication.import_models import RELEASE, ImportedRelease

    ocid = "ocds-other1-77"
    first = base("tender", "2025-02-01T10:00:00Z", tender=_tender())
    second = base("award", "2025-03-01T10:00:00Z", tender={"id": f"{OCID}-tender",
                  "status": "complete"}, awards=[{"id": "a-9", "status": "active",
                  "suppliers": [S2], "value": {"amount": 70000, "currency": "MXN"}}])  # fmt: skip
    state: dict[str, Any] = {}
    from ocds.diff import merge

    for n, release in enumerate((first, second), start=1):
        release.update(ocid=ocid, id=f"their-release-{n}")
        state = merge(state, release)
        db.add(ImportedRelease(ocid=ocid, release_id=release["id"], kind=RELEASE,
                               date=dt.datetime(2025, n + 1, 1, 10), data=release,
                               sha256="0" * 64, publisher_name="Gobierno de Ejemplo",
                               source=f"file.json line {n}"))  # fmt: skip
    db.add(OcdsRecord(ocid=ocid, compiled=state, release_count=2, year=2025,
                      publisher_name="Gobierno de Ejemplo",
                      first_release_date=dt.datetime(2025, 2, 1),
                      last_release_date=dt.datetime(2025, 3, 1)))  # fmt: skip
    db.flush()
    english(client)
    html = page(client, ocid)
    text = plain(html)
    assert "Published by Gobierno de Ejemplo (imported, read-only)" in text
    timeline = section(html, "timeline")
    assert "their-release-1" in html and "Award" in timeline
    assert "awards added: a-9 — Redes del Sur — 70,000.00 MXN (Active)" in timeline
    assert "tender.status: active → complete" in timeline
    assert "/api/records/" not in html and "/api/releases/" not in html
    assert "<form" not in html.split('<main id="main">')[1]


def test_our_published_tender_page_shows_live_data_and_the_complaints_link(
    client: FlaskClient, db: Session
) -> None:
    from marketplace.db import utcnow
    from marketplace.tenders.services import publish_tender
    from tests.tender_helpers import buyer, drafted_tender

    owner = buyer(db)
    now = utcnow()
    tender = drafted_tender(db, owner, now=now)
    draft_html = (english(client), page(client, tender.ocid))[1]
    assert "/complaints" not in draft_html  # a process in planning has no complaints page
    publish_tender(db, tender, owner, now=now)
    html = page(client, tender.ocid)
    assert f'href="/processes/{tender.ocid}/complaints"' in html
    timeline = section(html, "timeline")
    # The buyer's organisation is named for the publication it made.
    assert "Tender published" in timeline and f"by {owner.organisation.name}" in timeline
    assert timeline.index("Process started") < timeline.index("Tender published")
    assert owner.name not in html and owner.email not in html
