"""This app's settings for library code (marketplace/, business_cases/: publication,
business-case gate, review policy, award standstill, public links), which does not
import Flask: each app keeps its own objects in ``app.extensions`` and the libraries
read them from the current app (marketplace.app_settings), so one app's settings never
leak into another's."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask import Flask, current_app, has_app_context

from business_cases import gate
from business_cases.services import REVIEW_POLICY_KEY, ReviewPolicy
from marketplace import app_settings
from marketplace.awards import services as awards
from marketplace.publication import services as publication
from marketplace.tenders import releases as tender_releases


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
    # Which cases are major: two reviewers, monitored from approval (also for `tianguis tick`).
    app.extensions[REVIEW_POLICY_KEY] = review_policy_from(config)
    # How long losing bidders may complain after an award (ValueError when negative).
    app.extensions[awards.STANDSTILL_KEY] = awards.standstill_from_config(
        config.get("STANDSTILL_DAYS")
    )
    # Document URLs in releases point at this app's public pages.
    app.extensions[tender_releases.LINKS_KEY] = tender_releases.LinkSettings(
        base_url=config["PUBLIC_BASE_URL"].rstrip("/")
    )
    app_settings.set_reader(_from_current_app)


def review_policy_from(config: Mapping[str, Any]) -> ReviewPolicy:
    """BUSINESS_CASE_MAJOR_USD and BUSINESS_CASE_HIGH_RISK_SCORE."""
    return ReviewPolicy(
        major_threshold_usd=Decimal(str(config.get("BUSINESS_CASE_MAJOR_USD", "1000000"))),
        high_risk_score=int(config.get("BUSINESS_CASE_HIGH_RISK_SCORE", 15)),
    )


def _from_current_app(key: str) -> object | None:
    return current_app.extensions.get(key) if has_app_context() else None
