"""Configuration: defaults, then instance/config.py, then environment, then overrides."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from flask import Flask

from marketplace.frameworks.calloffs import DEFAULT_CEILING

#: Environment variables we read (DESIGN.md §3), with their defaults (None: computed).
ENV_KEYS = (
    "DATABASE_URL",
    "OCDS_SCHEMA_DIR",
    "OCDS_EXTENSIONS_DIR",
    "OCID_PREFIX",
    "SECRET_KEY",
    "BID_SECRET",
    "SEARCH_INDEX_DIR",
    "SEARCH_BACKEND",
    "BULK_DIR",
    "MAIL_URL",
    "UPLOAD_MAX_BYTES",
    "RATELIMIT_STORAGE_URI",
    "STANDSTILL_DAYS",
    "RATELIMIT_LOGIN",
    "RATELIMIT_REGISTER",
    "RATELIMIT_SEARCH",
    "RATELIMIT_API",
    "PREFERRED_URL_SCHEME",
    "CALLOFF_DIRECT_CEILING_MXN",
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.update(
        DATABASE_URL=f"sqlite:///{instance / 'tianguis.db'}",
        OCDS_SCHEMA_DIR=None,
        OCDS_EXTENSIONS_DIR=None,
        OCID_PREFIX="ocds-tgs001",
        SEARCH_INDEX_DIR=str(instance / "search-index"),
        # "whoosh" (files under SEARCH_INDEX_DIR) or "postgres" (full text in the database).
        SEARCH_BACKEND="whoosh",
        BULK_DIR=str(instance / "bulk"),
        MAIL_URL=None,
        UPLOAD_MAX_BYTES=5 * 1024 * 1024,
        MAX_CONTENT_LENGTH=12 * 1024 * 1024,
        RATELIMIT_STORAGE_URI="memory://",
        # Per client address (app/extensions.py); RATELIMIT_ENABLED=False turns all off.
        RATELIMIT_LOGIN="10 per minute",
        RATELIMIT_REGISTER="60 per hour",
        RATELIMIT_SEARCH="120 per minute",
        RATELIMIT_API="600 per minute",
        # "https" in production: cookies get the Secure flag and responses carry HSTS.
        PREFERRED_URL_SCHEME="http",
        # Behind a reverse proxy: trust its X-Forwarded-For/-Proto (one hop), so rate
        # limits see the client's address and HTTPS is recognised.
        TRUST_PROXY_HEADERS=False,
        BABEL_DEFAULT_LOCALE="es",
        BABEL_DEFAULT_TIMEZONE="America/Mexico_City",
        LANGUAGES=("es", "en"),
        # Forms validate their own CSRF token so that an expired token is shown on the
        # form, with what the user typed kept, instead of a bare 400 page.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=4 * 3600,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PUBLIC_BASE_URL="http://127.0.0.1:5000",
        PUBLISHER_NAME="Tianguis (demo)",
        # Calendar days losing bidders may complain after an award (marketplace/awards).
        STANDSTILL_DAYS=10,
        # Largest framework call-off a buyer may award directly, quantity x listed price.
        CALLOFF_DIRECT_CEILING_MXN=DEFAULT_CEILING,
    )
    app.config.from_pyfile(str(instance / "config.py"), silent=True)
    for key in ENV_KEYS:
        if key in os.environ:
            app.config[key] = os.environ[key]
    if overrides:
        app.config.update(overrides)
    app.config["UPLOAD_MAX_BYTES"] = int(app.config["UPLOAD_MAX_BYTES"])
    app.config["CALLOFF_DIRECT_CEILING_MXN"] = _positive_amount(
        "CALLOFF_DIRECT_CEILING_MXN", app.config["CALLOFF_DIRECT_CEILING_MXN"]
    )
    _check_search_backend(app.config["SEARCH_BACKEND"], str(app.config["DATABASE_URL"]))
    if app.config["PREFERRED_URL_SCHEME"] == "https":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)


class ConfigError(ValueError):
    """A setting has a value the app cannot use; the message names the setting."""


def _check_search_backend(backend: str, database_url: str) -> None:
    if backend not in ("whoosh", "postgres"):
        raise ConfigError(f"SEARCH_BACKEND must be 'whoosh' or 'postgres', not {backend!r}")
    if backend == "postgres" and not database_url.startswith("postgresql"):
        raise ConfigError("SEARCH_BACKEND = 'postgres' needs a PostgreSQL DATABASE_URL")


def _positive_amount(key: str, raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "").replace("_", ""))
    except InvalidOperation:
        value = Decimal(0)
    if not value.is_finite() or value <= 0:
        raise ConfigError(f"{key} must be a positive amount (e.g. 300000), not {raw!r}")
    return value


def _instance_secret(instance: Path) -> str:
    """Read the generated secret key, creating it (mode 600) on first run.

    Several worker processes (gunicorn) may start at once on a fresh instance: each
    writes a complete candidate file and links it into place, which only one can do;
    the others read the winner's key, so every worker signs sessions with the same key.
    """
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    fd, candidate = tempfile.mkstemp(prefix=".secret_key.", dir=instance)
    try:
        with os.fdopen(fd, "w") as fh:  # mkstemp creates the file with mode 600
            fh.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):
            os.link(candidate, path)
    finally:
        os.unlink(candidate)
    return path.read_text().strip()
