"""Business-case PDFs with WeasyPrint.

The app renders the HTML (so every string goes through its translations) and this
module turns it into PDF bytes; nothing here needs Flask.
"""

from __future__ import annotations

import logging


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """PDF bytes of a self-contained HTML document (styles inline, charts as inline SVG)."""
    # Imported here: WeasyPrint loads Pango at import, which only PDF requests need.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # WeasyPrint logs every unsupported CSS property as a warning; our sheet is small and
    # checked by eye, so keep those out of the server log.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    # Everything a case PDF shows is inline; text in a case must never make the server
    # fetch a URL or read a local file while rendering.
    fetcher = URLFetcher(allowed_protocols=("data",), fail_on_errors=False)
    pdf = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
    assert pdf is not None
    return pdf

