"""SQLite and writers arriving together (bids before a deadline): a transaction that read
first is refused ("database is locked") when another writer committed meanwhile, while
one begun inside ``sqlite_write_first`` holds the write lock from the start, so the
others wait for it instead of failing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from marketplace.db import make_engine, sqlite_write_first


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
