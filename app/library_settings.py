"""This app's settings for library code (marketplace/, business_cases/), which does not
import Flask: each app keeps its own objects in ``app.extensions`` and the libraries read
them from the current app (marketplace.app_settings), so one app's settings never leak
into another's."""

from __future__ import annotations

from flask import Flask, current_app, has_app_context

from business_cases import gate
from marketplace import app_settings
from marketplace.publication import services as publication


def init_app(app: Flask) -> None:
    config = app.config
    app.extensions[publication.SETTINGS_KEY] = publication.PublicationSettings(
        ocid_prefix=config["OCID_PREFIX"] or publication.DEFAULT_OCID_PREFIX,
        schema_dir=config["OCDS_SCHEMA_DIR"],
        extensions_dir=config["OCDS_EXTENSIONS_DIR"],
        # Our own extensions are served by app/public/extensions.py.
        own_extensions_url=config["PUBLIC_BASE_URL"].rstrip("/") + "/ocds/extensions/",
    )
    app.extensions[gate.POLICY_KEY] = gate.policy_from_config(config.get("BUSINESS_CASE_GATE_MXN"))
    app_settings.set_reader(_from_current_app)


def _from_current_app(key: str) -> object | None:
    return current_app.extensions.get(key) if has_app_context() else None
