"""Fuzzing without CI's limits: the strategies of tests/fuzz against a fresh demo.

    .venv/bin/python bench/fuzz.py [--requests 10000] [--database-url URL]

Loads the demo into a scratch database (SQLite in a temporary directory unless a URL is
given; everything is rolled back), finds every form each demo role reaches, then shares
``--requests`` among the forms (POST), the GET forms and public pages (query strings),
the API operations (schemathesis, valid and invalid) and ``tianguis ocds import``
(malformed files). Prints the requests generated, the 5xx count (goal 0), the
tracebacks shown (goal 0), the problems seen and the time.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schemathesis import GenerationMode  # noqa: E402

import migrations  # noqa: E402
from app import create_app  # noqa: E402
from marketplace.db import make_engine  # noqa: E402
from tests.fuzz.api import fuzz_operation, operations  # noqa: E402
from tests.fuzz.forms import (  # noqa: E402
    discover,
    fuzz_get_form,
    fuzz_post_form,
    public_pages,
)
from tests.fuzz.ocds_files import fuzz_import  # noqa: E402
from tests.fuzz.site import Tally, demo_site  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--processes", type=int, default=6, help="demo processes")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tianguis-fuzz-"))
    url = args.database_url or f"sqlite:///{work / 'fuzz.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        migrations.upgrade(conn)
    engine.dispose()
    os.environ["TIANGUIS_INSTANCE_PATH"] = str(work)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-fuzz-secret",
            "SEARCH_INDEX_DIR": str(work / "index"),
            "BULK_DIR": str(work / "bulk"),
            "PUBLIC_BASE_URL": "http://localhost",
            "BUSINESS_CASE_GATE_MXN": "1000000000000",
        }
    )
    started = time.perf_counter()
    with demo_site(app, work / "index", processes=args.processes) as site:
        loaded = time.perf_counter()
        crawl_tally, tally = Tally(), Tally()
        reachable = discover(site, crawl_tally)
        targets: list[tuple[str, object]] = []
        for reached in reachable.values():
            targets += [("form", (f, cookie)) for cookie, f in reached]
        targets += [("page", (p, None)) for p in public_pages(site)]
        ops = operations(site)
        targets += [("api", (op, mode)) for op in ops for mode in GenerationMode]
        targets.append(("import", None))
        each = max(1, math.ceil(args.requests / len(targets)))
        print(
            f"demo loaded in {loaded - started:.0f} s; {len(targets)} targets "
            f"({sum(len(r) for r in reachable.values())} forms, {len(ops)} API operations), "
            f"{each} examples each",
            flush=True,
        )
        for kind, target in targets:
            if kind == "form":
                form, cookie = target  # type: ignore[misc]
                run = fuzz_post_form if form.method == "POST" else fuzz_get_form
                run(site, form, cookie, tally, each)
            elif kind == "page":
                fuzz_get_form(site, target[0], None, tally, each)  # type: ignore[index]
            elif kind == "api":
                operation, mode = target  # type: ignore[misc]
                fuzz_operation(site, operation, mode, tally, each)
            else:
                fuzz_import(site, tally, each)
    elapsed = time.perf_counter() - started
    print(f"pages crawled: {crawl_tally.requests} ({crawl_tally.server_errors} 5xx)")
    print(f"requests generated: {tally.requests}")
    print(f"5xx: {tally.server_errors + crawl_tally.server_errors} (goal 0)")
    print(f"tracebacks shown: {tally.tracebacks + crawl_tally.tracebacks} (goal 0)")
    print(f"time: {elapsed:.0f} s (demo load {loaded - started:.0f} s)")
    problems = crawl_tally.problems + tally.problems
    print(f"problems: {len(problems)}")
    for problem in problems:
        print("  " + problem[:500])
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
