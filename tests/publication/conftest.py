from __future__ import annotations

import pytest
from flask import Flask

from marketplace.publication.services import configured_schema
from ocds.schema import OcdsSchema


@pytest.fixture(scope="session")
def schema(app: Flask) -> OcdsSchema:
    return configured_schema()
