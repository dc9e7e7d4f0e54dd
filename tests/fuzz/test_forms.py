"""Every reachable form, and the public pages' query strings, under generated input: never
a 5xx, never a traceback, never the input reflected as live markup, and a refused
submission leaves the database as it was (issue #10)."""

from __future__ import annotations

import pytest

from tests.fuzz.crawl import ROLES
from tests.fuzz.forms import Reached, fuzz_get_form, fuzz_post_form, public_pages
from tests.fuzz.site import Site, Tally

pytestmark = pytest.mark.fuzz

#: Reached but not fuzzed: it ends the session and takes no input.
NOT_FUZZED = frozenset({"auth.logout"})


def _report(tally: Tally) -> str:
    return f"{len(tally.problems)} problem(s):\n" + "\n".join(tally.problems)


@pytest.mark.parametrize("role", ROLES)
def test_forms_of_each_role_survive_generated_input(
    site: Site, reachable_forms: Reached, role: str
) -> None:
    reached = reachable_forms[role]
    posts = [(c, f) for c, f in reached if f.method == "POST" and f.endpoint not in NOT_FUZZED]
    assert posts, f"the crawler found no form for {role}"
    tally = Tally()
    for cookie, form in posts:
        fuzz_post_form(site, form, cookie, tally)
    for cookie, form in reached:
        if form.method == "GET":
            fuzz_get_form(site, form, cookie, tally)
    assert not tally.problems, _report(tally)


def test_public_pages_survive_generated_query_strings(site: Site) -> None:
    tally = Tally()
    for page in public_pages(site):
        fuzz_get_form(site, page, None, tally)
    assert tally.requests > 0
    assert not tally.problems, _report(tally)


def test_the_crawler_reaches_the_forms_of_the_app_without_errors(
    site: Site, reachable_forms: Reached, crawl_tally: Tally
) -> None:
    assert not crawl_tally.problems, _report(crawl_tally)
    found = {f.endpoint for reached in reachable_forms.values() for _, f in reached}
    posts = {r.endpoint for r in site.app.url_map.iter_rules() if "POST" in (r.methods or ())}
    # Every POST route: a form only shown in some state needs that state set up in
    # tests/fuzz/states.py.
    missing = sorted(posts - found)
    assert not missing, f"forms not reached by the fuzz crawler: {missing}"
