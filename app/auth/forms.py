"""Forms of the account pages: one per verb, each checking its own CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from marketplace.accounts.services import MIN_PASSWORD_LENGTH


class AuthForm(FlaskForm):
    @property
    def csrf_failed(self) -> bool:
        """True when the form was refused for its CSRF token (missing or expired)."""
        return bool(getattr(self, "csrf_token", None) and self.csrf_token.errors)


def _email_field(label: str | None = None) -> EmailField:
    return EmailField(
        label or _l("E-mail"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
        ],
    )


class LoginForm(AuthForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password."))]
    )
    next = HiddenField()


class CodeForm(AuthForm):
    """The second login step, enrolment confirmation and recovery-code renewal."""

    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(_l("Enter the code.")),
            Length(max=40, message=_l("That is too long to be a code.")),
        ],
    )
    next = HiddenField()


class LogoutForm(AuthForm):
    pass


class ResetRequestForm(AuthForm):
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
            Email(_l("Enter an e-mail address like name@example.org.")),
        ],
    )


def password_length() -> Length:
    """The form's side of the password length rule (the service checks it again)."""
    return Length(
        min=MIN_PASSWORD_LENGTH,
        message=_l("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
    )


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    new = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Enter a new password.")),
            password_length(),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the new password.")),
            EqualTo("new_password", _l("The two passwords are not the same.")),
        ],
    )
    return new, confirm


class ResetPasswordForm(AuthForm):
    new_password, confirm = _new_password_fields()


class ChangePasswordForm(AuthForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    new_password, confirm = _new_password_fields()


class ProfileForm(AuthForm):
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Enter your name.")),
            Length(max=200, message=_l("Use at most 200 characters.")),
        ],
    )
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice("es", "Español"), SelectChoice("en", "English")],
    )
