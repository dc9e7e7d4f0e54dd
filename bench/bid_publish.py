"""Micro-benchmark: the cost of one sealed-bid submission as bids pile up on a tender.

    .venv/bin/python bench/bid_publish.py [--at 0,200,500,1000] [--repeat 5]
        [--suppliers 200] [--database-url URL] [--profile N]

Seeds a fresh SQLite file (or ``--database-url``, a scratch database) with verified
suppliers and an open tender, as ``bench/deadline.py`` does, then submits bids through
``submit_bid`` (a supplier's later bid replaces its earlier one). When the tender holds
each ``--at`` number of bids, it times ``--repeat`` submissions, each in its own
transaction with its commit, and prints the median and the largest wall-clock time and
the median CPU time of the process (steadier than wall-clock time on a loaded machine).
With ``--profile N`` it also prints a cProfile of one submission at N existing bids.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deadline import PDF, fresh_database, open_tender, seed_suppliers  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from marketplace.accounts.models import User  # noqa: E402
from marketplace.bids.services import (  # noqa: E402
    BidInput,
    DocumentUpload,
    PriceInput,
    submit_bid,
)
from marketplace.db import make_engine, utcnow  # noqa: E402
from marketplace.tenders.models import Tender  # noqa: E402

SECRET = "bench-bid-secret"


def bid_input(n: int) -> BidInput:
    return BidInput(
        prices=[PriceInput("lot-1", f"{300000 + n}.00"), PriceInput("lot-2", f"{90000 + n}.50")],
        technical_note="Equipos con garantía de tres años.",
        declarations_accepted=True,
        documents=[DocumentUpload("ficha.pdf", PDF)],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--at", default="0,200,500,1000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--suppliers", type=int, default=200)
    parser.add_argument("--database-url")
    parser.add_argument("--profile", type=int)
    args = parser.parse_args()
    checkpoints = sorted(int(x) for x in args.at.split(","))
    if args.profile is not None:
        checkpoints = sorted({*checkpoints, args.profile})

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        fresh_database(url)
        emails, buyer_id = seed_suppliers(url, args.suppliers)
        deadline = utcnow().replace(microsecond=0) + dt.timedelta(hours=2)
        tender_id, _ocid, _releases = open_tender(url, buyer_id, deadline)
        engine = make_engine(url)
        with Session(engine) as session:
            users = list(session.scalars(select(User.id).where(User.email.in_(emails))))
        placed = 0

        def one(profile: cProfile.Profile | None = None) -> tuple[float, float]:
            nonlocal placed
            with Session(engine) as session:
                tender = session.get(Tender, tender_id)
                user = session.get(User, users[placed % len(users)])
                assert tender is not None and user is not None
                start, cpu = time.perf_counter(), time.process_time()
                if profile is not None:
                    profile.enable()
                submit_bid(session, tender, user, bid_input(placed), secret=SECRET)
                session.commit()
                if profile is not None:
                    profile.disable()
                elapsed = (time.perf_counter() - start, time.process_time() - cpu)
            placed += 1
            return elapsed

        for target in checkpoints:
            while placed < target:
                one()
            if target == args.profile:
                profile = cProfile.Profile()
                one(profile)
                print(f"--- profile of one submission at {target} existing bids")
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            if target in (int(x) for x in args.at.split(",")):
                times = [one() for _ in range(args.repeat)]
                wall = [t[0] * 1000 for t in times]
                cpu = [t[1] * 1000 for t in times]
                print(f"{target:>5} bids: median {statistics.median(wall):7.1f} ms, "
                      f"max {max(wall):7.1f} ms (CPU: median {statistics.median(cpu):6.1f} ms)",
                      flush=True)  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    main()
