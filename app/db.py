"""One SQLAlchemy session per request, closed at teardown.

Views call one service and then ``db_session().commit()``: the domain change, its audit
event and its OCDS release commit together.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from marketplace.db import make_engine


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        self.sessionmaker: sessionmaker[Session] = sessionmaker(
            self.engine, expire_on_commit=False
        )


def init_app(app: Flask) -> Database:
    database = Database(app.config["DATABASE_URL"])
    app.extensions["tianguis_db"] = database

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    return database


def get_database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["tianguis_db"]


def db_session() -> Session:
    """The session of the current request (or CLI command)."""
    if "db_session" not in g:
        g.db_session = get_database().sessionmaker()
    return g.db_session
