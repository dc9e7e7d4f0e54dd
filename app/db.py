"""One SQLAlchemy session per request, closed at teardown.

Views call one service and then ``db_session().commit()``: the domain change, its audit
event and its OCDS release commit together.
"""

from __future__ import annotations

from contextlib import ExitStack

from flask import Flask, current_app, g, request
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from marketplace.db import make_engine, sqlite_write_first
from marketplace.publication import catch_up as records
from marketplace.publication.services import PENDING_KEY

#: Requests that change something: on SQLite their transactions take the write lock first.
_WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Forms that read and validate in a transaction of their own, commit it, and then write
#: inside ``sqlite_write_first``: they queue for the write turn once, for the write only
#: (the bid form, a thousand of them in the last minute before a deadline).
_READS_FIRST = frozenset({"supplier.bid_form"})


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        self.sessionmaker: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)


def init_app(app: Flask) -> Database:
    database = Database(app.config["DATABASE_URL"])
    app.extensions["tianguis_db"] = database

    if database.url.startswith("sqlite"):

        @app.before_request
        def _writers_queue() -> None:
            """A form that reads, then writes, fails at once with "database is locked" on
            SQLite when another request committed in between (a question asked while bids
            come in); beginning with the write lock makes it wait its turn instead."""
            if request.method in _WRITING_METHODS and request.endpoint not in _READS_FIRST:
                stack = ExitStack()
                stack.enter_context(sqlite_write_first())
                g.sqlite_write_first = stack

        @app.teardown_request
        def _writers_done(_exc: BaseException | None) -> None:
            stack = g.pop("sqlite_write_first", None)
            if stack is not None:
                stack.close()

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            pending = session.info.pop(PENDING_KEY, None) or {}
            due = [ocid for ocid, count in pending.items() if count >= records.CATCH_UP_EVERY]
            if exc is None and due:
                _catch_up(app, session, due)
            session.close()

    return database


def _catch_up(app: Flask, session: Session, ocids: list[str]) -> None:
    """Merge the releases published with a deferred compile into the records of
    ``ocids``, unless another request is doing it (then that one merges ours too). A
    failure loses nothing: the releases stay pending, merged by a later request,
    publication or ``search sync``, and shown merged meanwhile."""
    try:
        session.rollback()  # a fresh transaction, after the request's commit
        records.catch_up(session, ocids, wait=False)
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        app.logger.exception("could not merge pending releases of %s", sorted(ocids))


def get_database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["tianguis_db"]


def db_session() -> Session:
    """The session of the current request (or CLI command)."""
    if "db_session" not in g:
        g.db_session = get_database().sessionmaker()
    return g.db_session
