"""bench/generate.py: synthetic processes written into a scratch database (next to the
test database) validate against the OCDS schema, their records are the merge of their
releases, buyers and suppliers have pages, and the search index finds them."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import create_app
from app.db import get_database
from bench.generate_mix import MixMaker
from marketplace.accounts.models import Organisation, OrgKind
from marketplace.db import make_engine
from marketplace.publication.models import OcdsRecord, OcdsRelease, SearchOutbox
from marketplace.publication.services import configured_schema
from marketplace.search.query import search
from marketplace.search.request import parse_request
from marketplace.suppliers.models import Supplier
from ocds.merge import compile_record
from ocds.validate import validate_release
from tests.test_backup import _scratch_url

ROOT = Path(__file__).resolve().parent.parent
N = 150


def _generate(url: str, index_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "bench" / "generate.py"), "--database-url", url]
    command += ["--index-dir", str(index_dir), *extra]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def generated(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, str]]:
    work = tmp_path_factory.mktemp("generate")
    for url in _scratch_url(database_url, work, "generate"):
        done = _generate(
            url,
            work / "index",
            "--processes",
            str(N),
            "--seed",
            "7",
            "--small-through-services",
            "10",
        )
        assert done.returncode == 0, done.stderr[-2000:]
        yield url, work / "index", done.stdout


def test_releases_validate_and_records_are_their_merge(generated: tuple[str, Path, str]) -> None:
    url, _index, stdout = generated
    assert f"generated {N} processes" in stdout
    schema = configured_schema()
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(OcdsRecord)) == N
        releases: dict[str, list[dict]] = {}
        for ocid, data in session.execute(
            select(OcdsRelease.ocid, OcdsRelease.data).order_by(OcdsRelease.sequence)
        ):
            releases.setdefault(ocid, []).append(data)
        problems = [
            (r["id"], e.path, e.message)
            for log in releases.values()
            for r in log
            for e in validate_release(r, schema).errors
        ]
        assert problems == []
        statuses = Counter()
        for record in session.scalars(select(OcdsRecord)):
            assert record.compiled == compile_record(releases[record.ocid], schema)
            assert record.release_count == len(releases[record.ocid])
            statuses[record.compiled["tender"]["status"]] += 1
        # The whole mix of states is there.
        assert set(statuses) == {"planned", "active", "complete", "cancelled", "unsuccessful"}
        # Every outbox row was taken in by the reindex that ended the run.
        waiting = select(func.count()).where(SearchOutbox.processed_at.is_(None))
        assert session.scalar(waiting) == 0
    engine.dispose()


def test_search_and_party_pages_find_them(generated: tuple[str, Path, str], app: Flask) -> None:
    url, index_dir, _stdout = generated
    engine = make_engine(url)
    with Session(engine) as session:
        record = session.scalars(select(OcdsRecord).order_by(OcdsRecord.ocid)).first()
        assert record is not None
        buyer = session.scalars(select(Organisation).where(Organisation.kind == OrgKind.BUYER))
        code = next(iter(buyer)).code
        supplier_id = session.scalar(select(Supplier.id))
    engine.dispose()

    req, problems = parse_request({"q": [record.compiled["tender"]["title"]]})
    found = search(str(index_dir), req, problems)
    assert record.ocid in [hit.ocid for hit in found.hits]

    web = create_app(
        {**app.config, "DATABASE_URL": url, "SEARCH_INDEX_DIR": str(index_dir), "TESTING": True}
    )
    try:
        client = web.test_client()
        page = client.get(f"/processes/{record.ocid}")
        assert page.status_code == 200
        assert record.compiled["tender"]["title"] in page.get_data(as_text=True)
        assert client.get(f"/buyers/{code}").status_code == 200
        assert client.get(f"/suppliers/{supplier_id}").status_code == 200
    finally:
        get_database(web).engine.dispose()


def test_same_seed_twice_is_refused(generated: tuple[str, Path, str], tmp_path: Path) -> None:
    url, _index, _stdout = generated
    done = _generate(url, tmp_path / "index", "--processes", "5", "--seed", "7", "--no-search")
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "processes of seed 7 are already there" in lines[0]


def test_the_mix_is_deterministic_by_seed() -> None:
    buyers = [("MX-BUYER-T-1", "Unidad T")]
    suppliers = [(f"MX-RFC-T{n}", f"Proveedor {n}") for n in range(100)]

    def processes(seed: int) -> list[tuple[str, list[dict]]]:
        maker = MixMaker(seed, "ocds-x", buyers, suppliers)
        return [maker.process(n) for n in range(20)]

    assert processes(3) == processes(3)
    assert processes(3) != processes(4)
