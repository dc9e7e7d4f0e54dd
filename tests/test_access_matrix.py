"""Who may reach what: every route × every role, and objects of another organisation.

EXPECTED is written by hand, independently of the decorators on the views: a route
missing from it, or reachable by a role it does not list, fails the test. When you add a
route, add it with the roles that should reach it: here, or in your topic's module under
``tests/access/`` (see its docstring), which keeps parallel work from colliding.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from marketplace.accounts.models import OrgKind, Role, User
from marketplace.audit.models import AuditEvent
from marketplace.db import utcnow
from marketplace.plans.services import add_plan_line
from marketplace.publication.models import OcdsRelease
from marketplace.suppliers.catalogue import ProductInput, add_product
from marketplace.suppliers.documents import add_document
from marketplace.tenders.services import publish_tender
from tests.access import ADMIN, ANON, BUYER, EVERYONE, FINANCE, LOGGED_IN, SUPPLIER, topic_routes
from tests.bid_helpers import SECRET, bid_input
from tests.case_factories import make_case
from tests.factories import login_as, make_org, make_user
from tests.supplier_helpers import PDF, make_supplier
from tests.tender_helpers import drafted_tender, plan_input

EXPECTED: dict[str, frozenset[str]] = {
    # public pages and the open-data API
    "public.home": EVERYONE,
    "public.audit_log": EVERYONE,
    "public.bulk_file": EVERYONE,
    "public.bulk_index": EVERYONE,
    "public.process": EVERYONE,
    "public.processes": EVERYONE,
    "public.publication_policy": EVERYONE,
    "public.red_flags": EVERYONE,
    "public.search_csv": EVERYONE,
    "public.search_page": EVERYONE,
    "public.supplier_directory": EVERYONE,
    "public.supplier_page": EVERYONE,
    "public.supplier_party_json": EVERYONE,
    # Approved business cases only (404 for any other); linked from planning.documents.
    "public.case_public_pdf": EVERYONE,
    "public.opportunities_page": SUPPLIER,
    "public.process_comment": LOGGED_IN,
    "public.process_enquiry": SUPPLIER,
    "api.index": EVERYONE,
    "api.openapi": EVERYONE,
    "api.record": EVERYONE,
    "api.records": EVERYONE,
    "api.release": EVERYONE,
    "api.releases": EVERYONE,
    "api.search": EVERYONE,
    "i18n.switch": EVERYONE,
    "static": EVERYONE,
    # accounts
    "auth.login": EVERYONE,
    "auth.logout": EVERYONE,
    "auth.reset_password": EVERYONE,
    "auth.reset_request": EVERYONE,
    "auth.reset_sent": EVERYONE,
    # Only between the password and the code; a visitor with no pending login is sent
    # back to the login form.
    "auth.totp_challenge": LOGGED_IN,
    "auth.totp_enrol": LOGGED_IN,
    "auth.account": LOGGED_IN,
    "auth.account_profile": LOGGED_IN,
    "auth.change_password": LOGGED_IN,
    "auth.inbox": LOGGED_IN,
    "auth.message": LOGGED_IN,
    "auth.recovery_codes": LOGGED_IN,
    # suppliers
    "supplier.register": EVERYONE,
    "supplier.category_search": EVERYONE,
    "supplier.dashboard": SUPPLIER,
    "supplier.profile": SUPPLIER,
    "supplier.resubmit_view": SUPPLIER,
    "supplier.documents": SUPPLIER,
    "supplier.document_download": SUPPLIER | ADMIN,
    "supplier.products": SUPPLIER,
    "supplier.product_edit": SUPPLIER,
    "supplier.product_active": SUPPLIER,
    "supplier.bid_form": SUPPLIER,
    "supplier.bid_receipt": SUPPLIER,
    "supplier.bid_reconfirm": SUPPLIER,
    "supplier.bid_withdraw": SUPPLIER,
    "supplier.my_bids": SUPPLIER,
    # buyers
    "buyer.dashboard": BUYER,
    "buyer.plan": BUYER,
    "buyer.plan_line_new": BUYER,
    "buyer.plan_line_edit": BUYER,
    "buyer.plan_line_start": BUYER,
    "buyer.tender_detail": BUYER,
    "buyer.tender_edit": BUYER,
    "buyer.tender_prebases": BUYER,
    "buyer.tender_publish": BUYER,
    "buyer.tender_amend": BUYER,
    "buyer.tender_cancel": BUYER,
    "buyer.comment_answer": BUYER,
    "buyer.enquiry_answer": BUYER,
    "buyer.bids_page": BUYER,
    "buyer.bids_open": BUYER,
    "buyer.bid_disqualify": BUYER,
    "buyer.bid_document": BUYER,
    "buyer.cases_list": BUYER,
    "buyer.case_new": BUYER,
    "buyer.case_detail": BUYER,
    "buyer.case_edit": BUYER,
    "buyer.case_pdf": BUYER,
    "buyer.case_revise": BUYER,
    "buyer.case_submit": BUYER,
    "buyer.case_benefits": BUYER,
    "buyer.case_benefit_add": BUYER,
    "buyer.case_benefit_reading": BUYER,
    # finance
    "finance.dashboard": FINANCE,
    "finance.case_detail": FINANCE,
    "finance.case_pdf": FINANCE,
    "finance.case_review": FINANCE,
    "finance.case_decide": FINANCE,
    # administration
    "admin.dashboard": ADMIN,
    "admin.supplier_list": ADMIN,
    "admin.supplier_review": ADMIN,
    "admin.supplier_verify": ADMIN,
    "admin.supplier_reject": ADMIN,
}
_TOPICS = topic_routes()
assert not (_TOPICS.keys() & EXPECTED.keys()), "a route is in EXPECTED and in tests/access"
# Later topics list their routes in tests/access/<topic>.py.
EXPECTED.update(_TOPICS)

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# Sample values for URL parameters; objects that do not exist give 404 to allowed roles.
_SAMPLE_ARGS = {"code": "en", "token": "not-a-token", "ocid": "ocds-tgs001-0", "name": "x.csv"}


def _sample_url(app: Flask, endpoint: str) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values: dict[str, object] = {}
    for arg in rule.arguments:
        if arg == "filename":
            values[arg] = "style.css"
        else:
            values[arg] = _SAMPLE_ARGS.get(arg, 999999)
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


def _token(client: FlaskClient) -> str:
    match = _CSRF.search(client.get("/account/login").get_data(as_text=True))
    if match is None:  # logged-in users are redirected away from the login form
        match = _CSRF.search(client.get("/").get_data(as_text=True))
    assert match, "no CSRF token found on the login page or the home page"
    return match.group(1)


def _denied(response: TestResponse, role: str) -> bool:
    location = response.headers.get("Location", "")
    if role == ANON:
        return response.status_code in (401, 403) or (
            response.status_code == 302 and "/account/login" in location
        )
    return response.status_code == 403


def _user_for(db: Session, role: str) -> User | None:
    if role == ANON:
        return None
    if role == "supplier":
        return make_supplier(db, verified=True)[1]
    return make_user(db, Role(role))


def test_every_route_is_in_the_matrix(app: Flask) -> None:
    routes = {r.endpoint for r in app.url_map.iter_rules()}
    assert sorted(routes - EXPECTED.keys()) == [], "routes missing from EXPECTED"
    assert sorted(EXPECTED.keys() - routes) == [], "EXPECTED lists routes that do not exist"


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_route_answers_each_role_as_expected(
    app: Flask, db: Session, client: FlaskClient, role: str
) -> None:
    user = _user_for(db, role)
    db.commit()
    if user is not None:
        login_as(client, user)
    token = _token(client)
    wrong: list[str] = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in EXPECTED:
            continue
        url = _sample_url(app, rule.endpoint)
        if "GET" in (rule.methods or ()):
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        response.close()
        # 503 is the explorer's honest "index is being rebuilt" answer, not a crash.
        if response.status_code >= 500 and response.status_code != 503:
            wrong.append(f"{rule.endpoint}: server error {response.status_code}")
            continue
        should_reach = role in EXPECTED[rule.endpoint]
        if should_reach == _denied(response, role):
            what = "refused" if should_reach else "reachable"
            wrong.append(f"{rule.endpoint} {url}: {what} ({response.status_code})")
        if user is not None and role != ANON:
            login_as(client, user)  # a route such as logout may have ended the session
    assert wrong == []


# --- the organisation dimension: same role, another unit's or company's objects ---------


def _counts(db: Session) -> tuple[int, int]:
    return (
        db.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        db.scalar(select(func.count()).select_from(OcdsRelease)) or 0,
    )


def _open_tender(db: Session, owner: User):  # type: ignore[no-untyped-def]
    start = utcnow().replace(microsecond=0) - dt.timedelta(minutes=5)
    tender = drafted_tender(db, owner, start, enquiry_end=None)
    publish_tender(db, tender, owner, now=start)
    return tender


def _try_all(client: FlaskClient, urls: list[tuple[str, str]], db: Session) -> list[str]:
    """Request every (method, url); return those that were not refused or changed data."""
    token = _token(client)
    before = _counts(db)
    leaks = []
    for method, url in urls:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token, "reason": "x", "answer": "x"})
        response.close()
        if response.status_code not in (403, 404):
            leaks.append(f"{method} {url}: {response.status_code}")
    if _counts(db) != before:
        leaks.append("data changed")
    return leaks


def test_a_buyer_cannot_touch_another_units_tenders_bids_plans_or_cases(
    db: Session, client: FlaskClient
) -> None:
    from marketplace.bids.services import submit_bid

    owner = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER, "Unidad A"))
    tender = _open_tender(db, owner)
    supplier_user = make_supplier(db, verified=True)[1]
    bid = submit_bid(db, tender, supplier_user, bid_input(), secret=SECRET, now=utcnow())
    draft = drafted_tender(db, owner)
    line_id = add_plan_line(db, owner, plan_input()).id
    case = make_case(db, owner)
    intruder = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER, "Unidad B"))
    db.commit()
    login_as(client, intruder)
    t, d, c = tender.id, draft.id, case.id
    urls = [
        ("GET", f"/buyer/tenders/{t}"), ("GET", f"/buyer/tenders/{t}/bids"),
        ("POST", f"/buyer/tenders/{t}/bids/open"), ("POST", f"/buyer/tenders/{t}/cancel"),
        ("GET", f"/buyer/tenders/{t}/amend"), ("POST", f"/buyer/tenders/{t}/amend"),
        ("GET", f"/buyer/tenders/{d}/edit"), ("POST", f"/buyer/tenders/{d}/edit"),
        ("POST", f"/buyer/tenders/{d}/publish"), ("POST", f"/buyer/tenders/{d}/prebases"),
        ("POST", f"/buyer/bids/{bid.id}/disqualify"), ("GET", f"/buyer/bids/{bid.id}/documents/0"),
        ("GET", f"/buyer/plan/{line_id}/edit"), ("POST", f"/buyer/plan/{line_id}/edit"),
        ("POST", f"/buyer/plan/{line_id}/start"),
        ("GET", f"/buyer/cases/{c}"), ("GET", f"/buyer/cases/{c}/edit"),
        ("POST", f"/buyer/cases/{c}/edit"), ("GET", f"/buyer/cases/{c}.pdf"),
        ("POST", f"/buyer/cases/{c}/submit"), ("POST", f"/buyer/cases/{c}/revise"),
        ("GET", f"/buyer/cases/{c}/benefits"), ("POST", f"/buyer/cases/{c}/benefits"),
    ]  # fmt: skip
    assert _try_all(client, urls, db) == []


def test_a_supplier_cannot_touch_another_companys_bids_products_or_documents(
    app: Flask, db: Session, client: FlaskClient
) -> None:
    from marketplace.bids.services import submit_bid

    owner = make_user(db, Role.BUYER)
    tender = _open_tender(db, owner)
    supplier, supplier_user = make_supplier(db, verified=True)
    bid = submit_bid(db, tender, supplier_user, bid_input(), secret=SECRET, now=utcnow())
    product = add_product(db, supplier, ProductInput("Laptop", "pieza", "15000.00"), supplier_user)
    document = add_document(
        db, supplier, supplier_user, "tax_certificate", "constancia.pdf", PDF,
        dt.date.today() + dt.timedelta(days=200), max_bytes=app.config["UPLOAD_MAX_BYTES"],
    )  # fmt: skip
    rival = make_supplier(db, verified=True)[1]
    db.commit()
    login_as(client, rival)
    urls = [
        ("GET", f"/supplier/bids/{bid.id}"), ("POST", f"/supplier/bids/{bid.id}/withdraw"),
        ("POST", f"/supplier/bids/{bid.id}/reconfirm"),
        ("GET", f"/supplier/products/{product.id}/edit"),
        ("POST", f"/supplier/products/{product.id}/edit"),
        ("POST", f"/supplier/products/{product.id}/active"),
        ("GET", f"/supplier/documents/{document.id}/download"),
    ]  # fmt: skip
    assert _try_all(client, urls, db) == []
