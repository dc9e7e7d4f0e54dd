"""Registry rules: registering, editing and verifying suppliers.

Each public function is one user action in the caller's transaction: the change, its audit
event and its notifications commit together. Rules raise SupplierError naming the field.
Documents and products live in ``documents.py`` and ``catalogue.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import OrgKind, Role, User
from marketplace.accounts.services import (
    AccountError,
    create_organisation,
    create_user,
    find_user_by_email,
)
from marketplace.audit.services import record
from marketplace.db import utcnow
from marketplace.inbox.services import notify
from marketplace.suppliers import rfc
from marketplace.suppliers.categories import categories_by_ids
from marketplace.suppliers.documents import current_documents
from marketplace.suppliers.errors import N_, SupplierError
from marketplace.suppliers.models import DocumentKind, Supplier, SupplierSize, SupplierStatus
from marketplace.suppliers.reference import MEXICAN_STATES, country_names, fold

#: Allowed status changes: (from, action) -> to. Anything else is refused.
TRANSITIONS: dict[tuple[SupplierStatus, str], SupplierStatus] = {
    (SupplierStatus.PENDING, "verify"): SupplierStatus.VERIFIED,
    (SupplierStatus.PENDING, "reject"): SupplierStatus.REJECTED,
    (SupplierStatus.REJECTED, "resubmit"): SupplierStatus.PENDING,
    # A verified supplier whose legal name changes is checked again.
    (SupplierStatus.VERIFIED, "resubmit"): SupplierStatus.PENDING,
}

MAX_CATEGORIES = 30
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKUP = re.compile(r"[<>]")
_MX_POSTAL = re.compile(r"^[0-9]{5}$")
_PHONE = re.compile(r"^[0-9+() .\-]{7,40}$")


@dataclass
class ProfileInput:
    """What a supplier states about the company (the registration and profile forms)."""

    legal_name: str
    country: str
    tax_id: str
    locality: str
    street_address: str
    postal_code: str
    size: str
    contact_name: str
    contact_email: str
    trade_name: str = ""
    region: str = ""
    website: str = ""
    contact_phone: str = ""
    category_ids: list[int] = field(default_factory=list)


@dataclass
class AccountInput:
    """The first user of a newly registered supplier."""

    email: str
    name: str
    password: str


def _clean(value: str | None, field_name: str, max_length: int, required: bool = True) -> str:
    text = " ".join((value or "").split())
    if _CONTROL.search(value or ""):
        raise SupplierError(N_("Remove the control characters from this field."), field_name)
    if required and not text:
        raise SupplierError(N_("This field is required."), field_name)
    if len(text) > max_length:
        raise SupplierError(N_("Use at most %(max)s characters."), field_name, max=max_length)
    return text


def _clean_name(value: str | None, field_name: str, required: bool = True) -> str:
    text = _clean(value, field_name, 300, required)
    # A company name never contains angle brackets; refusing them keeps markup out of
    # every place the name is later copied to (OCDS, PDFs, e-mails), not just our pages.
    if _MARKUP.search(text):
        raise SupplierError(N_("A name cannot contain the characters < or >."), field_name)
    return text


def _clean_profile(data: ProfileInput) -> dict[str, Any]:
    """Validate and normalise a profile; raise SupplierError on the first problem."""
    out: dict[str, Any] = {}
    out["legal_name"] = _clean_name(data.legal_name, "legal_name")
    out["trade_name"] = _clean_name(data.trade_name, "trade_name", required=False) or None
    country = (data.country or "").strip().upper()
    if country not in country_names("en"):
        raise SupplierError(N_("Choose a country from the list."), "country")
    out["country"] = country
    if country == "MX":
        if data.region not in MEXICAN_STATES:
            raise SupplierError(N_("Choose the state from the list."), "region")
        out["region"] = data.region
    else:
        out["region"] = _clean(data.region, "region", 100, required=False) or None
    out["locality"] = _clean(data.locality, "locality", 120)
    out["street_address"] = _clean(data.street_address, "street_address", 300)
    postal = _clean(data.postal_code, "postal_code", 12)
    if country == "MX" and not _MX_POSTAL.match(postal):
        raise SupplierError(N_("A Mexican postal code has 5 digits."), "postal_code")
    out["postal_code"] = postal
    try:
        out["size"] = SupplierSize(data.size)
    except ValueError:
        raise SupplierError(N_("Choose the company size."), "size") from None
    website = _clean(data.website, "website", 300, required=False)
    if website and not re.match(r"^https?://[^\s/$.?#].[^\s]*$", website, re.I):
        raise SupplierError(N_("Enter the full web address, starting with https://"), "website")
    out["website"] = website or None
    out["contact_name"] = _clean_name(data.contact_name, "contact_name")
    contact_email = _clean(data.contact_email, "contact_email", 254).lower()
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", contact_email):
        raise SupplierError(N_("Enter a valid e-mail address."), "contact_email")
    out["contact_email"] = contact_email
    phone = _clean(data.contact_phone, "contact_phone", 40, required=False)
    if phone and not _PHONE.match(phone):
        raise SupplierError(
            N_("A phone number has digits and may have spaces, dashes, + and brackets."),
            "contact_phone",
        )
    out["contact_phone"] = phone or None
    if len(set(data.category_ids)) > MAX_CATEGORIES:
        raise SupplierError(
            N_("Choose at most %(max)s categories."), "categories", max=MAX_CATEGORIES
        )
    return out


def _name_search(legal_name: str, trade_name: str | None) -> str:
    return fold(f"{trade_name or legal_name} {legal_name if trade_name else ''}")[:610]


def find_by_tax_id(session: Session, scheme: str, tax_id: str) -> Supplier | None:
    return session.scalar(
        select(Supplier).where(
            Supplier.identifier_scheme == scheme, func.upper(Supplier.tax_id) == tax_id.upper()
        )
    )


def supplier_for_org(session: Session, organisation_id: int) -> Supplier | None:
    return session.scalar(select(Supplier).where(Supplier.organisation_id == organisation_id))


def register_supplier(
    session: Session, profile: ProfileInput, account: AccountInput
) -> tuple[Supplier, User]:
    """Create the organisation, the supplier profile (pending) and its first user.

    Everything is checked before anything is written; a failure leaves nothing behind
    once the caller rolls back.
    """
    values = _clean_profile(profile)
    try:
        tax = rfc.validate_tax_id(values["country"], profile.tax_id)
    except rfc.TaxIdError as exc:
        raise SupplierError(exc.message, "tax_id", **exc.params) from None
    if find_by_tax_id(session, tax.scheme, tax.value) is not None:
        raise SupplierError(
            N_("A supplier with the tax id %(tax_id)s is already registered."),
            "tax_id",
            tax_id=tax.value,
        )
    account_name = _clean_name(account.name, "name")
    if find_user_by_email(session, account.email) is not None:
        raise SupplierError(N_("An account with this e-mail already exists."), "email")
    org = create_organisation(session, OrgKind.SUPPLIER, values["legal_name"])
    try:
        user = create_user(
            session, org, account.email, account_name, account.password, Role.SUPPLIER
        )
    except AccountError as exc:
        raise SupplierError(str(exc), exc.field) from None
    supplier = Supplier(
        organisation=org,
        identifier_scheme=tax.scheme,
        tax_id=tax.value,
        name_search=_name_search(values["legal_name"], values["trade_name"]),
        status=SupplierStatus.PENDING,
        submitted_at=utcnow(),
        **values,
    )
    supplier.categories = categories_by_ids(session, profile.category_ids)
    session.add(supplier)
    session.flush()
    record(
        session,
        "supplier.registered",
        "supplier",
        supplier.id,
        actor_user_id=user.id,
        actor_org_id=org.id,
        details={"scheme": tax.scheme, "tax_id": tax.value, "legal_name": supplier.legal_name},
        public=True,
    )
    return supplier, user


def profile_input_of(supplier: Supplier) -> ProfileInput:
    """The current profile as form input (to pre-fill the profile form)."""
    return ProfileInput(
        legal_name=supplier.legal_name,
        trade_name=supplier.trade_name or "",
        country=supplier.country,
        tax_id=supplier.tax_id,
        region=supplier.region or "",
        locality=supplier.locality,
        street_address=supplier.street_address,
        postal_code=supplier.postal_code,
        size=supplier.size.value,
        website=supplier.website or "",
        contact_name=supplier.contact_name,
        contact_email=supplier.contact_email,
        contact_phone=supplier.contact_phone or "",
        category_ids=[c.id for c in supplier.categories],
    )


def update_profile(
    session: Session, supplier: Supplier, profile: ProfileInput, actor: User
) -> bool:
    """Save a supplier's edited profile. The tax id and country identify the company and
    cannot change. A verified supplier whose legal name changes goes back to the queue.
    Returns True when that happened."""
    values = _clean_profile(replace(profile, country=supplier.country, tax_id=supplier.tax_id))
    renamed = values["legal_name"] != supplier.legal_name
    for key, value in values.items():
        setattr(supplier, key, value)
    supplier.name_search = _name_search(supplier.legal_name, supplier.trade_name)
    supplier.categories = categories_by_ids(session, profile.category_ids)
    supplier.organisation.name = supplier.legal_name
    back_to_queue = renamed and supplier.status == SupplierStatus.VERIFIED
    if back_to_queue:
        _transition(supplier, "resubmit")
        supplier.submitted_at = utcnow()
    session.flush()
    record(
        session,
        "supplier.profile_updated",
        "supplier",
        supplier.id,
        actor_user_id=actor.id,
        actor_org_id=actor.organisation_id,
        details={"legal_name": supplier.legal_name, "requeued": back_to_queue},
        public=True,
    )
    return back_to_queue


def _transition(supplier: Supplier, action: str) -> None:
    target = TRANSITIONS.get((supplier.status, action))
    if target is None:
        raise SupplierError(
            N_("This supplier is %(status)s; that action is not possible now."),
            status=supplier.status.value,
        )
    supplier.status = target


def missing_items(supplier: Supplier) -> list[str]:
    """What the supplier still has to provide (English source text, for the dashboard)."""
    current = current_documents(supplier)
    missing = []
    if DocumentKind.TAX_CERTIFICATE not in current:
        missing.append(N_("a current tax certificate (PDF or image)"))
    if DocumentKind.PROOF_OF_ADDRESS not in current:
        missing.append(N_("a proof of address"))
    if not supplier.categories:
        missing.append(N_("at least one category of what you sell"))
    if not any(p.active for p in supplier.products):
        missing.append(N_("at least one product or service in your catalogue"))
    return missing


def resubmit(session: Session, supplier: Supplier, actor: User) -> None:
    """A rejected supplier, having fixed what was asked, asks to be reviewed again."""
    _transition(supplier, "resubmit")
    supplier.submitted_at = utcnow()
    record(
        session,
        "supplier.resubmitted",
        "supplier",
        supplier.id,
        actor_user_id=actor.id,
        actor_org_id=actor.organisation_id,
        public=True,
    )


def _notify_supplier_users(
    session: Session,
    supplier: Supplier,
    kind: str,
    subject: str,
    body: str,
    link: str | None,
    mail_url: str | None,
) -> None:
    users = session.scalars(
        select(User).where(
            User.organisation_id == supplier.organisation_id, User.is_active.is_(True)
        )
    )
    for user in users:
        notify(session, user, kind, subject, body, link=link, mail_url=mail_url)


def _record_review(
    session: Session,
    supplier: Supplier,
    admin: User,
    action: str,
    now: dt.datetime,
    rejection_reason: str | None,
) -> None:
    """Note who reviewed the supplier and when, and put the decision on the public trail."""
    supplier.reviewed_at = now
    supplier.reviewed_by_id = admin.id
    supplier.rejection_reason = rejection_reason
    record(
        session,
        action,
        "supplier",
        supplier.id,
        actor_user_id=admin.id,
        actor_org_id=admin.organisation_id,
        # A rejection's reason can name documents or people; it stays out of the public trail.
        details={"scheme": supplier.identifier_scheme, "tax_id": supplier.tax_id},
        public=True,
    )


def verify_supplier(
    session: Session,
    supplier: Supplier,
    admin: User,
    *,
    link: str | None = None,
    mail_url: str | None = None,
) -> None:
    """An administrator checked the documents: the supplier becomes public."""
    _require_admin(admin)
    _transition(supplier, "verify")
    now = utcnow()
    supplier.verified_at = now
    _record_review(session, supplier, admin, "supplier.verified", now, None)
    _notify_supplier_users(
        session,
        supplier,
        "supplier.verified",
        "Your company is verified",
        f"{supplier.legal_name} is now verified and listed in the public supplier directory.",
        link,
        mail_url,
    )


def reject_supplier(
    session: Session,
    supplier: Supplier,
    admin: User,
    reason: str,
    *,
    link: str | None = None,
    mail_url: str | None = None,
) -> None:
    """An administrator sends the registration back with a reason the supplier can act on."""
    _require_admin(admin)
    reason = _clean(reason, "reason", 2000)
    if len(reason) < 10:
        raise SupplierError(
            N_("Explain the reason in at least 10 characters, so the supplier can fix it."),
            "reason",
        )
    _transition(supplier, "reject")
    _record_review(session, supplier, admin, "supplier.rejected", utcnow(), reason)
    _notify_supplier_users(
        session,
        supplier,
        "supplier.rejected",
        "Your registration needs changes",
        f"An administrator sent back the registration of {supplier.legal_name}:\n\n{reason}\n\n"
        "Fix what is asked, then resubmit from your dashboard.",
        link,
        mail_url,
    )


def _require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        raise SupplierError(N_("Only an administrator can review suppliers."))


def pending_queue(session: Session, limit: int = 200) -> list[Supplier]:
    """Suppliers waiting for review, oldest submission first."""
    return list(
        session.scalars(
            select(Supplier)
            .where(Supplier.status == SupplierStatus.PENDING)
            .order_by(Supplier.submitted_at, Supplier.id)
            .limit(limit)
        )
    )


def status_counts(session: Session) -> dict[SupplierStatus, int]:
    rows = session.execute(select(Supplier.status, func.count()).group_by(Supplier.status))
    counts = {status: 0 for status in SupplierStatus}
    for status, count in rows:
        counts[SupplierStatus(status)] = count
    return counts
