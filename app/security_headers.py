"""Response headers that keep browsers strict: CSP, HSTS, nosniff, referrer policy.

The Content-Security-Policy allows scripts and styles only from our own static files,
plus elements carrying this response's nonce: templates that truly need an inline
``<style>`` or ``<script>`` write ``<style nonce="{{ csp_nonce() }}">``. Inline
``style="..."`` attributes and ``on...=`` handlers are never allowed (there is no
'unsafe-inline'), so templates use classes from app/static instead.

HSTS is sent on HTTPS requests, and on every response when the instance says it is
served over HTTPS (``PREFERRED_URL_SCHEME = "https"``, e.g. behind a TLS proxy).
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This response's nonce (one per request, unguessable)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            "img-src 'self' data:",
            f"style-src 'self' 'nonce-{nonce}'",
            f"script-src 'self' 'nonce-{nonce}'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'none'",
        )
    )


def init_app(app: Flask) -> None:
    if app.config.get("TRUST_PROXY_HEADERS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    app.jinja_env.globals["csp_nonce"] = csp_nonce
    https = app.config.get("PREFERRED_URL_SCHEME") == "https"

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if https or request.is_secure:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
