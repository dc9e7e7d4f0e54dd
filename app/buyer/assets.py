"""Buyer pages of the ICT asset register: the unit's register and expiring view, an
asset's page (history, actual cost, lifecycle moves), adding and editing by hand, and the
CSV import. Each POST validates its form, calls one service and commits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from app.buyer import bp
from app.buyer.common import run_service
from app.buyer.opening import flat_errors, show_errors
from app.db import db_session
from app.security import role_required
from business_cases.models import BusinessCase
from marketplace.accounts.models import Role
from marketplace.assets import queries
from marketplace.assets.csv_import import COLUMNS, import_assets
from marketplace.assets.models import Asset, AssetCategory, AssetStatus
from marketplace.assets.services import (
    NEW_STATUSES,
    AssetError,
    AssetInput,
    NotYourAsset,
    add_asset,
    move_asset,
    update_asset,
)
from marketplace.assets.states import BUYER_MOVES
from marketplace.db import utcnow

CATEGORY_LABELS = {
    AssetCategory.HARDWARE: _l("Hardware"),
    AssetCategory.SOFTWARE_LICENCE: _l("Software licence"),
    AssetCategory.SAAS: _l("SaaS subscription"),
    AssetCategory.SERVICE: _l("Service"),
    AssetCategory.TELECOM: _l("Telecommunications"),
}
STATUS_LABELS = {
    AssetStatus.PLANNED: _l("Planned"),
    AssetStatus.ACTIVE: _l("Active"),
    AssetStatus.RENEWAL_DUE: _l("Renewal due"),
    AssetStatus.RENEWED: _l("Renewed"),
    AssetStatus.RETIRED: _l("Retired"),
    AssetStatus.DISPOSED: _l("Disposed"),
}


def _choices(pairs: dict[Any, Any]) -> list[SelectChoice]:
    return [SelectChoice(k.value, v) for k, v in pairs.items()]


class AssetForm(FlaskForm):
    category = SelectField(_l("Category"), choices=_choices(CATEGORY_LABELS), validate_choice=False)
    description = StringField(_l("What it is (public)"), validators=[Length(max=300)])
    quantity = StringField(_l("Quantity"), default="1", render_kw={"inputmode": "decimal"})
    unit_cost = StringField(_l("Unit cost"), render_kw={"inputmode": "decimal"})
    currency = StringField(_l("Currency"), default="MXN", validators=[Length(max=3)])
    supplier_name = StringField(_l("Supplier"), validators=[Length(max=300)])
    start_date = DateField(_l("Starts on"), validators=[Optional()])
    end_date = DateField(_l("Ends on (drives the renewal alerts)"), validators=[Optional()])
    licence_count = StringField(_l("Licences bought"), render_kw={"inputmode": "numeric"})
    seats_used = StringField(_l("Seats in use"), render_kw={"inputmode": "numeric"})
    support_level = StringField(_l("Support level"), validators=[Length(max=200)])
    location = StringField(_l("Location (never published)"), validators=[Length(max=300)])
    status = SelectField(
        _l("Status"), choices=_choices({s: STATUS_LABELS[s] for s in NEW_STATUSES}),
        default="active", validate_choice=False,
    )  # fmt: skip
    notes = TextAreaField(_l("Notes (never published)"), validators=[Length(max=5000)])
    business_case = SelectField(_l("Business case it serves"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Save the asset"))

    def with_cases(self) -> AssetForm:
        """Offer the unit's own business cases (the service refuses any other)."""
        cases = db_session().scalars(
            select(BusinessCase)
            .where(BusinessCase.buyer_org_id == current_user.organisation_id)
            .order_by(BusinessCase.id.desc())
        )
        self.business_case.choices = [SelectChoice("", _("None"))] + [
            SelectChoice(str(c.id), f"#{c.id} · {c.title}") for c in cases
        ]
        return self

    def data_input(self) -> AssetInput:
        return AssetInput(
            category=self.category.data or "", description=self.description.data or "",
            quantity=self.quantity.data or "", unit_cost=self.unit_cost.data or "",
            currency=self.currency.data or "", location=self.location.data or "",
            supplier_name=self.supplier_name.data or "", start_date=self.start_date.data,
            end_date=self.end_date.data, licence_count=self.licence_count.data or "",
            seats_used=self.seats_used.data or "", support_level=self.support_level.data or "",
            status=self.status.data or "", notes=self.notes.data or "",
            business_case=self.business_case.data or "",
        )  # fmt: skip


class MoveForm(FlaskForm):
    status = SelectField(_l("What happens to the asset"), choices=[], validate_choice=False)
    end_date = DateField(_l("New end date (for a renewal)"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Length(max=300)])
    submit = SubmitField(_l("Record"))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"))
    submit = SubmitField(_l("Import"))


def _run(action: Any, form: Any) -> bool:
    return run_service(action, form, refused=NotYourAsset, broken_rule=AssetError,
                       show=show_errors)  # fmt: skip


def _own_asset(asset_id: int) -> Asset:
    asset = db_session().get(Asset, asset_id)
    if asset is None:
        abort(404)
    if asset.owner_org_id != current_user.organisation_id:
        abort(403)
    return asset


def _plain(value: object) -> str:
    """A number as a person would type it (no trailing zeros)."""
    if value is None:
        return ""
    text = f"{value:f}" if isinstance(value, Decimal) else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _int_arg(name: str) -> int:
    try:
        return max(1, int(request.args.get(name, "1")))
    except ValueError:
        return 1


