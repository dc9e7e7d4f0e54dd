"""Finance forms: rating a case against each criterion, and deciding on it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from business_cases.models import Criterion

CRITERION_LABELS = {
    Criterion.PROBLEM_IDENTIFICATION: _l("The problem is clearly identified"),
    Criterion.PROPOSED_SOLUTION: _l("The solution clearly solves the problem"),
    Criterion.ALTERNATIVES_CONSIDERED: _l("Alternative solutions were considered"),
    Criterion.BEST_TECHNOLOGY_CHOICE: _l("It is the best technological solution available"),
    Criterion.BUDGET_ANALYSIS: _l("The budget is analysed thoroughly and in detail"),
    Criterion.BUDGET_VS_BENEFITS: _l("The budget is justified by the expected benefits"),
    Criterion.EXPECTED_BENEFITS: _l("The expected benefits are clearly identified"),
    Criterion.STAKEHOLDERS: _l("Stakeholders and impacts across the administration"),
    Criterion.STRATEGIC_ALIGNMENT: _l("Alignment with strategies, regulations and standards"),
    Criterion.COMMISSIONING_STRATEGY: _l("Commissioning strategy and allocation of risk"),
    Criterion.PRODUCT_ITERATION: _l("Room for testing and iterating the product"),
    Criterion.RISK_MANAGEMENT: _l("Risk assessment and management"),
}

RATING_CHOICES = [SelectChoice(v, label) for v, label in (
    ("", "—"), ("fully", _l("Fully met")), ("partly", _l("Partly met")), ("not_met", _l("Not met"))
)]


class FinanceForm(FlaskForm):
    @property
    def csrf_failed(self) -> bool:
        return bool(self.csrf_token.errors)


class ReviewForm(FinanceForm):
    mitigation = DecimalField(
        _l("Optimism-bias mitigation factor (0 to 1)"), places=None,
        validators=[Optional(), NumberRange(0, 1, _l("Give a number from 0 to 1."))],
    )
    save_review = SubmitField(_l("Save my ratings"))

    def rating(self, criterion: Criterion) -> SelectField:
        return getattr(self, f"rating_{criterion.value}")  # type: ignore[no-any-return]

    def comment(self, criterion: Criterion) -> TextAreaField:
        return getattr(self, f"comment_{criterion.value}")  # type: ignore[no-any-return]


for _criterion in Criterion:
    setattr(ReviewForm, f"rating_{_criterion.value}",
            SelectField(CRITERION_LABELS[_criterion], choices=RATING_CHOICES))
    setattr(ReviewForm, f"comment_{_criterion.value}", TextAreaField(_l("Comment")))


class DecisionForm(FinanceForm):
    outcome = SelectField(
        _l("Decision"),
        choices=[SelectChoice(v, label) for v, label in (
            ("", "—"), ("approved", _l("Approve")),
            ("approved_with_observations", _l("Approve with observations")),
            ("iteration_requested", _l("Request an iteration")), ("rejected", _l("Reject")))],
        validators=[InputRequired(_l("Choose a decision."))],
    )
    comment = TextAreaField(_l("Observations, reasons, or what the next version must address"))
    decide = SubmitField(_l("Record the decision"))
