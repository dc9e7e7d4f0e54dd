"""Benchmark of the public process page (/processes/<ocid>) under 20 concurrent clients.

    .venv/bin/python bench/process_page.py [--processes 3000] [--big 30] [--clients 20]
        [--requests 3000] [--workers 2] [--threaded] [--database-url URL] [--seed 1]

1. Builds a data set in a fresh database (SQLite file unless ``--database-url`` names a
   scratch one, whose tables are dropped): ``--processes`` processes shaped like ours,
   each a full-snapshot release log of 5–15 releases (tender, answered questions, sealed
   bids, opening with the disclosed bids, a disqualification, award, contract, payments),
   of which ``--big`` have 50–80 bids; a public audit event per release naming the buyer
   organisation (so the "who acted" lookup scans a realistic audit log); and a search
   index generation holding the red-flag context computed from all records. Rows are
   written directly (publishing 50,000 releases through validation would take the whole
   run); the compiled releases come from ``ocds.diff.merge``, the same merge rules.
2. Serves the real app (``create_app``) on 127.0.0.1 with ``--workers`` forked worker
   processes sharing one listening socket (Werkzeug's server, one request at a time per
   worker unless ``--threaded``), like a pre-fork WSGI server.
3. Runs ``--clients`` client threads, each requesting process pages back to back (one in
   ten requests goes to a big process), and prints p50/p95/p99 of:
   - server time: measured inside each worker around the WSGI call (a ``Server-Timing``
     header added by this script's middleware), i.e. the time the app spends on the page;
   - client latency: what each client waits, including the time a request queues for a
     free worker.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

import migrations  # noqa: E402
from marketplace.accounts.models import Organisation, OrgKind  # noqa: E402
from marketplace.audit.models import AuditEvent  # noqa: E402
from marketplace.db import make_engine  # noqa: E402
from marketplace.publication.models import OcdsRecord, OcdsRelease  # noqa: E402
from marketplace.search.index import new_generation, publish_generation, save_context  # noqa: E402
from ocds.diff import merge  # noqa: E402
from ocds.redflags import build_context  # noqa: E402

PREFIX = "ocds-bench1"
ITEMS = [
    ("Laptop 14 pulgadas", "43211503", 18_500),
    ("Servidor rack 2U", "43211501", 210_000),
    ("Licencia de ofimática", "43231513", 2_400),
    ("Switch 48 puertos", "43222612", 56_000),
    ("Servicio de nube (mes)", "81112003", 98_000),
    ("Impresora láser", "43212105", 7_600),
    ("Cámara IP exterior", "46171610", 4_300),
    ("Tableta 10 pulgadas", "43211509", 6_900),
]
BATCH = 2000


def iso(value: dt.datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"


def sha(text_: str) -> str:
    return hashlib.sha256(text_.encode()).hexdigest()


class ProcessMaker:
    """Release logs shaped like ours: every release a full snapshot of the process."""

    def __init__(self, rng: random.Random, buyers: list[tuple[int, str]]) -> None:
        self.rng = rng
        self.buyers = buyers
        self.suppliers = [(f"MX-RFC-S{n:05d}", f"Proveedor {n} SA de CV") for n in range(400)]

    def process(
        self, n: int, bids_count: int, releases_wanted: int
    ) -> tuple[str, list[dict[str, Any]], int]:
        rng = self.rng
        ocid = f"{PREFIX}-{n}"
        org_id, buyer_name = rng.choice(self.buyers)
        buyer = {"id": f"MX-BUYER-{org_id}", "name": buyer_name}
        start = dt.datetime(2025, 1, 1) + dt.timedelta(days=rng.randrange(600))
        lines = rng.sample(ITEMS, rng.randint(1, 4))
        items = [
            {
                "id": str(i + 1),
                "description": d,
                "quantity": rng.randint(1, 50),
                "classification": {"scheme": "UNSPSC", "id": code},
                "unit": {"name": "pieza", "value": {"amount": price, "currency": "MXN"}},
            }
            for i, (d, code, price) in enumerate(lines)
        ]
        estimate = sum(i["quantity"] * i["unit"]["value"]["amount"] for i in items)
        tender: dict[str, Any] = {
            "id": ocid,
            "title": f"Adquisición de {lines[0][0].lower()} ({n})",
            "description": "Equipamiento para oficinas de la unidad compradora. " * 3,
            "status": "active",
            "procurementMethod": rng.choice(["open", "open", "selective"]),
            "procurementMethodDetails": "Licitación pública",
            "mainProcurementCategory": "goods",
            "value": {"amount": estimate, "currency": "MXN"},
            "awardCriteria": "ratedCriteria",
            "awardCriteriaDetails": "Precio 60 %, calidad 40 %",
            "tenderPeriod": {
                "startDate": iso(start),
                "endDate": iso(start + dt.timedelta(days=20)),
            },
            "enquiryPeriod": {
                "startDate": iso(start),
                "endDate": iso(start + dt.timedelta(days=8)),
            },
            "items": items,
            "documents": [
                {
                    "id": "conv",
                    "documentType": "biddingDocuments",
                    "title": "Convocatoria",
                    "url": f"https://example.org/{n}/conv.pdf",
                }
            ],
        }
        parties = [{**buyer, "roles": ["buyer", "procuringEntity"]}]
        base = {"ocid": ocid, "initiationType": "tender", "language": "es", "buyer": buyer}
        releases: list[dict[str, Any]] = []
        when = start

        def emit(tag: str, **sections: Any) -> None:
            nonlocal when
            when += dt.timedelta(hours=rng.randint(2, 72))
            release = {
                **base,
                "id": f"{ocid}-{len(releases) + 1}",
                "date": iso(when),
                "tag": [tag],
                "parties": list(parties),
                "tender": json.loads(json.dumps(tender)),
                **sections,
            }
            releases.append(release)

        emit("tender")
        bidders = rng.sample(self.suppliers, bids_count)
        canon = {
            s[0]: json.dumps(
                {
                    "supplier": s[0],
                    "prices": [{"lot": "", "amount": str(estimate * rng.uniform(0.8, 1.1))}],
                    "documents": [{"title": "Propuesta técnica", "sha256": sha(s[0])}],
                },
                sort_keys=True,
            )
            for s in bidders
        }
        fixed = 4 + (1 if bids_count > 1 else 0)  # tender, opening, award, contract (+ disq.)
        enquiries = max(0, min(3, releases_wanted - fixed - 2))
        for q in range(enquiries):
            tender["documents"].append(
                {
                    "id": f"enquiry-{q + 1}",
                    "documentType": "clarifications",
                    "title": f"Pregunta {q + 1} y respuesta",
                    "description": "Pregunta: ¿Se aceptan equipos equivalentes?\n\nRespuesta: Sí.",
                }
            )
            emit("tenderUpdate")
        sealed_steps = max(1, min(3, releases_wanted - fixed - enquiries))
        details: list[dict[str, Any]] = []
        for step in range(sealed_steps):
            for s in bidders[
                step * len(bidders) // sealed_steps : (step + 1) * len(bidders) // sealed_steps
            ]:
                details.append(
                    {
                        "id": f"bid-{s[0]}",
                        "date": iso(when),
                        "status": "pending",
                        "documents": [
                            {
                                "id": "commitment",
                                "documentType": "submissionDocuments",
                                "description": sha(canon[s[0]]),
                            }
                        ],
                    }
                )
            emit("tenderUpdate", bids={"details": json.loads(json.dumps(details))})
        for d, s in zip(details, bidders, strict=True):
            d["status"] = "valid"
            d["tenderers"] = [{"id": s[0], "name": s[1]}]
            amount = float(json.loads(canon[s[0]])["prices"][0]["amount"])
            d["value"] = {"amount": round(amount, 2), "currency": "MXN"}
            d["documents"].append(
                {
                    "id": "disclosure",
                    "documentType": "submissionDocuments",
                    "description": canon[s[0]],
                }
            )
            parties.append({"id": s[0], "name": s[1], "roles": ["tenderer"]})
        emit("tenderUpdate", bids={"details": json.loads(json.dumps(details))})
        if bids_count > 1:
            details[-1]["status"] = "disqualified"
            emit("tenderUpdate", bids={"details": json.loads(json.dumps(details))})
        winner = min(
            (d for d in details if d["status"] == "valid"), key=lambda d: d["value"]["amount"]
        )
        award = {
            "id": "award-1",
            "status": "active",
            "date": iso(when),
            "value": winner["value"],
            "suppliers": winner["tenderers"],
            "items": items,
        }
        tender["status"] = "complete"
        emit("award", bids={"details": details}, awards=[award])
        contract: dict[str, Any] = {
            "id": "contract-1",
            "awardID": "award-1",
            "status": "active",
            "title": tender["title"],
            "dateSigned": iso(when),
            "value": winner["value"],
            "period": {"startDate": iso(when), "endDate": iso(when + dt.timedelta(days=180))},
            "milestones": [
                {
                    "id": "m1",
                    "title": "Entrega",
                    "type": "delivery",
                    "status": "scheduled",
                    "dueDate": iso(when + dt.timedelta(days=60)),
                }
            ],
        }
        emit("contract", bids={"details": details}, awards=[award], contracts=[contract])
        transactions: list[dict[str, Any]] = []
        while len(releases) < releases_wanted:
            transactions.append(
                {
                    "id": f"tx-{len(transactions) + 1}",
                    "date": iso(when),
                    "value": {"amount": round(winner["value"]["amount"] / 4, 2), "currency": "MXN"},
                    "payer": buyer,
                    "payee": winner["tenderers"][0],
                }
            )
            contract["implementation"] = {"transactions": list(transactions)}
            emit("implementation", bids={"details": details}, awards=[award], contracts=[contract])
        return ocid, releases, org_id


def build(url: str, processes: int, big: int, seed: int, index_dir: Path) -> list[tuple[str, bool]]:
    engine = make_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        migrations.upgrade(conn)
    rng = random.Random(seed)
    with engine.begin() as conn:
        conn.execute(
            insert(Organisation),
            [
                {"id": 9000 + b, "kind": OrgKind.BUYER, "name": f"Unidad Compradora {b}"}
                for b in range(40)
            ],
        )
    maker = ProcessMaker(rng, [(9000 + b, f"Unidad Compradora {b}") for b in range(40)])
    ocids: list[tuple[str, bool]] = []
    compiled_all: list[dict[str, Any]] = []
    releases_rows: list[dict[str, Any]] = []
    records_rows: list[dict[str, Any]] = []
    audit_rows: list[dict[str, Any]] = []
    big_ids = set(rng.sample(range(processes), big))
    started = time.perf_counter()

    def flush(conn: Any) -> None:
        for table, rows in (
            (OcdsRelease, releases_rows),
            (OcdsRecord, records_rows),
        ):
            if rows:
                conn.execute(insert(table), rows)
                rows.clear()

    with engine.begin() as conn:
        for n in range(processes):
            is_big = n in big_ids
            bids_count = rng.randint(50, 80) if is_big else rng.randint(1, 8)
            wanted = rng.randint(13, 15) if is_big else rng.randint(5, 15)
            ocid, releases, org_id = maker.process(n, bids_count, wanted)
            state: dict[str, Any] = {}
            for s, release in enumerate(releases, start=1):
                date = dt.datetime.fromisoformat(release["date"][:-1])
                releases_rows.append(
                    {
                        "id": release["id"],
                        "ocid": ocid,
                        "sequence": s,
                        "date": date,
                        "tags": release["tag"],
                        "data": release,
                        "sha256": sha(json.dumps(release)),
                        "created_at": date,
                    }
                )
                audit_rows.append(
                    {
                        "occurred_at": date,
                        "actor_org_id": org_id,
                        "action": "tender.publish" if s == 1 else "tender.amended",
                        "object_type": "tender",
                        "object_id": str(n),
                        "details": {"ocid": ocid, "release": release["id"]},
                        "public": True,
                        "prev_hash": "0" * 64,
                        "hash": "0" * 64,
                    }
                )
                state = merge(state, release)
            compiled = {**state, "id": f"{ocid}-compiled", "tag": ["compiled"]}
            compiled_all.append(compiled)
            first = dt.datetime.fromisoformat(releases[0]["date"][:-1])
            last = dt.datetime.fromisoformat(releases[-1]["date"][:-1])
            records_rows.append(
                {
                    "ocid": ocid,
                    "compiled": compiled,
                    "release_count": len(releases),
                    "updated_at": last,
                    "first_release_date": first,
                    "last_release_date": last,
                    "year": first.year,
                }
            )
            ocids.append((ocid, is_big))
            if len(releases_rows) >= BATCH:
                flush(conn)
        flush(conn)
        # The log is in time order, as the live one is (seq is taken under its lock).
        audit_rows.sort(key=lambda row: row["occurred_at"])
        for seq, row in enumerate(audit_rows, start=1):
            row["seq"] = seq
        for start in range(0, len(audit_rows), BATCH):
            conn.execute(insert(AuditEvent), audit_rows[start : start + BATCH])
    engine.dispose()
    path, _ix = new_generation(index_dir)
    save_context(path, build_context(compiled_all))
    publish_generation(index_dir, path)
    count = sum(1 for _ in ocids)
    print(f"built {count} processes ({big} big) in {time.perf_counter() - started:.0f} s")
    return ocids


def timed(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """WSGI middleware: the app's own wall and CPU time on the request, as a
    Server-Timing header (CPU time is the process's: meaningful one request at a time)."""

    def wrapper(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        began, cpu = time.perf_counter(), time.process_time()
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["args"] = (status, headers, exc_info)
            return lambda data: None

        body = b"".join(app(environ, capture))
        status, headers, exc_info = captured["args"]
        elapsed = (time.perf_counter() - began) * 1000
        used = (time.process_time() - cpu) * 1000
        headers = [*headers, ("Server-Timing", f"app;dur={elapsed:.2f}, cpu;dur={used:.2f}")]
        start_response(status, headers, exc_info)
        return [body]

    return wrapper


def serve(sock: socket.socket, url: str, index_dir: Path, threaded: bool) -> None:
    from werkzeug.serving import make_server

    from app import create_app

    os.environ["TIANGUIS_INSTANCE_PATH"] = str(index_dir.parent)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "SEARCH_INDEX_DIR": str(index_dir),
            "BULK_DIR": str(index_dir.parent / "bulk"),
            "RATELIMIT_ENABLED": False,
        }
    )
    app.wsgi_app = timed(app.wsgi_app)  # type: ignore[method-assign]
    host, port = sock.getsockname()
    server = make_server(host, port, app, threaded=threaded, fd=sock.fileno())
    server.log_request = lambda *a, **k: None  # type: ignore[method-assign]
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server.serve_forever()


