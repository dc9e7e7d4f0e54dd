"""A buyer's first login in real Chromium: password, 2FA enrolment with the QR code
(which must display under our Content-Security-Policy), recovery codes, log out, and
logging in again with a recovery code."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import sync_playwright
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from marketplace.accounts.models import Role
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def live_url(app: Flask, db: Session) -> Iterator[str]:
    """The app served on a free local port; one request at a time, on the test's
    database transaction (so everything is rolled back afterwards)."""
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_buyer_enrols_in_two_factor_and_logs_in_again_with_a_recovery_code(
    live_url: str, db: Session
) -> None:
    user = make_user(db, Role.BUYER, enrol_2fa=False)
    db.commit()  # a savepoint of the test's transaction, visible to the server
    csp_errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context()
        # Pages default to Spanish; this test reads the English source texts.
        context.add_cookies([{"name": "lang", "value": "en", "url": live_url}])
        page = context.new_page()
        page.on(
            "console",
            lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(f"{live_url}/account/login")
        page.fill("#email", user.email)
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        assert "/account/two-factor" in page.url

        qr = page.locator(".qr img")
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "QR code shows"
        secret = page.locator("ol code.code").inner_text().replace(" ", "")
        page.fill("#code", pyotp.TOTP(secret).now())
        page.click("main button[type=submit]")
        codes = page.locator(".recovery-codes code").all_inner_texts()
        assert len(codes) == 10

        page.click("text=I have saved them, continue")
        assert page.url.endswith("/buyer/")
        page.click("header button:has-text('Log out')")
        assert "You are logged out." in page.inner_text("main")

        page.goto(f"{live_url}/account/login")
        page.fill("#email", user.email)
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        assert page.url.endswith("/account/login/code")
        page.fill("#code", codes[0])
        page.click("main button[type=submit]")
        assert page.url.endswith("/buyer/")
        assert "9 codes are left" in page.inner_text("main")
        browser.close()
    assert csp_errors == []
