"""Load test of the public pages and the API with concurrent clients on 127.0.0.1.

    .venv/bin/python bench/load.py --database-url URL --start-server [--workers 4] \\
        [--index-dir DIR] [--search-backend postgres] [--clients 20,100] [--duration 60]
    .venv/bin/python bench/load.py --database-url URL --url-base http://127.0.0.1:8000 ...

The database (filled by ``bench/generate.py``) gives the ocids, buyer party ids and
supplier ids to request. ``--start-server`` runs ``gunicorn -w W 'app:create_app()'``
against that database on a free local port (rate limits off, as behind a proxy that
applies its own), with an access log holding each request's duration (``%(D)s``): the
server-side time, reported beside what the clients wait (client and server share the
same cores). Each client is a thread with its own keep-alive HTTP connection, sending
requests back to back for ``--duration`` seconds, in a mix of:

- search: /search with words (half from bench/search.py's list, half from the titles of
  sampled processes), a facet filter or two and a sort; /api/search;
- process: /processes/<ocid>;
- api: /api/records/<ocid>, /api/releases?limit=20;
- party: /buyers/<party id>, /suppliers/<id>.

Prints, per route group and client count, the requests, errors (status other than
2xx/3xx, or an exception), client p50/p95/p99 and server p50/p95/p99, and throughput.
Only 127.0.0.1 is ever requested.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.process_page import pct  # noqa: E402
from bench.search import WORDS  # noqa: E402
from marketplace.accounts.models import Organisation, OrgKind  # noqa: E402
from marketplace.db import make_engine  # noqa: E402
from marketplace.publication.models import OcdsRecord  # noqa: E402
from marketplace.suppliers.models import Supplier, SupplierStatus  # noqa: E402

GROUPS = ("search", "process", "api", "party")
STATUSES = ["active", "complete", "cancelled", "unsuccessful", "planned"]
SORTS = ["relevance", "date", "amount"]
_TITLE_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


def targets(url: str, seed: int, sample: int = 2000) -> dict[str, list[str]]:
    """Paths worth requesting, sampled from the database."""
    rng = random.Random(seed)
    engine = make_engine(url)
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(OcdsRecord)) or 0
        if not total:
            sys.exit("the database holds no processes: run bench/generate.py first")
        ocids: list[str] = []
        for offset in sorted(rng.sample(range(total), min(sample, total)))[::10]:
            ocids += session.scalars(
                select(OcdsRecord.ocid).order_by(OcdsRecord.ocid).offset(offset).limit(10)
            ).all()
        buyers = session.scalars(
            select(Organisation.code).where(
                Organisation.kind == OrgKind.BUYER, Organisation.code.is_not(None)
            )
        ).all()
        suppliers = session.scalars(
            select(Supplier.id).where(Supplier.status == SupplierStatus.VERIFIED).limit(500)
        ).all()
        words: list[str] = []
        for compiled in session.scalars(
            select(OcdsRecord.compiled).where(OcdsRecord.ocid.in_(ocids[::10]))
        ):
            title = str((compiled.get("tender") or {}).get("title") or "")
            words += [w.lower() for w in _TITLE_WORD.findall(title)]
    engine.dispose()
    return {
        "ocids": ocids,
        "buyers": list(buyers),
        "suppliers": [str(s) for s in suppliers],
        "words": words or WORDS[:20],
    }


def plan(rng: random.Random, t: dict[str, list[str]]) -> tuple[str, str]:
    """One request: (route group, path)."""
    roll = rng.random()
    if roll < 0.35:
        words = WORDS[:20] if rng.random() < 0.5 else t["words"]
        query = {"q": " ".join(rng.choice(words) for _ in range(rng.randint(1, 2)))}
        if rng.random() < 0.6:
            query["status"] = rng.choice(STATUSES)
        if rng.random() < 0.3 and t["buyers"]:
            query["buyer"] = f"Unidad Compradora {rng.choice(t['buyers']).split('MX-BUYER-')[-1]}"
        query["sort"] = rng.choice(SORTS)
        base = "/api/search" if rng.random() < 0.25 else "/search"
        return "search", f"{base}?{urllib.parse.urlencode(query)}"
    if roll < 0.65:
        return "process", f"/processes/{rng.choice(t['ocids'])}"
    if roll < 0.85:
        if rng.random() < 0.7:
            return "api", f"/api/records/{rng.choice(t['ocids'])}"
        return "api", "/api/releases?limit=20"
    if rng.random() < 0.5 and t["buyers"]:
        return "party", f"/buyers/{urllib.parse.quote(rng.choice(t['buyers']))}"
    return "party", f"/suppliers/{rng.choice(t['suppliers'])}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(
    url: str, workers: int, index_dir: str | None, work: Path, search_backend: str | None = None
) -> tuple[subprocess.Popen[bytes], int, Path]:
    port = free_port()
    log = work / "access.log"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TIANGUIS_INSTANCE_PATH": str(work / "instance"),
        "RATELIMIT_SEARCH": "1000000 per minute",
        "RATELIMIT_API": "1000000 per minute",
    }
    if index_dir:
        env["SEARCH_INDEX_DIR"] = index_dir
    if search_backend:
        env["SEARCH_BACKEND"] = search_backend
    gunicorn = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen(  # noqa: S603
        [
            str(gunicorn),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(log),
            "--access-logformat",
            "%(U)s %(s)s %(D)s",
            "--timeout",
            "120",
            "app:create_app()",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "gunicorn.err", "wb"),  # noqa: SIM115
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port, log
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit(f"gunicorn did not start: {(work / 'gunicorn.err').read_text()[-500:]}")


def group_of(path: str) -> str:
    if path.startswith(("/search", "/api/search")):
        return "search"
    if path.startswith("/processes/"):
        return "process"
    if path.startswith("/api/"):
        return "api"
    return "party"


def server_times(log: Path, offset: int) -> tuple[dict[str, list[float]], int]:
    """Durations (ms) per group from the access log lines after ``offset``."""
    times: dict[str, list[float]] = defaultdict(list)
    with log.open("rb") as fh:
        fh.seek(offset)
        data = fh.read()
    for line in data.decode(errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].isdigit():
            times[group_of(parts[0])].append(int(parts[2]) / 1000)
    return times, offset + len(data)


def run(
    port: int, t: dict[str, list[str]], clients: int, duration: float, seed: int
) -> tuple[dict[str, list[float]], dict[str, int], int, float]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.monotonic() < deadline:
            group, path = plan(rng, t)
            began = time.perf_counter()
            ok = False
            try:
                conn.request("GET", path, headers={"Accept-Language": "es"})
                resp = conn.getresponse()
                resp.read()
                ok = 200 <= resp.status < 400
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                latencies[group].append(elapsed)
                if not ok:
                    errors[group] += 1
        conn.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - began
    return latencies, errors, sum(len(v) for v in latencies.values()), wall


def report(
    clients: int,
    latencies: dict[str, list[float]],
    errors: dict[str, int],
    server: dict[str, list[float]],
    count: int,
    wall: float,
) -> None:
    print(
        f"\n{clients} clients: {count} requests in {wall:.0f} s, {count / wall:.1f} req/s, "
        f"errors {sum(errors.values())}, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'group':8} {'n':>6} {'err':>4}  client p50/p95/p99 ms      server p50/p95/p99 ms")
    for group in GROUPS:
        values = latencies.get(group) or []
        if not values:
            continue
        srv = server.get(group) or []
        server_text = (
            f"{pct(srv, 0.5):7.0f} {pct(srv, 0.95):7.0f} {pct(srv, 0.99):7.0f}" if srv else "-"
        )
        print(
            f"{group:8} {len(values):6d} {errors.get(group, 0):4d}  "
            f"{pct(values, 0.5):7.0f} {pct(values, 0.95):7.0f} {pct(values, 0.99):7.0f}   "
            f"{server_text}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--url-base", help="a running server on 127.0.0.1")
    parser.add_argument("--start-server", action="store_true")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--index-dir")
    parser.add_argument(
        "--search-backend", choices=("whoosh", "postgres"), help="the server's SEARCH_BACKEND"
    )
    parser.add_argument("--clients", default="20,100")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--warmup", type=int, default=40, help="requests before measuring")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if bool(args.url_base) == args.start_server:
        sys.exit("give either --url-base or --start-server")
    try:
        levels = [int(c) for c in args.clients.split(",")]
    except ValueError:
        sys.exit(f"--clients: not a list of numbers: {args.clients!r}")
    t = targets(args.database_url, args.seed)
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    proc = None
    log: Path | None = None
    try:
        if args.start_server:
            proc, port, log = start_gunicorn(
                args.database_url, args.workers, args.index_dir, work, args.search_backend
            )
        else:
            parsed = urllib.parse.urlsplit(args.url_base)
            if parsed.hostname not in ("127.0.0.1", "localhost") or not parsed.port:
                sys.exit("--url-base must be http://127.0.0.1:<port>")
            port = parsed.port
        print(
            f"{len(t['ocids'])} sampled ocids, {len(t['buyers'])} buyers, "
            f"{len(t['suppliers'])} suppliers; {args.database_url.split(':')[0]}; "
            f"{args.workers if proc else '?'} gunicorn workers; {os.cpu_count()} CPUs"
        )
        rng = random.Random(args.seed)
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        for _ in range(args.warmup):
            warm.request("GET", plan(rng, t)[1])
            warm.getresponse().read()
            warm.close()
        offset = log.stat().st_size if log else 0
        for clients in levels:
            latencies, errors, count, wall = run(port, t, clients, args.duration, args.seed)
            server: dict[str, list[float]] = {}
            if log:
                time.sleep(0.5)
                server, offset = server_times(log, offset)
            report(clients, latencies, errors, server, count, wall)
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
