"""A base form that strips whitespace and renders GOV.UK Frontend widgets."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp


def strip_whitespace(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if strip_whitespace not in filters and unbound_field.field_class is not PasswordField:
                filters = [strip_whitespace, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)


class SignInForm(BaseForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired("Enter your email address"), Regexp(r"^[^@\s]+@[^@\s]+$", message="Enter an email address in the correct format, like name@example.com"), Length(max=254)],
    )
    password = PasswordField("Password", widget=GovPasswordInput(), validators=[DataRequired("Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())
