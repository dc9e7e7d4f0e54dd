"""Fuzzing the forms found by ``tests.fuzz.crawl`` and the public pages' query strings."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from hypothesis import given

from tests.fuzz.crawl import ROLES, Form, client_for, crawl
from tests.fuzz.payloads import as_request_data, payloads, query_strings
from tests.fuzz.site import INJECTIONS, Site, Tally, check_response, crash, fuzz_settings
from tests.fuzz.states import visitors

#: POST forms whose answer 200 is a success page, not a refusal (the database changes).
SUCCESS_PAGES = frozenset({"auth.recovery_codes", "auth.totp_enrol"})


def _summary(items: list[tuple[str, Any]]) -> str:
    def short(value: Any) -> str:
        text = repr(value[1:] if isinstance(value, tuple) else value)
        return text if len(text) < 60 else text[:57] + "..."

    return ", ".join(f"{name}={short(value)}" for name, value in items)


def _client(site: Site, cookie: str | None) -> FlaskClient:
    client = client_for(site.app, None)
    if cookie:
        client.set_cookie("session", cookie)
    return client


#: Per role, each form the crawler found with the session cookie of the visitor who found
#: it (None: anonymous).
Reached = dict[str, list[tuple[str | None, Form]]]


def discover(site: Site, tally: Tally) -> Reached:
    """Per role: the forms that role's visitors reach, first found per (endpoint, method),
    each with its visitor's session cookie (pages that fail on the way are problems in
    ``tally``). The objects those forms need are set up first (``tests.fuzz.states``)."""
    with site.app.app_context():
        session = site.session()
        crawls = visitors(site.app, session)
        session.expunge_all()
        session.close()
    found: Reached = {role: [] for role in ROLES}
    seen: set[tuple[str, str, str]] = set()
    for visitor in crawls:
        client = client_for(site.app, visitor.user)
        if visitor.prepare is not None:
            visitor.prepare(client)
        forms = crawl(
            site.app,
            client,
            visitor.role,
            tally,
            visitor.start,
            visitor.max_pages,
            visitor.own_only,
        )
        cookie = client.get_cookie("session")
        for form in forms:
            key = (visitor.role, form.endpoint, form.method)
            if key not in seen:
                seen.add(key)
                found[visitor.role].append((cookie.value if cookie else None, form))
    return found


def fuzz_post_form(
    site: Site, form: Form, cookie: str | None, tally: Tally, max_examples: int | None = None
) -> None:
    """Generated submissions of ``form``; problems go to ``tally`` (no shrinking: the
    first sighting is reported with its input)."""
    with site.scratch():
        baseline = site.row_counts()

    @fuzz_settings(max_examples)
    @given(items=payloads(form))
    def run(items: list[tuple[str, Any]]) -> None:
        label = f"{form.role} POST {form.action} [{_summary(items)}]"
        sent_markup = any(v in INJECTIONS for _, v in items)
        with site.scratch():
            try:
                response = _client(site, cookie).post(form.action, data=as_request_data(items))
            except Exception as exc:  # the test app propagates what would be a 500
                crash(label, exc, tally)
                return
            check_response(response, label, tally, sent_markup=sent_markup)
            refused = response.status_code == 200 or 400 <= response.status_code < 500
            if refused and form.endpoint not in SUCCESS_PAGES:
                after = site.row_counts()
                changed = sorted(t for t in after if after[t] != baseline.get(t))
                if changed:
                    tally.note(f"{label}: HTTP {response.status_code} but wrote to {changed}")

    run()


def fuzz_get_form(
    site: Site, form: Form, cookie: str | None, tally: Tally, max_examples: int | None = None
) -> None:
    """A GET form (search, filters, pagination) with generated query strings."""
    names = [f.name for f in form.fields]

    @fuzz_settings(max_examples)
    @given(query=query_strings(names))
    def run(query: list[tuple[str, str]]) -> None:
        label = f"{form.role} GET {form.action} {query!r}"[:400]
        sent_markup = any(v in INJECTIONS for _, v in query)
        try:
            response = _client(site, cookie).get(form.action.split("?")[0], query_string=query)
        except Exception as exc:
            crash(label, exc, tally)
            return
        check_response(response, label, tally, sent_markup=sent_markup)

    run()


def public_pages(site: Site) -> list[Form]:
    """Argument-less public GET pages, as forms without fields (query strings only)."""
    forms = []
    for rule in site.app.url_map.iter_rules():
        public = rule.endpoint.startswith("public.") and not rule.rule.startswith("/bulk")
        if public and "GET" in (rule.methods or ()) and not rule.arguments:
            forms.append(Form("public", rule.rule, "GET", rule.rule, rule.endpoint, False))
    return forms
