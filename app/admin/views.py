"""Admin views: the supplier verification queue and review."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.admin import bp
from app.db import db_session
from app.security import role_required
from app.supplier.forms import ActionForm, RejectForm
from app.supplier.helpers import show_error
from marketplace.accounts.models import Role
from marketplace.suppliers.documents import current_documents
from marketplace.suppliers.errors import SupplierError
from marketplace.suppliers.models import Supplier, SupplierStatus
from marketplace.suppliers.reference import region_name
from marketplace.suppliers.services import (
    pending_queue,
    reject_supplier,
    status_counts,
    verify_supplier,
)

#: (endpoint, label) of pages linked from the admin dashboard.
ADMIN_LINKS: list[tuple[str, LazyString]] = [
    ("public.supplier_directory", _l("Public supplier directory")),
    ("public.audit_log", _l("Audit trail")),
]


@bp.get("/")
@role_required(Role.ADMIN)
def dashboard() -> ResponseReturnValue:
    session = db_session()
    counts = {status.value: n for status, n in status_counts(session).items()}
    # Other parts of the platform add their admin pages here; links whose page does not
    # exist (yet) are left out.
    links = [
        (endpoint, label)
        for endpoint, label in ADMIN_LINKS
        if endpoint in current_app.view_functions
    ]
    return render_template(
        "admin/dashboard.html", queue=pending_queue(session), counts=counts, links=links
    )


def _supplier(supplier_id: int) -> Supplier:
    supplier = db_session().get(Supplier, supplier_id)
    if supplier is None:
        abort(404)
    return supplier


def _render_review(
    supplier: Supplier, verify_form: ActionForm, reject_form: RejectForm
) -> ResponseReturnValue:
    return render_template(
        "admin/supplier_review.html",
        supplier=supplier,
        verify_form=verify_form,
        reject_form=reject_form,
        current={d.id for d in current_documents(supplier).values()},
        region=region_name(supplier.country, supplier.region),
        pending=supplier.status == SupplierStatus.PENDING,
    )


@bp.get("/suppliers/<int:supplier_id>")
@role_required(Role.ADMIN)
def supplier_review(supplier_id: int) -> ResponseReturnValue:
    return _render_review(_supplier(supplier_id), ActionForm(), RejectForm())


def _decide(form: FlaskForm, decide: Callable[[Session], object]) -> bool:
    """Validate the form, run the decision and commit; True when it went through.

    A SupplierError is rolled back and shown on the form.
    """
    if not form.validate():
        return False
    session = db_session()
    try:
        decide(session)
        session.commit()
    except SupplierError as err:
        session.rollback()
        show_error(form, err)
        return False
    return True


def _notice() -> dict[str, Any]:
    """Where the supplier is told of the decision: its dashboard, by mail when set up."""
    return {"link": url_for("supplier.dashboard"), "mail_url": current_app.config.get("MAIL_URL")}


@bp.post("/suppliers/<int:supplier_id>/verify")
@role_required(Role.ADMIN)
def supplier_verify(supplier_id: int) -> ResponseReturnValue:
    supplier = _supplier(supplier_id)
    form = ActionForm()
    if _decide(form, lambda session: verify_supplier(session, supplier, current_user, **_notice())):
        flash(_("%(name)s is verified.", name=supplier.legal_name), "success")
        return redirect(url_for("admin.dashboard"))
    return _render_review(supplier, form, RejectForm(formdata=None))


@bp.post("/suppliers/<int:supplier_id>/reject")
@role_required(Role.ADMIN)
def supplier_reject(supplier_id: int) -> ResponseReturnValue:
    supplier = _supplier(supplier_id)
    form = RejectForm()
    if _decide(
        form,
        lambda session: reject_supplier(
            session, supplier, current_user, form.reason.data or "", **_notice()
        ),
    ):
        flash(_("%(name)s was sent back to the supplier.", name=supplier.legal_name), "success")
        return redirect(url_for("admin.dashboard"))
    return _render_review(supplier, ActionForm(formdata=None), form)


@bp.get("/suppliers")
@role_required(Role.ADMIN)
def supplier_list() -> ResponseReturnValue:
    """All suppliers of one status (the queue shows only pending ones)."""
    status = request.args.get("status", "rejected")
    if status not in {s.value for s in SupplierStatus}:
        abort(404)
    suppliers = db_session().scalars(
        select(Supplier)
        .where(Supplier.status == SupplierStatus(status))
        .order_by(Supplier.name_search)
        .limit(500)
    )
    return render_template("admin/supplier_list.html", suppliers=list(suppliers), status=status)
