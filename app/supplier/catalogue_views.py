"""Supplier views: documents (upload, download) and the product catalogue."""

from __future__ import annotations

import io

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import undefer
from wtforms.fields.choices import SelectChoice

from app.db import db_session
from app.security import role_required
from app.supplier import bp
from app.supplier.forms import ActionForm, DocumentForm, ProductForm
from app.supplier.helpers import locale, own_supplier, show_error
from marketplace.accounts.models import Role
from marketplace.suppliers.catalogue import (
    ProductInput,
    add_product,
    product_of,
    set_product_active,
    update_product,
)
from marketplace.suppliers.documents import add_document, current_documents
from marketplace.suppliers.errors import SupplierError
from marketplace.suppliers.models import Product, Supplier, SupplierDocument
from marketplace.suppliers.services import supplier_for_org


@bp.route("/documents", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def documents() -> ResponseReturnValue:
    session = db_session()
    supplier = own_supplier(session)
    form = DocumentForm()
    if request.method == "POST" and form.validate():
        upload = form.file.data
        data = upload.read() if upload else b""
        try:
            add_document(
                session,
                supplier,
                current_user,
                form.kind.data or "",
                getattr(upload, "filename", "") or "",
                data,
                form.expires_on.data,
                max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
            )
            session.commit()
        except SupplierError as err:
            session.rollback()
            show_error(form, err)
        else:
            flash(_("Document uploaded."), "success")
            return redirect(url_for("supplier.documents"))
    return render_template(
        "supplier/documents.html",
        form=form,
        supplier=supplier,
        current={d.id for d in current_documents(supplier).values()},
        max_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
    )


@bp.get("/documents/<int:document_id>/download")
@role_required(Role.SUPPLIER, Role.ADMIN)
def document_download(document_id: int) -> ResponseReturnValue:
    """The file, for its own supplier and for administrators only."""
    session = db_session()
    doc = session.get(SupplierDocument, document_id, options=[undefer(SupplierDocument.content)])
    if doc is None:
        abort(404)
    if current_user.role == Role.SUPPLIER:
        own = supplier_for_org(session, current_user.organisation_id)
        if own is None or own.id != doc.supplier_id:
            abort(404)  # not 403: do not confirm that someone else's document exists
    response = send_file(
        io.BytesIO(doc.content),
        mimetype=doc.content_type,
        as_attachment=True,
        download_name=doc.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _category_choices(supplier: Supplier) -> list[SelectChoice]:
    lang = locale()
    return [SelectChoice("", "—")] + [
        SelectChoice(str(c.id), f"{c.code} {c.label(lang)}") for c in supplier.categories
    ]


def _product_input(form: ProductForm) -> ProductInput:
    category = form.category_id.data or ""
    return ProductInput(
        name=form.name.data or "",
        description=form.description.data or "",
        unit=form.unit.data or "",
        unit_price=form.unit_price.data or "",
        currency=form.currency.data or "MXN",
        category_id=int(category) if category.isdigit() else None,
    )


@bp.route("/products", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def products() -> ResponseReturnValue:
    session = db_session()
    supplier = own_supplier(session)
    form = ProductForm()
    form.category_id.choices = _category_choices(supplier)
    if request.method == "POST" and form.validate():
        try:
            add_product(session, supplier, _product_input(form), current_user)
            session.commit()
        except SupplierError as err:
            session.rollback()
            show_error(form, err)
        else:
            flash(_("Product added."), "success")
            return redirect(url_for("supplier.products"))
    return render_template(
        "supplier/products.html",
        form=form,
        supplier=supplier,
        products=supplier.products,
        action_form=ActionForm(),
    )


def _own_product(supplier: Supplier, product_id: int) -> Product:
    product = product_of(db_session(), supplier, product_id)
    if product is None:
        abort(404)
    return product


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def product_edit(product_id: int) -> ResponseReturnValue:
    session = db_session()
    supplier = own_supplier(session)
    product = _own_product(supplier, product_id)
    form = ProductForm()
    form.category_id.choices = _category_choices(supplier)
    if request.method == "GET":
        form.process(
            data={
                "name": product.name,
                "description": product.description or "",
                "unit": product.unit,
                "unit_price": f"{product.unit_price:.2f}",
                "currency": product.currency,
                "category_id": str(product.category_id or ""),
            }
        )
    elif form.validate():
        try:
            update_product(session, product, _product_input(form), current_user)
            session.commit()
        except SupplierError as err:
            session.rollback()
            show_error(form, err)
        else:
            flash(_("Product saved."), "success")
            return redirect(url_for("supplier.products"))
    return render_template("supplier/product_edit.html", form=form, product=product)


@bp.post("/products/<int:product_id>/active")
@role_required(Role.SUPPLIER)
def product_active(product_id: int) -> ResponseReturnValue:
    session = db_session()
    supplier = own_supplier(session)
    product = _own_product(supplier, product_id)
    if not ActionForm().validate():
        flash(_("This form had expired, so nothing was done. Please try again."), "error")
        return redirect(url_for("supplier.products"))
    active = request.form.get("active") == "1"
    set_product_active(session, product, active, current_user)
    session.commit()
    flash(_("Product shown in your catalogue.") if active else _("Product hidden."), "success")
    return redirect(url_for("supplier.products"))
