"""The demo's ratings step: ratings in each state (awaiting the reply, final with the
supplier's reply, final after 14 days without one), late-payment complaints, every
release valid; a second run writes nothing."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.demo import contracts as demo_contracts
from marketplace.demo import ratings as demo_ratings
from marketplace.performance.models import LatePaymentComplaint, RatingStatus, SupplierRating
from marketplace.publication.models import OcdsRelease
from tests.contract_helpers import active_award, past_start
from tests.tender_helpers import assert_valid


def test_demo_ratings_step_fills_every_state(db: Session) -> None:
    for extra_days in (60, 60, 0, 0, 0):
        active_award(db, past_start() - dt.timedelta(days=extra_days))
    demo_contracts.load(db, random.Random(1), {})
    summary = demo_ratings.load(db, random.Random(1), {})
    assert summary.startswith("ratings: ")
    ratings = db.scalars(select(SupplierRating)).all()
    drafts = [r for r in ratings if r.status == RatingStatus.DRAFT]
    replied = [r for r in ratings if r.status == RatingStatus.FINAL and r.replied_at]
    silent = [r for r in ratings if r.status == RatingStatus.FINAL and not r.replied_at]
    assert drafts and replied and silent, summary
    assert any(r.milestone_id is None for r in ratings)  # a contract's end, too
    assert db.scalar(select(func.count(LatePaymentComplaint.id))), summary
    for row in db.scalars(select(OcdsRelease)):
        assert_valid(row.data)
    before = db.scalar(select(func.count(OcdsRelease.id)))
    # A second run (after later steps added contracts) rates and complains about nothing.
    active_award(db, past_start())
    demo_contracts.load(db, random.Random(2), {})
    before = db.scalar(select(func.count(OcdsRelease.id)))
    again = demo_ratings.load(db, random.Random(1), {})
    assert again == "ratings already present"
    assert db.scalar(select(func.count(OcdsRelease.id))) == before
