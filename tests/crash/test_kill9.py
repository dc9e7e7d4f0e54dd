"""Crash safety (issue #10): ``kill -9`` the real server while suppliers seal and
withdraw bids and ask questions and the buyer answers them, restart it, and check that
every acknowledged action is stored with its release, that no release lacks its action,
that the audit chain verifies and that the search index catches up.

25 trials on one database (SQLite, or a schema of its own in the PostgreSQL database of
TEST_DATABASE_URL), the server restarted after each; ``bench/crash.py`` runs 100."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.crash.runner import run

TRIALS = 25


@pytest.mark.crash
def test_kill9_loses_no_acknowledged_action_and_leaves_no_orphan_release(tmp_path: Path) -> None:
    summary = run(os.environ.get("TEST_DATABASE_URL"), tmp_path, TRIALS, seed_value=10)

    assert summary.trials == TRIALS
    # The trials did act: bids were sealed, and other kinds of steps went through too.
    assert summary.acknowledged["bid"] > 0
    assert len(summary.acknowledged) >= 3, summary.acknowledged
    assert summary.failed_restarts == 0
    assert summary.lost == set()
    assert summary.orphans == set()
    assert summary.chain == set()
    assert summary.index == set()
