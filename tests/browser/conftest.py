"""Browser test fixtures: the real app on a free 127.0.0.1 port with its own migrated
SQLite file, and Debian's Chromium driven by Playwright.

Reusable by every browser test: ``live_server`` (base URL, database URL, a session
factory on the same file so tests can set data up or check it through the services;
``start_live_server`` makes another one with a database of its own),
``browser`` (one Chromium per test module) and ``page`` (a fresh context per test, at a
360x740 phone viewport unless the test asks for another with ``viewport``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

import migrations
from marketplace.db import make_engine

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}


@dataclass
class LiveServer:
    url: str
    database_url: str
    sessions: sessionmaker[Session]


@contextmanager
def _serve(root: Path) -> Iterator[LiveServer]:
    """The app on a free port with its own migrated SQLite file and instance under ``root``."""
    from app import create_app

    database_url = f"sqlite:///{root / 'live.db'}"
    engine = make_engine(database_url)
    with engine.begin() as conn:
        migrations.upgrade(conn)
    # The instance folder is read when the app is made; restore the variable afterwards
    # so other fixtures are not affected.
    previous = os.environ.get("TIANGUIS_INSTANCE_PATH")
    os.environ["TIANGUIS_INSTANCE_PATH"] = str(root / "instance")
    try:
        app = create_app(
            {
                "DATABASE_URL": database_url,
                "SECRET_KEY": "browser-test-secret",
                "SEARCH_INDEX_DIR": str(root / "index"),
                "BULK_DIR": str(root / "bulk"),
            }
        )
    finally:
        if previous is None:
            os.environ.pop("TIANGUIS_INSTANCE_PATH", None)
        else:
            os.environ["TIANGUIS_INSTANCE_PATH"] = previous
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(
            url=f"http://127.0.0.1:{server.server_port}",
            database_url=database_url,
            sessions=sessionmaker(engine, expire_on_commit=False),
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["tianguis_db"].engine.dispose()
        engine.dispose()


#: ``with start_live_server("name") as server:``: another live server with its own database.
StartLiveServer = Callable[[str], AbstractContextManager[LiveServer]]


@pytest.fixture(scope="session")
def start_live_server(tmp_path_factory: pytest.TempPathFactory) -> StartLiveServer:
    """A factory of live servers, for tests that need data of their own (see
    test_explorer.py); each runs until its ``with`` block ends."""
    return lambda name: _serve(tmp_path_factory.mktemp(name))


@pytest.fixture(scope="session")
def live_server(start_live_server: StartLiveServer) -> Iterator[LiveServer]:
    with start_live_server("live") as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module. Not per session: Playwright's sync API runs an event
    loop while it is open, and a test elsewhere that starts its own ``sync_playwright()``
    must not find one still running."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    return PHONE


@pytest.fixture
def page(browser: Any, viewport: dict[str, int]) -> Iterator[Any]:
    context = browser.new_context(viewport=viewport, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
