"""Saving a search from the explorer, listing and deleting saved searches (owner only)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role
from marketplace.search.backend import SearchBackend
from marketplace.search.saved import MAX_PER_USER, normalise, save_search
from marketplace.search.saved_models import SavedSearch
from tests.factories import csrf_token, login_as, make_user
from tests.search.conftest import corpus_backend


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


SEARCH = "/search?q=++licencias++&buyer=Secretar%C3%ADa+de+Salud&page=2&sort=date&amount_min=abc"


def _saved(db: Session, user_id: int) -> list[SavedSearch]:
    return list(db.scalars(select(SavedSearch).where(SavedSearch.user_id == user_id)))


def test_normal_form_drops_the_page_and_bad_parts_and_orders_names() -> None:
    params, request, problems = normalise(
        {"q": ["  licencias   software "], "page": ["3"], "year": ["2025", "2024", "2025"],
         "amount_min": ["abc"], "sort": ["date"]}
    )  # fmt: skip
    assert params == "q=licencias+software&sort=date&year=2025&year=2024"
    assert request.q == "licencias software"
    assert [p.code for p in problems] == ["bad_amount"]


def test_save_the_current_search_from_the_page(
    client: FlaskClient, db: Session, backend: SearchBackend
) -> None:
    user = make_user(db, Role.SUPPLIER)
    db.commit()
    login_as(client, user)
    html = client.get(SEARCH).get_data(as_text=True)
    assert "Save this search" in html
    params = re.search(r'name="params" value="([^"]*)"', html)
    assert params is not None
    response = client.post(
        "/account/saved-searches",
        data={"csrf_token": csrf_token(client, SEARCH), "name": " Nube  de Salud ",
              "params": params.group(1).replace("&amp;", "&")},
    )  # fmt: skip
    assert response.status_code == 302
    [saved] = _saved(db, user.id)
    assert saved.name == "Nube de Salud"
    assert saved.params == "buyer=Secretar%C3%ADa+de+Salud&q=licencias&sort=date"
    assert len(saved.token) >= 40

    page = client.get("/account/saved-searches").get_data(as_text=True)
    assert "Nube de Salud" in page
    assert "Words: “licencias”" in page and "Buyer: Secretaría de Salud" in page
    assert f"http://localhost/feeds/saved/{saved.token}.atom" in page
    assert 'href="/search?buyer=Secretar%C3%ADa+de+Salud&amp;q=licencias&amp;sort=date"' in page


def test_bad_names_are_shown_back_with_the_problem(
    client: FlaskClient, db: Session, backend: SearchBackend
) -> None:
    user = make_user(db, Role.BUYER)
    save_search(db, user, "Impresoras", "q=impresoras")
    db.commit()
    login_as(client, user)
    token = csrf_token(client, "/search")
    cases = [
        ("   ", "Give the search a name."),
        ("Impresoras", "You already have a saved search with this name"),
        ("x" * 121, "Field cannot be longer than 120 characters."),
        ("", "This field is required."),
    ]
    for name, message in cases:
        response = client.post(
            "/account/saved-searches",
            data={"csrf_token": token, "name": name, "params": "q=red&year=2025"},
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 422, name
        assert message in html, name
        # The search being saved is still there, described and in the form.
        assert "Words: “red”" in html and "Year: 2025" in html
        assert 'name="params" type="hidden" value="q=red&amp;year=2025"' in html
    assert [s.name for s in _saved(db, user.id)] == ["Impresoras"]


def test_the_number_of_saved_searches_is_limited(db: Session) -> None:
    from marketplace.search.saved import SavedSearchError

    user = make_user(db, Role.FINANCE)
    for n in range(MAX_PER_USER):
        save_search(db, user, f"Búsqueda {n}", f"q=red{n}")
    with pytest.raises(SavedSearchError) as error:
        save_search(db, user, "Una más", "q=red")
    assert error.value.code == "too_many"


def test_only_the_owner_deletes_a_saved_search(client: FlaskClient, db: Session) -> None:
    owner = make_user(db, Role.BUYER)
    intruder = make_user(db, Role.BUYER)
    saved = save_search(db, owner, "Red de datos", "q=red")
    db.commit()
    url = f"/account/saved-searches/{saved.id}/delete"

    login_as(client, intruder)
    assert client.post(url, data={"csrf_token": csrf_token(client, "/")}).status_code == 404
    assert "Red de datos" not in client.get("/account/saved-searches").get_data(as_text=True)
    assert [s.id for s in _saved(db, owner.id)] == [saved.id]

    login_as(client, owner)
    response = client.post(url, data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert _saved(db, owner.id) == []
    # Its feed address stops working.
    assert client.get(f"/feeds/saved/{saved.token}.atom").status_code == 404


def test_visitors_are_invited_to_log_in_to_save(
    client: FlaskClient, backend: SearchBackend
) -> None:
    html = client.get("/search?q=red").get_data(as_text=True)
    assert "Log in to save this search" in html
    assert 'action="/account/saved-searches"' not in html
    response = client.get("/account/saved-searches")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
