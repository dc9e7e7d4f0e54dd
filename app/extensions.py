"""Flask extensions shared by blueprints.

Rate limits are per client address and read from the configuration at request time
(``RATELIMIT_LOGIN``, ``RATELIMIT_REGISTER``, ``RATELIMIT_SEARCH``, ``RATELIMIT_API``;
limits strings such as "10 per minute"), so an instance, a test or a bench can raise
them, or turn all of them off with ``RATELIMIT_ENABLED = False``.
"""

from __future__ import annotations

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def search_limit() -> str:
    """Explorer searches and their CSV (each runs a full-text query)."""
    return str(current_app.config["RATELIMIT_SEARCH"])


def api_limit() -> str:
    """Every route of the public JSON API, /api/search included."""
    return str(current_app.config["RATELIMIT_API"])
