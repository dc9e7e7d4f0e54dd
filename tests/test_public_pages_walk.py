"""Every public page on the demo data, walked from the URL map (issue #6): each answers
200 without JavaScript, is at most 60 KB with its stylesheets (the app does not compress
HTML, so the uncompressed bytes are what is transferred), declares its language, has
one ``h1`` and headings that never skip a level, labels every form control and gives
every image a text alternative.

Routes with arguments get sample values from the demo (every process, every framework,
up to ten suppliers and buyers); routes that do not answer with an HTML page (the API,
files, feeds, redirects, one-time tokens) are listed in ``NOT_PAGES`` and skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db import get_database
from app.extensions import limiter
from marketplace.frameworks.models import Admission, Framework, Listing
from marketplace.publication.models import OcdsRecord
from marketplace.suppliers.models import Supplier
from tests.access import ANON, topic_routes
from tests.test_access_matrix import EXPECTED

#: The budget of a page and its stylesheets, in bytes (issue #6: "≤ 60 KB transferred").
BUDGET = 60 * 1024
#: Public GET routes that are not HTML pages (their own tests cover them).
NOT_PAGES = frozenset({
    "static", "i18n.switch", "auth.reset_password", "public.analytics_csv",
    "public.bulk_file", "public.case_public_pdf", "public.assets_feed", "public.buyer_feed",
    "public.saved_search_feed", "public.search_feed", "public.supplier_feed",
    "public.supplier_party_json", "public.search_csv", "public.ocds_extension_file",
    "supplier.category_search",
})  # fmt: skip
#: Input types that need no label.
UNLABELLED_INPUTS = frozenset({"hidden", "submit", "button", "image", "reset"})


@dataclass
class Page:
    """What the checks need from one page's HTML."""

    lang: str = ""
    headings: list[int] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    controls: list[tuple[str, dict[str, str], bool]] = field(default_factory=list)
    images_without_alt: int = 0
    stylesheets: list[str] = field(default_factory=list)
    #: Inline scripts, scripts loaded without ``defer``, ``on…=`` handlers, ``javascript:``
    #: links: what a page could need JavaScript for (a deferred file may only enhance).
    needs_script: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._in_label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        handlers = [k for k in a if k.startswith("on")]
        if handlers or a.get("href", "").strip().lower().startswith("javascript:"):
            self.page.needs_script.append(f"<{tag} {' '.join(handlers) or 'href=javascript:'}>")
        if tag == "html":
            self.page.lang = a.get("lang", "")
        elif re.fullmatch(r"h[1-6]", tag):
            self.page.headings.append(int(tag[1]))
        elif tag == "label":
            self._in_label += 1
            if a.get("for"):
                self.page.label_for.add(a["for"])
        elif tag in ("input", "select", "textarea"):
            if not (tag == "input" and a.get("type", "text") in UNLABELLED_INPUTS):
                self.page.controls.append((tag, a, self._in_label > 0))
        elif tag == "img" and "alt" not in a:
            self.page.images_without_alt += 1
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.page.stylesheets.append(a.get("href", ""))
        elif tag == "script" and not (a.get("src") and "defer" in a):
            self.page.needs_script.append("inline or blocking <script>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._in_label = max(0, self._in_label - 1)


def parse(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    return parser.page


def problems_of(page: Page, size: int) -> list[str]:
    """What keeps a page from meeting the rules (empty when it meets them all)."""
    found = []
    if size > BUDGET:
        found.append(f"{size:,} bytes with its stylesheets (budget {BUDGET:,})")
    if not page.lang:
        found.append("no lang on <html>")
    if page.headings.count(1) != 1:
        found.append(f"{page.headings.count(1)} h1 headings")
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        if after > before + 1:
            found.append(f"heading h{before} followed by h{after}")
            break
    for tag, attrs, wrapped in page.controls:
        named = wrapped or attrs.get("id", "\0") in page.label_for
        if not (named or attrs.get("aria-label") or attrs.get("aria-labelledby")):
            found.append(f"unlabelled <{tag} name={attrs.get('name', '')!r}>")
    if page.images_without_alt:
        found.append(f"{page.images_without_alt} images without alt")
    if page.needs_script:
        found.append(f"needs JavaScript: {', '.join(page.needs_script)}")
    return found


def test_the_checks_catch_what_they_look_for() -> None:
    bad = parse(
        '<html><h1>A</h1><h3>skip</h3><h1>again</h1><input name="q"><select id="s"></select>'
        '<img src="x.png"><script src="app.js"></script><a href="#" onclick="go()">x</a>'
    )
    found = problems_of(bad, BUDGET + 1)
    assert len(found) == 8, found
    assert "<script>, <a onclick>" in found[-1]
    good = parse(
        '<html lang="es"><h1>A</h1><h2>B</h2><h3>C</h3><h2>D</h2><label>Q <input name="q">'
        '</label><label for="s">S</label><select id="s"></select><input type="hidden">'
        '<input aria-label="Buscar"><img src="x.png" alt=""><script src="a.js" defer></script>'
        "</html>"
    )
    assert problems_of(good, BUDGET) == []


@pytest.fixture(scope="module")
def demo(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """The demo loaded in a transaction rolled back at the end, with its search index."""
    from app.buyer.opening import bid_secret
    from app.search_support import drain_outbox
    from marketplace.demo import load_demo

    database = get_database(app)
    connection = database.engine.connect()
    outer = connection.begin()
    original = database.sessionmaker
    database.sessionmaker = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    old_index, was_limited = app.config["SEARCH_INDEX_DIR"], limiter.enabled
    app.config["SEARCH_INDEX_DIR"] = str(Path(tmp_path_factory.mktemp("walk-index")))
    limiter.enabled = False
    session = database.sessionmaker()
    try:
        with app.app_context():
            load_demo(session, processes=8, seed=3, bid_secret=bid_secret())
        with app.test_request_context():
            drain_outbox()
        yield session
    finally:
        session.close()
        limiter.enabled = was_limited
        app.config["SEARCH_INDEX_DIR"] = old_index
        database.sessionmaker = original
        outer.rollback()
        connection.close()


def samples(session: Session) -> dict[str, list[object]]:
    """Values for each argument name of the public routes, from the demo data."""
    records = session.scalars(select(OcdsRecord).order_by(OcdsRecord.ocid)).all()
    buyers = sorted({r.compiled.get("buyer", {}).get("id", "") for r in records} - {""})
    suppliers = session.scalars(select(Supplier).order_by(Supplier.id).limit(10)).all()
    return {
        "ocid": [r.ocid for r in records],
        # Buyers' (their pages and feeds) and a few suppliers' (their feeds).
        "party_id": buyers[:10] + [s.party_id for s in suppliers[:3]],
        "supplier_id": [s.id for s in suppliers],
        "framework_id": list(session.scalars(select(Framework.id).order_by(Framework.id))),
    }


def compare_query(session: Session, framework_id: object) -> str:
    """Four listings of the framework to compare (the page needs two to four)."""
    ids = session.scalars(
        select(Listing.id)
        .join(Admission, Listing.admission_id == Admission.id)
        .where(Admission.framework_id == framework_id, Listing.active.is_(True))
        .order_by(Listing.id)
        .limit(4)
    )
    return "?" + "&".join(f"listing={i}" for i in ids)


def public_urls(
    app: Flask, session: Session, role: str = ANON, *, with_files: bool = False
) -> list[tuple[str, str]]:
    """(endpoint, URL) of every GET page ``role`` may open, once per combination of
    sample values. The public pages must all have samples; for a logged-in role (or with
    ``with_files``: feeds, CSV and JSON too) routes needing other arguments are left out."""
    routes = {**EXPECTED, **topic_routes()}
    values = samples(session)
    urls: list[tuple[str, str]] = []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in (rule.methods or ()) or role not in routes.get(rule.endpoint, ()):
                continue
            if rule.endpoint.startswith("api.") or rule.endpoint in ("static", "i18n.switch"):
                continue
            if rule.endpoint in NOT_PAGES and not with_files:
                continue
            names = sorted(rule.arguments)
            missing = [n for n in names if n not in values]
            if missing and (role != ANON or with_files):
                continue
            assert not missing, f"{rule.endpoint}: no sample for {missing} (add one or skip it)"
            combos: list[dict[str, object]] = [{}]
            for name in names:
                combos = [{**c, name: v} for c in combos for v in values[name]]
            for combo in combos:
                url = urlsplit(url_for(rule.endpoint, **combo)).path
                if rule.endpoint == "public.framework_compare":
                    url += compare_query(session, combo["framework_id"])
                urls.append((rule.endpoint, url))
    return urls


def test_every_public_page_is_small_labelled_and_well_structured(app: Flask, demo: Session) -> None:
    urls = public_urls(app, demo)
    assert len(urls) >= 30  # every process, framework, supplier and buyer of the demo
    client: FlaskClient = app.test_client()
    sheets: dict[str, int] = {}
    report: dict[str, list[str]] = {}
    shown: set[str] = set()  # endpoints with at least one page answered 200
    largest = (0, "")
    for lang in ("es", "en"):
        client.set_cookie("lang", lang)
        for endpoint, url in urls:
            response = client.get(url)
            # A sample may be refused (an unverified supplier's page, the complaints of
            # a process with no award): the refusal page must meet the rules too.
            if response.status_code == 200:
                shown.add(endpoint)
            elif response.status_code not in (400, 404):
                report[f"{lang} {url}"] = [f"HTTP {response.status_code}"]
                continue
            if response.mimetype != "text/html":
                continue
            page = parse(response.get_data(as_text=True))
            for href in page.stylesheets:
                if href not in sheets:
                    with client.get(urlsplit(href).path) as sheet:
                        sheets[href] = len(sheet.data)
            size = len(response.data) + sum(sheets[h] for h in page.stylesheets)
            largest = max(largest, (size, url))
            found = problems_of(page, size)
            if found:
                report[f"{lang} {url}"] = found
    assert not report, "\n".join(f"{url}: {'; '.join(p)}" for url, p in report.items())
    never = sorted({e for e, _url in urls} - shown)
    assert not never, f"no sample page answered 200: {never}"
    assert largest[0] <= BUDGET, largest
    print(f"\n{len(urls)} URLs x 2 languages; largest page with its stylesheets: "
          f"{largest[0]:,} bytes ({largest[1]})")  # fmt: skip
