"""Supplier pages of contracts: my contracts, and one contract with its amendments,
milestones and payments (with the payment references only the two parties see).
Another company's contract is refused (403); its public data stays on the process page."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.buyer.contracts import own_contract
from app.db import db_session
from app.security import role_required
from app.supplier import bp
from marketplace.accounts.models import Role
from marketplace.contracts.queries import history, supplier_contracts
from marketplace.contracts.releases import contract_lines
from marketplace.contracts.services import paid_total
from marketplace.suppliers.services import supplier_for_org


@bp.get("/contracts")
@role_required(Role.SUPPLIER)
def my_contracts() -> ResponseReturnValue:
    session = db_session()
    supplier = supplier_for_org(session, current_user.organisation_id)
    rows = [
        (c, paid_total(session, c))
        for c in (supplier_contracts(session, supplier) if supplier else [])
    ]
    return render_template("supplier/contracts/list.html", rows=rows)


@bp.get("/contracts/<int:contract_id>")
@role_required(Role.SUPPLIER)
def contract_detail(contract_id: int) -> ResponseReturnValue:
    session = db_session()
    contract = own_contract(contract_id)
    return render_template(
        "supplier/contracts/detail.html",
        contract=contract,
        rows=history(session, contract),
        lines=contract_lines(session, contract),
        paid=paid_total(session, contract),
    )
