"""Atom feeds of the explorer: any search, a saved search (secret URL), a buyer, a supplier.

Built from the search index (public data derived from the compiled records), newest
processes first. Feed readers cannot log in, so a saved search's feed is reached by the
unguessable token in its URL; an unknown token is a 404.
"""

from __future__ import annotations

from flask import Response, abort, current_app, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.db import db_session
from app.public import bp
from app.public.saved_searches import describe
from app.search_support import drain_outbox, process_url, search_backend, value_label
from marketplace.db import utcnow
from marketplace.search.feeds import FEED_SIZE, MEDIA_TYPE, Entry, Feed, render
from marketplace.search.index import IndexUnavailable
from marketplace.search.query import Hit
from marketplace.search.request import SearchRequest, parse_request
from marketplace.search.saved import by_token, request_of


def _summary(hit: Hit) -> str:
    parts = [hit.buyer]
    if hit.status:
        parts.append(value_label("status", hit.status))
    if hit.method:
        parts.append(value_label("method", hit.method))
    if hit.amount is not None:
        parts.append(f"{hit.amount:,.2f} {hit.currency}".strip())
    if hit.suppliers:
        parts.append(_("Supplier: %(names)s", names="; ".join(hit.suppliers)))
    return " · ".join(p for p in parts if p)


def _entry(hit: Hit) -> Entry:
    url = process_url(hit.ocid, external=True)
    return Entry(
        id=url,
        title=hit.title,
        updated=hit.updated or hit.date or utcnow(),
        published=hit.date,
        link=url,
        summary=_summary(hit),
        categories=tuple(hit.flags),
    )


def _response(feed: Feed, hits: list[Hit], private: bool = False) -> ResponseReturnValue:
    body = render(feed, [_entry(hit) for hit in hits])
    response = Response(body, mimetype=MEDIA_TYPE)
    response.headers["Cache-Control"] = f"{'private' if private else 'public'}, max-age=300"
    if private:
        # The URL is the secret: keep it out of search engines and referrers.
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _unavailable() -> ResponseReturnValue:
    return Response(
        _("The search index is being rebuilt. Please try again in a few minutes.") + "\n",
        status=503,
        mimetype="text/plain",
        headers={"Retry-After": "60"},
    )


def _author() -> str:
    return str(current_app.config.get("PUBLISHER_NAME") or "Tianguis")


def _search_feed(req: SearchRequest, feed_id: str, self_link: str, title: str) -> Feed:
    return Feed(
        id=feed_id,
        title=title,
        subtitle="; ".join(describe(req)),
        self_link=self_link,
        alternate_link=url_for("public.search_page", **req.args(page=""), _external=True),
        author=_author(),
    )


@bp.get("/feeds/search.atom")
def search_feed() -> ResponseReturnValue:
    """The newest processes matching any explorer search (the /search query string)."""
    req, _problems = parse_request(request.args.to_dict(flat=False))
    drain_outbox()
    try:
        hits = search_backend().latest_hits(req, FEED_SIZE)
    except IndexUnavailable:
        return _unavailable()
    url = url_for("public.search_feed", **req.args(page=""), _external=True)
    title = _("Tianguis: %(q)s", q=req.q) if req.q else _("Tianguis: processes")
    return _response(_search_feed(req, url, url, title), hits)


@bp.get("/feeds/saved/<token>.atom")
def saved_search_feed(token: str) -> ResponseReturnValue:
    saved = by_token(db_session(), token)
    if saved is None:
        abort(404)
    req = request_of(saved.params)
    drain_outbox()
    try:
        hits = search_backend().latest_hits(req, FEED_SIZE)
    except IndexUnavailable:
        return _unavailable()
    url = url_for("public.saved_search_feed", token=token, _external=True)
    title = _("Tianguis: %(name)s", name=saved.name)
    return _response(_search_feed(req, url, url, title), hits, private=True)


def _party_feed(role: str, party_id: str) -> ResponseReturnValue:
    drain_outbox()
    try:
        hits = search_backend().party_hits(role, party_id, FEED_SIZE)
    except IndexUnavailable:
        return _unavailable()
    if not hits:
        abort(404)  # no public process names this party
    if role == "buyer":
        name = hits[0].buyer or party_id
        title = _("Tianguis: processes of %(buyer)s", buyer=name)
        endpoint = "public.buyer_feed"
        page = url_for("public.search_page", buyer=name, _external=True)
    else:
        name = _supplier_name(hits, party_id)
        title = _("Tianguis: processes awarded to %(supplier)s", supplier=name)
        endpoint = "public.supplier_feed"
        page = url_for("public.search_page", supplier=name, _external=True)
    url = url_for(endpoint, party_id=party_id, _external=True)
    feed = Feed(id=url, title=title, self_link=url, alternate_link=page, author=_author())
    return _response(feed, hits)


def _supplier_name(hits: list[Hit], party_id: str) -> str:
    for hit in hits:
        if len(hit.suppliers) == len(hit.supplier_ids):
            names = dict(zip(hit.supplier_ids, hit.suppliers, strict=True))
            if party_id in names:
                return names[party_id]
    return party_id


@bp.get("/feeds/buyers/<party_id>.atom")
def buyer_feed(party_id: str) -> ResponseReturnValue:
    """The newest processes of one buyer (its OCDS party id)."""
    return _party_feed("buyer", party_id)


@bp.get("/feeds/suppliers/<party_id>.atom")
def supplier_feed(party_id: str) -> ResponseReturnValue:
    """The newest processes awarded to one supplier (its OCDS party id)."""
    return _party_feed("supplier", party_id)
