"""Query parameters of the API, checked at the edge; a bad one is a 400 naming it."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from flask import request

from marketplace.publication.services import parse_ocds_datetime

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class ApiError(Exception):
    """Becomes ``{"error": {"code", "message", "path"}}`` with that HTTP status."""

    def __init__(self, code: int, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "path": self.path}}


def limit_param() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}", "limit")
    return int(raw)


def since_param() -> dt.datetime | None:
    raw = request.args.get("since")
    if raw is None:
        return None
    try:
        return parse_ocds_datetime(raw)
    except ValueError:
        raise ApiError(
            400, "since must be an ISO 8601 date or date-time, e.g. 2024-05-01T00:00:00Z", "since"
        ) from None


def flag_param(name: str) -> bool:
    raw = request.args.get(name, "0").lower()
    if raw in ("1", "true", "yes"):
        return True
    if raw in ("0", "false", "no", ""):
        return False
    raise ApiError(400, f"{name} must be 1 or 0", name)


def encode_cursor(key: tuple[dt.datetime, str]) -> str:
    raw = json.dumps([key[0].isoformat(), key[1]], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_param() -> tuple[dt.datetime, str] | None:
    """The (timestamp, id) keyset a ``links.next`` URL carries; opaque to clients."""
    raw = request.args.get("cursor")
    if raw is None or raw == "":
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        when, key = decoded
        if not isinstance(when, str) or not isinstance(key, str):
            raise ValueError
        parsed = dt.datetime.fromisoformat(when)
        if parsed.tzinfo is not None:
            raise ValueError
        return parsed, key
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ApiError(
            400, "cursor is not one this API gave out; use links.next", "cursor"
        ) from None
