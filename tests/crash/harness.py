"""Crash trials: the real server killed with SIGKILL while people act through its pages.

Shared by ``tests/crash/test_kill9.py`` (CI) and ``bench/crash.py``. One database and
one search index serve all the trials of a run: :func:`seed` builds, through the
services, a few verified suppliers, a buyer (2FA enrolled), a tender taking bids and a
tender in its enquiry period. Each :func:`trial` (re)starts ``tianguis run`` on a free
127.0.0.1 port, checks it serves a receipt from the recovered database, lets client
threads act over HTTP (seal a bid, withdraw it, ask a question, answer one; a reader
searching, which makes the server feed the index) and ``kill -9``s the server at a
random instant. Every action the server acknowledged (its redirect after the commit) is
recorded; ``tests/crash/checks.py`` then looks for it in the database.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import requests
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

import migrations
from bench.deadline import (
    PASSWORD,
    PDF,
    RECEIPT,
    free_port,
    login,
    seed_suppliers,
    start_server,
)
from bench.deadline import _token as csrf_token
from marketplace.accounts import services as accounts
from marketplace.accounts.models import User
from marketplace.audit.models import AuditHead
from marketplace.db import make_engine, utcnow
from marketplace.publication.models import OcdsRecord
from marketplace.tenders.models import Tender
from marketplace.tenders.qa_models import Enquiry
from marketplace.tenders.services import publish_tender
from tests.bid_helpers import below_gate
from tests.tender_helpers import drafted_tender

#: The schema the crash trials use inside a shared PostgreSQL test database, so that
#: their committed rows never meet the tests that roll back (tests/conftest.py).
PG_SCHEMA = "crash_trials"


def scratch_url(test_url: str | None, workdir: Path) -> str:
    """A migrated, empty database for a run: a SQLite file in ``workdir``, or a schema of
    its own in the PostgreSQL database ``test_url`` (dropped and created again)."""
    if not test_url or not test_url.startswith("postgresql"):
        url = f"sqlite:///{workdir / 'crash.db'}"
    else:
        glue = "&" if "?" in test_url else "?"
        url = f"{test_url}{glue}options=-csearch_path%3D{PG_SCHEMA}"
        engine = make_engine(test_url)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
        engine.dispose()
    engine = make_engine(url)
    with engine.begin() as conn:
        migrations.upgrade(conn)
    engine.dispose()
    return url


def drop_scratch(test_url: str | None) -> None:
    if test_url and test_url.startswith("postgresql"):
        engine = make_engine(test_url)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        engine.dispose()


@dataclass
class World:
    """What :func:`seed` made, and what was there before the trials."""

    url: str
    workdir: Path
    suppliers: list[str]
    buyer_email: str
    totp_secret: str
    bid_tender: int
    bid_ocid: str
    enquiry_tender: int
    enquiry_ocid: str
    #: Releases per ocid and audit events before the first trial.
    releases_before: dict[str, int]
    audit_before: int

    @property
    def index_dir(self) -> Path:
        return self.workdir / "instance" / "index"


def seed(url: str, workdir: Path, suppliers: int = 3) -> World:
    """Suppliers, a buyer with 2FA, a tender taking bids and one taking questions."""
    hasher = accounts._hasher  # noqa: SLF001
    try:
        emails, buyer_id = seed_suppliers(url, suppliers)
    finally:
        accounts._hasher = hasher  # noqa: SLF001 (seed_suppliers cheapens it for itself)
    engine = make_engine(url)
    now = utcnow().replace(microsecond=0)
    with Session(engine) as session:
        buyer = session.get(User, buyer_id)
        assert buyer is not None
        buyer.totp_secret = pyotp.random_base32()
        buyer.totp_enabled = True
        tenders: list[Tender] = []
        for enquiry_end in (None, now + dt.timedelta(days=1)):
            overrides = below_gate(enquiry_end=enquiry_end, tender_end=now + dt.timedelta(days=2))
            tender = drafted_tender(session, buyer, now - dt.timedelta(minutes=10), **overrides)
            publish_tender(session, tender, buyer, now=now - dt.timedelta(minutes=9))
            tenders.append(tender)
        session.commit()
        ocids = [str(t.ocid) for t in tenders]
        counts = {
            ocid: count
            for ocid, count in session.execute(
                select(OcdsRecord.ocid, OcdsRecord.release_count).where(OcdsRecord.ocid.in_(ocids))
            )
        }
        head = session.scalar(select(func.coalesce(func.max(AuditHead.seq), 0)))
        world = World(
            url, workdir, emails, buyer.email, buyer.totp_secret, tenders[0].id, ocids[0],
            tenders[1].id, ocids[1], counts, int(head or 0),
        )  # fmt: skip
    engine.dispose()
    (workdir / "instance").mkdir(exist_ok=True)
    return world


@dataclass
class Ack:
    """An action the server acknowledged: ``bid`` (key: bid id, value: receipt number or
    "" when the receipt page did not come), ``withdraw`` (bid id), ``question`` (its
    unique text), ``answer`` (enquiry id, value: its unique text)."""

    kind: str
    key: str
    value: str = ""


@dataclass
class Ledger:
    acks: list[Ack] = field(default_factory=list)
    #: Requests that got no answer or an unexpected one (the kill, mostly).
    unanswered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ack: Ack) -> None:
        with self.lock:
            self.acks.append(ack)

    def miss(self) -> None:
        with self.lock:
            self.unanswered += 1


@dataclass
class Actor:
    """A logged-in person: their HTTP session (cookies survive restarts: the server's
    secret key stays) and the CSRF token of that session."""

    http: requests.Session
    token: str = ""
    live_bid: str | None = None


class Server:
    """``tianguis run`` on the run's database, started again for every trial."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.process: subprocess.Popen[bytes] | None = None
        self.base = ""
        self.starts = 0

    def start(self) -> None:
        """Start it on a free port (another port when that one was taken meanwhile)."""
        for attempt in range(3):
            port = free_port()
            log = self.world.workdir / f"server-{self.starts}-{attempt}.log"
            try:
                self.process = start_server(
                    self.world.url, self.world.workdir / "instance", port, log
                )
            except SystemExit as stopped:
                output = log.read_text(errors="replace")
                if "Address already in use" in output and attempt < 2:
                    continue
                raise RuntimeError(f"{stopped}:\n{output[-3000:]}") from None
            self.base = f"http://127.0.0.1:{port}"
            self.starts += 1
            return

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _actor(cookies: list[tuple[str, str, str, str]]) -> Actor:
    http = requests.Session()
    for name, value, domain, path in cookies:
        http.cookies.set(name, value, domain=domain, path=path)
    return Actor(http)


