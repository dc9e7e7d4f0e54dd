"""Alembic environment: runs on the connection the caller passes (see migrations.alembic_config)."""

from __future__ import annotations

from alembic import context

from marketplace.db import Base, import_all_models

import_all_models()
target_metadata = Base.metadata
config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `tianguis db ...`, which passes a connection")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
