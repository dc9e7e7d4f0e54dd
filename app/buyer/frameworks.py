"""Buyer framework pages: open a framework, evaluate applications, and buy from a
catalogue by direct award (under the ceiling) or by mini-competition."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import Optional

from app.buyer import bp
from app.buyer.common import own_tender
from app.db import db_session
from app.framework_support import run
from app.security import role_required
from marketplace.accounts.models import Role
from marketplace.db import utcnow
from marketplace.frameworks.calloff_models import CallOff
from marketplace.frameworks.calloffs import DirectInput, direct_calloff
from marketplace.frameworks.from_tender import framework_from_draft
from marketplace.frameworks.minicomp import MiniInput, start_mini_competition
from marketplace.frameworks.models import (
    Application,
    ApplicationStatus,
    Framework,
    FrameworkLot,
    Listing,
)
from marketplace.frameworks.services import (
    FrameworkInput,
    LotInput,
    create_framework,
    decide_application,
)
from marketplace.tenders.models import Tender

LOT_ROWS = 4
#: Lot rows read from a post (the tender form may hand over more than LOT_ROWS).
MAX_LOT_ROWS = 60


def ceiling() -> Decimal:
    """The direct call-off ceiling (CALLOFF_DIRECT_CEILING_MXN, checked in app/config.py)."""
    return Decimal(current_app.config["CALLOFF_DIRECT_CEILING_MXN"])


class FrameworkForm(FlaskForm):
    title = StringField(_l("Title"))
    description = TextAreaField(_l("Description"))
    start_date = DateField(_l("Starts on"), validators=[Optional()])
    end_date = DateField(_l("Ends on"), validators=[Optional()])
    refresh_months = IntegerField(_l("Reopen for new suppliers every (months)"), default=6,
                                  validators=[Optional()])  # fmt: skip


class DecideForm(FlaskForm):
    reason = TextAreaField(_l("Reason (required to reject)"))


class DirectForm(FlaskForm):
    quantity = StringField(_l("Quantity"))
    justification = TextAreaField(_l("Why a direct award"))
    contract_url = StringField(_l("Web address of the signed order"))
    period_end = DateField(_l("Contract ends on (default: when the framework ends)"),
                           validators=[Optional()])  # fmt: skip


class MiniForm(FlaskForm):
    description = TextAreaField(_l("What you need"))
    quantity = StringField(_l("Quantity"))
    unit = StringField(_l("Unit"))
    days = IntegerField(_l("Days to quote (2 to 15)"), default=5, validators=[Optional()])
    justification = TextAreaField(_l("Notes for the suppliers (optional)"))


def _midnight(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time()) if day else None


def _own(framework_id: int) -> Framework:
    framework = db_session().get(Framework, framework_id)
    if framework is None:
        abort(404)
    if framework.buyer_org_id != current_user.organisation_id:
        abort(403)
    return framework


def _lot_titles() -> list[str]:
    """The posted lot titles (the tender form's lot rows use the same names), at least
    LOT_ROWS rows."""
    titles = [request.form.get(f"lots-{i}-title", "") for i in range(MAX_LOT_ROWS)]
    used = [t for t in titles if t.strip()]
    return used + [""] * max(0, LOT_ROWS - len(used))


def _from_tender() -> Tender | None:
    """The unit's draft tender this framework continues (``from_tender``), if any."""
    raw = request.values.get("from_tender", "")
    return own_tender(int(raw)) if raw.isdigit() else None


def _index(form: FrameworkForm, status: int, draft: Tender | None) -> ResponseReturnValue:
    session = db_session()
    own = session.scalars(
        select(Framework).where(Framework.buyer_org_id == current_user.organisation_id)
        .order_by(Framework.id.desc())
    ).all()  # fmt: skip
    calloffs = session.scalars(
        select(CallOff).where(CallOff.buyer_org_id == current_user.organisation_id)
        .order_by(CallOff.id.desc())
    ).all()  # fmt: skip
    running = session.scalars(select(Framework).where(Framework.end_date > utcnow())).all()
    return render_template(
        "buyer/frameworks/index.html", form=form, own=own, calloffs=calloffs, running=running,
        lot_titles=_lot_titles(), draft=draft,
    ), status  # fmt: skip


def framework_handover(tender: Tender) -> ResponseReturnValue:
    """The tender form's "Framework agreement" method: the framework form, filled with
    the title, description and lots typed so far; publishing it continues the draft."""
    form = FrameworkForm(formdata=None, data={
        "title": request.form.get("title", ""),
        "description": request.form.get("description", ""),
    })  # fmt: skip
    return _index(form, 200, tender)


@bp.route("/frameworks", methods=["GET", "POST"])
@role_required(Role.BUYER)
def frameworks() -> ResponseReturnValue:
    session = db_session()
    form = FrameworkForm()
    draft = _from_tender()
    if request.method == "GET":
        return _index(form, 200, draft)
    start, end = _midnight(form.start_date.data), _midnight(form.end_date.data)
    if form.validate() and start and end:
        data = FrameworkInput(
            title=form.title.data or "", description=form.description.data or "",
            start_date=start, end_date=end, refresh_months=form.refresh_months.data or 6,
            lots=[LotInput(title) for title in _lot_titles()],
        )  # fmt: skip
        made: list[Framework] = []

        def action() -> None:
            now = utcnow()
            made.append(
                create_framework(session, current_user, data, now)
                if draft is None
                else framework_from_draft(session, current_user, draft, data, now)
            )

        if run(action, form):
            flash(_("Framework published: suppliers may apply now."), "success")
            return redirect(url_for("buyer.framework_manage", framework_id=made[0].id))
    elif form.validate():
        form.form_errors.append(_("Give the start and end dates."))
    return _index(form, 400, draft)


@bp.get("/frameworks/<int:framework_id>")
@role_required(Role.BUYER)
def framework_manage(framework_id: int) -> ResponseReturnValue:
    framework = _own(framework_id)
    pending = db_session().scalars(
        select(Application)
        .where(Application.framework_id == framework.id,
               Application.status == ApplicationStatus.PENDING)
        .order_by(Application.id)
    ).all()  # fmt: skip
    return render_template(
        "buyer/frameworks/manage.html", framework=framework, pending=pending, form=DecideForm()
    )


@bp.post("/frameworks/applications/<int:application_id>")
@role_required(Role.BUYER)
def framework_decide(application_id: int) -> ResponseReturnValue:
    session = db_session()
    application = session.get(Application, application_id)
    if application is None:
        abort(404)
    framework = _own(application.framework_id)
    form = DecideForm()
    if form.validate():
        admit = request.form.get("decision") == "admit"
        if run(lambda: decide_application(session, current_user, application, admit=admit,
                                          reason=form.reason.data or "", now=utcnow()),
               form):  # fmt: skip
            flash(_("Supplier admitted.") if admit else _("Application rejected."), "success")
        for message in [*form.form_errors, *form.reason.errors]:
            flash(message, "error")
    return redirect(url_for("buyer.framework_manage", framework_id=framework.id))


@bp.route("/frameworks/listings/<int:listing_id>/direct", methods=["GET", "POST"])
@role_required(Role.BUYER)
def framework_direct(listing_id: int) -> ResponseReturnValue:
    session = db_session()
    listing = session.get(Listing, listing_id)
    if listing is None:
        abort(404)
    form = DirectForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            data = DirectInput(
                quantity=form.quantity.data or "", justification=form.justification.data or "",
                contract_url=form.contract_url.data or "",
                period_end=_midnight(form.period_end.data),
            )  # fmt: skip
            made: list[CallOff] = []
            if run(lambda: made.append(direct_calloff(session, current_user, listing, data,
                                                      ceiling=ceiling(), now=utcnow())),
                   form):  # fmt: skip
                flash(_("Call-off awarded and contract signed."), "success")
                return redirect(url_for("public.process", ocid=made[0].tender.ocid))
        status = 400
    return render_template(
        "buyer/frameworks/direct.html", form=form, listing=listing, ceiling=ceiling()
    ), status


@bp.route("/frameworks/lots/<int:lot_id>/mini", methods=["GET", "POST"])
@role_required(Role.BUYER)
def framework_mini(lot_id: int) -> ResponseReturnValue:
    """Invite the lot's admitted suppliers to a short sealed-bid round (a new process
    whose bids, opening, award and contract use the ordinary tender pages)."""
    session = db_session()
    lot = session.get(FrameworkLot, lot_id)
    if lot is None:
        abort(404)
    form = MiniForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            data = MiniInput(
                description=form.description.data or "", quantity=form.quantity.data or "",
                unit=form.unit.data or "", days=form.days.data or 0,
                justification=form.justification.data or "",
            )  # fmt: skip
            made: list[CallOff] = []
            if run(lambda: made.append(start_mini_competition(session, current_user, lot, data,
                                                              utcnow())), form):  # fmt: skip
                flash(_("Mini-competition published: the lot's suppliers were invited."), "success")
                return redirect(url_for("public.process", ocid=made[0].tender.ocid))
        status = 400
    return render_template("buyer/frameworks/mini.html", form=form, lot=lot), status
