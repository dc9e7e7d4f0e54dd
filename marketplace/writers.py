"""SQLite's writers queue in turn; where a request's time goes (statements, queueing).

SQLite lets one transaction write at a time. A writer that finds the lock taken waits in
SQLite's busy handler, which polls with growing sleeps (up to 100 ms apart): with many
writers at once (a thousand bids in the last minute) a newcomer polling after 1 ms takes
the lock from one that has been sleeping for seconds, so a few unlucky requests wait 5 to
10 s while the others pass. :class:`FairLock` queues the writers of one process in
arrival order and hands the lock to the next one the moment it is free; the busy handler
is left with the few writers of other processes (gunicorn workers, cron).

:func:`timed` collects, for the code running inside it (one web request), the time spent
in database statements (row-lock waits on PostgreSQL included) and waiting in the
writers' queue: the web app sends them in its ``Server-Timing`` header.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

#: How long a writer waits for its turn before it goes to SQLite's busy handler anyway.
QUEUE_TIMEOUT_S = 30.0


class FairLock:
    """A lock taken in the order it was asked for (first come, first served)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self, timeout: float = -1) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        if turn.acquire(timeout=timeout):
            return True  # release() handed the lock over
        with self._mutex:
            try:
                self._waiters.remove(turn)
            except ValueError:
                return True  # handed over just as the wait timed out: it is ours
            return False

    @property
    def waiting(self) -> int:
        """How many are queued for the lock."""
        with self._mutex:
            return len(self._waiters)

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()  # stays held, by the next in line
            else:
                self._held = False


@dataclass
class Timings:
    """Seconds spent in statements and in the writers' queue, and how many statements."""

    statements: int = 0
    db_s: float = 0.0
    queue_s: float = 0.0


_TIMINGS: contextvars.ContextVar[Timings | None] = contextvars.ContextVar(
    "tianguis_timings", default=None
)


@contextmanager
def timed() -> Iterator[Timings]:
    """Collect the :class:`Timings` of the database work done inside (this thread)."""
    timings = Timings()
    token = _TIMINGS.set(timings)
    try:
        yield timings
    finally:
        _TIMINGS.reset(token)


def watch_statements(engine: Engine) -> None:
    """Add each statement's time to the current :func:`timed` block, if any."""

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, _cursor: Any, _sql: Any, _params: Any, _ctx: Any, _many: Any) -> None:
        if _TIMINGS.get() is not None:
            conn.info.setdefault("tianguis_started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, _cursor: Any, _sql: Any, _params: Any, _ctx: Any, _many: Any) -> None:
        timings = _TIMINGS.get()
        started = conn.info.get("tianguis_started")
        if timings is not None and started:
            timings.statements += 1
            timings.db_s += time.perf_counter() - started.pop()


_HOLDS_TURN = "tianguis_writer_turn"


def queue_writers(engine: Engine, begin_statement: contextvars.ContextVar[str]) -> None:
    """On ``engine`` (SQLite), begin each transaction with ``begin_statement``'s value,
    and let those that begin with the write lock (``BEGIN IMMEDIATE``) wait their turn in
    this process's :class:`FairLock` first; the turn passes on when the transaction ends.
    """
    turns = FairLock()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        statement = begin_statement.get()
        if statement != "BEGIN IMMEDIATE":
            conn.exec_driver_sql(statement)
            return
        started = time.perf_counter()
        mine = turns.acquire(timeout=QUEUE_TIMEOUT_S)
        timings = _TIMINGS.get()
        if timings is not None:
            timings.queue_s += time.perf_counter() - started
        try:
            conn.exec_driver_sql(statement)
        except BaseException:
            if mine:
                turns.release()
            raise
        if mine:
            conn.info[_HOLDS_TURN] = True

    def _on_end(conn: Any) -> None:
        if conn.info.pop(_HOLDS_TURN, False):
            turns.release()

    event.listen(engine, "commit", _on_end)
    event.listen(engine, "rollback", _on_end)
