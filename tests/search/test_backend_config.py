"""SEARCH_BACKEND: a backend that cannot run here stops the app at start, in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from app.config import ConfigError


@pytest.mark.parametrize(
    ("backend", "message"),
    [
        ("postgres", "SEARCH_BACKEND = 'postgres' needs a PostgreSQL DATABASE_URL"),
        ("elastic", "SEARCH_BACKEND must be 'whoosh' or 'postgres', not 'elastic'"),
    ],
)
def test_a_backend_that_cannot_run_stops_the_app(
    tmp_path: Path, backend: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        create_app(
            {
                "TESTING": True,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                "SECRET_KEY": "x",
                "SEARCH_BACKEND": backend,
            }
        )