def log_in_everyone(world: World, base: str) -> tuple[list[Actor], Actor]:
    """The suppliers with the login form, the buyer with it and a 2FA code."""
    suppliers = [_actor(login(base, email)) for email in world.suppliers]
    for actor in suppliers:
        actor.token = csrf_token(
            actor.http.get(f"{base}/supplier/tenders/{world.bid_tender}/bid", timeout=60).text
        )
    http = requests.Session()
    page = http.get(f"{base}/account/login", timeout=60)
    answer = http.post(
        f"{base}/account/login",
        data={"csrf_token": csrf_token(page.text), "email": world.buyer_email,
              "password": PASSWORD},
        timeout=60,
    )  # fmt: skip
    answer = http.post(
        f"{base}/account/login/code",
        data={"csrf_token": csrf_token(answer.text), "code": pyotp.TOTP(world.totp_secret).now()},
        timeout=60,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"the buyer's 2FA login failed: HTTP {answer.status_code}")
    buyer = Actor(http)
    buyer.token = csrf_token(http.get(f"{base}/buyer/tenders/{world.enquiry_tender}").text)
    return suppliers, buyer


def _post(actor: Actor, url: str, data: dict[str, str], **kwargs: object) -> requests.Response:
    return actor.http.post(
        url, data={"csrf_token": actor.token, **data}, timeout=60, allow_redirects=False,
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


def _supplier_step(world: World, base: str, actor: Actor, rng: random.Random, out: Ledger) -> None:
    """One action of a supplier: mostly a (replacing) bid, sometimes a withdrawal of its
    live bid, sometimes a question."""
    roll = rng.random()
    if actor.live_bid and roll < 0.2:
        answer = _post(actor, f"{base}/supplier/bids/{actor.live_bid}/withdraw", {})
        if answer.status_code == 302:
            out.add(Ack("withdraw", actor.live_bid))
            actor.live_bid = None
        else:
            out.miss()
    elif roll < 0.4:
        words = f"Pregunta {rng.getrandbits(64):016x}: ¿se aceptan entregas parciales?"
        answer = _post(actor, f"{base}/processes/{world.enquiry_ocid}/enquiries",
                       {"question": words, "related_lot": ""})  # fmt: skip
        if answer.status_code == 302:
            out.add(Ack("question", words))
        else:
            out.miss()
    else:
        data = {
            "prices-0": f"{rng.randint(250_000, 300_000)}.{rng.randint(0, 99):02d}",
            "prices-1": f"{rng.randint(90_000, 140_000)}.00" if rng.random() < 0.6 else "",
            "technical_note": "Entrega en 30 días naturales, garantía de tres años.",
            "declarations": "y",
        }
        answer = _post(actor, f"{base}/supplier/tenders/{world.bid_tender}/bid", data,
                       files={"documents": ("ficha.pdf", PDF, "application/pdf")})  # fmt: skip
        found = RECEIPT.search(answer.headers.get("Location", ""))
        if answer.status_code != 302 or not found:
            out.miss()
            return
        ack = Ack("bid", found.group(1))
        out.add(ack)
        actor.live_bid = ack.key
        receipt = actor.http.get(f"{base}/supplier/bids/{ack.key}", timeout=60)
        number = re.search(r"R\d+-[0-9A-F]{10}", receipt.text)
        ack.value = number.group(0) if number else ""


def _buyer_step(world: World, base: str, actor: Actor, rng: random.Random, out: Ledger) -> None:
    """The buyer answers a question still waiting for its answer (or waits a little)."""
    with Session(engine_for(world.url)) as session:
        waiting = session.scalars(
            select(Enquiry.id).where(
                Enquiry.tender_id == world.enquiry_tender, Enquiry.answered_at.is_(None)
            )
        ).all()
    if not waiting:
        time.sleep(0.05)
        return
    enquiry = rng.choice(waiting)
    words = f"Respuesta {rng.getrandbits(64):016x}: sí, en dos entregas como máximo."
    answer = _post(
        actor, f"{base}/buyer/tenders/{world.enquiry_tender}/enquiries/{enquiry}/answer",
        {"answer": words},
    )  # fmt: skip
    if answer.status_code == 302:
        out.add(Ack("answer", str(enquiry), words))
    else:
        out.miss()


def _reader_step(world: World, base: str, actor: Actor, rng: random.Random, out: Ledger) -> None:
    """A visitor searching: the search page first feeds the index from the outbox."""
    actor.http.get(f"{base}/search", params={"q": rng.choice(["computo", "monitor"])}, timeout=60)


STEPS = {"supplier": _supplier_step, "buyer": _buyer_step, "reader": _reader_step}


def _act(kind: str, world: World, base: str, actor: Actor, seed: int, out: Ledger,
         stop: threading.Event, limit: int) -> None:  # fmt: skip
    rng = random.Random(seed)
    step = STEPS[kind]
    for _ in range(limit):
        if stop.is_set():
            return
        try:
            step(world, base, actor, rng, out)
        except requests.RequestException:
            out.miss()
            return


@dataclass
class TrialResult:
    acks: list[Ack]
    unanswered: int
    killed_after: float


def trial(
    world: World, server: Server, suppliers: list[Actor], buyer: Actor, rng: random.Random,
    kill_window: tuple[float, float] = (0.3, 2.0), limit: int = 8,
) -> TrialResult:  # fmt: skip
    """Act on the running server from client threads and ``kill -9`` it at a random
    instant of ``kill_window`` seconds (each thread stops after ``limit`` steps)."""
    assert server.process is not None
    out = Ledger()
    stop = threading.Event()
    reader = Actor(requests.Session())
    people = [("supplier", a) for a in suppliers] + [("buyer", buyer), ("reader", reader)]
    threads = [
        threading.Thread(target=_act, args=(kind, world, server.base, actor,
                                            rng.getrandbits(32), out, stop, limit))
        for kind, actor in people
    ]  # fmt: skip
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(rng.uniform(*kill_window))
    server.kill()
    killed_after = time.perf_counter() - started
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    reader.http.close()
    return TrialResult(out.acks, out.unanswered, killed_after)


def serves_pages(
    world: World, server: Server, suppliers: list[Actor], buyer: Actor, acks: list[Ack]
) -> bool:
    """After a restart: the pages the trial uses answer (the first requests of a new
    process are slow; a trial's kill window starts after them), and the receipt page of
    the last acknowledged bid shows its number to the supplier who sealed it."""
    pages = [
        (suppliers[0], f"/supplier/tenders/{world.bid_tender}/bid"),
        (suppliers[0], f"/processes/{world.enquiry_ocid}"),
        (buyer, f"/buyer/tenders/{world.enquiry_tender}"),
    ]
    for actor, path in pages:
        if actor.http.get(f"{server.base}{path}", timeout=60).status_code != 200:
            return False
    bids = [a for a in acks if a.kind == "bid" and a.value]
    if not bids:
        return True
    last = bids[-1]
    for supplier in suppliers:
        page = supplier.http.get(f"{server.base}/supplier/bids/{last.key}", timeout=60)
        if page.status_code == 200:
            return last.value in page.text
    return False


_engines: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One engine per database for the whole run (the harness's own reads)."""
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def dispose_engines() -> None:
    while _engines:
        _engines.popitem()[1].dispose()
