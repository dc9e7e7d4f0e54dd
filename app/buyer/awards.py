"""Buyer pages of evaluation and award: score opened bids, see the ranking per lot,
award the best-ranked bid, declare a lot unsuccessful, cancel an award, resolve
complaints. Each POST validates its form, calls one service, commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.buyer import bp
from app.buyer.common import own_tender, run_service
from app.buyer.opening import show_errors
from app.db import db_session
from app.security import role_required
from marketplace.accounts.models import Role
from marketplace.awards import services as award_services
from marketplace.awards.complaints import resolve_complaint
from marketplace.awards.errors import AwardError, NotYourProcess
from marketplace.awards.evaluation import (
    LotRanking,
    holding_award,
    needed_criteria,
    rank_lots,
    score_bid,
)
from marketplace.awards.models import Award, AwardStatus, Complaint, EvaluationScore
from marketplace.awards.releases import tender_awards, tender_complaints
from marketplace.awards.services import (
    cancel_award,
    decide_award,
    declare_unsuccessful,
    read_awards,
)
from marketplace.bids.models import Bid
from marketplace.bids.releases import is_opened
from marketplace.tenders.models import Tender
from marketplace.tenders.states import TenderState


def standstill_days() -> int:
    days = current_app.config.get("STANDSTILL_DAYS")
    return int(days) if days not in (None, "") else award_services.DEFAULT_STANDSTILL_DAYS


class ScoreForm(FlaskForm):
    quality = StringField(_l("Quality (0–100)"), render_kw={"inputmode": "numeric"})
    technical = StringField(_l("Technical (0–100)"), render_kw={"inputmode": "numeric"})
    comment = TextAreaField(_l("Justification (published after the award)"),
                            validators=[Length(max=2000)])  # fmt: skip
    submit = SubmitField(_l("Save my scores"))


class AwardForm(FlaskForm):
    submit = SubmitField(_l("Award to this bid"))


class UnsuccessfulForm(FlaskForm):
    reason = TextAreaField(_l("Why the lot cannot be awarded (public)"),
                           validators=[InputRequired(), Length(max=5000)])  # fmt: skip
    submit = SubmitField(_l("Declare the lot unsuccessful"))


class CancelAwardForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the cancellation (public)"),
                           validators=[InputRequired(), Length(max=5000)])  # fmt: skip
    submit = SubmitField(_l("Cancel the award"))


class ResolveForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("rejected", _l("Rejected: the award goes on")),
                 SelectChoice("upheld", _l("Upheld: the award is cancelled"))],
        validators=[InputRequired(message=_l("Choose a decision."))],
    )  # fmt: skip
    resolution = TextAreaField(_l("Resolution (public)"),
                               validators=[InputRequired(), Length(max=5000)])  # fmt: skip
    submit = SubmitField(_l("Resolve the complaint"))


def _score_prefix(bid: Bid, lot: str) -> str:
    return f"s{bid.id}-{lot_key(lot)}-"


@dataclass
class LotView:
    ranking: LotRanking
    holding: Award | None
    awards: list[Award]
    score_forms: dict[int, ScoreForm]
    award_form: AwardForm | None
    unsuccessful_form: UnsuccessfulForm | None


@dataclass
class Todo:
    """What the buyer still has to do in the evaluation of one tender."""

    to_score: int
    to_award: int
    complaints: int

    @property
    def any(self) -> bool:
        return bool(self.to_score or self.to_award or self.complaints)


def evaluation_todo(rankings: list[LotRanking], holding: dict[str, Award | None],
                    complaints: list[Complaint]) -> Todo:  # fmt: skip
    open_lots = [r for r in rankings if holding.get(r.lot) is None]
    return Todo(
        to_score=sum(r.to_score for r in open_lots),
        to_award=sum(1 for r in open_lots if r.best is not None or not r.rows),
        complaints=sum(1 for c in complaints if c.status.value == "pending"),
    )


@bp.app_template_global()
def evaluation_todo_for(tender: Tender) -> Todo | None:
    """What the buyer still has to do in ``tender``'s evaluation (None before the
    opening), for the dashboard."""
    session = db_session()
    if tender.state != TenderState.EVALUATION or not is_opened(session, tender):
        return None
    rankings = rank_lots(session, tender)
    holding = {r.lot: holding_award(session, tender, r.lot) for r in rankings}
    return evaluation_todo(rankings, holding, tender_complaints(session, tender))


def _my_scores(bids: list[Bid]) -> dict[tuple[int, str], EvaluationScore]:
    if not bids:
        return {}
    rows = db_session().scalars(
        select(EvaluationScore).where(
            EvaluationScore.bid_id.in_([b.id for b in bids]),
            EvaluationScore.evaluator_user_id == current_user.id,
        )
    )
    return {(s.bid_id, s.related_lot): s for s in rows}


def _page(tender: Tender, status: int = 200, **forms: Any) -> ResponseReturnValue:
    session = db_session()
    rankings = rank_lots(session, tender)
    awards = tender_awards(session, tender)
    complaints = tender_complaints(session, tender)
    holding = {r.lot: holding_award(session, tender, r.lot) for r in rankings}
    mine = _my_scores([row.bid for r in rankings for row in r.rows])
    evaluating = tender.state == TenderState.EVALUATION
    lots: list[LotView] = []
    for ranking in rankings:
        score_forms: dict[int, ScoreForm] = {}
        for row in ranking.rows:
            prefix = _score_prefix(row.bid, ranking.lot)
            form = forms.get(f"score:{prefix}")
            if form is None:
                given = mine.get((row.bid.id, ranking.lot))
                form = ScoreForm(prefix=prefix, formdata=None,
                                 quality=given.quality if given else None,
                                 technical=given.technical if given else None,
                                 comment=given.comment if given else "")  # fmt: skip
            score_forms[row.bid.id] = form
        free = evaluating and holding[ranking.lot] is None
        lots.append(LotView(
            ranking=ranking,
            holding=holding[ranking.lot],
            awards=[a for a in awards if a.related_lot == ranking.lot],
            score_forms=score_forms,
            award_form=(forms.get(f"award:{ranking.lot}")
                        or AwardForm(prefix=f"a-{lot_key(ranking.lot)}-"))
            if free and ranking.best is not None else None,
            unsuccessful_form=(forms.get(f"unsuccessful:{ranking.lot}")
                               or UnsuccessfulForm(prefix=f"u-{lot_key(ranking.lot)}-"))
            if free and not ranking.rows else None,
        ))  # fmt: skip
    by_award: dict[int, list[Complaint]] = {}
    for complaint in complaints:
        by_award.setdefault(complaint.award_id, []).append(complaint)
    return (
        render_template(
            "buyer/awards/evaluation.html",
            tender=tender,
            opened=is_opened(session, tender),
            evaluating=evaluating,
            lots=lots,
            needed=needed_criteria(tender),
            complaints=by_award,
            todo=evaluation_todo(rankings, holding, complaints),
            cancel_forms={a.id: forms.get(f"cancel:{a.id}") or CancelAwardForm(prefix=f"c{a.id}-")
                          for a in awards},
            resolve_forms={c.id: forms.get(f"resolve:{c.id}") or ResolveForm(prefix=f"r{c.id}-")
                           for c in complaints},
            pending=AwardStatus.PENDING,
            active=AwardStatus.ACTIVE,
        ),
        status,
    )  # fmt: skip


def _tender(tender_id: int) -> Tender:
    tender = own_tender(tender_id)
    if read_awards(db_session(), tender):
        db_session().commit()
    return tender


def _run(action: Callable[[], Any], form: Any) -> bool:
    return run_service(
        action, form, refused=NotYourProcess, broken_rule=AwardError, show=show_errors
    )


def _back(tender: Tender, anchor: str = "") -> ResponseReturnValue:
    return redirect(url_for("buyer.evaluation", tender_id=tender.id, _anchor=anchor or None))


@bp.get("/tenders/<int:tender_id>/evaluation")
@role_required(Role.BUYER)
def evaluation(tender_id: int) -> ResponseReturnValue:
    return _page(_tender(tender_id))


def _own_bid(bid_id: int) -> Bid:
    bid = db_session().get(Bid, bid_id)
    if bid is None:
        abort(404)
    _tender(bid.tender_id)
    return bid


def lot_key(lot: str) -> str:
    """The lot in URLs and form prefixes (``tender`` for a tender without lots)."""
    return lot or "tender"


def _lot(key: str) -> str:
    return "" if key == "tender" else key


@bp.post("/bids/<int:bid_id>/lots/<key>/score")
@role_required(Role.BUYER)
def bid_score(bid_id: int, key: str) -> ResponseReturnValue:
    bid = _own_bid(bid_id)
    lot = _lot(key)
    form = ScoreForm(prefix=_score_prefix(bid, lot))
    if form.validate_on_submit() and _run(
        lambda: score_bid(db_session(), bid, current_user, lot, quality=form.quality.data,
                          technical=form.technical.data, comment=form.comment.data or ""),
        form,
    ):  # fmt: skip
        flash(_("Scores saved."), "success")
        return _back(bid.tender, f"lot-{key}")
    return _page(bid.tender, 422, **{f"score:{_score_prefix(bid, lot)}": form})


@bp.post("/bids/<int:bid_id>/lots/<key>/award")
@role_required(Role.BUYER)
def bid_award(bid_id: int, key: str) -> ResponseReturnValue:
    bid = _own_bid(bid_id)
    lot = _lot(key)
    form = AwardForm(prefix=f"a-{key}-")
    if form.validate_on_submit() and _run(
        lambda: decide_award(db_session(), bid, lot, current_user,
                             standstill_days=standstill_days()),
        form,
    ):  # fmt: skip
        flash(_("Award decided and published; the standstill period has started."), "success")
        return _back(bid.tender, f"lot-{key}")
    return _page(bid.tender, 422, **{f"award:{lot}": form})


@bp.post("/tenders/<int:tender_id>/lots/<key>/unsuccessful")
@role_required(Role.BUYER)
def lot_unsuccessful(tender_id: int, key: str) -> ResponseReturnValue:
    tender = _tender(tender_id)
    lot = _lot(key)
    form = UnsuccessfulForm(prefix=f"u-{key}-")
    if form.validate_on_submit() and _run(
        lambda: declare_unsuccessful(db_session(), tender, lot, current_user,
                                     form.reason.data or ""),
        form,
    ):  # fmt: skip
        flash(_("Lot declared unsuccessful and published."), "success")
        return _back(tender, f"lot-{key}")
    return _page(tender, 422, **{f"unsuccessful:{lot}": form})


def _own_award(award_id: int) -> Award:
    award = db_session().get(Award, award_id)
    if award is None:
        abort(404)
    _tender(award.tender_id)
    return award


@bp.post("/awards/<int:award_id>/cancel")
@role_required(Role.BUYER)
def award_cancel(award_id: int) -> ResponseReturnValue:
    award = _own_award(award_id)
    form = CancelAwardForm(prefix=f"c{award.id}-")
    if form.validate_on_submit() and _run(
        lambda: cancel_award(db_session(), award, current_user, form.reason.data or ""), form
    ):
        flash(_("Award cancelled and published."), "success")
        return _back(award.tender, award.local_id)
    return _page(award.tender, 422, **{f"cancel:{award.id}": form})


@bp.post("/complaints/<int:complaint_id>/resolve")
@role_required(Role.BUYER)
def complaint_resolve(complaint_id: int) -> ResponseReturnValue:
    complaint = db_session().get(Complaint, complaint_id)
    if complaint is None:
        abort(404)
    tender = _tender(complaint.tender_id)
    form = ResolveForm(prefix=f"r{complaint.id}-")
    if form.validate_on_submit() and _run(
        lambda: resolve_complaint(db_session(), complaint, current_user,
                                  upheld=form.decision.data == "upheld",
                                  resolution=form.resolution.data or ""),
        form,
    ):  # fmt: skip
        flash(_("Complaint resolved and published."), "success")
        return _back(tender, complaint.local_id)
    return _page(tender, 422, **{f"resolve:{complaint.id}": form})
