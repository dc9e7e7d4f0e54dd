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
import http.client
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

from bench.process_data import build  # noqa: E402


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
