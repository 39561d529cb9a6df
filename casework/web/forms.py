"""A base form that strips whitespace and renders GOV.UK Frontend widgets."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import (
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from ..models.enums import Channel, ContactMethod
from .fields import CheckboxesInput, GovDateField, RadioInput


def strip_whitespace(value):
    """Trim, and drop NUL characters (no database text column can hold them)."""
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


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


# --- case page ---------------------------------------------------------------------------------


class AssignForm(BaseForm):
    assignee = SelectField("Assign to", widget=GovSelect(), choices=[], validate_choice=True)
    version = HiddenField()


class RepresentativeDecisionForm(BaseForm):
    decision = RadioField(
        "Decision", widget=RadioInput(),
        choices=[SelectChoice("accepted", "Accept: they have the complainant's permission and act in their interest"),
                 SelectChoice("refused", "Refuse: no permission, or not suitable or not acting in their interest")],
        validators=[InputRequired("Choose whether to accept or refuse the representative")],
    )
    reason = TextAreaField("Reason (required to refuse; it goes in the letter to both of them)", widget=GovTextArea(),
                           validators=[Length(max=2000)])

    def validate_reason(self, field):
        if self.decision.data == "refused" and not field.data:
            raise ValidationError("Enter why the representative is refused")


# --- search --------------------------------------------------------------------------------------

OPTIONAL_EMAIL = [Optional(), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address in the correct format, like name@example.com"), Length(max=254)]
POSTCODE = Regexp(r"^[A-Za-z]{1,2}\d[A-Za-z\d]?\s*(\d[A-Za-z]{2})?$", message="Enter a real postcode, like CV1 2AB")


class FindPersonForm(BaseForm):
    class Meta:
        csrf = False

    name = StringField("Name", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    email = StringField("Email address", widget=GovTextInput(), validators=OPTIONAL_EMAIL)
    phone = StringField("Phone number", widget=GovTextInput(), validators=[Optional(), Length(max=40)])
    postcode = StringField("Postcode", widget=GovTextInput(), validators=[Optional(), POSTCODE])

    def validate_name(self, field):
        if not any([self.name.data, self.email.data, self.phone.data, self.postcode.data]):
            raise ValidationError("Enter a name, email address, phone number or postcode")


# --- log a contact (one question per page where that helps) -------------------------------------

CHANNEL_LABELS = {
    Channel.TELEPHONE: "Telephone",
    Channel.DEDICATED_LINE: "Dedicated complaints phone line",
    Channel.EMAIL: "Email",
    Channel.LETTER: "Letter",
    Channel.WEB_FORM: "Web form",
    Channel.SOCIAL_MEDIA: "Social media",
    Channel.IN_PERSON: "In person",
    Channel.COUNCILLOR: "Through a councillor",
    Channel.MP: "Through an MP",
}
CONTACT_METHOD_LABELS = {
    ContactMethod.EMAIL: "Email",
    ContactMethod.TELEPHONE: "Telephone",
    ContactMethod.LETTER: "Letter",
    ContactMethod.TEXT_MESSAGE: "Text message",
}
FORMAT_LABELS = {
    "standard": "Standard print or email",
    "large_print": "Large print",
    "braille": "Braille",
    "audio": "Audio",
    "easy_read": "Easy read",
}
NEEDS_LABELS = {
    "translation": "Translation or interpretation",
    "sign_language": "Sign language (for example British Sign Language)",
    "reading_writing": "Help with reading or writing",
    "step_free": "Step-free access for meetings",
}


def _choices(mapping) -> list[SelectChoice]:
    return [SelectChoice(str(k), v) for k, v in mapping.items()]


class PersonForm(BaseForm):
    name = StringField("Full name", widget=GovTextInput(), validators=[InputRequired("Enter their full name"), Length(max=200)])
    email = StringField("Email address (optional)", widget=GovTextInput(), validators=OPTIONAL_EMAIL)
    phone = StringField("Phone number (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=40)])
    address = TextAreaField("Address (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=500)])
    postcode = StringField("Postcode (optional)", widget=GovTextInput(), validators=[Optional(), POSTCODE])
    ward = SelectField("Ward (optional)", widget=GovSelect(), choices=[], validate_choice=True, default="", validators=[Optional()])


class WhoForm(BaseForm):
    who = RadioField(
        "Who is contacting us?", widget=RadioInput(),
        choices=[SelectChoice("self", "The person themselves"),
                 SelectChoice("representative", "Someone acting for them (a representative)")],
        validators=[InputRequired("Select who is contacting us")],
    )


class RepresentativeForm(BaseForm):
    name = StringField("Representative's full name", widget=GovTextInput(),
                       validators=[InputRequired("Enter the representative's full name"), Length(max=200)])
    relationship = StringField("Their relationship to the person", widget=GovTextInput(),
                               description="For example, daughter, advocate, solicitor",
                               validators=[InputRequired("Enter their relationship to the person"), Length(max=80)])
    email = StringField("Representative's email address (optional)", widget=GovTextInput(), validators=OPTIONAL_EMAIL)
    phone = StringField("Representative's phone number (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=40)])
    consent_evidence = TextAreaField(
        "Evidence of the person's permission", widget=GovTextArea(),
        description="For example, a signed consent form received by email, or a lasting power of attorney. If there is "
                    "none yet, say so: the complaint cannot be considered without it (004 §4.2). In social care, third-party "
                    "information needs the service user's written consent (004 App 1 ¶2–3, App 2 ¶3–4).",
        validators=[InputRequired("Enter the evidence of the person's permission, or say there is none yet"), Length(max=2000)],
    )
    consent_received_on = GovDateField("Date the permission was received (optional)", description="For example, 27 3 2026")


class ReceivedForm(BaseForm):
    channel = RadioField("How did they contact us?", widget=RadioInput(), choices=_choices(CHANNEL_LABELS),
                         validators=[InputRequired("Select how they contacted us")])
    received_on = GovDateField("Date received", description="For example, 27 3 2026",
                               required_message="Enter the date it was received")
    received_time = StringField("Time received", widget=GovTextInput(),
                                description="Use the 24-hour clock, for example 14:30. Contacts after 17:00 count from the next working day.",
                                validators=[InputRequired("Enter the time it was received"),
                                            Regexp(r"^([01]?\d|2[0-3])[:.][0-5]\d$", message="Enter a real time, like 09:30 or 14:30")])


class AboutForm(BaseForm):
    summary = StringField("Summary", widget=GovTextInput(), description="One line for the queues, for example: Bin missed three weeks running",
                          validators=[InputRequired("Enter a summary of what it is about"), Length(max=300, message="The summary must be 300 characters or fewer")])
    description = TextAreaField("What happened (optional)", widget=GovTextArea(),
                                description="In their words where possible: what happened, when, and what they want to happen now",
                                validators=[Optional(), Length(max=10000)])
    service_area = SelectField("Service area", widget=GovSelect(), choices=[], validate_choice=True, default="",
                               validators=[Optional()])


class KindForm(BaseForm):
    kind = RadioField("What kind of contact is it?", widget=RadioInput(), choices=[],
                      validators=[InputRequired("Select what kind of contact it is")])


class CouncillorForm(BaseForm):
    raised_by = SelectField("Which councillor raised the enquiry?", widget=GovSelect(), choices=[], validate_choice=True,
                            validators=[InputRequired("Select the councillor")])


class MPForm(BaseForm):
    mp_name = StringField("Which MP (or MP's office) raised it?", widget=GovTextInput(),
                          validators=[InputRequired("Enter the MP's name"), Length(max=200)])


class ScopeForm(BaseForm):
    reason = RadioField("Is the complaint about any of these?", widget=RadioInput(), choices=[],
                        validators=[InputRequired("Select one of the reasons, or that none of them applies")])


class DeclineForm(BaseForm):
    details = TextAreaField("Anything to add to the letter (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])


class LateForm(BaseForm):
    late = RadioField(
        "Did the events happen more than 12 months before they complained?", widget=RadioInput(),
        choices=[SelectChoice("no", "No, within the last 12 months"),
                 SelectChoice("accept", "Yes, but there is a good reason to consider it now"),
                 SelectChoice("decline", "Yes, and there is no good reason: decline it")],
        validators=[InputRequired("Select whether the events happened more than 12 months ago")],
    )
    late_reason = TextAreaField("Good reason to consider it now", widget=GovTextArea(),
                                description="Required when accepting it late. For example, they were in hospital, or only found out recently.",
                                validators=[Length(max=2000)])

    def validate_late_reason(self, field):
        if self.late.data == "accept" and not field.data:
            raise ValidationError("Enter the good reason to consider it now")


class ProcedureForm(BaseForm):
    procedure = RadioField("Which complaints procedure applies?", widget=RadioInput(), choices=[],
                           validators=[InputRequired("Select the complaints procedure")])


class PreferencesForm(BaseForm):
    preferred_contact_method = RadioField("How would they like us to contact them?", widget=RadioInput(),
                                          choices=_choices(CONTACT_METHOD_LABELS), validators=[Optional()])
    preferred_format = RadioField("What format do they need letters in?", widget=RadioInput(),
                                  choices=_choices(FORMAT_LABELS), validators=[Optional()])
    needs = SelectMultipleField("Do they need any of these?", widget=CheckboxesInput(), choices=_choices(NEEDS_LABELS),
                                validators=[Optional()])
    other_needs = TextAreaField("Any other accessibility needs (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    language = StringField("Preferred language, if not English (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=60)])
    interpreter = RadioField("Do they need an interpreter?", widget=RadioInput(),
                             choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")], validators=[Optional()])


class EqualityAskForm(BaseForm):
    answer = RadioField(
        "Did they want to answer the equality monitoring questions?", widget=RadioInput(),
        choices=[SelectChoice("yes", "Yes, they answered some or all of them"),
                 SelectChoice("declined", "No, they prefer not to"),
                 SelectChoice("not_asked", "Not asked this time")],
        validators=[InputRequired("Select whether they wanted to answer the equality questions")],
    )


PREFER_NOT = SelectChoice("prefer_not_to_say", "Prefer not to say")


class EqualityForm(BaseForm):
    age_band = RadioField("Age", widget=RadioInput(), validators=[Optional()], choices=[
        *[SelectChoice(v, v) for v in ("Under 18", "18 to 24", "25 to 34", "35 to 44", "45 to 54", "55 to 64", "65 to 74", "75 or over")],
        PREFER_NOT])
    sex = RadioField("Sex", widget=RadioInput(), validators=[Optional()],
                     choices=[SelectChoice("female", "Female"), SelectChoice("male", "Male"), PREFER_NOT])
    gender_identity = RadioField("Is their gender the same as the sex they were registered at birth?", widget=RadioInput(),
                                 validators=[Optional()], choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No"), PREFER_NOT])
    ethnicity = SelectField("Ethnic group", widget=GovSelect(), validate_choice=True, default="", validators=[Optional()], choices=[
        SelectChoice("", "Not given"),
        *[SelectChoice(v, v) for v in (
            "Asian or Asian British", "Black, Black British, Caribbean or African", "Mixed or multiple ethnic groups",
            "White", "Other ethnic group")],
        PREFER_NOT])
    disability = RadioField("Do they consider themselves to have a disability or long-term health condition?", widget=RadioInput(),
                            validators=[Optional()], choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No"), PREFER_NOT])
    religion = SelectField("Religion or belief", widget=GovSelect(), validate_choice=True, default="", validators=[Optional()], choices=[
        SelectChoice("", "Not given"),
        *[SelectChoice(v, v) for v in ("No religion", "Buddhist", "Christian", "Hindu", "Jewish", "Muslim", "Sikh", "Any other religion")],
        PREFER_NOT])
    sexual_orientation = RadioField("Sexual orientation", widget=RadioInput(), validators=[Optional()], choices=[
        SelectChoice("straight", "Straight or heterosexual"), SelectChoice("gay_lesbian", "Gay or lesbian"),
        SelectChoice("bisexual", "Bisexual"), SelectChoice("other", "Other"), PREFER_NOT])


class ConfirmForm(BaseForm):
    pass


# --- letters ---------------------------------------------------------------------------------------

class LetterForm(BaseForm):
    delivery = RadioField("How will it be sent?", widget=RadioInput(),
                          choices=[SelectChoice("email", "By email"), SelectChoice("print", "Print and post")],
                          validators=[InputRequired("Select how it will be sent")])
    recipient = TextAreaField("To", widget=GovTextArea(), description="Email address, or name and postal address",
                              validators=[InputRequired("Enter who it is to"), Length(max=254, message="To must be 254 characters or fewer")])
    subject = StringField("Subject", widget=GovTextInput(), validators=[InputRequired("Enter a subject"), Length(max=300)])
    body = TextAreaField("Letter", widget=GovTextArea(), validators=[InputRequired("Enter the letter"), Length(max=20000)])

    def validate_recipient(self, field):
        if self.delivery.data == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", field.data or ""):
            raise ValidationError("Enter an email address in the correct format, like name@example.com")
