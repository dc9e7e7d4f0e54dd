"""Buyer pages."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from app.buyer import bp
from app.security import role_required
from marketplace.accounts.models import Role


@bp.get("/")
@role_required(Role.BUYER)
def dashboard() -> ResponseReturnValue:
    return render_template("buyer/dashboard.html")
