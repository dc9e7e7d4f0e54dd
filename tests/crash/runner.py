"""A run of crash trials on one database: seed, then for each trial act, ``kill -9``,
restart, check (see ``harness`` and ``checks``)."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.crash.checks import Findings, check
from tests.crash.harness import (
    Ack,
    Actor,
    Server,
    TrialResult,
    dispose_engines,
    drop_scratch,
    log_in_everyone,
    scratch_url,
    seed,
    serves_pages,
    trial,
)


@dataclass
class Summary:
    database: str = ""
    trials: int = 0
    acknowledged: Counter[str] = field(default_factory=Counter)
    unanswered: int = 0
    #: Distinct problems found over all the checks (each check looks at everything so far).
    lost: set[str] = field(default_factory=set)
    orphans: set[str] = field(default_factory=set)
    chain: set[str] = field(default_factory=set)
    index: set[str] = field(default_factory=set)
    failed_restarts: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        problems = self.lost or self.orphans or self.chain or self.index
        return not problems and not self.failed_restarts

    def add(self, findings: Findings) -> None:
        self.lost.update(findings.lost)
        self.orphans.update(findings.orphans)
        self.chain.update([findings.chain] if findings.chain else [])
        self.index.update(findings.index)


Progress = Callable[[int, TrialResult, Findings], None]


def run(
    test_url: str | None, workdir: Path, trials: int, *, seed_value: int = 1,
    kill_window: tuple[float, float] = (0.3, 2.0), limit: int = 8,
    progress: Progress | None = None,
) -> Summary:  # fmt: skip
    """``trials`` crash trials on a fresh database (SQLite in ``workdir``, or a schema of
    the PostgreSQL database ``test_url``); every check covers all the trials so far."""
    started = time.perf_counter()
    url = scratch_url(test_url, workdir)
    summary = Summary(database="postgresql" if url.startswith("postgresql") else "sqlite")
    world = seed(url, workdir)
    rng = random.Random(seed_value)
    server = Server(world)
    server.start()
    acks: list[Ack] = []
    people: list[Actor] = []
    try:
        suppliers, buyer = log_in_everyone(world, server.base)
        people = [*suppliers, buyer]
        for n in range(trials):
            result = trial(world, server, suppliers, buyer, rng, kill_window, limit)
            acks += result.acks
            summary.trials += 1
            summary.acknowledged.update(a.kind for a in result.acks)
            summary.unanswered += result.unanswered
            server.start()  # the restart after the crash: recovery happens here
            if not serves_pages(world, server, suppliers, buyer, acks):
                summary.failed_restarts += 1
            findings = check(world, acks)
            summary.add(findings)
            if progress is not None:
                progress(n + 1, result, findings)
    finally:
        for actor in people:
            actor.http.close()
        server.stop()
        dispose_engines()
        drop_scratch(test_url)
    summary.seconds = time.perf_counter() - started
    return summary
