"""Scoring opened bids and ranking them per lot.

The price score is computed: the lowest price among the lot's eligible bids divided by
the bid's price, times 100. Quality and technical are scored 0–100 by the buyers of the
purchasing unit (each evaluator once per bid and lot; the average counts). The total is
the weighted sum with the tender's weights (which add up to 100). :func:`rank_lots` is
the one ranking every page, the award rule and the tests use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.audit.services import record as audit
from marketplace.awards.errors import N_, AwardError, Msg
from marketplace.awards.models import Award, AwardStatus, EvaluationScore
from marketplace.bids.models import Bid, BidStatus
from marketplace.bids.releases import bid_content, is_opened, publish_bids, tender_bids
from marketplace.db import utcnow
from marketplace.tenders.models import Tender
from marketplace.tenders.services import begin_buyer_change
from marketplace.tenders.states import TenderState

CENT = Decimal("0.01")
#: Award statuses that hold a lot: no second award, no re-scoring while one stands.
HOLDING = (AwardStatus.PENDING, AwardStatus.ACTIVE, AwardStatus.UNSUCCESSFUL)
#: Bids still in the race after the opening.
ELIGIBLE = (BidStatus.OPENED, BidStatus.VALID)


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def lot_ids(tender: Tender) -> list[str]:
    """The lots awards are made for: each lot's id, or ``""`` for a tender without lots."""
    return [lot.local_id for lot in tender.lots] or [""]


def lot_title(tender: Tender, lot: str) -> str:
    for item in tender.lots:
        if item.local_id == lot:
            return item.title
    return tender.title


def bid_price(bid: Bid, lot: str) -> Decimal | None:
    """What an opened bid asks for ``lot`` (None when it did not bid for it)."""
    if bid.disclosed is None:
        return None
    for price in bid_content(bid)["prices"]:
        if price["lot"] == lot:
            return Decimal(price["amount"])
    return None


def needed_criteria(tender: Tender) -> list[str]:
    """The criteria evaluators score by hand (those with a weight)."""
    return [c for c in ("quality", "technical") if getattr(tender, f"weight_{c}")]


@dataclass
class RankRow:
    """One eligible bid in a lot's ranking."""

    bid: Bid
    price: Decimal
    price_score: Decimal
    #: Averages over the evaluators who scored (None: nobody yet, or not weighted).
    quality: Decimal | None
    technical: Decimal | None
    evaluators: int
    #: Weighted total, None until every weighted criterion has a score.
    total: Decimal | None
    rank: int | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def scored(self) -> bool:
        return self.total is not None


@dataclass
class LotRanking:
    lot: str
    title: str
    #: Eligible bids for the lot, best first (unscored ones last, by price).
    rows: list[RankRow]
    #: Disqualified bids that had priced the lot (shown, never ranked).
    disqualified: list[Bid]

    @property
    def complete(self) -> bool:
        """Every eligible bid is fully scored."""
        return all(r.scored for r in self.rows)

    @property
    def best(self) -> RankRow | None:
        return self.rows[0] if self.rows and self.complete else None

    @property
    def to_score(self) -> int:
        return sum(1 for r in self.rows if not r.scored)


def _scores(session: Session, bids: list[Bid]) -> dict[tuple[int, str], list[EvaluationScore]]:
    out: dict[tuple[int, str], list[EvaluationScore]] = {}
    if not bids:
        return out
    rows = session.scalars(
        select(EvaluationScore)
        .where(EvaluationScore.bid_id.in_([b.id for b in bids]))
        .order_by(EvaluationScore.id)
    )
    for score in rows:
        out.setdefault((score.bid_id, score.related_lot), []).append(score)
    return out


def _average(values: list[int | None]) -> Decimal | None:
    given = [Decimal(v) for v in values if v is not None]
    return _q(sum(given, Decimal(0)) / len(given)) if given else None


def rank_lots(session: Session, tender: Tender) -> list[LotRanking]:
    """The ranking of every lot of ``tender`` from its opened bids and the scores so far."""
    bids = [b for b in tender_bids(session, tender) if b.disclosed is not None]
    scores = _scores(session, bids)
    needed = needed_criteria(tender)
    out: list[LotRanking] = []
    for lot in lot_ids(tender):
        priced = [(b, p) for b in bids if (p := bid_price(b, lot)) is not None]
        eligible = [(b, p) for b, p in priced if b.status in ELIGIBLE]
        lowest = min((p for _b, p in eligible), default=None)
        rows: list[RankRow] = []
        for bid, price in eligible:
            given = scores.get((bid.id, lot), [])
            price_score = (
                _q(Decimal(100) * lowest / price) if lowest and price > 0 else _q(Decimal(100))
            )
            quality = _average([s.quality for s in given]) if "quality" in needed else None
            technical = _average([s.technical for s in given]) if "technical" in needed else None
            complete = all(
                v is not None
                for c, v in (("quality", quality), ("technical", technical))
                if c in needed
            )
            total = (
                _q(
                    (
                        tender.weight_price * price_score
                        + tender.weight_quality * (quality or 0)
                        + tender.weight_technical * (technical or 0)
                    )
                    / 100
                )
                if complete
                else None
            )
            rows.append(
                RankRow(bid, price, price_score, quality, technical, len(given), total,
                        comments=[s.comment for s in given if s.comment])
            )  # fmt: skip
        # Best total first; equal totals go to the lower price, then the earlier bid.
        rows.sort(key=lambda r: (r.total is None, -(r.total or 0), r.price, r.bid.submitted_at))
        for n, row in enumerate(rows, start=1):
            row.rank = n if row.scored else None
        disqualified = [b for b, _p in priced if b.status == BidStatus.DISQUALIFIED]
        out.append(LotRanking(lot, lot_title(tender, lot), rows, disqualified))
    return out


