"""Saved searches of the explorer: save the current search, list, delete (owner only).

Each saved search has an Atom feed at a secret URL (``/feeds/saved/<token>.atom``) and
in-app alerts from `tianguis tick` (marketplace/search/alert_ticks.py).
"""

from __future__ import annotations

from flask import abort, flash, has_app_context, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from app.db import db_session
from app.public import bp
from app.search_support import FACET_LABELS, publishers, search_backend, value_label
from app.security import login_required_any
from marketplace.search import alert_ticks
from marketplace.search.request import FACETS, SearchRequest
from marketplace.search.saved import (
    MAX_PER_USER,
    SavedSearchError,
    delete_saved_search,
    params_of,
    request_of,
    save_search,
    saved_searches,
)
from marketplace.search.saved_models import NAME_LENGTH, SavedSearch


@bp.record_once
def _configure(state: object) -> None:
    app = state.app  # type: ignore[attr-defined]

    def settings() -> alert_ticks.IndexSettings:
        # The tick runs in the CLI's app context; any other caller gets this app's.
        if has_app_context():
            return alert_ticks.IndexSettings(search_backend(), publishers())
        with app.app_context():
            return alert_ticks.IndexSettings(search_backend(), publishers())

    alert_ticks.configure(settings)


@bp.app_template_global("saved_search_params")
def saved_search_params(req: SearchRequest) -> str:
    """What the search page's "Save this search" form sends: the search, normalised."""
    return params_of(req)


class SaveSearchForm(FlaskForm):
    name = StringField(
        _l("Name for this search"), validators=[InputRequired(), Length(max=NAME_LENGTH)]
    )
    #: The /search query string being saved (normalised by the service).
    params = HiddenField()
    submit = SubmitField(_l("Save this search"))


def _error_message(code: str) -> str:
    messages = {
        "name_required": _("Give the search a name."),
        "name_too_long": _("Use at most %(max)s characters.", max=NAME_LENGTH),
        "name_taken": _("You already have a saved search with this name; choose another."),
        "too_many": _(
            "You have %(max)s saved searches, the most allowed; delete one first.",
            max=MAX_PER_USER,
        ),
    }
    return messages.get(code, _("This search could not be saved."))


def describe(req: SearchRequest) -> list[str]:
    """The search in words, one part per criterion, for the list of saved searches."""
    parts = []
    if req.q:
        parts.append(_("Words: “%(q)s”", q=req.q))
    for facet in FACETS:
        values = req.filters.get(facet)
        if values:
            shown = ", ".join(value_label(facet, v) for v in values)
            parts.append(f"{FACET_LABELS[facet]}: {shown}")
    if req.date_from or req.date_to:
        parts.append(
            _(
                "Dates: %(start)s to %(end)s",
                start=req.date_from.isoformat() if req.date_from else "…",
                end=req.date_to.isoformat() if req.date_to else "…",
            )
        )
    if req.amount_min is not None or req.amount_max is not None:
        args = req.args()
        parts.append(
            _(
                "Amounts: %(low)s to %(high)s",
                low=args.get("amount_min", "…"),
                high=args.get("amount_max", "…"),
            )
        )
    return parts or [_("All processes")]


def _page(form: SaveSearchForm, status: int = 200) -> ResponseReturnValue:
    searches = saved_searches(db_session(), current_user.id)
    pending = request_of(form.params.data or "")
    return (
        render_template(
            "public/search/saved_searches.html",
            searches=searches,
            form=form,
            pending=describe(pending),
            describe=lambda saved: describe(request_of(saved.params)),
            feed_url=_feed_url,
        ),
        status,
    )


def _feed_url(saved: SavedSearch) -> str:
    return url_for("public.saved_search_feed", token=saved.token, _external=True)


@bp.get("/account/saved-searches")
@login_required_any
def saved_search_list() -> ResponseReturnValue:
    return _page(SaveSearchForm(formdata=None))


@bp.post("/account/saved-searches")
@login_required_any
def saved_search_create() -> ResponseReturnValue:
    form = SaveSearchForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            saved = save_search(session, current_user, form.name.data or "", form.params.data or "")
        except SavedSearchError as err:
            session.rollback()
            target = form.name if err.field == "name" else None
            if target is not None:
                target.errors = [*target.errors, _error_message(err.code)]
            else:
                form.form_errors.append(_error_message(err.code))
        else:
            session.commit()
            flash(
                _(
                    "Search “%(name)s” saved. You will get a message in your inbox when new "
                    "processes match it.",
                    name=saved.name,
                ),
                "success",
            )
            return redirect(url_for("public.saved_search_list"))
    return _page(form, 422)


@bp.post("/account/saved-searches/<int:saved_id>/delete")
@login_required_any
def saved_search_delete(saved_id: int) -> ResponseReturnValue:
    session = db_session()
    if not delete_saved_search(session, current_user.id, saved_id):
        abort(404)
    session.commit()
    flash(_("Saved search deleted; its feed address no longer works."), "success")
    return redirect(url_for("public.saved_search_list"))
