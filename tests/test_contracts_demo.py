"""The demo's contracts step: active awards get signed contracts with a milestone and
payments through the real services, every release valid; a second run writes nothing."""

from __future__ import annotations

import random

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.contracts.life_models import ContractPayment
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.demo import contracts as demo
from marketplace.publication.models import OcdsRelease
from tests.contract_helpers import active_award, past_start
from tests.tender_helpers import assert_valid


def test_demo_contracts_step_signs_pays_and_completes(db: Session) -> None:
    award, _owner, _user = active_award(db, past_start())
    assert demo.load(db, random.Random(1), {}) == "signed: 1, paid: 1, completed: 1"
    contract = db.scalar(select(Contract).where(Contract.award_id == award.id))
    assert contract is not None and contract.status == ContractStatus.TERMINATED
    assert contract.outcome == "completed"
    paid = db.scalar(select(func.sum(ContractPayment.amount)))
    assert paid == contract.value_amount
    rows = db.scalars(select(OcdsRelease).where(OcdsRelease.ocid == award.tender.ocid)).all()
    tags = [r.data["tag"][0] for r in rows]
    assert tags[-5:] == ["implementation", "implementation", "implementation",
                         "implementation", "contractTermination"]  # fmt: skip
    for row in rows:
        assert_valid(row.data)
    before = db.scalar(select(func.count(OcdsRelease.id)))
    assert demo.load(db, random.Random(1), {}) == "signed: 0, paid: 0, completed: 0"
    assert db.scalar(select(func.count(OcdsRelease.id))) == before
