"""The demo data, loaded once for all fuzz tests (the slow part) and rolled back after."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.fuzz.forms import Reached, discover
from tests.fuzz.site import Site, Tally, demo_site


@pytest.fixture(scope="package")
def site(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    index = Path(tmp_path_factory.mktemp("fuzz-index"))
    with demo_site(app, index_dir=index) as loaded:
        yield loaded


@pytest.fixture(scope="package")
def crawl_tally() -> Tally:
    """What went wrong on the pages the crawler visited."""
    return Tally()


@pytest.fixture(scope="package")
def reachable_forms(site: Site, crawl_tally: Tally) -> Reached:
    return discover(site, crawl_tally)
