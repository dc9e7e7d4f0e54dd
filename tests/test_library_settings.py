"""Each app's settings for the libraries (ocid prefix, schema, our extensions' address,
business-case gate, review policy) are its own: creating another app does not change the
first one's, and outside any app the libraries use their defaults or what the caller
passes."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask

from app import create_app
from app.db import get_database
from business_cases.gate import DEFAULT_POLICY, GatePolicy, current_policy, over_threshold
from business_cases.services import ReviewPolicy, current_review_policy
from marketplace.publication.services import (
    DEFAULT_SETTINGS,
    PublicationSettings,
    configured_schema,
    current_settings,
    ocid_for,
)
from marketplace.tenders.releases import process_url


def test_a_second_app_does_not_change_the_first_ones_settings(app: Flask) -> None:
    other = create_app(
        {
            **app.config,
            "OCID_PREFIX": "ocds-zzz999",
            "PUBLIC_BASE_URL": "https://other.example",
            "BUSINESS_CASE_GATE_MXN": "1000",
            "BUSINESS_CASE_MAJOR_USD": "5000",
        }
    )
    try:
        with app.app_context():
            assert ocid_for(7) == "ocds-tgs001-7"
            assert "http://localhost/ocds/extensions/assets/extension.json" in (
                configured_schema().extension_urls
            )
            assert not over_threshold(Decimal("2000"), "MXN")
            assert current_review_policy().major_threshold_usd == Decimal("1000000")
            assert process_url("ocds-tgs001-7") == "http://localhost/processes/ocds-tgs001-7"
        with other.app_context():
            assert ocid_for(7) == "ocds-zzz999-7"
            assert "https://other.example/ocds/extensions/assets/extension.json" in (
                configured_schema().extension_urls
            )
            assert over_threshold(Decimal("2000"), "MXN")
            assert current_review_policy().major_threshold_usd == Decimal("5000")
            # Document links in releases point at the app's own public pages.
            assert process_url("x-1", "qa") == "https://other.example/processes/x-1#qa"
        with other.test_request_context("/"):
            assert current_settings().ocid_prefix == "ocds-zzz999"
            assert current_policy().threshold == Decimal("1000")
    finally:
        get_database(other).engine.dispose()


def test_outside_an_app_the_defaults_or_the_callers_settings_apply() -> None:
    assert current_settings() == DEFAULT_SETTINGS
    assert process_url("x-1") == "http://127.0.0.1:5000/processes/x-1"
    assert ocid_for(3) == "ocds-tgs001-3"
    assert ocid_for(3, settings=PublicationSettings(ocid_prefix="ocds-abc123")) == ("ocds-abc123-3")
    assert current_policy() == DEFAULT_POLICY
    assert current_review_policy() == ReviewPolicy()
    assert over_threshold(Decimal("600000"), "MXN")
    assert not over_threshold(Decimal("600000"), "MXN", GatePolicy(threshold=Decimal("1e6")))
