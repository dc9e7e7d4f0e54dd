"""Alembic migrations: the only way the database schema is created or changed."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(connection: Connection, revision: str = "heads") -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), revision)