def get(port: int, path: str) -> tuple[float, float, int, int, float]:
    began = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": "lang=es", "Accept-Encoding": "gzip"})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    latency = (time.perf_counter() - began) * 1000
    timing = resp.getheader("Server-Timing") or "app;dur=nan, cpu;dur=nan"
    app_ms, cpu_ms = (float(part.split("dur=")[1]) for part in timing.split(","))
    return app_ms, latency, resp.status, len(body), cpu_ms


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=3000)
    parser.add_argument("--big", type=int, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threaded", action="store_true")
    parser.add_argument("--database-url")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-process-page-"))
    url = args.database_url or f"sqlite:///{work / 'bench.db'}"
    index_dir = work / "index"
    ocids = build(url, args.processes, args.big, args.seed, index_dir)
    small = [o for o, b in ocids if not b]
    big = [o for o, b in ocids if b]

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    children = []
    for _ in range(args.workers):
        pid = os.fork()
        if pid == 0:
            try:
                serve(sock, url, index_dir, args.threaded)
            finally:
                os._exit(0)
        children.append(pid)
    try:
        for _ in range(100):  # wait for the workers to answer
            try:
                get(port, f"/processes/{small[0]}")
                break
            except OSError:
                time.sleep(0.2)
        rng = random.Random(args.seed)
        plan = [
            f"/processes/{rng.choice(big if rng.random() < 0.1 and big else small)}"
            for _ in range(args.requests)
        ]
        for path in plan[: 4 * args.workers]:  # warm-up: templates compiled, caches filled
            get(port, path)
        results: list[tuple[float, float, int, int, float]] = []
        lock = threading.Lock()
        queue = iter(plan)

        def client() -> None:
            while True:
                with lock:
                    path = next(queue, None)
                if path is None:
                    return
                result = get(port, path)
                with lock:
                    results.append(result)

        began = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
    finally:
        for pid in children:
            os.kill(pid, signal.SIGTERM)
        for pid in children:
            os.waitpid(pid, 0)
        shutil.rmtree(work, ignore_errors=True)
    server = [r[0] for r in results]
    cpu = [r[4] for r in results]
    client_ms = [r[1] for r in results]
    errors = sum(1 for r in results if r[2] != 200)
    sizes = [r[3] for r in results]
    mode = "threaded" if args.threaded else "one request at a time each"
    print(
        f"{len(results)} requests, {args.clients} concurrent clients, {args.workers} worker "
        f"processes ({mode}), {os.cpu_count()} CPUs, {url.split(':')[0]}"
    )
    print(
        f"throughput {len(results) / wall:.0f} pages/s; errors {errors}; "
        f"HTML bytes median {statistics.median(sizes):.0f}, max {max(sizes)}"
    )
    print(
        f"server time  p50 {pct(server, 0.5):6.1f} ms  p95 {pct(server, 0.95):6.1f} ms  "
        f"p99 {pct(server, 0.99):6.1f} ms"
    )
    if not args.threaded:
        print(
            f"server CPU   p50 {pct(cpu, 0.5):6.1f} ms  p95 {pct(cpu, 0.95):6.1f} ms  "
            f"p99 {pct(cpu, 0.99):6.1f} ms"
        )
    print(f"load average during the run: {os.getloadavg()[0]:.1f}")
    print(
        f"client wait  p50 {pct(client_ms, 0.5):6.1f} ms  p95 {pct(client_ms, 0.95):6.1f} ms  "
        f"p99 {pct(client_ms, 0.99):6.1f} ms"
    )


if __name__ == "__main__":
    main()
