"""Atom feeds: valid RFC 4287 documents for any search, a saved search (secret URL), a
buyer and a supplier; and saved-search alerts from `tianguis tick`, sent exactly once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role
from marketplace.db import utcnow
from marketplace.inbox.models import Message
from marketplace.publication.models import OcdsRecord
from marketplace.search.backend import SearchBackend
from marketplace.search.saved import save_search
from marketplace.ticks import run_due
from tests.factories import make_user
from tests.search.conftest import corpus_backend, lose_index
from tests.search.records import PREFIX, record, store

A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def backend(
    app: Flask,
    client: FlaskClient,
    db: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    backend_kind: str,
) -> SearchBackend:
    return corpus_backend(backend_kind, app, client, db, tmp_path / "index", monkeypatch)


def feed(client: FlaskClient, url: str) -> ET.Element:
    """The feed at ``url``, checked against what RFC 4287 requires of every feed."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)  # noqa: S314  (our own output, under test)
    assert root.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        element = root.find(f"{A}{name}")
        assert element is not None and (element.text or "").strip(), f"feed lacks {name}"
    _rfc3339(root.findtext(f"{A}updated"))
    # Without an author on every entry, the feed must have one.
    assert root.findtext(f"{A}author/{A}name")
    self_link = root.find(f"{A}link[@rel='self']")
    assert self_link is not None and self_link.get("href", "").startswith("http://localhost/")
    for entry in root.findall(f"{A}entry"):
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{A}{name}") or "").strip(), f"entry lacks {name}"
        _rfc3339(entry.findtext(f"{A}updated"))
        link = entry.find(f"{A}link")
        assert link is not None and link.get("href", "").startswith("http://localhost/")
    return root


def _rfc3339(text: str | None) -> dt.datetime:
    assert text and text.endswith("Z"), text
    return dt.datetime.fromisoformat(text)


def titles(root: ET.Element) -> list[str]:
    return [e.findtext(f"{A}title") or "" for e in root.findall(f"{A}entry")]


def test_search_feed_lists_matches_newest_first(
    client: FlaskClient, backend: SearchBackend
) -> None:
    root = feed(client, "/feeds/search.atom?q=licencia+OR+hosting")
    assert titles(root) == [
        "Cloud hosting licenses",  # 2025-06-01
        "Única oferta: licencia de antivirus",  # 2025-04-04
        "Licencias de software de oficina",  # 2025-01-15
    ]
    entry = root.findall(f"{A}entry")[1]
    assert entry.findtext(f"{A}id") == f"http://localhost/processes/{PREFIX}-7"
    assert "Soft, S.C." in (entry.findtext(f"{A}summary") or "")
    assert [c.get("term") for c in entry.findall(f"{A}category")] == ["R018"]
    # The feed's updated is its newest entry's.
    assert root.findtext(f"{A}updated") == "2025-06-01T00:00:00Z"


def test_search_page_links_its_feed(client: FlaskClient, backend: SearchBackend) -> None:
    html = client.get("/search?q=hosting&buyer=Secretar%C3%ADa+de+Salud").get_data(as_text=True)
    href = "/feeds/search.atom?q=hosting&amp;buyer=Secretar%C3%ADa+de+Salud"
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert href in html
    assert titles(feed(client, href.replace("&amp;", "&"))) == ["Cloud hosting licenses"]


def test_feed_escapes_text_and_survives_bad_parameters(
    client: FlaskClient, db: Session, backend: SearchBackend
) -> None:
    store(db, record(40, 'Cables & "conectores" <b>RJ45</b>', date="2026-01-01T00:00:00Z"))
    root = feed(client, "/feeds/search.atom?q=conectores&amount_min=abc&date_from=ayer&page=-3")
    assert titles(root) == ['Cables & "conectores" <b>RJ45</b>']


def test_a_filter_no_process_has_gives_an_empty_feed_not_everything(
    client: FlaskClient, backend: SearchBackend
) -> None:
    root = feed(client, "/feeds/search.atom?buyer=Nadie")
    assert titles(root) == []
    assert len(titles(feed(client, "/feeds/search.atom"))) == 8


def test_buyer_and_supplier_feeds_by_party_id(
    client: FlaskClient, db: Session, backend: SearchBackend
) -> None:
    root = feed(client, "/feeds/buyers/B-Secretar.atom")
    assert titles(root) == ["Red de datos y telecomunicaciones", "Cloud hosting licenses"]
    assert "Secretaría de Salud" in (root.findtext(f"{A}title") or "")
    compiled = record(41, "Firewall perimetral", supplier="Redes Seguras del Norte")
    compiled["awards"][0]["suppliers"][0]["id"] = "MX-RFC-RSN150312AB1"
    store(db, compiled)
    root = feed(client, "/feeds/suppliers/MX-RFC-RSN150312AB1.atom")
    assert titles(root) == ["Firewall perimetral"]
    assert "Redes Seguras del Norte" in (root.findtext(f"{A}title") or "")
    assert client.get("/feeds/buyers/999999.atom").status_code == 404
    assert client.get("/feeds/suppliers/MX-RFC-NOBODY.atom").status_code == 404


