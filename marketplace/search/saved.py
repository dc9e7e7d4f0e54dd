"""Saved searches: save, list, delete (owner only), find by feed token.

A saved search keeps the explorer's query string in a normal form (``normalise``), so
the same search saved twice reads the same, and the page, the Atom feed and the alerts
(``alert_ticks``) run exactly what the user saw.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs, urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.search.request import Problem, SearchRequest, parse_request
from marketplace.search.saved_models import NAME_LENGTH, SavedSearch

#: Saved searches per user: each one is re-run by every alert tick.
MAX_PER_USER = 50


class SavedSearchError(ValueError):
    """A rule was broken: ``field`` is the form field, ``code`` names the rule."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


def normalise(args: Mapping[str, Sequence[str]]) -> tuple[str, SearchRequest, list[Problem]]:
    """The query string that repeats the search ``args`` asks for, in a normal form: what
    parse_request kept (bad parts dropped), no page, names in order."""
    request, problems = parse_request(args)
    return params_of(request), request, problems


def params_of(request: SearchRequest) -> str:
    """The normal query string of a parsed search (no page, names in order)."""
    kept = request.args(page="")
    pairs = []
    for name in sorted(kept):
        value = kept[name]
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, str(item)))
    return urlencode(pairs)


def request_of(params: str) -> SearchRequest:
    """The search a saved query string stands for."""
    return parse_request(parse_qs(params, keep_blank_values=False))[0]


def search_path(params: str) -> str:
    """The explorer page of a saved search (a path within the site)."""
    return f"/search?{params}" if params else "/search"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def save_search(session: Session, user: User, name: str, params: str) -> SavedSearch:
    """Save ``params`` (any query string; normalised here) under ``name`` for ``user``.

    Alerts start from now: processes that changed before the search was saved are not
    announced (they are in the results already)."""
    name = " ".join(name.split())
    if not name:
        raise SavedSearchError("name", "name_required")
    if len(name) > NAME_LENGTH:
        raise SavedSearchError("name", "name_too_long")
    normal, _request, _problems = normalise(parse_qs(params, keep_blank_values=False))
    taken = session.scalar(
        select(SavedSearch.id).where(SavedSearch.user_id == user.id, SavedSearch.name == name)
    )
    if taken is not None:
        raise SavedSearchError("name", "name_taken")
    count = session.scalar(select(func.count(SavedSearch.id)).where(SavedSearch.user_id == user.id))
    if (count or 0) >= MAX_PER_USER:
        raise SavedSearchError("", "too_many")
    now = utcnow()
    saved = SavedSearch(
        user_id=user.id,
        name=name,
        params=normal,
        token=new_token(),
        last_checked_at=now,
        created_at=now,
    )
    session.add(saved)
    session.flush()
    return saved


def saved_searches(session: Session, user_id: int) -> list[SavedSearch]:
    return list(
        session.scalars(
            select(SavedSearch)
            .where(SavedSearch.user_id == user_id)
            .order_by(SavedSearch.name, SavedSearch.id)
        )
    )


def delete_saved_search(session: Session, user_id: int, saved_id: int) -> bool:
    """Delete the user's own saved search; False (nothing done) for anyone else's."""
    saved = session.get(SavedSearch, saved_id)
    if saved is None or saved.user_id != user_id:
        return False
    session.delete(saved)
    session.flush()
    return True


def by_token(session: Session, token: str) -> SavedSearch | None:
    """The saved search whose feed URL carries ``token``; None for an unknown one."""
    if not token or len(token) > 64:
        return None
    return session.scalar(select(SavedSearch).where(SavedSearch.token == token))
