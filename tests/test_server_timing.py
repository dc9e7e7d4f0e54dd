"""Each response says where its time went on the server (``Server-Timing``), which the
browser's developer tools show and bench/deadline.py reads."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

_ENTRY = re.compile(r'(\w+);dur=([0-9.]+)(?:;desc="(\d+) statements")?')


def _timing(header: str) -> dict[str, tuple[float, str | None]]:
    return {name: (float(dur), desc or None) for name, dur, desc in _ENTRY.findall(header)}


def test_a_page_reports_its_total_and_database_time(client: FlaskClient) -> None:
    response = client.get("/search?q=equipo")
    timing = _timing(response.headers["Server-Timing"])
    assert set(timing) == {"total", "db", "queue"}
    total, _ = timing["total"]
    db, statements = timing["db"]
    assert statements is not None and int(statements) > 0  # the search read the database
    assert 0 < db <= total


def test_the_header_tells_nothing_but_durations(client: FlaskClient) -> None:
    header = client.get("/account/login").headers["Server-Timing"]
    assert re.fullmatch(
        r'total;dur=[0-9.]+, db;dur=[0-9.]+;desc="\d+ statements", queue;dur=[0-9.]+', header
    )
