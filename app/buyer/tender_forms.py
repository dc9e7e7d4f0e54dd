"""Forms of the plan and tender pages, and the glue between them and the services.

Times in forms are local (the app's BABEL_DEFAULT_TIMEZONE, Mexico City); the services
and the database use naive UTC. The long tender form has fixed rows for lots, items and
documents plus an "add rows" button, so it works without JavaScript.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    Field,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.tenders.errors import Msg, TenderError
from marketplace.tenders.models import ProcurementMethod
from marketplace.tenders.rules import (
    DOCUMENT_TYPES,
    DocumentInput,
    ItemInput,
    LotInput,
    TenderInput,
)

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
#: Rows the "add rows" button adds, and the most rows a form may have.
ROWS_STEP = 3
MAX_ROWS = 60


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "UTC"))


def local_to_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=_zone()).astimezone(dt.UTC).replace(tzinfo=None)


def utc_to_local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC).astimezone(_zone()).replace(tzinfo=None)


def _none_if_blank(value: Any) -> Any:
    return value if value not in ("", None) else None


def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in ("", None) else None


MAIN_CATEGORY_CHOICES = [
    SelectChoice("goods", _l("Goods")),
    SelectChoice("services", _l("Services")),
    SelectChoice("works", _l("Works")),
]
METHOD_CHOICES = [
    SelectChoice(ProcurementMethod.OPEN.value, _l("Open tender")),
    SelectChoice(ProcurementMethod.SELECTIVE.value, _l("Selective (pre-qualified suppliers)")),
    SelectChoice(ProcurementMethod.LIMITED.value, _l("Limited (invited suppliers)")),
    SelectChoice(ProcurementMethod.DIRECT.value, _l("Direct award (needs a justification)")),
    SelectChoice(ProcurementMethod.QUICK.value, _l("Quick purchase (at least 3 invited quotes)")),
    SelectChoice(
        "framework", _l("Framework agreement (several suppliers per lot, for a period; next page)")
    ),
]
#: The method choice that continues the draft as a framework agreement (app/buyer/frameworks).
FRAMEWORK_METHOD = "framework"
PERMISSION_CHOICES = [
    SelectChoice("notAllowed", _l("Not allowed")),
    SelectChoice("allowed", _l("Allowed")),
    SelectChoice("required", _l("Required")),
]
DOCUMENT_TYPE_LABELS = {
    "tenderNotice": _l("Tender notice"),
    "biddingDocuments": _l("Bidding documents"),
    "technicalSpecifications": _l("Technical specifications"),
    "evaluationCriteria": _l("Evaluation criteria"),
    "eligibilityCriteria": _l("Eligibility criteria"),
    "contractDraft": _l("Draft contract"),
    "billOfQuantity": _l("Bill of quantities"),
    "marketStudies": _l("Market study"),
    "feasibilityStudy": _l("Feasibility study"),
    "illustration": _l("Illustration"),
}


class PlanLineForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    title = StringField(_l("What will be bought"), validators=[InputRequired(), Length(max=300)])
    rationale = TextAreaField(_l("Why it is needed"), validators=[Length(max=5000)])
    category_code = StringField(
        _l("UNSPSC category code"), validators=[InputRequired(), Length(max=8)]
    )
    main_category = SelectField(_l("Kind"), choices=MAIN_CATEGORY_CHOICES)
    amount = DecimalField(_l("Estimated amount"), places=2, validators=[InputRequired()])
    currency = StringField(_l("Currency"), default="MXN", validators=[Length(min=3, max=3)])
    quarter = SelectField(
        _l("Quarter"), choices=[SelectChoice(str(q), f"Q{q}") for q in range(1, 5)], coerce=int
    )
    budget_source = StringField(_l("Budget source"), validators=[InputRequired(), Length(max=300)])
    is_ict = BooleanField(_l("Information and communication technology (ICT) purchase"))
    submit = SubmitField(_l("Save plan line"))


class ConfirmForm(FlaskForm):
    """A POST with only its CSRF token (start a process, publish)."""

    submit = SubmitField(_l("Confirm"))


class LotRow(Form):
    title = StringField(_l("Lot title"), validators=[Length(max=300)])
    description = StringField(_l("Lot description"), validators=[Length(max=2000)])
    value_amount = DecimalField(_l("Lot estimated value"), places=2, validators=[Optional()])


class ItemRow(Form):
    description = StringField(_l("Item description"), validators=[Length(max=2000)])
    classification_id = StringField(_l("UNSPSC code"), validators=[Length(max=8)])
    classification_description = StringField(_l("Category name"), validators=[Length(max=300)])
    quantity = DecimalField(_l("Quantity"), places=3, validators=[Optional()])
    unit_name = StringField(_l("Unit"), validators=[Length(max=60)])
    unit_code = StringField(_l("UN/CEFACT unit code"), validators=[Length(max=12)])
    lot = SelectField(_l("Lot"), choices=[], validate_choice=False)


class DocumentRow(Form):
    document_type = SelectField(
        _l("Type"),
        choices=[SelectChoice(code, DOCUMENT_TYPE_LABELS[code]) for code in DOCUMENT_TYPES],
        # Blank rows may come without a type; the service checks the rows that are used.
        validate_choice=False,
    )
    title = StringField(_l("Document title"), validators=[Length(max=300)])
    url = StringField(_l("Address (URL)"), validators=[Length(max=1000)])
    format = StringField(_l("Format"), validators=[Length(max=100)])
    lot = SelectField(_l("Lot"), choices=[], validate_choice=False)


class TenderForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Length(max=10000)])
    main_category = SelectField(_l("Kind"), choices=MAIN_CATEGORY_CHOICES)
    value_amount = DecimalField(_l("Estimated value"), places=2, validators=[Optional()])
    currency = StringField(_l("Currency"), default="MXN", validators=[Length(min=3, max=3)])
    procurement_method = SelectField(_l("Procurement method"), choices=METHOD_CHOICES)
    method_details = StringField(_l("Method details (legal basis)"), validators=[Length(max=2000)])
    method_rationale = TextAreaField(_l("Justification"), validators=[Length(max=5000)])
    invited = SelectMultipleField(
        _l("Invited suppliers"),
        coerce=int,
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )
    weight_price = IntegerField(_l("Price weight (%)"), default=100, validators=[InputRequired()])
    weight_quality = IntegerField(_l("Quality weight (%)"), default=0, validators=[InputRequired()])
    weight_technical = IntegerField(
        _l("Technical weight (%)"), default=0, validators=[InputRequired()]
    )
    eligibility_criteria = TextAreaField(_l("Eligibility"), validators=[Length(max=5000)])
    enquiry_end = DateTimeLocalField(
        _l("Questions accepted until"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    tender_end = DateTimeLocalField(
        _l("Deadline for bids"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    bid_validity_days = IntegerField(
        _l("Bid validity (days after the deadline)"), default=90, validators=[Optional()]
    )
    deposits_guarantees = TextAreaField(
        _l("Deposits and guarantees"), validators=[Length(max=2000)]
    )
    variant_policy = SelectField(_l("Variant bids"), choices=PERMISSION_CHOICES)
    multiple_bids_allowed = BooleanField(_l("A supplier may submit more than one bid"))
    lots = FieldList(FormField(LotRow), min_entries=2, max_entries=MAX_ROWS)
    items = FieldList(FormField(ItemRow), min_entries=3, max_entries=MAX_ROWS)
    documents = FieldList(FormField(DocumentRow), min_entries=2, max_entries=MAX_ROWS)
    save = SubmitField(_l("Save draft"))
    add_rows = SubmitField(_l("Add rows"))

    def set_lot_choices(self) -> None:
        choices = [SelectChoice("", _("Whole tender"))] + [
            SelectChoice(str(n), _("Lot %(n)s", n=n)) for n in range(1, len(self.lots.entries) + 1)
        ]
        for row in [*self.items.entries, *self.documents.entries]:
            row.form.lot.choices = choices

    def add_blank_rows(self) -> None:
        for field_list in (self.lots, self.items, self.documents):
            for _i in range(ROWS_STEP):
                if len(field_list.entries) < MAX_ROWS:
                    field_list.append_entry()
        self.set_lot_choices()

    def to_input(self) -> TenderInput:
        return TenderInput(
            title=self.title.data or "",
            description=self.description.data or "",
            main_category=self.main_category.data,
            value_amount=self.value_amount.data,
            currency=(self.currency.data or "").strip().upper(),
            procurement_method=ProcurementMethod(self.procurement_method.data),
            method_details=self.method_details.data or "",
            method_rationale=self.method_rationale.data or "",
            weight_price=self.weight_price.data or 0,
            weight_quality=self.weight_quality.data or 0,
            weight_technical=self.weight_technical.data or 0,
            eligibility_criteria=self.eligibility_criteria.data or "",
            enquiry_end=local_to_utc(self.enquiry_end.data),
            tender_end=local_to_utc(self.tender_end.data),
            bid_validity_days=self.bid_validity_days.data,
            deposits_guarantees=self.deposits_guarantees.data or "",
            variant_policy=self.variant_policy.data,
            multiple_bids_allowed=bool(self.multiple_bids_allowed.data),
            lots=[
                LotInput(
                    r.form.title.data or "", r.form.description.data or "", r.form.value_amount.data
                )
                for r in self.lots.entries
            ],  # fmt: skip
            items=[
                ItemInput(
                    r.form.description.data or "",
                    r.form.classification_id.data or "",
                    r.form.classification_description.data or "",
                    r.form.quantity.data,
                    r.form.unit_name.data or "",
                    r.form.unit_code.data or "",
                    _int_or_none(r.form.lot.data),
                )
                for r in self.items.entries
            ],
            documents=[
                DocumentInput(
                    r.form.document_type.data,
                    r.form.title.data or "",
                    "",
                    r.form.url.data or "",
                    r.form.format.data or "",
                    _int_or_none(r.form.lot.data),
                )
                for r in self.documents.entries
            ],  # fmt: skip
            invited_org_ids=list(self.invited.data or []),
        )


def tender_form_data(data: TenderInput) -> dict[str, Any]:
    """Initial values of the tender form from a stored draft."""
    return {
        "title": data.title,
        "description": data.description,
        "main_category": data.main_category,
        "value_amount": data.value_amount,
        "currency": data.currency,
        "procurement_method": data.procurement_method.value,
        "method_details": data.method_details,
        "method_rationale": data.method_rationale,
        "invited": data.invited_org_ids,
        "weight_price": data.weight_price,
        "weight_quality": data.weight_quality,
        "weight_technical": data.weight_technical,
        "eligibility_criteria": data.eligibility_criteria,
        "enquiry_end": utc_to_local(data.enquiry_end),
        "tender_end": utc_to_local(data.tender_end),
        "bid_validity_days": data.bid_validity_days,
        "deposits_guarantees": data.deposits_guarantees,
        "variant_policy": data.variant_policy,
        "multiple_bids_allowed": data.multiple_bids_allowed,
        "lots": [vars(lot) for lot in data.lots],
        "items": [{**vars(i), "lot": str(i.lot or "")} for i in data.items],
        "documents": [{**vars(d), "lot": str(d.lot or "")} for d in data.documents],
    }


class PrebasesForm(FlaskForm):
    summary = TextAreaField(_l("Summary of the draft documents"), validators=[InputRequired()])
    url = StringField(_l("Address of the full draft (URL)"), validators=[Length(max=1000)])
    comment_end = DateTimeLocalField(
        _l("Comments accepted until"), format=DATETIME_FORMAT, validators=[InputRequired()]
    )
    submit = SubmitField(_l("Publish for comment"))


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[InputRequired(), Length(max=5000)])
    submit = SubmitField(_l("Publish answer"))


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the cancellation (public)"), validators=[InputRequired(), Length(max=5000)]
    )
    submit = SubmitField(_l("Cancel the process"))


class AmendForm(FlaskForm):
    rationale = TextAreaField(
        _l("Why the tender is amended (public)"), validators=[InputRequired()]
    )
    note = TextAreaField(_l("Further explanation"), validators=[Length(max=5000)])
    material = BooleanField(_l("Material change: bidders must confirm their bids again"))
    description = TextAreaField(_l("Description"), validators=[Length(max=10000)])
    enquiry_end = DateTimeLocalField(
        _l("Questions accepted until"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    tender_end = DateTimeLocalField(
        _l("Deadline for bids"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    value_amount = DecimalField(_l("Estimated value"), places=2, validators=[Optional()])
    eligibility_criteria = TextAreaField(_l("Eligibility"), validators=[Length(max=5000)])
    document_type = SelectField(
        _l("New document type"),
        choices=[SelectChoice(code, DOCUMENT_TYPE_LABELS[code]) for code in DOCUMENT_TYPES],
    )
    document_title = StringField(_l("New document title"), validators=[Length(max=300)])
    document_url = StringField(_l("New document address (URL)"), validators=[Length(max=1000)])
    submit = SubmitField(_l("Publish amendment"))


def iter_fields(form: Form | FlaskForm) -> Iterator[Field]:
    """Every field of a form, nested rows included (their names are ``items-0-quantity``)."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                if isinstance(entry, FormField):
                    yield from iter_fields(entry.form)
                else:
                    yield entry
        elif isinstance(field, FormField):
            yield from iter_fields(field.form)
        else:
            yield field


def show_errors(form: FlaskForm, err: TenderError) -> None:
    """Put each of a service's errors next to its field (or at the top of the form)."""
    fields = {f.name: f for f in iter_fields(form)}
    for path, msg in err.errors.items():
        message = translate(msg)
        target = fields.get(path)
        if target is not None:
            target.errors = [*target.errors, message]
        else:
            form.form_errors.append(message)


def translate(msg: Msg) -> str:
    """A service's English message in the user's language, placeholders filled."""
    return _(msg.text, **msg.params) if msg.params else _(msg.text)


def flat_errors(form: FlaskForm) -> list[tuple[str, str]]:
    """(field id, message) of every error, for the summary at the top of long forms."""
    found = [(f.id, m) for f in iter_fields(form) if f.name != "csrf_token" for m in f.errors]
    return found