def lot_ranking(session: Session, tender: Tender, lot: str) -> LotRanking:
    for ranking in rank_lots(session, tender):
        if ranking.lot == lot:
            return ranking
    raise AwardError(N_("This tender has no such lot."), "lot")


def holding_award(session: Session, tender: Tender, lot: str) -> Award | None:
    """The award that holds ``lot`` (pending, active or unsuccessful), if any."""
    return session.scalar(
        select(Award).where(
            Award.tender_id == tender.id, Award.related_lot == lot, Award.status.in_(HOLDING)
        )
    )


def ensure_evaluating(session: Session, tender: Tender) -> None:
    """Scores and awards are given only in evaluation, after the opening."""
    if tender.state != TenderState.EVALUATION:
        raise AwardError(
            Msg(N_("This process is %(state)s, not in evaluation."), {"state": tender.state.value})
        )
    if not is_opened(session, tender):
        raise AwardError(N_("The bids must be opened first."))


def _check_score(value: int | str | None, criterion: str) -> int:
    try:
        number = int(str(value).strip()) if value is not None and str(value).strip() else None
    except ValueError:
        number = None
    if number is None or not 0 <= number <= 100:
        raise AwardError(N_("Give a whole number from 0 to 100."), criterion)
    return number


def score_bid(
    session: Session,
    bid: Bid,
    user: User,
    lot: str,
    *,
    quality: int | str | None = None,
    technical: int | str | None = None,
    comment: str = "",
    now: dt.datetime | None = None,
) -> EvaluationScore:
    """Record (or change) ``user``'s scores of ``bid`` for ``lot``.

    The first score of a bid that was only opened also qualifies it (OCDS bidStatus
    ``valid``, published in a ``tenderUpdate``); later scores stay private until the award.
    """
    now = (now or utcnow()).replace(microsecond=0)
    tender = bid.tender
    begin_buyer_change(session, tender, user, now)
    ensure_evaluating(session, tender)
    if bid.status == BidStatus.DISQUALIFIED:
        raise AwardError(N_("A disqualified bid is not scored."))
    if bid.status not in ELIGIBLE:
        raise AwardError(N_("Only opened bids can be scored."))
    if lot not in lot_ids(tender) or bid_price(bid, lot) is None:
        raise AwardError(N_("This bid did not bid for that lot."), "lot")
    if holding_award(session, tender, lot) is not None:
        raise AwardError(N_("This lot is already decided; its scores can no longer change."))
    errors: dict[str, str | Msg] = {}
    values: dict[str, int | None] = {"quality": None, "technical": None}
    for criterion, given in (("quality", quality), ("technical", technical)):
        if criterion not in needed_criteria(tender):
            continue
        try:
            values[criterion] = _check_score(given, criterion)
        except AwardError as err:
            errors.update(err.errors)
    comment = comment.strip()
    if len(comment) > 2000:
        errors["comment"] = Msg(N_("Use at most %(n)s characters."), {"n": 2000})
    if errors:
        raise AwardError(errors)
    score = session.scalar(
        select(EvaluationScore).where(
            EvaluationScore.bid_id == bid.id,
            EvaluationScore.related_lot == lot,
            EvaluationScore.evaluator_user_id == user.id,
        )
    )
    if score is None:
        score = EvaluationScore(bid_id=bid.id, related_lot=lot, evaluator_user_id=user.id)
        session.add(score)
    score.quality, score.technical = values["quality"], values["technical"]
    score.comment = comment
    score.scored_at = now
    details: dict[str, object] = {"ocid": tender.ocid, "bid": bid.public_id, "lot": lot, **values}
    if bid.status == BidStatus.OPENED:
        bid.status = BidStatus.VALID
        bid.decided_at = now
        bid.decided_by_user_id = user.id
        details["release"] = publish_bids(session, tender, now).id
    session.flush()
    audit(session, "bid.scored", "bid", bid.id,
          actor_user_id=user.id, actor_org_id=user.organisation_id, details=details)  # fmt: skip
    return score
