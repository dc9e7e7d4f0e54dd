"""Crash trials: ``kill -9`` the real server at random instants, restart, check.

    .venv/bin/python bench/crash.py [--trials 100] [--database-url URL] [--seed 1]

Seeds, through the services, three verified suppliers, a buyer with 2FA, a tender taking
bids and one in its enquiry period, in a fresh SQLite file (or, with ``--database-url``,
in a schema ``crash_trials`` of that PostgreSQL database, dropped at the end; the rest of
the database is left alone). Each trial starts ``tianguis run`` on a free port (the
restart after the previous crash), checks that it serves the last receipt, then client
threads act through the pages (suppliers seal, replace and withdraw bids and ask
questions; the buyer answers them; a visitor searches, which feeds the index) until the
server is killed with SIGKILL at a random instant 0.3-2 s in. After the restart every
acknowledged action (the redirect sent after the commit) must be stored with its release,
every release must have its action, the audit chain must verify and ``search sync`` must
bring the index up to date. The harness is ``tests/crash/`` (25 trials run in the tests).
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.crash.checks import Findings  # noqa: E402
from tests.crash.harness import TrialResult  # noqa: E402
from tests.crash.runner import run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL database")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quiet", action="store_true", help="no line per trial")
    args = parser.parse_args()
    # A plain kill of the bench still stops the server it started (finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    started = time.perf_counter()

    def progress(n: int, result: TrialResult, findings: Findings) -> None:
        if not args.quiet:
            print(f"trial {n:3}: killed after {result.killed_after:.2f} s, "
                  f"{len(result.acks)} acknowledged, {result.unanswered} cut off; "
                  f"{findings.summary()}", flush=True)  # fmt: skip

    with tempfile.TemporaryDirectory(prefix="tianguis-crash-") as tmp:
        summary = run(args.database_url, Path(tmp), args.trials, seed_value=args.seed,
                      progress=progress)  # fmt: skip
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(summary.acknowledged.items()))
    print(f"database:               {summary.database}")
    print(f"trials run:             {summary.trials} (server killed with SIGKILL, restarted)")
    print(f"actions acknowledged:   {sum(summary.acknowledged.values())} ({kinds})")
    print(f"requests cut off:       {summary.unanswered} (no answer: the kill, or refused)")
    print(f"acknowledged, lost:     {len(summary.lost)}")
    print(f"orphan releases:        {len(summary.orphans)}")
    print(f"audit chain:            {'ok' if not summary.chain else sorted(summary.chain)[0]}")
    print(f"index caught up:        {'yes' if not summary.index else sorted(summary.index)[0]}")
    print(f"failed restarts:        {summary.failed_restarts}")
    print(f"time:                   {time.perf_counter() - started:.0f} s")
    for problem in sorted(summary.lost | summary.orphans)[:10]:
        print(f"  {problem}")
    if not summary.ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
