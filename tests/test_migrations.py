"""The migrations build exactly the schema the models describe, as one line of history."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import migrations
from marketplace.db import Base, import_all_models, make_engine


def test_the_migrated_database_matches_the_models(database_url: str) -> None:
    import_all_models()
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    # A model change without its migration (or the reverse) shows up here.
    assert differences == []


def test_history_has_one_head() -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert len(script.get_heads()) == 1, "merge the new branches (alembic merge heads)"
