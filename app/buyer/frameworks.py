"""Buyer framework pages: open a framework, evaluate applications, and buy from a
catalogue by direct award (under the ceiling) or by mini-competition."""

from __future__ import annotations

import datetime as dt
import os
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
from app.db import db_session
from app.security import role_required
from marketplace.accounts.models import Role
from marketplace.db import utcnow
from marketplace.frameworks.calloff_models import CallOff
from marketplace.frameworks.calloffs import DEFAULT_CEILING, DirectInput, direct_calloff
from marketplace.frameworks.errors import FrameworkError, NotAllowed
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

LOT_ROWS = 4


def ceiling() -> Decimal:
    """CALLOFF_DIRECT_CEILING_MXN from the app's config or the environment."""
    raw = current_app.config.get("CALLOFF_DIRECT_CEILING_MXN") or os.environ.get(
        "CALLOFF_DIRECT_CEILING_MXN"
    )
    return Decimal(str(raw)) if raw else DEFAULT_CEILING


def show(form: FlaskForm, err: FrameworkError) -> None:
    message = _(err.message.text, **err.message.params)
    target = form._fields.get(err.field) if err.field else None  # noqa: SLF001
    if target is not None:
        target.errors = [*target.errors, message]
    else:
        form.form_errors.append(message)


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


@bp.route("/frameworks", methods=["GET", "POST"])
@role_required(Role.BUYER)
def frameworks() -> ResponseReturnValue:
    session = db_session()
    form = FrameworkForm()
    status = 200
    if request.method == "POST":
        lots = [LotInput(request.form.get(f"lots-{i}-title", "")) for i in range(LOT_ROWS)]
        start, end = _midnight(form.start_date.data), _midnight(form.end_date.data)
        if form.validate() and start and end:
            data = FrameworkInput(
                title=form.title.data or "", description=form.description.data or "",
                start_date=start, end_date=end, refresh_months=form.refresh_months.data or 6,
                lots=lots,
            )  # fmt: skip
            try:
                framework = create_framework(session, current_user, data, utcnow())
                session.commit()
            except FrameworkError as err:
                session.rollback()
                show(form, err)
            else:
                flash(_("Framework published: suppliers may apply now."), "success")
                return redirect(url_for("buyer.framework_manage", framework_id=framework.id))
        elif form.validate():
            form.form_errors.append(_("Give the start and end dates."))
        status = 400
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
        lot_titles=[request.form.get(f"lots-{i}-title", "") for i in range(LOT_ROWS)],
    ), status  # fmt: skip


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
        try:
            decide_application(session, current_user, application, admit=admit,
                               reason=form.reason.data or "", now=utcnow())  # fmt: skip
            session.commit()
        except FrameworkError as err:
            session.rollback()
            flash(_(err.message.text, **err.message.params), "error")
        else:
            flash(_("Supplier admitted.") if admit else _("Application rejected."), "success")
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
            try:
                calloff = direct_calloff(session, current_user, listing, data,
                                         ceiling=ceiling(), now=utcnow())  # fmt: skip
                session.commit()
            except NotAllowed:
                session.rollback()
                abort(403)
            except FrameworkError as err:
                session.rollback()
                show(form, err)
            else:
                flash(_("Call-off awarded and contract signed."), "success")
                return redirect(url_for("public.process", ocid=calloff.tender.ocid))
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
            try:
                calloff = start_mini_competition(session, current_user, lot, data, utcnow())
                session.commit()
            except NotAllowed:
                session.rollback()
                abort(403)
            except FrameworkError as err:
                session.rollback()
                show(form, err)
            else:
                flash(_("Mini-competition published: the lot's suppliers were invited."), "success")
                return redirect(url_for("public.process", ocid=calloff.tender.ocid))
        status = 400
    return render_template("buyer/frameworks/mini.html", form=form, lot=lot), status
