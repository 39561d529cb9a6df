"""Action forms built from the policy: each action asks exactly the fields its policy declares.

A policy field's `type` picks the GOV.UK component (choice -> radios or checkboxes, date ->
date input, text -> textarea, integer -> numeric input, money -> input with a £ prefix,
boolean -> Yes/No radios); `required`, `label`, `hint` and `options` come from the policy too.
The form checks what a browser can get wrong (missing, not a date, not a number); the engine
checks everything again and its refusals are shown next to the field they name.
"""
from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import HiddenField, RadioField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ..policy import Action
from ..policy import Field as PolicyField
from ..policy.fields import TEXT_MAX
from .fields import CheckboxesInput, GovDateField, IntegerText, MoneyField, RadioInput
from .forms import BaseForm

_RESERVED = set(dir(BaseForm)) | {"version", "submit", "csrf_token", "data", "errors", "meta"}


def form_name(field_name: str) -> str:
    """The WTForms name for a policy field (prefixed only if it would shadow a form attribute)."""
    return f"field_{field_name}" if field_name in _RESERVED else field_name


def _required_message(policy_field: PolicyField, action: Action) -> str:
    label = policy_field.label[:1].lower() + policy_field.label[1:]
    if policy_field.type in ("choice", "boolean"):
        return f"Select {label}" if not policy_field.multiple else f"Select at least one: {label}"
    return f"Enter {label}"


def _choices(policy_field: PolicyField) -> list[SelectChoice]:
    return [SelectChoice(o.value, o.label) for o in policy_field.options]


def make_field(policy_field: PolicyField, action: Action):
    """One WTForms field for one policy field."""
    label = policy_field.label
    hint = policy_field.hint or ""
    required = policy_field.required
    message = _required_message(policy_field, action)
    kind = policy_field.type
    if kind == "choice":
        if policy_field.multiple:
            return SelectMultipleField(
                label, description=hint, choices=_choices(policy_field), widget=CheckboxesInput(),
                validators=[InputRequired(message)] if required else [Optional()],
            )
        return RadioField(
            label, description=hint, choices=_choices(policy_field), widget=RadioInput(),
            validators=[InputRequired(message)] if required else [Optional()], validate_choice=True,
        )
    if kind == "boolean":
        return RadioField(
            label, description=hint, choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
            widget=RadioInput(), validators=[InputRequired(message)] if required else [Optional()],
        )
    if kind == "date":
        return GovDateField(label, description=hint or "For example, 27 3 2026", required_message=message if required else None)
    if kind == "integer":
        return IntegerText(label, description=hint, validators=[InputRequired(message)] if required else [Optional()])
    if kind == "money":
        return MoneyField(label, description=hint, validators=[InputRequired(message)] if required else [Optional()])
    limit = int(policy_field.max) if policy_field.max is not None else TEXT_MAX
    return TextAreaField(
        label, description=hint, widget=GovTextArea(),
        validators=[InputRequired(message) if required else Optional(),
                    Length(max=limit, message=f"{label} must be {limit:,} characters or fewer")],
    )


_FROM_REQUEST = object()


def build_action_form(action: Action, formdata=_FROM_REQUEST, **kwargs) -> BaseForm:
    """A form class made for this action (the policy is data: its fields are not known in advance)."""

    class ActionForm(BaseForm):
        pass

    for policy_field in action.fields:
        setattr(ActionForm, form_name(policy_field.name), make_field(policy_field, action))
    ActionForm.version = HiddenField()
    ActionForm.submit = SubmitField(action.title, widget=GovSubmitInput())
    form = ActionForm(**kwargs) if formdata is _FROM_REQUEST else ActionForm(formdata=formdata, **kwargs)
    form.policy_action = action
    return form


def field_params(form, policy_field: PolicyField) -> dict:
    """GOV.UK macro params for rendering one generated field (legend size, option hints, widths)."""
    kind = policy_field.type
    if kind in ("choice", "boolean"):
        params = {"fieldset": {"legend": {"text": policy_field.label, "classes": "govuk-fieldset__legend--s"}}}
        if kind == "choice":
            items = []
            for option in policy_field.options:
                hint = option.hint or option.signpost
                items.append({"hint": {"text": hint}} if hint else {})
            if any(items):
                params["items"] = items
        else:
            params["classes"] = "govuk-radios--inline"
        return params
    if kind == "date":
        return {"fieldset": {"legend": {"text": policy_field.label, "classes": "govuk-fieldset__legend--s"}},
                "hint": {"text": policy_field.hint or "For example, 27 3 2026"}}
    if kind == "integer":
        return {"classes": "govuk-input--width-4", "inputmode": "numeric", "spellcheck": False,
                "label": {"classes": "govuk-label--s"}}
    if kind == "money":
        return {"classes": "govuk-input--width-10", "prefix": {"text": "£"}, "inputmode": "decimal", "spellcheck": False,
                "label": {"classes": "govuk-label--s"}}
    return {"label": {"classes": "govuk-label--s"}, "rows": 4}


def action_values(form, action: Action) -> dict:
    """The submitted values in the shapes the engine accepts (ISO dates, yes/no as booleans)."""
    values: dict = {}
    for policy_field in action.fields:
        field = form[form_name(policy_field.name)]
        data = field.data
        if data in (None, "", []):
            continue
        if policy_field.type == "date":
            values[policy_field.name] = data.isoformat()
        elif policy_field.type == "boolean":
            values[policy_field.name] = data == "yes"
        elif policy_field.type == "integer":
            values[policy_field.name] = int(data)
        else:
            values[policy_field.name] = data
    return values


def attach_refusal(form, action: Action, error) -> None:
    """Show an engine refusal (CaseworkError) next to the field it names, else at the top."""
    name = getattr(error, "field", None)
    if name and action.field(name) is not None:
        form[form_name(name)].errors = [*form[form_name(name)].errors, error.message]
        return
    form.form_errors.append(error.message)


__all__ = ["build_action_form", "field_params", "action_values", "attach_refusal", "form_name"]