def test_feeds_answer_503_while_the_index_is_rebuilt(
    client: FlaskClient, db: Session, backend: SearchBackend
) -> None:
    lose_index(backend, db)
    for url in ("/feeds/search.atom?q=red", "/feeds/buyers/B-Secretar.atom"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "being rebuilt" in response.get_data(as_text=True)


def _alerts(db: Session, user_id: int) -> list[Message]:
    return list(
        db.scalars(
            select(Message).where(Message.user_id == user_id, Message.kind == "search.new_matches")
        )
    )


def _publish(db: Session, compiled: dict[str, Any], at: dt.datetime) -> None:
    """A record that changed at ``at`` (as publish() would leave it)."""
    store(db, compiled)
    row = db.get(OcdsRecord, compiled["ocid"])
    assert row is not None
    row.updated_at = at
    db.flush()


def test_saved_search_feed_and_alert_for_a_new_match_exactly_once(
    app: Flask, client: FlaskClient, db: Session, backend: SearchBackend
) -> None:
    owner = make_user(db, Role.BUYER)
    other = make_user(db, Role.SUPPLIER)
    saved = save_search(
        db, owner, "Licencias de Salud", "q=licencias+OR+hosting&buyer=Secretaría+de+Salud"
    )
    unrelated = save_search(db, other, "Impresoras", "q=impresora")
    db.commit()
    url = f"/feeds/saved/{saved.token}.atom"
    assert titles(feed(client, url)) == ["Cloud hosting licenses"]
    assert client.get(f"/feeds/saved/{saved.token}x.atom").status_code == 404
    assert client.get("/feeds/saved/not-a-token.atom").status_code == 404

    later = utcnow() + dt.timedelta(seconds=5)
    _publish(
        db,
        record(
            50,
            "Licencias de antivirus para hospitales",
            buyer="Secretaría de Salud",
            date="2026-02-01T00:00:00Z",
        ),
        later,
    )
    # Changes too, but does not match (another buyer).
    _publish(db, record(51, "Licencias de diseño", date="2026-02-02T00:00:00Z"), later)
    db.commit()
    tick_at = later + dt.timedelta(minutes=1)
    with app.app_context():
        summary = run_due(db, tick_at)
    db.commit()
    assert "1 alerts" in summary["marketplace.search.alert_ticks.saved_search_alerts"]

    alerts = _alerts(db, owner.id)
    assert len(alerts) == 1
    assert "Licencias de Salud" in alerts[0].subject
    assert f"Licencias de antivirus para hospitales ({PREFIX}-50)" in alerts[0].body
    assert "Licencias de diseño" not in alerts[0].body
    assert alerts[0].link == "/search?buyer=Secretar%C3%ADa+de+Salud&q=licencias+OR+hosting"
    assert _alerts(db, other.id) == []
    assert unrelated.last_checked_at == tick_at
    # The new process is at the top of the saved search's feed.
    assert titles(feed(client, url))[0] == "Licencias de antivirus para hospitales"

    # Running the tick again (same time or later) announces nothing twice.
    with app.app_context():
        run_due(db, tick_at)
        run_due(db, tick_at + dt.timedelta(hours=1))
    db.commit()
    assert len(_alerts(db, owner.id)) == 1

    # A later change to a matching process is announced once more, as an update.
    changed = record(
        50,
        "Licencias de antivirus para hospitales (adjudicada)",
        buyer="Secretaría de Salud",
        date="2026-02-01T00:00:00Z",
    )
    _publish(db, changed, tick_at + dt.timedelta(hours=2))
    with app.app_context():
        run_due(db, tick_at + dt.timedelta(hours=3))
    db.commit()
    alerts = _alerts(db, owner.id)
    assert (
        len(alerts) == 2 and "(adjudicada)" in alerts[-1].body or "(adjudicada)" in alerts[0].body
    )


def test_processes_changed_before_a_search_was_saved_are_not_announced(
    app: Flask, db: Session, backend: SearchBackend
) -> None:
    earlier = utcnow() - dt.timedelta(minutes=10)
    _publish(db, record(60, "Licencias de respaldo", date="2026-03-01T00:00:00Z"), earlier)
    owner = make_user(db, Role.FINANCE)
    save_search(db, owner, "Licencias", "q=licencias")
    db.commit()
    with app.app_context():
        run_due(db, utcnow() + dt.timedelta(minutes=1))
    assert _alerts(db, owner.id) == []
