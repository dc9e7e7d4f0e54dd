"""The business-case form: one long form in five sections, with cost/benefit lines and
risks as repeated rows. Without JavaScript, rows are a fixed number of empty ones plus an
"add more rows" button that sends the form back with more."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    Field,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app.buyer.case_messages import field_error_text
from business_cases.evaluator import BENEFIT_CATEGORIES, COST_CATEGORIES
from business_cases.evaluator_input import FieldError

EMPTY_LINES = 4  # blank line rows offered under each option
EMPTY_RISKS = 2
MIN_OPTIONS = 3

CATEGORY_LABELS = {
    "capex": _l("Capital (capex)"),
    "opex": _l("Operating (opex)"),
    "licences": _l("Licences"),
    "support": _l("Support and maintenance"),
    "staff": _l("Staff"),
    "exit": _l("Exit and migration"),
    "cash_releasing": _l("Cash-releasing benefit"),
    "non_cash": _l("Non-cash benefit"),
    "societal": _l("Societal benefit"),
}

TEXT_LABELS = {
    "problem_identification": (_l("Problem identification"),
                               _l("What problem or opportunity, for whom, and how big.")),
    "proposed_solution": (_l("Proposed solution"),
                          _l("How the project solves the problem.")),
    "stakeholders": (_l("Stakeholders and impacts"),
                     _l("Who is concerned or affected across the administration, and how.")),
    "strategic_alignment": (_l("Alignment with strategy"),
                            _l("Digital government strategy, regulations and standards.")),
    "expected_benefits": (_l("Expected benefits"),
                          _l("What will be better, measured how, by when.")),
    "alternatives_considered": (_l("Alternatives considered"),
                                _l("Why the options below, and which were ruled out.")),
    "best_technology_choice": (_l("Best technology choice"),
                               _l("Why this technology: open standards, reuse, lock-in.")),
    "commissioning_strategy": (_l("Commissioning strategy"),
                               _l("Procurement method, modules or agile phases, and who "
                                  "carries which risk.")),
    "budget_analysis": (_l("Budget analysis"), _l("How the costs were estimated.")),
    "budget_vs_benefits": (_l("Budget versus benefits"),
                           _l("Why the benefits justify the cost.")),
    "product_iteration_plan": (_l("Product iteration plan"),
                               _l("Testing with users and room to iterate after each "
                                  "release.")),
}

SECTION_LABELS = {
    "strategic": _l("Strategic case"),
    "economic": _l("Economic case"),
    "commercial": _l("Commercial case"),
    "financial": _l("Financial case"),
    "management": _l("Management case"),
}


def _choices(*pairs: tuple[str, Any]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class _Select(SelectField):
    """A select whose value the service checks (rows the browser did not send are None,
    which WTForms would call "not a valid choice"; the service names the field instead)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


class LineForm(Form):
    kind = _Select(
        _l("Cost or benefit"),
        choices=_choices(("", "—"), ("cost", _l("Cost")), ("benefit", _l("Benefit"))),
    )
    category = _Select(
        _l("Category"),
        choices=_choices(("", "—"), *((c, CATEGORY_LABELS[c]) for c in
                                      (*COST_CATEGORIES, *BENEFIT_CATEGORIES))),
    )
    year = IntegerField(_l("Year"), validators=[Optional()])
    amount = DecimalField(_l("Amount"), validators=[Optional()], places=None)
    description = StringField(_l("Note"))


class OptionForm(Form):
    name = StringField(_l("Option name"))
    description = TextAreaField(_l("Description"))
    do_minimum = BooleanField(_l("This is the \"do minimum\" option"))
    lines = FieldList(FormField(LineForm), min_entries=EMPTY_LINES)


