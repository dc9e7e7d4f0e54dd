"""OCDS routes: releases and records as packages, paged by keyset cursors (DESIGN.md §2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, request, url_for
from flask.typing import ResponseReturnValue

from app.api import bp
from app.api.http import json_response
from app.api.params import (
    ApiError,
    cursor_param,
    encode_cursor,
    flag_param,
    limit_param,
    since_param,
)
from app.db import db_session
from marketplace.publication import queries
from marketplace.publication.catch_up import record_compiled
from marketplace.publication.services import configured_schema, format_ocds_datetime
from ocds import packages
from ocds.merge import versioned_release

EPOCH = dt.datetime(1970, 1, 1)


def public_url(endpoint: str, **values: Any) -> str:
    """Absolute URL on the configured public address (the app may sit behind a proxy)."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + url_for(endpoint, **{k: v for k, v in values.items() if v is not None})


def package_metadata(published: dt.datetime) -> packages.PackageMetadata:
    """The envelope; ``published`` comes from the data so that unchanged data keeps its ETag."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    query = request.query_string.decode()
    return packages.PackageMetadata(
        uri=base + request.path + (f"?{query}" if query else ""),
        published_date=format_ocds_datetime(published),
        publisher_name=current_app.config["PUBLISHER_NAME"],
        publisher_uri=base + "/",
        publication_policy=public_url("public.publication_policy"),
        extensions=list(configured_schema().extension_urls),
    )


def _next_url(endpoint: str, page: queries.Page, limit: int) -> str | None:
    if page.next_key is None:
        return None
    return public_url(
        endpoint,
        since=request.args.get("since") or None,
        limit=limit if "limit" in request.args else None,
        cursor=encode_cursor(page.next_key),
    )


@bp.get("/releases")
def releases() -> ResponseReturnValue:
    """Release package of every release, oldest first, ``limit`` at a time."""
    limit, since, after = limit_param(), since_param(), cursor_param()
    session = db_session()
    page = queries.release_page(session, since=since, after=after, limit=limit)
    published = max(
        (r.created_at for r in page.rows), default=queries.last_publication(session) or EPOCH
    )
    package = packages.release_package(
        package_metadata(published),
        [r.data for r in page.rows],
        _next_url("api.releases", page, limit),
    )
    return json_response(package, published)


@bp.get("/releases/<release_id>")
def release(release_id: str) -> ResponseReturnValue:
    row = queries.get_release(db_session(), release_id)
    if row is None:
        raise ApiError(404, f"no release with id {release_id}", "release_id")
    package = packages.release_package(package_metadata(row.created_at), [row.data])
    return json_response(package, row.created_at)


@bp.get("/records")
def records() -> ResponseReturnValue:
    """Record package: each record links its releases and carries its compiled release."""
    limit, since, after = limit_param(), since_param(), cursor_param()
    session = db_session()
    page = queries.record_page(session, since=since, after=after, limit=limit)
    stubs = queries.release_stubs(session, [r.ocid for r in page.rows])
    items = [
        packages.record(
            row.ocid,
            [
                packages.linked_release(public_url("api.release", release_id=s.id), s.date, s.tags)
                for s in stubs[row.ocid]
            ],
            record_compiled(session, row),
        )
        for row in page.rows
    ]
    published = max(
        (r.updated_at for r in page.rows), default=queries.last_publication(session) or EPOCH
    )
    package = packages.record_package(
        package_metadata(published), items, _next_url("api.records", page, limit)
    )
    return json_response(package, published)


@bp.get("/records/<ocid>")
def record(ocid: str) -> ResponseReturnValue:
    """One record with its releases embedded; ``?versioned=1`` adds the versioned release."""
    versioned = flag_param("versioned")
    session = db_session()
    row = queries.get_record(session, ocid)
    if row is None or row.publisher_name is not None:  # imported records are not ours to serve
        raise ApiError(404, f"no record with ocid {ocid}", "ocid")
    releases = queries.releases_by_ocid(session, [ocid])[ocid]
    item = packages.record(
        ocid,
        releases,
        record_compiled(session, row),
        versioned_release(releases, configured_schema()) if versioned else None,
    )
    package = packages.record_package(package_metadata(row.updated_at), [item])
    return json_response(package, row.updated_at)
