"""Test fixtures: a real migrated database (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), one transaction per test rolled back afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

import migrations
from app import create_app
from app.db import get_database
from app.extensions import limiter
from marketplace import app_settings
from marketplace.db import make_engine


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        migrations.upgrade(conn)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def app(database_url: str, instance_dir: Path) -> Iterator[Flask]:
    os.environ["TIANGUIS_INSTANCE_PATH"] = str(instance_dir)
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
            "SEARCH_INDEX_DIR": str(instance_dir / "index"),
            "BULK_DIR": str(instance_dir / "bulk"),
            "PUBLIC_BASE_URL": "http://localhost",
            # Tests of tender mechanics publish large ICT tenders without a business case;
            # the gate's own tests turn it on (tests/test_business_case_gate.py).
            "BUSINESS_CASE_GATE_MXN": "1000000000000",
        }
    )
    yield application
    get_database(application).engine.dispose()


@contextmanager
def rolled_back_session(app: Flask) -> Iterator[Session]:
    """A session inside a transaction that is rolled back at the end of the block.

    The app's requests meanwhile use the same connection, so they see (and their commits
    become savepoints of) the same transaction; services called directly (outside a
    request) read the app's settings.
    """
    database = get_database(app)
    connection = database.engine.connect()
    outer = connection.begin()
    original = database.sessionmaker
    database.sessionmaker = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    session = database.sessionmaker()
    try:
        with app_settings.scope(app.extensions):
            yield session
    finally:
        session.close()
        database.sessionmaker = original
        outer.rollback()
        connection.close()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session whose work (and the test's requests') is rolled back after the test."""
    limiter.reset()
    with rolled_back_session(app) as session:
        yield session


@pytest.fixture
def client(app: Flask, db: Session) -> FlaskClient:
    return app.test_client()
