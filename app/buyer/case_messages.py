"""Translations of the business-case services' messages.

The services (no Flask) raise English templates with ``%(name)s`` placeholders; every
template is listed here once, wrapped for Flask-Babel, so extraction finds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from business_cases.evaluator_input import FieldError
from business_cases.services import CaseError

MESSAGES: dict[str, LazyString] = {
    # field problems
    "is required": _l("is required"),
    "is required to submit": _l("is required to submit"),
    "must be text": _l("must be text"),
    "must be a number": _l("must be a number"),
    "must be a finite number (not NaN or Infinity)":
        _l("must be a finite number (not NaN or Infinity)"),
    "must be greater than %(n)s": _l("must be greater than %(n)s"),
    "must be at least %(n)s": _l("must be at least %(n)s"),
    "must be at most %(n)s": _l("must be at most %(n)s"),
    "must be at most %(n)s characters": _l("must be at most %(n)s characters"),
    "must be a whole year number": _l("must be a whole year number"),
    "must not be negative (year 0 is the first year)":
        _l("must not be negative (year 0 is the first year)"),
    "horizon over %(n)s years is not accepted": _l("horizon over %(n)s years is not accepted"),
    "must be a list of lines": _l("must be a list of lines"),
    "must be an object": _l("must be an object"),
    'must be "cost" or "benefit"': _l('must be "cost" or "benefit"'),
    "must be one of %(choices)s": _l("must be one of %(choices)s"),
    "needs at least one cost line": _l("needs at least one cost line"),
    "must be an ISO 4217 currency code, e.g. MXN":
        _l("must be an ISO 4217 currency code, e.g. MXN"),
    "must be traditional, modular or agile": _l("must be traditional, modular or agile"),
    "must be an ICT plan line of your unit": _l("must be an ICT plan line of your unit"),
    "must be a whole number from 1 to 5": _l("must be a whole number from 1 to 5"),
    'needs one "do minimum" option and at least two others':
        _l('needs one "do minimum" option and at least two others'),
    "list at least one risk": _l("list at least one risk"),
    "rate every criterion": _l("Rate every criterion."),
    "explain a rating that is not fully met": _l("Explain a rating that is not fully met."),
    "must be between 0 and 1": _l("must be between 0 and 1"),
    "explain the decision": _l("Explain the decision."),
    "must be a date (YYYY-MM-DD)": _l("must be a date (YYYY-MM-DD)"),
    "must differ from the baseline": _l("must differ from the baseline"),
    "must be after the start date": _l("must be after the start date"),
    "must not be in the future": _l("must not be in the future"),
    "must not be before the benefit's start date":
        _l("must not be before the benefit's start date"),
    # evaluation requests (mostly the JSON of `tianguis cases evaluate`)
    "give a discount_rate (e.g. 0.10) or a jurisdiction":
        _l("give a discount_rate (e.g. 0.10) or a jurisdiction"),
    "must be a JSON object": _l("must be a JSON object"),
    "must be a cost category (%(choices)s) or duration":
        _l("must be a cost category (%(choices)s) or duration"),
    "must be a list": _l("must be a list"),
    "must be an object of category: uplift": _l("must be an object of category: uplift"),
    "must be true or false": _l("must be true or false"),
    "must not exceed upper": _l("must not exceed upper"),
    # broken rules
    "Only buyers of the unit that owns this case can change it.":
        _l("Only buyers of the unit that owns this case can change it."),
    "Only buyers write business cases.": _l("Only buyers write business cases."),
    "Only a draft can be changed.": _l("Only a draft can be changed."),
    "A case in state %(status)s cannot take the step %(step)s.":
        _l("A case in state %(status)s cannot take the step %(step)s."),
    "Only %(role)s users can take the step %(step)s.":
        _l("Only %(role)s users can take the step %(step)s."),
    "Only finance reviewers rate business cases.":
        _l("Only finance reviewers rate business cases."),
    "The author of a case cannot review it.": _l("The author of a case cannot review it."),
    "Only a submitted case can be reviewed.": _l("Only a submitted case can be reviewed."),
    "Only finance reviewers decide on business cases.":
        _l("Only finance reviewers decide on business cases."),
    "The author of a case cannot decide on it.": _l("The author of a case cannot decide on it."),
    "This case has already been decided.": _l("This case has already been decided."),
    "Only a submitted case can be decided.": _l("Only a submitted case can be decided."),
    "This case needs complete ratings from %(needed)s different reviewer(s) before a "
    "decision; it has %(done)s.": _l(
        "This case needs complete ratings from %(needed)s different reviewer(s) before a "
        "decision; it has %(done)s."
    ),
    "Only buyers of the unit that owns this case can report benefits.":
        _l("Only buyers of the unit that owns this case can report benefits."),
    "Benefits are registered once the case is approved.":
        _l("Benefits are registered once the case is approved."),
}


def translate(template: str, params: Mapping[str, Any] | None = None) -> str:
    """The template in the user's language, placeholders filled."""
    text = str(MESSAGES.get(template, template))
    return text % dict(params) if params else text


def field_error_text(error: FieldError) -> str:
    return translate(error.message, error.params)


def rule_error_text(error: CaseError) -> str:
    return translate(error.template, error.params)
