"""Declarative base, engine factory and small shared column helpers."""

from __future__ import annotations

import contextvars
import datetime as dt
import enum
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Enum, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from marketplace.writers import queue_writers, watch_statements

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """Current UTC time as a naive datetime: every timestamp we store is naive UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def string_enum(cls: type[enum.Enum], length: int) -> Enum:
    """A column type storing an enum's values (not its names) as VARCHAR(length).

    Plain strings, no native enum type, so SQLite and PostgreSQL migrate alike.
    """
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and working savepoints."""
    if url.startswith("sqlite"):
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("timeout", 30)
        connect_args.setdefault("check_same_thread", False)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine)
    else:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
    watch_statements(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; take it over as the
    # SQLAlchemy documentation recommends, so tests can roll back per test.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    queue_writers(engine, _SQLITE_BEGIN)


#: How SQLite transactions begin in this context (see :func:`sqlite_write_first`).
_SQLITE_BEGIN = contextvars.ContextVar("sqlite_begin", default="BEGIN")


@contextmanager
def sqlite_write_first() -> Iterator[None]:
    """SQLite transactions begun inside take the write lock at once (BEGIN IMMEDIATE).

    A plain BEGIN reads first and asks for the write lock at its first write; if another
    writer committed in between, SQLite refuses at once ("database is locked") instead of
    waiting. Actions that many people send at the same moment (bids in the last minute)
    begin their transaction here so that they queue behind each other, in arrival order
    within a process (marketplace/writers.py), for up to the busy timeout. No effect on
    PostgreSQL, where row locks do this job.
    """
    token = _SQLITE_BEGIN.set("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        _SQLITE_BEGIN.reset(token)


def import_all_models() -> None:
    """Import every model module so Base.metadata knows all tables (for Alembic)."""
    import importlib
    import pkgutil

    for pkg_name in ("marketplace", "business_cases"):
        pkg = importlib.import_module(pkg_name)
        for mod in pkgutil.walk_packages(pkg.__path__, prefix=f"{pkg_name}."):
            if mod.name.rsplit(".", 1)[-1] == "models" or mod.name.endswith("_models"):
                importlib.import_module(mod.name)
