"""Benchmark of the last minute before a deadline for sealed bids.

    .venv/bin/python bench/deadline.py [--suppliers 200] [--bids 1000] [--window 60]
        [--lead 70] [--database-url URL] [--clients 4] [--workers N]

Migrates a fresh SQLite file (or ``--database-url``: a scratch database, its tables are
dropped and migrated again), seeds ``--suppliers`` verified suppliers with one user each
and an open tender (two lots) whose deadline falls ``--lead`` seconds after the suppliers
are logged in, all through the services. Then it starts the real app as a subprocess
(``tianguis run``: Werkzeug, one thread per request; with ``--workers N``, gunicorn with N
processes as in production) on a free 127.0.0.1 port, logs every
supplier in over HTTP with the login form, and fires ``--bids`` submissions through the
bid form (CSRF token, prices, declarations, one PDF) at instants spread at random over the
last ``--window`` seconds before the deadline (the last three seconds left out, so that a
bid is late only if the server is), from ``--clients`` processes with one thread per
supplier. A supplier's later bids replace its earlier one (the service withdraws it), as a
supplier revising its price does.

Prints the bids acknowledged (the POST answered with a redirect to a receipt page that
shows the receipt number), the bids stored (rows in ``bid``), how many acknowledged bids
are missing from the database (must be 0), the ``tenderUpdate`` releases emitted, and the
latency of a submission (POST to receipt page received) p50/p95/max. Goal: every
acknowledged bid stored, p95 <= 300 ms on SQLite and PostgreSQL. Then the server's own
time for the POSTs, from their ``Server-Timing`` header: the whole request, its database
statements (row-lock waits included) and its wait for SQLite's write turn.

The bench app's instance folder (a temporary directory) has a ``config.py`` with
``RATELIMIT_ENABLED = False``: the login rate limit (10 per minute per IP address) would
otherwise refuse 190 of the 200 logins, which all come from 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.common import fresh_database  # noqa: E402
from marketplace.accounts.models import OrgKind, Role  # noqa: E402
from marketplace.accounts.services import create_organisation, create_user  # noqa: E402
from marketplace.bids.models import Bid  # noqa: E402
from marketplace.db import make_engine, utcnow  # noqa: E402
from marketplace.plans.services import PlanLineInput, add_plan_line  # noqa: E402
from marketplace.publication.catch_up import record_compiled  # noqa: E402
from marketplace.publication.models import OcdsRecord, OcdsRelease  # noqa: E402
from marketplace.suppliers.rfc import rfc_check_digit  # noqa: E402
from marketplace.suppliers.services import (  # noqa: E402
    AccountInput,
    ProfileInput,
    register_supplier,
    verify_supplier,
)
from marketplace.tenders.models import ProcurementMethod  # noqa: E402
from marketplace.tenders.rules import ItemInput, LotInput, TenderInput  # noqa: E402
from marketplace.tenders.services import publish_tender, save_draft, start_process  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-2026"
SECRET = "bench-secret-key"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RECEIPT = re.compile(r"/supplier/bids/(\d+)$")
TIMING = re.compile(r"(\w+);dur=([0-9.]+)")
#: Bids are not timed in the last seconds before the deadline: a bid sent then may
#: honestly be late (the network and the queue are part of the deadline).
MARGIN_S = 3.0


def _rfc(n: int) -> str:
    date = dt.date(1990, 1, 1) + dt.timedelta(days=n * 11)
    body = f"BEN{date:%y%m%d}A{'123456789ABCDEFGHIJKLMNPQRSTUVWXYZ'[n % 34]}"
    return body + rfc_check_digit(body)


def seed_suppliers(url: str, count: int) -> tuple[list[str], int]:
    """``count`` verified suppliers with one user each, and the buyer; returns the
    suppliers' e-mails and the buyer user's id.

    Their passwords are hashed with argon2 at its lowest cost (verification reads the
    cost from the hash): 200 hashes and logins at the normal cost would take minutes on
    a small machine and measure argon2, not bids."""
    from argon2 import PasswordHasher

    from marketplace.accounts import services as accounts

    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # noqa: SLF001
    engine = make_engine(url)
    emails = []
    with Session(engine) as session:
        admin_org = create_organisation(session, OrgKind.ADMIN, "Administración (bench)", "ADM")
        admin = create_user(
            session, admin_org, "admin@bench.example", "Admin", PASSWORD, Role.ADMIN
        )
        buyer_org = create_organisation(session, OrgKind.BUYER, "Unidad de compras (bench)", "UCB")
        buyer = create_user(
            session, buyer_org, "compras@bench.example", "Compras", PASSWORD, Role.BUYER
        )
        for n in range(count):
            email = f"proveedor{n}@bench.example"
            supplier, _user = register_supplier(
                session,
                ProfileInput(
                    legal_name=f"Proveedor de Bench {n}, S.A. de C.V.",
                    country="MX",
                    tax_id=_rfc(n),
                    region="CMX",
                    locality="Cuauhtémoc",
                    street_address=f"Av. Juárez {n + 1}",
                    postal_code="06000",
                    size="small",
                    contact_name="Ventas gobierno",
                    contact_email=f"ventas{n}@bench.example",
                    contact_phone="+52 55 5555 0000",
                    website="",
                ),
                AccountInput(email=email, name=f"Persona {n}", password=PASSWORD),
            )
            verify_supplier(session, supplier, admin)
            emails.append(email)
        session.commit()
        buyer_id = buyer.id
    engine.dispose()
    return emails, buyer_id


def open_tender(url: str, buyer_id: int, deadline: dt.datetime) -> tuple[int, str, int]:
    """A published open tender, two lots, taking bids until ``deadline``; returns its id,
    ocid and how many releases it had before the bids."""
    from marketplace.accounts.models import User

    engine = make_engine(url)
    now = utcnow().replace(microsecond=0)
    with Session(engine) as session:
        buyer = session.get(User, buyer_id)
        assert buyer is not None
        line = add_plan_line(
            session,
            buyer,
            PlanLineInput(year=now.year, title="Equipo de cómputo para escuelas",
                          rationale="Renovar equipos con más de siete años de uso.",
                          category_code="43211500", main_category="goods",
                          amount=Decimal("450000"), currency="MXN", quarter=2,
                          budget_source="Recursos fiscales, partida 5151", is_ict=True),
        )  # fmt: skip
        tender = start_process(session, line, buyer, now=now - dt.timedelta(minutes=10))
        save_draft(
            session,
            tender,
            buyer,
            TenderInput(
                title="Adquisición de equipo de cómputo (bench)",
                description="Computadoras portátiles y monitores para docentes.",
                main_category="goods",
                value_amount=Decimal("450000"),
                procurement_method=ProcurementMethod.OPEN,
                weight_price=100, weight_quality=0, weight_technical=0,
                eligibility_criteria="Proveedores con registro vigente.",
                enquiry_end=None,
                tender_end=deadline,
                lots=[LotInput("Portátiles", "", Decimal("300000")), LotInput("Monitores")],
                items=[
                    ItemInput("Computadora portátil 14 pulgadas", "43211503", "Notebooks",
                              Decimal("30"), "equipo", "H87", 1),
                    ItemInput("Monitor 24 pulgadas", "43211902", "", Decimal("10"), "pieza",
                              "H87", 2),
                ],
            ),
            now=now - dt.timedelta(minutes=9),
        )  # fmt: skip
        publish_tender(session, tender, buyer, now=now - dt.timedelta(minutes=8))
        session.commit()
        assert tender.ocid is not None
        releases = session.scalar(
            select(func.count()).select_from(OcdsRelease).where(OcdsRelease.ocid == tender.ocid)
        )
        result = (tender.id, tender.ocid, int(releases or 0))
    engine.dispose()
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    url: str, instance: Path, port: int, log: Path, workers: int = 0
) -> subprocess.Popen[bytes]:
    """``tianguis run`` (Werkzeug, a thread per request), or with ``workers`` gunicorn
    (that many processes, a few threads each): the production server of the README."""
    (instance / "config.py").write_text(
        "# Written by bench/deadline.py: every login comes from 127.0.0.1.\n"
        "RATELIMIT_ENABLED = False\n"
    )
    env = dict(os.environ)
    env.update(
        TIANGUIS_INSTANCE_PATH=str(instance),
        DATABASE_URL=url,
        SECRET_KEY=SECRET,
        BID_SECRET="bench-bid-secret",
        SEARCH_INDEX_DIR=str(instance / "index"),
        BULK_DIR=str(instance / "bulk"),
    )
    env.pop("FLASK_DEBUG", None)
    command = [str(ROOT / ".venv" / "bin" / "tianguis"), "run", "--host", "127.0.0.1",
               "--port", str(port), "--with-threads", "--no-reload", "--no-debugger"]  # fmt: skip
    if workers:
        command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                   "--workers", str(workers), "--worker-class", "gthread", "--threads", "8",
                   "--timeout", "120", "app:create_app()"]  # fmt: skip
    with log.open("wb") as out:  # the server has its own copy of the file descriptor
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(f"{base}/account/login", timeout=10)
            return server
        except requests.RequestException:  # not listening yet, or busy starting up
            if server.poll() is not None:
                sys.exit(f"the server stopped; see {log}")
            time.sleep(0.1)
    server.terminate()
    sys.exit(f"the server did not start; see {log}")


def _token(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


Cookie = tuple[str, str, str, str]


def login(base: str, email: str) -> list[Cookie]:
    """Log in like a person (login page, form with its CSRF token); the session cookies."""
    http = requests.Session()
    page = http.get(f"{base}/account/login", timeout=30)
    answer = http.post(
        f"{base}/account/login",
        data={"csrf_token": _token(page.text), "email": email, "password": PASSWORD},
        timeout=30,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"login of {email} failed: HTTP {answer.status_code}")
    return [(c.name, c.value or "", c.domain, c.path) for c in http.cookies]


@dataclass
class Outcome:
    acknowledged: list[tuple[int, str]]  # (bid id, receipt number shown)
    latencies: list[float]
    refused: list[str]
    #: The POST's Server-Timing: {"total": ms, "db": ms, "queue": ms}.
    server: list[dict[str, float]]


def _supplier_bids(base: str, cookies: list[Cookie], bids: list[tuple[float, int]],
                   out: Outcome, lock: threading.Lock, rng: random.Random) -> None:  # fmt: skip
    """One supplier's bids, each (instant, tender id), sent at their instants."""
    http = requests.Session()
    for name, value, domain, path in cookies:
        http.cookies.set(name, value, domain=domain, path=path)
    time.sleep(max(0.0, bids[0][0] - 5 - time.time()))
    try:
        # The supplier opens the form (the CSRF token is the session's, for every form).
        token = _token(http.get(f"{base}/supplier/tenders/{bids[0][1]}/bid", timeout=60).text)
    except (requests.RequestException, RuntimeError) as exc:
        with lock:
            out.refused.extend([f"bid form: {exc}"] * len(bids))
        return
    for at, tender_id in bids:
        form_url = f"{base}/supplier/tenders/{tender_id}/bid"
        time.sleep(max(0.0, at - time.time()))
        data = {
            "csrf_token": token,
            "prices-0": f"{rng.randint(250_000, 300_000)}.{rng.randint(0, 99):02d}",
            "prices-1": f"{rng.randint(90_000, 140_000)}.00" if rng.random() < 0.6 else "",
            "technical_note": "Entrega en 30 días naturales, garantía de tres años.",
            "declarations": "y",
        }
        start = time.perf_counter()
        try:
            answer = http.post(form_url, data=data, files={"documents": ("ficha.pdf", PDF,
                               "application/pdf")}, timeout=120, allow_redirects=False)  # fmt: skip
            found = RECEIPT.search(answer.headers.get("Location", ""))
            if answer.status_code != 302 or not found:
                problem = re.search(
                    r'class="errors-summary".*?<li>(?:<a[^>]*>)?([^<]+)<', answer.text, re.S
                )
                with lock:
                    out.refused.append(
                        f"HTTP {answer.status_code}" + (f": {problem.group(1)}" if problem else "")
                    )
                continue
            receipt = http.get(f"{base}/supplier/bids/{found.group(1)}", timeout=120)
            elapsed = time.perf_counter() - start
            header = answer.headers.get("Server-Timing", "")
            timing = {k: float(v) for k, v in TIMING.findall(header)}
        except requests.RequestException as exc:
            with lock:
                out.refused.append(type(exc).__name__)
            continue
        number = re.search(r"R\d+-[0-9A-F]{10}", receipt.text)
        with lock:
            if receipt.status_code == 200 and number:
                out.acknowledged.append((int(found.group(1)), number.group(0)))
                out.latencies.append(elapsed)
                out.server.append(timing)
            else:
                out.refused.append(f"receipt HTTP {receipt.status_code}")


