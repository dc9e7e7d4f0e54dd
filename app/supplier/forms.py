"""Forms of the supplier pages: one per verb; each checks its own CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from app.auth.forms import password_length
from marketplace.suppliers.catalogue import CURRENCIES
from marketplace.suppliers.reference import MEXICAN_STATES

SIZE_CHOICES = [
    SelectChoice("micro", _l("Micro (up to 10 employees)")),
    SelectChoice("small", _l("Small (11 to 50 employees)")),
    SelectChoice("medium", _l("Medium (51 to 250 employees)")),
    SelectChoice("large", _l("Large (more than 250 employees)")),
]

SIZE_LABELS = {
    "micro": _l("Micro"),
    "small": _l("Small"),
    "medium": _l("Medium"),
    "large": _l("Large"),
}

KIND_LABELS = {
    "tax_certificate": _l("Tax certificate (SAT)"),
    "proof_of_address": _l("Proof of address"),
    "other": _l("Other"),
}

STATUS_LABELS = {
    "pending": _l("Pending verification"),
    "verified": _l("Verified"),
    "rejected": _l("Needs changes"),
}


def _required(message: str) -> DataRequired:
    return DataRequired(message)


class SupplierForm(FlaskForm):
    @property
    def csrf_failed(self) -> bool:
        return bool(getattr(self, "csrf_token", None) and self.csrf_token.errors)


class ProfileForm(SupplierForm):
    """The company profile (registration and profile pages)."""

    legal_name = StringField(
        _l("Legal name (razón social)"),
        validators=[_required(_l("Enter the company's legal name.")), Length(max=300)],
    )
    trade_name = StringField(_l("Trade name"), validators=[Optional(), Length(max=300)])
    country = SelectField(_l("Country"), default="MX")
    tax_id = StringField(
        _l("Tax id (RFC in Mexico)"),
        validators=[_required(_l("Enter the tax id.")), Length(max=30)],
    )
    state = SelectField(
        _l("State (Mexico)"),
        choices=[SelectChoice("", "—")]
        + [
            SelectChoice(code, name)
            for code, name in sorted(MEXICAN_STATES.items(), key=lambda kv: kv[1])
        ],
        default="",
    )
    region = StringField(_l("State or region (other countries)"), validators=[Length(max=100)])
    locality = StringField(
        _l("City, municipality or alcaldía"),
        validators=[_required(_l("Enter the city or municipality.")), Length(max=120)],
    )
    street_address = StringField(
        _l("Street and number"),
        validators=[_required(_l("Enter the street address.")), Length(max=300)],
    )
    postal_code = StringField(
        _l("Postal code"), validators=[_required(_l("Enter the postal code.")), Length(max=12)]
    )
    size = RadioField(
        _l("Company size"),
        choices=SIZE_CHOICES,
        validators=[_required(_l("Choose the company size."))],
    )
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    contact_name = StringField(
        _l("Public contact: name or area"),
        validators=[_required(_l("Enter a contact name.")), Length(max=200)],
    )
    contact_email = EmailField(
        _l("Public contact: e-mail"),
        validators=[
            _required(_l("Enter a contact e-mail.")),
            Email(_l("Enter a valid e-mail address."), check_deliverability=False),
            Length(max=254),
        ],
    )
    contact_phone = StringField(_l("Public contact: phone"), validators=[Length(max=40)])
    cq = StringField(_l("Search categories"), validators=[Length(max=100)])


class RegisterForm(ProfileForm):
    """Registration: the profile plus the first user's account."""

    name = StringField(
        _l("Your name"), validators=[_required(_l("Enter your name.")), Length(max=200)]
    )
    email = EmailField(
        _l("Your e-mail (to log in)"),
        validators=[
            _required(_l("Enter your e-mail address.")),
            Email(_l("Enter a valid e-mail address."), check_deliverability=False),
            Length(max=254),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            _required(_l("Choose a password.")),
            password_length(),
        ],
    )
    password_confirm = PasswordField(
        _l("Password again"),
        validators=[EqualTo("password", _l("The two passwords are not the same."))],
    )


class DocumentForm(SupplierForm):
    kind = SelectField(
        _l("Kind of document"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()]
    )
    file = FileField(_l("File (PDF, PNG or JPEG)"))
    expires_on = DateField(_l("Valid until"), validators=[Optional()], format="%Y-%m-%d")


class ProductForm(SupplierForm):
    name = StringField(
        _l("Name"), validators=[_required(_l("Enter the product name.")), Length(max=200)]
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=4000)])
    category_id = SelectField(_l("Category"), coerce=str, default="")
    unit = StringField(
        _l("Unit of sale"),
        validators=[_required(_l("Enter the unit, e.g. piece or hour.")), Length(max=40)],
    )
    unit_price = StringField(_l("Unit price"), validators=[_required(_l("Enter the price."))])
    currency = SelectField(
        _l("Currency"), choices=[SelectChoice(c, c) for c in CURRENCIES], default="MXN"
    )


class ActionForm(SupplierForm):
    """A button-only form (resubmit, deactivate, verify): only the CSRF token."""


class RejectForm(SupplierForm):
    reason = TextAreaField(
        _l("Reason (the supplier sees it)"),
        validators=[_required(_l("Say why, so the supplier can fix it.")), Length(max=2000)],
    )
