"""Form fields GOV.UK Frontend has components for but WTForms lacks (date boxes, money, numbers)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from govuk_frontend_wtf import wtforms_widgets as gov
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import Field as WTField
from wtforms import StringField
from wtforms.validators import StopValidation


class _Legend:
    """govuk-frontend-wtf drops the legend's text when a template passes any fieldset params, and
    renders an empty hint when there is none: keep the label as the legend, drop empty hints."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        fieldset = params.get("fieldset")
        if isinstance(fieldset, dict):
            legend = fieldset.setdefault("legend", {})
            if not legend.get("text") and not legend.get("html"):
                legend["text"] = field.label.text
        hint = params.get("hint")
        if isinstance(hint, dict) and not hint.get("text") and not hint.get("html"):
            params["hint"] = None
        return params


class RadioInput(_Legend, gov.GovRadioInput):
    pass


class CheckboxesInput(_Legend, gov.GovCheckboxesInput):
    pass


class DateInput(_Legend, gov.GovDateInput):
    pass


class GovDateField(WTField):
    """A GOV.UK date input (day, month, year boxes) with GOV.UK error messages."""

    widget = DateInput()

    def __init__(self, label=None, validators=None, required_message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required_message = required_message

    def _value(self):
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist):
        self.data = None
        parts = [(v or "").strip() for v in (valuelist or [])[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts  # the widget unpacks exactly three
        if not any(parts):
            return
        name = self.label.text
        missing = [what for what, value in zip(("day", "month", "year"), parts) if not value]
        if missing:
            raise ValueError(f"{name} must include a {' and a '.join(missing)}")
        try:
            day, month, year = (int(p) for p in parts)
            if year < 1000:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            raise ValueError(f"{name} must be a real date") from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()
        if self.data is None and self.required_message and not self.process_errors:
            raise StopValidation(self.required_message)


class MoneyField(StringField):
    widget = GovTextInput()

    def post_validate(self, form, stop):
        if stop or not self.data:
            return
        text = self.data.replace(",", "").lstrip("£").strip()
        try:
            amount = Decimal(text)
        except InvalidOperation:
            self.errors.append(f"{self.label.text} must be an amount of money, like 150 or 150.50")
            return
        if not amount.is_finite() or amount < 0:
            self.errors.append(f"{self.label.text} must be an amount of money, like 150 or 150.50")
        elif amount != amount.quantize(Decimal("0.01")):
            self.errors.append(f"{self.label.text} must be in pounds and pence, like 150.50")


class IntegerText(StringField):
    """Whole numbers typed into a GOV.UK text input (inputmode numeric)."""

    widget = GovTextInput()

    def post_validate(self, form, stop):
        if stop or not self.data:
            return
        if not self.data.lstrip("-").isdigit() or len(self.data) > 9:
            self.errors.append(f"{self.label.text} must be a whole number, like 20")