def client_process(base: str, work: list[tuple[list[Cookie], list[tuple[float, int]]]],
                   seed: int) -> Outcome:  # fmt: skip
    """One client process: a thread per supplier, each sending its bids at their times."""
    out = Outcome([], [], [], [])
    lock = threading.Lock()
    threads = [
        threading.Thread(target=_supplier_bids,
                         args=(base, cookies, bids, out, lock, random.Random(seed * 1000 + n)))
        for n, (cookies, bids) in enumerate(work)
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suppliers", type=int, default=200)
    parser.add_argument("--bids", type=int, default=1000)
    parser.add_argument("--window", type=float, default=60.0, help="seconds before the deadline")
    parser.add_argument("--lead", type=float, default=70.0, help="seconds to the deadline")
    parser.add_argument("--tenders", type=int, default=1, help="tenders closing together")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--server-log", default=None, help="keep the server's log here")
    parser.add_argument("--workers", type=int, default=0,
                        help="serve with gunicorn, this many worker processes "
                             "(default 0: tianguis run, one process)")  # fmt: skip
    args = parser.parse_args()
    if args.lead < args.window + 5:
        parser.error("--lead must leave at least five seconds before the window")

    with tempfile.TemporaryDirectory(prefix="tianguis-deadline-") as tmp:
        workdir = Path(tmp)
        url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
        print(f"database: {url.split('@')[-1]}")
        fresh_database(url)
        start = time.perf_counter()
        emails, buyer_id = seed_suppliers(url, args.suppliers)
        print(f"seeded {len(emails)} verified suppliers in {time.perf_counter() - start:.1f} s")

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        instance = workdir / "instance"
        instance.mkdir()
        server = start_server(url, instance, port, workdir / "server.log", args.workers)
        try:
            start = time.perf_counter()
            with ThreadPoolExecutor(4) as logins:
                cookies = list(logins.map(lambda email: login(base, email), emails))
            print(f"logged {len(cookies)} suppliers in over HTTP in "
                  f"{time.perf_counter() - start:.1f} s")  # fmt: skip

            deadline = utcnow().replace(microsecond=0) + dt.timedelta(seconds=args.lead)
            tenders = [open_tender(url, buyer_id, deadline) for _ in range(args.tenders)]
            deadline_epoch = time.time() + (deadline - utcnow()).total_seconds()
            if deadline_epoch - time.time() < args.window + 2:
                sys.exit("the tenders took too long to set up: raise --lead")
            print(f"{len(tenders)} tender(s), deadline {deadline:%H:%M:%S} UTC; "
                  f"{args.bids} bids in the last {args.window:.0f} s")  # fmt: skip

            rng = random.Random(args.seed)
            first, last = deadline_epoch - args.window, deadline_epoch - MARGIN_S
            plan: list[list[tuple[float, int]]] = [[] for _ in emails]
            for n in range(args.bids):
                # A supplier bids on each tender in turn; with fewer tenders than bids per
                # supplier, its later bids on a tender replace its earlier one.
                mine = plan[n % len(emails)]
                mine.append((rng.uniform(first, last), tenders[len(mine) % len(tenders)][0]))
            work = [(c, sorted(p)) for c, p in zip(cookies, plan, strict=True) if p]
            chunks = [work[i :: args.clients] for i in range(args.clients)]
            with multiprocessing.get_context("spawn").Pool(args.clients) as pool:
                results = pool.starmap(
                    client_process,
                    [(base, chunk, args.seed + i) for i, chunk in enumerate(chunks)],
                )
            acknowledged = [a for r in results for a in r.acknowledged]
            latencies = [x for r in results for x in r.latencies]
            refused = [x for r in results for x in r.refused]
            server_times = [x for r in results for x in r.server]
        finally:
            server.terminate()
            server.wait(timeout=30)
        if args.server_log:
            shutil.copy(workdir / "server.log", args.server_log)
        errors = [
            line for line in (workdir / "server.log").read_text(errors="replace").splitlines()
            if line.startswith(("sqlalchemy.", "psycopg.", "sqlite3."))
        ]  # fmt: skip
        for line, count in Counter(errors).most_common(3):
            print(f"server error ({count}x): {line[:300]}")

        engine = make_engine(url)
        with Session(engine) as session:
            ids = [t[0] for t in tenders]
            stored = {
                b.id: b.receipt_number
                for b in session.scalars(select(Bid).where(Bid.tender_id.in_(ids)))
            }
            releases = session.scalar(
                select(func.count())
                .select_from(OcdsRelease)
                .where(OcdsRelease.ocid.in_([t[1] for t in tenders]))
            )
            releases_before = sum(t[2] for t in tenders)
            # The records as left behind: every bid in them once, nothing waiting.
            records = session.scalars(
                select(OcdsRecord).where(OcdsRecord.ocid.in_([t[1] for t in tenders]))
            ).all()
            pending = sum(r.pending_releases for r in records)
            shown = [record_compiled(session, r) for r in records]  # as pages and API show
            in_records = sum(len((c.get("bids") or {}).get("details", [])) for c in shown)
        engine.dispose()
        missing = [a for a in acknowledged if stored.get(a[0]) != a[1]]
        print(f"bids sent:          {args.bids}")
        print(f"bids acknowledged:  {len(acknowledged)} (receipt page with its number)")
        print(f"bids refused:       {len(refused)} {sorted(set(refused)) if refused else ''}")
        print(f"bids stored:        {len(stored)}")
        print(f"acknowledged, not stored: {len(missing)}")
        print(f"releases emitted:   {int(releases or 0) - releases_before} (tenderUpdate)")
        print(f"records as shown:   {in_records} bids in them ({pending} releases waiting to "
              "be merged into the stored compiled release)")  # fmt: skip
        if latencies:
            ms = sorted(x * 1000 for x in latencies)
            print(f"latency (POST to receipt page): p50 {statistics.median(ms):.0f} ms, "
                  f"p95 {percentile(ms, 95):.0f} ms, max {ms[-1]:.0f} ms")  # fmt: skip
        for part in ("total", "db", "queue"):
            values = sorted(t[part] for t in server_times if part in t)
            if values:
                print(f"server {part:5} (POST, Server-Timing): p50 "
                      f"{statistics.median(values):.0f} ms, p95 {percentile(values, 95):.0f} ms, "
                      f"max {values[-1]:.0f} ms")  # fmt: skip
        if missing or in_records != len(stored):
            sys.exit(1)


if __name__ == "__main__":
    main()
