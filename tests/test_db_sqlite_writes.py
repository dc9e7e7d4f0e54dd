"""SQLite and writers arriving together (bids before a deadline): a transaction that read
first is refused ("database is locked") when another writer committed meanwhile, while
one begun inside ``sqlite_write_first`` holds the write lock from the start, so the
others wait for it instead of failing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from marketplace.db import make_engine, sqlite_write_first
from marketplace.writers import FairLock


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'writes.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bid (id INTEGER PRIMARY KEY, who TEXT)"))
    yield engine
    engine.dispose()


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM bid")).scalar_one())


def test_a_plain_transaction_that_read_first_is_refused(engine: Engine) -> None:
    with engine.connect() as late:
        late.begin()
        late.execute(text("SELECT count(*) FROM bid"))  # its snapshot starts here
        with engine.begin() as other:
            other.execute(text("INSERT INTO bid (who) VALUES ('other')"))
        with pytest.raises(OperationalError, match="locked"):
            late.execute(text("INSERT INTO bid (who) VALUES ('late')"))
        late.rollback()
    assert _count(engine) == 1


def test_writers_queue_behind_a_write_first_transaction(engine: Engine) -> None:
    errors: list[BaseException] = []
    holding = threading.Event()
    release = threading.Event()

    def first() -> None:
        with sqlite_write_first(), engine.connect() as conn:
            conn.begin()
            conn.execute(text("SELECT count(*) FROM bid"))
            holding.set()
            release.wait(10)
            conn.execute(text("INSERT INTO bid (who) VALUES ('first')"))
            conn.commit()

    def second() -> None:
        try:
            with sqlite_write_first(), engine.connect() as conn:
                conn.begin()  # waits here until the first commits
                conn.execute(text("SELECT count(*) FROM bid"))
                conn.execute(text("INSERT INTO bid (who) VALUES ('second')"))
                conn.commit()
        except BaseException as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)

    one = threading.Thread(target=first)
    one.start()
    assert holding.wait(10)
    two = threading.Thread(target=second)
    two.start()
    release.set()
    one.join(20)
    two.join(20)
    assert errors == []
    with engine.connect() as conn:
        order = list(conn.execute(text("SELECT who FROM bid ORDER BY id")).scalars())
    assert order == ["first", "second"]


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_writers_get_their_turn_in_arrival_order() -> None:
    """Writers that arrive while one holds the lock go in the order they came: the
    busy handler's polling let late arrivals overtake writers waiting for seconds."""
    turns = FairLock()
    assert turns.acquire()
    order: list[int] = []

    def writer(n: int) -> None:
        assert turns.acquire(timeout=10)
        order.append(n)
        turns.release()

    threads = []
    for n in range(8):
        thread = threading.Thread(target=writer, args=(n,))
        thread.start()
        threads.append(thread)
        _wait_for(lambda n=n: turns.waiting == n + 1)  # queued before the next comes
    turns.release()
    for thread in threads:
        thread.join(10)
    assert order == list(range(8))
    assert turns.acquire(timeout=0)  # free again once the queue is empty


def test_a_writer_that_times_out_leaves_the_queue() -> None:
    turns = FairLock()
    assert turns.acquire()
    assert not turns.acquire(timeout=0.01)
    assert turns.waiting == 0
    turns.release()
    assert turns.acquire(timeout=0)


def test_a_failed_transaction_passes_the_turn_on(engine: Engine) -> None:
    """A writer whose transaction fails (rolled back) does not keep the others waiting."""
    with sqlite_write_first(), engine.connect() as conn:
        conn.begin()
        with pytest.raises(OperationalError):
            conn.execute(text("INSERT INTO no_such_table VALUES (1)"))
        conn.rollback()
    done = threading.Event()

    def other() -> None:
        with sqlite_write_first(), engine.begin() as conn:
            conn.execute(text("INSERT INTO bid (who) VALUES ('next')"))
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(10)
    assert done.is_set()
    assert _count(engine) == 1