@bp.get("/assets/")
@role_required(Role.BUYER)
def assets() -> ResponseReturnValue:
    status, category = request.args.get("status", ""), request.args.get("category", "")
    page = queries.register(db_session(), current_user.organisation_id, status=status,
                            category=category, page=_int_arg("page"))  # fmt: skip
    return render_template(
        "buyer/assets/register.html", page=page, status=status, category=category,
        categories=CATEGORY_LABELS, statuses=STATUS_LABELS, today=utcnow().date(),
    )  # fmt: skip


@bp.get("/assets/expiring")
@role_required(Role.BUYER)
def assets_expiring() -> ResponseReturnValue:
    today = utcnow().date()
    page = queries.expiring(db_session(), today, org_id=current_user.organisation_id,
                            page=_int_arg("page"))  # fmt: skip
    return render_template(
        "buyer/assets/expiring.html", page=page, today=today, categories=CATEGORY_LABELS,
        statuses=STATUS_LABELS, days=queries.EXPIRING_DAYS,
    )  # fmt: skip


@bp.route("/assets/new", methods=["GET", "POST"])
@role_required(Role.BUYER)
def asset_new() -> ResponseReturnValue:
    form = AssetForm().with_cases()
    if form.validate_on_submit():
        made: list[Asset] = []
        data = form.data_input()
        if _run(lambda: made.append(add_asset(db_session(), current_user, data)), form):
            flash(_("Asset added to the register."), "success")
            return redirect(url_for("buyer.asset_detail", asset_id=made[0].id))
    return (
        render_template("buyer/assets/form.html", form=form, asset=None, errors=flat_errors(form)),
        422 if form.is_submitted() else 200,
    )


def _detail(
    asset: Asset, move_form: MoveForm | None = None, status: int = 200
) -> ResponseReturnValue:
    session = db_session()
    form = move_form or MoveForm()
    form.status.choices = [
        SelectChoice(s.value, STATUS_LABELS[s]) for s in BUYER_MOVES[asset.status]
    ]
    project = (
        queries.project_cost(session, asset.business_case_id) if asset.business_case_id else None
    )
    return (
        render_template(
            "buyer/assets/detail.html", asset=asset, events=queries.history(session, asset),
            actual=queries.actual_cost(session, asset), project=project, move_form=form,
            categories=CATEGORY_LABELS, statuses=STATUS_LABELS, errors=flat_errors(form),
            today=utcnow().date(),
        ),
        status,
    )  # fmt: skip


@bp.get("/assets/<int:asset_id>")
@role_required(Role.BUYER)
def asset_detail(asset_id: int) -> ResponseReturnValue:
    return _detail(_own_asset(asset_id))


@bp.route("/assets/<int:asset_id>/edit", methods=["GET", "POST"])
@role_required(Role.BUYER)
def asset_edit(asset_id: int) -> ResponseReturnValue:
    asset = _own_asset(asset_id)
    form = AssetForm(obj=asset if request.method == "GET" else None).with_cases()
    if request.method == "GET":
        form.category.data = asset.category.value
        form.business_case.data = str(asset.business_case_id or "")
        for name in ("quantity", "unit_cost", "licence_count", "seats_used"):
            getattr(form, name).data = _plain(getattr(asset, name))
        form.supplier_name.data = asset.supplier_label
    if form.validate_on_submit() and _run(
        lambda: update_asset(db_session(), asset, current_user, form.data_input()), form
    ):
        flash(_("Asset updated."), "success")
        return redirect(url_for("buyer.asset_detail", asset_id=asset.id))
    return (
        render_template("buyer/assets/form.html", form=form, asset=asset, errors=flat_errors(form)),
        422 if form.is_submitted() else 200,
    )


@bp.post("/assets/<int:asset_id>/move")
@role_required(Role.BUYER)
def asset_move(asset_id: int) -> ResponseReturnValue:
    asset = _own_asset(asset_id)
    form = MoveForm()
    if form.validate_on_submit() and _run(
        lambda: move_asset(db_session(), asset, current_user, form.status.data or "",
                           form.end_date.data, form.note.data or ""), form,
    ):  # fmt: skip
        flash(_("Asset status recorded."), "success")
        return redirect(url_for("buyer.asset_detail", asset_id=asset.id))
    return _detail(asset, form, 422)


@bp.route("/assets/import", methods=["GET", "POST"])
@role_required(Role.BUYER)
def asset_import() -> ResponseReturnValue:
    form = ImportForm()
    problems: list[Any] = []
    if form.validate_on_submit():
        upload = form.file.data
        raw = upload.read() if upload else b""
        if not raw:
            form.file.errors = [_("Choose a CSV file.")]
        else:
            session = db_session()
            result = import_assets(session, current_user, raw)
            if result.ok:
                session.commit()
                n = len(result.imported)
                flash(ngettext("%(num)d asset imported.", "%(num)d assets imported.", n), "success")
                return redirect(url_for("buyer.assets"))
            session.rollback()
            problems = result.problems
    return (
        render_template(
            "buyer/assets/import.html",
            form=form,
            problems=problems,
            columns=COLUMNS,
            errors=flat_errors(form),
        ),  # fmt: skip
        422 if form.is_submitted() else 200,
    )
