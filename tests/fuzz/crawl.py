"""Finding every form a person can reach: log in as a demo user of each role, follow the
links of the pages from each argument-less GET route, and read the forms (action, fields,
CSRF token) the way a browser would.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from marketplace.accounts.models import Role, User
from tests.factories import login_as
from tests.fuzz.site import Tally, check_response, crash

#: Roles the crawler logs in as ("public" is an anonymous visitor).
ROLES = ("public", "supplier", "buyer", "finance", "admin")
#: Never followed: leaving the session, downloads and feeds (their code paths have their
#: own tests), the JSON API (schemathesis covers it) and static files.
SKIP = re.compile(r"^/(static|api|bulk)/|/logout$|\.(csv|atom|pdf|zip|json|gz|xlsx)$")
PAGES_PER_ENDPOINT = 6
#: The role's own pages (``buyer.*`` for a buyer; not for visitors with ``own_only``):
#: lists of work are long, and the item waiting for this person is seldom among the first
#: six.
OWN_PAGES_PER_ENDPOINT = 30
#: Public pages seen logged in: the anonymous crawl sees six of each; these look for the
#: forms a logged-in person gets there.
PUBLIC_PAGES_LOGGED_IN = 2
MAX_PAGES = 400


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea", "select" or "button"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = True


@dataclass
class Form:
    role: str
    page: str
    method: str
    action: str
    endpoint: str
    multipart: bool
    fields: list[Field] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return sorted({f.name for f in self.fields})


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict[str, str], list[Field]]] = []
        self.links: list[str] = []
        self._select: Field | None = None
        self._textarea: Field | None = None
        self._option: str | None = None

    @property
    def _fields(self) -> list[Field] | None:
        return self.forms[-1][1] if self.forms else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "option" and self._select is not None:
            self._option = a.get("value")
            if self._option is not None:
                self._select.options.append(self._option)
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append((a, []))
        elif self._fields is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            self._fields.append(Field(a["name"], kind, a.get("value", ""), checked="checked" in a))
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._fields.append(Field(a["name"], "button", a.get("value", "")))
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._fields.append(self._textarea)
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._fields.append(self._select)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        elif self._select is not None and self._option is None and data.strip():
            self._select.options.append(data.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None


def demo_users(session: Session) -> dict[str, User]:
    """One demo user per role; the supplier is the one with the most bids (most forms)."""
    from marketplace.bids.models import Bid
    from marketplace.suppliers.models import Supplier

    users: dict[str, User] = {}
    for role in (Role.BUYER, Role.FINANCE, Role.ADMIN):
        user = session.scalar(select(User).where(User.role == role).order_by(User.id))
        if user is not None:
            users[role.value] = user
    busiest = session.scalar(
        select(Supplier.organisation_id)
        .join(Bid, Bid.supplier_id == Supplier.id)
        .group_by(Supplier.organisation_id)
        .order_by(func.count().desc(), Supplier.organisation_id)
    )
    user = session.scalar(
        select(User).where(User.organisation_id == busiest, User.role == Role.SUPPLIER)
    )
    if user is not None:
        users["supplier"] = user
    return users


def client_for(app: Flask, user: User | None) -> FlaskClient:
    client = app.test_client()
    client.set_cookie("lang", "en")
    if user is not None:
        login_as(client, user)
    return client


def _endpoint(urls: MapAdapter, path: str, method: str) -> str | None:
    try:
        endpoint, _ = urls.match(path, method=method)
    except HTTPException:
        return None
    return str(endpoint)


def _page_cap(role: str, endpoint: str, own_only: bool) -> int:
    """How many pages of ``endpoint`` a visitor of ``role`` sees."""
    if role == "public":
        return PAGES_PER_ENDPOINT
    if endpoint.startswith(f"{role}."):
        return PAGES_PER_ENDPOINT if own_only else OWN_PAGES_PER_ENDPOINT
    if endpoint.startswith("public."):
        return PUBLIC_PAGES_LOGGED_IN
    return PAGES_PER_ENDPOINT


def crawl(
    app: Flask,
    client: FlaskClient,
    role: str,
    tally: Tally,
    start: tuple[str, ...] = (),
    max_pages: int = MAX_PAGES,
    own_only: bool = False,
) -> list[Form]:
    """The forms on the pages ``client`` reaches from ``start`` and the argument-less GET
    routes (at most ``max_pages``; with ``own_only``, only ``start`` and the role's own
    pages): one per (endpoint, method), first found. A page that fails is a problem in
    ``tally``."""
    urls = app.url_map.bind("localhost")
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.arguments and not SKIP.search(rule.rule)
    ]
    # The role's own pages first: their links (the work waiting for this person) are the
    # first of each endpoint visited, before the per-endpoint cap is spent elsewhere.
    rules.sort(key=lambda rule: not rule.endpoint.startswith(f"{role}."))
    queue = [*start, *(rule.rule for rule in rules)]
    seen: set[str] = set(queue)
    visits: Counter[str] = Counter()
    forms: dict[tuple[str, str], Form] = {}
    pages = 0
    while queue and pages < max_pages:
        url = queue.pop(0)
        endpoint = _endpoint(urls, urlsplit(url).path, "GET")
        if endpoint is None:
            continue
        own = endpoint.startswith(f"{role}.")
        if own_only and not own and url not in start:
            continue
        if visits[endpoint] >= _page_cap(role, endpoint, own_only):
            continue
        visits[endpoint] += 1
        pages += 1
        try:
            response = client.get(url)
        except Exception as exc:  # the test app propagates what would be a 500
            crash(f"{role} GET {url}", exc, tally)
            continue
        check_response(response, f"{role} GET {url}", tally)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = _FormParser()
        parser.feed(response.get_data(as_text=True))
        for attrs, fields in parser.forms:
            method = attrs.get("method", "get").upper()
            action = urljoin(url, attrs.get("action") or url)
            target = _endpoint(urls, urlsplit(action).path, method)
            if target is None or (target, method) in forms:
                continue
            multipart = attrs.get("enctype", "") == "multipart/form-data"
            forms[(target, method)] = Form(role, url, method, action, target, multipart, fields)
        for href in parser.links:
            link = urljoin(url, href)
            parts = urlsplit(link)
            if parts.netloc not in ("", "localhost") or SKIP.search(parts.path):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local not in seen:
                seen.add(local)
                queue.append(local)
    return list(forms.values())
