"""Security headers and a CSP without 'unsafe-inline' that the pages actually satisfy.

The crawl starts from every GET route of the access matrix that the role may reach
(sample URLs, as the matrix test builds them) plus the home page and the pages of a
published tender and a verified supplier, follows the links of each HTML page, and fails
on any inline ``style=`` attribute, ``on...=`` handler, ``javascript:`` URL, or
``<script>``/``<style>`` element without this response's nonce: the browser would
refuse them, so the page would be broken or unstyled for a real user.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app import create_app
from app.db import get_database
from marketplace.accounts.models import Role
from tests.access import ANON, EVERYONE
from tests.bid_helpers import tendering
from tests.factories import login_as, make_user
from tests.supplier_helpers import make_supplier
from tests.test_access_matrix import EXPECTED, _sample_url

#: Links that change state on GET or leave the session, and large downloads.
_SKIP = re.compile(r"^/(account/logout|lang/|static/|bulk/.+|ocds/extensions/)|\.(csv|pdf)$")
_NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")


class _InlineFinder(HTMLParser):
    """Collects what a strict CSP would block, and the page's same-site links."""

    def __init__(self, nonce: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            if name == "style":
                self.problems.append(f'<{tag} style="{value}">')
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:...>")
        if tag == "script" and "src" not in values and values.get("nonce") != self.nonce:
            self.problems.append("inline <script> without the nonce")
        if tag == "style" and values.get("nonce") != self.nonce:
            self.problems.append("<style> element without the nonce")
        if tag == "link" and values.get("rel") == "stylesheet":
            href = values.get("href") or ""
            if urlsplit(href).netloc:
                self.problems.append(f"stylesheet from another site: {href}")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")


def _check_page(client: FlaskClient, url: str) -> tuple[list[str], list[str]]:
    response = client.get(url)
    problems: list[str] = []
    csp = response.headers.get("Content-Security-Policy", "")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"weak CSP: {csp}")
    if "frame-ancestors 'none'" not in csp:
        problems.append("CSP without frame-ancestors 'none'")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if response.mimetype != "text/html":
        return problems, []
    match = _NONCE.search(csp)
    finder = _InlineFinder(match.group(1) if match else None)
    finder.feed(response.get_data(as_text=True))
    problems += finder.problems
    return [f"{url}: {p}" for p in problems], finder.links


def _crawl(client: FlaskClient, start: list[str], limit: int = 250) -> tuple[int, list[str]]:
    seen: set[str] = set()
    queue = list(dict.fromkeys(start))
    problems: list[str] = []
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or _SKIP.search(urlsplit(url).path):
            continue
        seen.add(url)
        found, links = _check_page(client, url)
        problems += found
        for link in links:
            link = urldefrag(link)[0]
            parts = urlsplit(link)
            if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                queue.append(target)
    return len(seen), problems


def _start_urls(app: Flask, role: str) -> list[str]:
    urls = ["/"]
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and role in EXPECTED.get(rule.endpoint, ()):
            urls.append(_sample_url(app, rule.endpoint))
    return urls


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_pages_need_no_inline_script_style_or_handlers(
    app: Flask, db: Session, client: FlaskClient, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_SEARCH", "10000 per minute")
    monkeypatch.setitem(app.config, "RATELIMIT_API", "10000 per minute")
    tender, _owner = tendering(db)
    supplier, supplier_user = make_supplier(db, verified=True)
    db.commit()
    if role != ANON:
        user = supplier_user if role == "supplier" else make_user(db, Role(role))
        db.commit()
        login_as(client, user)
    start = _start_urls(app, role) + [
        f"/processes/{tender.ocid}",
        f"/suppliers/{supplier.id}",
    ]
    visited, problems = _crawl(client, start)
    assert visited > 20
    assert problems == []


def test_headers_on_a_plain_http_instance(client: FlaskClient) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert re.search(r"style-src 'self' 'nonce-[A-Za-z0-9_-]{16,}'", csp)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers
    # A fresh nonce per response.
    assert _NONCE.search(client.get("/").headers["Content-Security-Policy"]).group(1) != (  # type: ignore[union-attr]
        _NONCE.search(csp).group(1)  # type: ignore[union-attr]
    )


def test_hsts_on_https_requests(client: FlaskClient) -> None:
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def _like(app: Flask, **changes: object) -> Flask:
    """Another app with the test app's settings and ``changes``."""
    return create_app({**app.config, **changes})


def test_an_https_instance_sends_hsts_and_secure_cookies(app: Flask, db: Session) -> None:
    https_app = _like(app, PREFERRED_URL_SCHEME="https")
    assert https_app.config["SESSION_COOKIE_SECURE"] is True
    assert https_app.config["REMEMBER_COOKIE_SECURE"] is True
    client = https_app.test_client()
    # Behind a TLS proxy the request reaches us as plain HTTP; HSTS is sent anyway.
    response = client.get("/account/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookies = response.headers.getlist("Set-Cookie")
    cookies += client.get("/lang/en?next=/").headers.getlist("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} >= {"session", "lang"}
    for cookie in cookies:
        assert "; Secure" in cookie
        assert "; HttpOnly" in cookie
        assert "; SameSite=Lax" in cookie
    get_database(https_app).engine.dispose()


def test_session_cookie_flags_on_plain_http(app: Flask, client: FlaskClient) -> None:
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    cookies = client.get("/account/login").headers.getlist("Set-Cookie")
    cookies += client.get("/lang/en?next=/").headers.getlist("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} >= {"session", "lang"}
    for cookie in cookies:
        assert "; HttpOnly" in cookie
        assert "; SameSite=Lax" in cookie
        assert "Secure" not in cookie


def test_a_trusted_proxy_gives_the_client_address_and_scheme(app: Flask, db: Session) -> None:
    proxied = _like(app, TRUST_PROXY_HEADERS=True)
    response = proxied.test_client().get(
        "/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert "Strict-Transport-Security" in response.headers
    untrusted = _like(app)
    response = untrusted.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
    for created in (proxied, untrusted):
        get_database(created).engine.dispose()


def test_svg_charts_use_no_inline_styles() -> None:
    from app.charts import Point, bar_chart, column_chart, line_chart

    points = [Point("2024", 100.0, "100"), Point("2025", -20.0, "-20"), Point("x", 0, "0")]
    for draw in (bar_chart, column_chart, line_chart):
        finder = _InlineFinder(nonce=None)
        finder.feed(str(draw("chart", "Title", "Description", points)))
        assert finder.problems == [], draw.__name__


def test_the_checker_catches_what_a_strict_csp_blocks() -> None:
    finder = _InlineFinder(nonce="abc")
    finder.feed(
        '<p style="color:red">x</p><a href="javascript:alert(1)" onclick="go()">y</a>'
        "<script>alert(1)</script><style>p{}</style>"
        '<script nonce="abc">ok()</script><style nonce="abc">p{}</style>'
        '<svg><rect style="fill:red"/></svg>'
    )
    assert len(finder.problems) == 6, finder.problems
