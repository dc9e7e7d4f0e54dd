"""The app under gunicorn with two worker processes over one database (scale-out mode).

The instance directory starts empty and no SECRET_KEY is set, so the workers must agree
on the generated key: a session started in one worker is honoured by the other. A
profile change written through one request is read back by many concurrent requests,
which the access log shows were answered by both workers (their process ids)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

import migrations
from marketplace.accounts.models import Role
from marketplace.db import make_engine
from tests.factories import PASSWORD, make_user
from tests.test_backup import _scratch_url

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="module")
def scratch_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    for url in _scratch_url(database_url, tmp_path_factory.mktemp("gunicorn"), "gunicorn"):
        engine = make_engine(url)
        with engine.begin() as conn:
            migrations.upgrade(conn)
        engine.dispose()
        yield url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(scratch_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = _free_port()
    log = tmp_path / "access.log"
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "BID_SECRET")}
    env.update(
        DATABASE_URL=scratch_url,
        TIANGUIS_INSTANCE_PATH=str(tmp_path / "instance"),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen(
        [str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "--access-logfile", str(log)]
        + ["--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "app:create_app()"],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", log
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        assert proc.stderr is not None
        proc.stderr.close()


def _form(
    opener: urllib.request.OpenerDirector, page_url: str, url: str, fields: dict[str, str]
) -> None:
    """Post a form as a browser does: the page's CSRF token, then the submission."""
    with opener.open(page_url) as page:
        match = _CSRF.search(page.read().decode())
    assert match, f"no CSRF token at {page_url}"
    data = urllib.parse.urlencode({**fields, "csrf_token": match.group(1)}).encode()
    with pytest.raises(urllib.error.HTTPError) as done:  # the redirect after success
        opener.open(url, data=data)
    with done.value as response:
        assert response.code == 302, response.read().decode()[-1000:]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_two_workers_share_sessions_and_data(scratch_url: str, server: tuple[str, Path]) -> None:
    base, log = server
    engine = make_engine(scratch_url)
    with Session(engine) as session:
        make_user(session, Role.SUPPLIER, email="scale@test.example")
        session.commit()
    engine.dispose()

    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
    )
    login = f"{base}/account/login"
    _form(opener, login, login, {"email": "scale@test.example", "password": PASSWORD})
    profile = {"name": "Nombre escalado", "locale": "es"}
    _form(opener, f"{base}/account/", f"{base}/account/profile", profile)

    def read(_: int) -> str:
        with opener.open(f"{base}/account/") as resp:
            return str(resp.read().decode())

    with ThreadPoolExecutor(8) as pool:
        pages = list(pool.map(read, range(40)))
    assert all('value="Nombre escalado"' in page for page in pages)

    time.sleep(0.5)  # the workers' access log lines
    lines = [line.split() for line in log.read_text().splitlines()]
    readers = {pid for pid, method, path, status in lines if (method, path) == ("GET", "/account/")}
    assert len(readers) == 2, lines
    assert all(status in ("200", "302") for *_, status in lines), lines
