"""`tianguis users ...`: accounts for operators, and TOTP codes for demo accounts."""

from __future__ import annotations

import sys
import time

import click
import pyotp
from flask.cli import with_appcontext
from sqlalchemy import select

from app.db import db_session
from marketplace.accounts.models import Organisation, Role
from marketplace.accounts.services import (
    AccountError,
    create_user,
    find_user_by_email,
    reset_totp,
)
from marketplace.audit.services import record
from marketplace.demo.accounts import DEMO_EMAIL_DOMAIN, is_demo_email


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group("users")
def users() -> None:
    """User accounts."""


@users.command("create")
@click.option("--email", required=True, help="Login e-mail address.")
@click.option("--name", required=True, help="The person's name.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--org-code", required=True, help="Code of the organisation (e.g. SAF, FIN).")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="TIANGUIS_NEW_PASSWORD",
    help="Asked for when not given (or read from TIANGUIS_NEW_PASSWORD).",
)
@with_appcontext
def create(email: str, name: str, role: str, org_code: str, password: str) -> None:
    """Create a user in an existing organisation.

    Buyers, finance reviewers and administrators set up two-factor authentication at
    their first login.
    """
    db = db_session()
    org = db.scalar(select(Organisation).where(Organisation.code == org_code))
    if org is None:
        _fail(f"no organisation has the code {org_code!r}")
        return
    try:
        user = create_user(db, org, email, name, password, Role(role))
    except AccountError as error:
        db.rollback()
        _fail(str(error))
        return
    record(
        db,
        "account.created",
        "user",
        user.id,
        actor_org_id=org.id,
        details={"role": user.role.value, "via": "cli"},
    )
    db.commit()
    click.echo(f"created {user.role.value} {user.email} (id {user.id}) in {org.name}")


@users.command("reset-2fa")
@click.argument("email")
@with_appcontext
def reset_2fa(email: str) -> None:
    """Turn off two-factor authentication for someone who lost their phone and codes.

    Check who is asking first. They log in with their password and, if their role
    needs it, set up two-factor again at once.
    """
    db = db_session()
    user = find_user_by_email(db, email)
    if user is None:
        _fail(f"no account {email!r}")
        return
    reset_totp(db, user)
    db.commit()
    click.echo(f"two-factor authentication is off for {user.email}; it must be set up again")


@users.command("totp-code")
@click.argument("email")
@with_appcontext
def totp_code(email: str) -> None:
    """Print the current two-factor code of a DEMO account (e-mail under @tianguis.example).

    Lets someone trying the demo log in without a phone. Real accounts are refused.
    """
    if not is_demo_email(email):
        _fail(f"only demo accounts (e-mail ending in {DEMO_EMAIL_DOMAIN}) have codes printed")
        return
    user = find_user_by_email(db_session(), email)
    if user is None:
        _fail(f"no account {email!r}; run `tianguis demo` first")
        return
    if not (user.totp_enabled and user.totp_secret):
        _fail(f"{user.email} has no two-factor authentication; log in with the password only")
        return
    totp = pyotp.TOTP(user.totp_secret)
    left = totp.interval - int(time.time()) % totp.interval
    click.echo(totp.now())
    click.echo(f"valid for {left} more seconds; each code logs in once", err=True)
