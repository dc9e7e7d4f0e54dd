"""What the buyer and supplier framework pages share: showing a refused action on its
form, and running one framework service inside the request's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm

from app.buyer.common import run_service
from marketplace.frameworks.errors import FrameworkError, NotAllowed


def show(form: FlaskForm, err: FrameworkError) -> None:
    """The refusal, translated, on the field it names (else above the form)."""
    message = _(err.message.text, **err.message.params)
    target = form._fields.get(err.field) if err.field else None  # noqa: SLF001
    if target is not None:
        target.errors = [*target.errors, message]
    else:
        form.form_errors.append(message)


def run(action: Callable[[], Any], form: FlaskForm) -> bool:
    """Call one framework service and commit: 403 when the user may not act at all; a
    broken rule is rolled back and shown on ``form`` (False), the input kept."""
    return run_service(action, form, refused=NotAllowed, broken_rule=FrameworkError, show=show)
