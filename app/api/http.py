"""HTTP behaviour of the open-data routes: JSON bodies with validators, gzip, CORS.

Registered on the app by the API blueprint, limited to /api/ and /bulk/.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
from typing import Any

from flask import Blueprint, Response, request

from ocds.packages import dumps

OPEN_DATA_PREFIXES = ("/api/", "/bulk/")
#: Below this, gzip costs more than it saves.
GZIP_MIN_BYTES = 256


def json_response(data: Any, last_modified: dt.datetime | None = None) -> Response:
    """A JSON response that answers 304 to a matching If-None-Match / If-Modified-Since.

    The ETag is weak because the gzip layer may re-encode the same content.
    """
    body = dumps(data).encode()
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32], weak=True)
    if last_modified is not None:
        response.last_modified = last_modified.replace(tzinfo=dt.UTC)
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response.make_conditional(request)


def _is_open_data() -> bool:
    return request.path.startswith(OPEN_DATA_PREFIXES) or request.path == "/bulk"


def register(bp: Blueprint) -> None:
    @bp.after_app_request
    def _open_data_headers(response: Response) -> Response:
        if not _is_open_data():
            return response
        if request.method in ("GET", "HEAD", "OPTIONS"):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
        if request.method == "OPTIONS":
            # A browser asks first when a script sends its own If-None-Match.
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response.headers["Access-Control-Max-Age"] = "86400"
        response.vary.add("Accept-Encoding")
        return _gzip(response)


def _gzip(response: Response) -> Response:
    if (
        response.status_code != 200
        or response.direct_passthrough  # files sent from disk (bulk files are compressed)
        or response.is_streamed
        or "Content-Encoding" in response.headers
        or request.accept_encodings["gzip"] <= 0
    ):
        return response
    body = response.get_data()
    if len(body) < GZIP_MIN_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    return response