class RiskForm(Form):
    description = StringField(_l("Risk"))
    likelihood = _Select(_l("Likelihood (1–5)"),
                             choices=_choices(("", "—"), *((str(i), str(i)) for i in range(1, 6))))
    impact = _Select(_l("Impact (1–5)"),
                         choices=_choices(("", "—"), *((str(i), str(i)) for i in range(1, 6))))
    mitigation = StringField(_l("Mitigation"))
    owner = StringField(_l("Owner"))


class CaseForm(FlaskForm):
    title = StringField(_l("Title"))
    plan_line_id = _Select(_l("ICT plan line"), choices=_choices(("", "—")))
    currency = StringField(_l("Currency (ISO 4217)"), default="MXN")
    jurisdiction = _Select(_l("Jurisdiction (default discount rate)"), default="MX",
                               choices=_choices(("MX", _l("Mexico (10 %)")),
                                                ("CL", _l("Chile (6 %)")),
                                                ("UK", _l("United Kingdom (3.5 %)"))))
    discount_rate = DecimalField(_l("Discount rate (fraction, e.g. 0.10)"),
                                 validators=[Optional()], places=None)
    usd_rate = DecimalField(_l("US dollars per unit of the currency"),
                            validators=[Optional()], places=None)
    unit_home_cost = DecimalField(_l("Cost of one rebuilt home (USD)"),
                                  validators=[Optional()], places=None)
    delivery_approach = _Select(
        _l("Delivery approach"), default="agile",
        choices=_choices(("agile", _l("Agile (iterative releases)")),
                         ("modular", _l("Modular (separate usable modules)")),
                         ("traditional", _l("Traditional (one delivery)"))))
    problem_identification = TextAreaField()
    proposed_solution = TextAreaField()
    stakeholders = TextAreaField()
    strategic_alignment = TextAreaField()
    expected_benefits = TextAreaField()
    alternatives_considered = TextAreaField()
    best_technology_choice = TextAreaField()
    commissioning_strategy = TextAreaField()
    budget_analysis = TextAreaField()
    budget_vs_benefits = TextAreaField()
    product_iteration_plan = TextAreaField()
    options = FieldList(FormField(OptionForm), min_entries=MIN_OPTIONS)
    risks = FieldList(FormField(RiskForm), min_entries=EMPTY_RISKS)
    save = SubmitField(_l("Save draft"))
    add_rows = SubmitField(_l("Add more rows"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (label, _hint) in TEXT_LABELS.items():
            getattr(self, name).label.text = label
        #: (field id, message) for problems not tied to one input, e.g. "options".
        self.general_errors: list[tuple[str | None, str]] = []
        #: data path → form field, filled by to_data() to place service errors.
        self._paths: dict[str, Field] = {}

    @property
    def csrf_failed(self) -> bool:
        return bool(self.csrf_token.errors)

    def set_plan_lines(self, lines: list[Any]) -> None:
        """Offer the unit's ICT plan lines (the service refuses any other)."""
        self.plan_line_id.choices = _choices(
            ("", _l("— none yet —")),
            *((str(ln.id), f"{ln.year} · {ln.title} ({ln.currency} {ln.amount:,.2f})")
              for ln in lines))

    def add_blank_rows(self) -> None:
        for option in self.options:
            for _ in range(3):
                option.form.lines.append_entry()
        self.options.append_entry()
        for _ in range(2):
            self.risks.append_entry()

    def ensure_blank_rows(self) -> None:
        """Leave a few empty rows after what is filled in, so there is room to add."""
        for option in self.options:
            filled = sum(1 for ln in option.form.lines if _line_filled(ln.form))
            for _ in range(max(0, filled + EMPTY_LINES - len(option.form.lines))):
                option.form.lines.append_entry()
        while len(self.options) < MIN_OPTIONS:
            self.options.append_entry()
        filled = sum(1 for r in self.risks if r.form.description.data)
        for _ in range(max(0, filled + EMPTY_RISKS - len(self.risks))):
            self.risks.append_entry()

    def to_data(self) -> dict[str, Any]:
        """The service's input; blank rows are left out, paths remembered for errors."""
        data: dict[str, Any] = {
            name: getattr(self, name).data
            for name in ("title", "plan_line_id", "currency", "jurisdiction", "discount_rate",
                         "usd_rate", "unit_home_cost", "delivery_approach", *TEXT_LABELS)
        }
        for name in data:
            self._paths[name] = getattr(self, name)
        options = []
        for option in self.options:
            of = option.form
            lines = []
            for ln in of.lines:
                lf = ln.form
                if not _line_filled(lf):
                    continue
                base = f"options[{len(options)}].lines[{len(lines)}]"
                for key in ("kind", "category", "year", "amount", "description"):
                    self._paths[f"{base}.{key}"] = getattr(lf, key)
                lines.append({"kind": lf.kind.data or None, "category": lf.category.data,
                              "year": lf.year.data, "amount": lf.amount.data,
                              "description": lf.description.data or ""})
            if not (of.name.data or "").strip() and not lines:
                continue
            base = f"options[{len(options)}]"
            self._paths[f"{base}.name"] = of.name
            self._paths[f"{base}.lines"] = of.name
            options.append({"name": of.name.data, "description": of.description.data,
                            "do_minimum": of.do_minimum.data, "lines": lines})
        data["options"] = options
        risks = []
        for risk in self.risks:
            rf = risk.form
            if not any((rf.description.data, rf.likelihood.data, rf.impact.data)):
                continue
            base = f"risks[{len(risks)}]"
            for key in ("description", "likelihood", "impact", "mitigation", "owner"):
                self._paths[f"{base}.{key}"] = getattr(rf, key)
            risks.append({"description": rf.description.data,
                          "likelihood": _int_or_none(rf.likelihood.data),
                          "impact": _int_or_none(rf.impact.data),
                          "mitigation": rf.mitigation.data, "owner": rf.owner.data})
        data["risks"] = risks
        return data

    def place_errors(self, errors: list[FieldError]) -> None:
        """Put each service error on its field, or in the general list."""
        for err in errors:
            target = self._paths.get(err.path)
            if target is not None:
                target.errors = [*target.errors, field_error_text(err)]
            else:
                self.general_errors.append((None, f"{err.path}: {field_error_text(err)}"))

    def all_errors(self) -> list[tuple[str | None, str]]:
        """(field id, message) of every problem, for the summary at the top."""
        out: list[tuple[str | None, str]] = []

        def walk(field: Any) -> None:
            if isinstance(field, FieldList):
                for entry in field:
                    walk(entry)
            elif isinstance(field, FormField):
                for sub in field.form:
                    walk(sub)
            elif field.errors and field.name != "csrf_token":
                out.extend((field.id, str(m)) for m in field.errors if isinstance(m, str))

        for f in self:
            walk(f)
        return out + self.general_errors


def _line_filled(lf: Form) -> bool:
    return any(
        v not in (None, "") for v in (lf.kind.data, lf.category.data, lf.year.data,
                                      lf.amount.data)
    ) or bool(lf.year.raw_data and lf.year.raw_data[0]) or bool(
        lf.amount.raw_data and lf.amount.raw_data[0])


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def form_data_from_content(content: dict[str, Any]) -> dict[str, Any]:
    """A case's content (snapshots.case_content) as the form's initial data."""
    data = dict(content)
    data["plan_line_id"] = "" if content["plan_line_id"] is None else str(content["plan_line_id"])
    data["delivery_approach"] = getattr(content["delivery_approach"], "value",
                                        content["delivery_approach"])
    data["options"] = [
        {**o, "lines": [dict(ln, amount=Decimal(ln["amount"])) for ln in o["lines"]]}
        for o in content["options"]
    ]
    data["risks"] = [
        {**r, "likelihood": str(r["likelihood"]), "impact": str(r["impact"])}
        for r in content["risks"]
    ]
    return data
