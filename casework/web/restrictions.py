"""Unreasonably persistent or vexatious contact (004 §18–19): the central register, a person's
restriction record, and the consider / warn / decide / review forms and the letters.

Every page is behind `requires(Permission.VIEW_PERSON)` (staff only, the route-list test) and
then the finer rule from operations/restrictions.py: the register and the records are for
the complaints managers and Directors (and the manager of the service concerned); reviews
are decided by a Director; the "file without reply" check may be recorded by any member of
staff, who sees only the restriction's terms. Views are thin: parse, call one use case, render;
the request commits once, and a letter sent by email goes to the outbox after the commit.
"""
from __future__ import annotations

import logging
import re
from datetime import time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..extensions import db
from ..models import Case, Person, ServiceArea
from ..models.restrictions import RestrictionRecord
from ..operations import restrictions as ops
from ..operations.errors import CaseworkError, StaleVersion
from ..queries import restrictions as q
from ..queries.queues import fetch_service_areas
from .fields import GovDateField, IntegerText
from .forms import BaseForm, LetterForm
from .helpers import format_date, today_london
from .permissions import Permission, requires

log = logging.getLogger(__name__)

bp = Blueprint("restrictions", __name__, url_prefix="/restrictions")


@bp.record_once
def _on_register(state) -> None:
    """Load and check policies/shared/restrictions.toml at start-up (the app refuses an invalid one)."""
    ops.init_restrictions(state.app)


@bp.app_template_global("restriction_banner_for")
def restriction_banner_for(person):
    """For templates/restrictions/_banner.html: the banner for this person and the signed-in user."""
    try:
        return ops.fetch_restriction_banner(person, current_user)
    except Exception:  # never break the page it is on, and never fail silent about a PVP flag
        log.exception("Could not build the restriction banner")
        db.session.rollback()
        if not ops.may_see_restrictions(current_user):
            return None
        person_id = person if isinstance(person, int) else getattr(person, "id", None)
        return ops.RestrictionBanner(person_id=person_id or 0, record_id=None, unavailable=True)


@bp.app_template_global("can_see_restriction_register")
def can_see_restriction_register() -> bool:
    """For the navigation and the person page: whether to link to /restrictions (need-to-know)."""
    return ops.may_view_register(current_user)


EVENT_TITLES = {
    "considered": "Considered under the policy",
    "considerations_updated": "Considerations updated",
    "evidence_added": "Evidence added",
    "warned": "Warning recorded",
    "restrictions_imposed": "Restrictions decided",
    "closed_no_action": "Closed: no action",
    "review_requested": "Review requested",
    "review_decided": "Review decided",
    "restrictions_lapsed": "Restrictions lapsed",
    "letter_sent": "Letter sent",
    "contact_handled": "Contact handled under the restrictions",
    "file_without_reply_check": "Correspondence checked (file without reply)",
}
DAY_CHOICES = [SelectChoice(str(i), name) for i, name in enumerate(ops.DAY_NAMES)]
CONTACT_CHANNEL_CHOICES = [SelectChoice(str(k), v[:1].upper() + v[1:]) for k, v in ops.CONTACT_CHANNELS.items()]
REQUEST_CHANNEL_CHOICES = [SelectChoice("letter", "Letter"), SelectChoice("email", "Email"),
                           SelectChoice("telephone", "Telephone"), SelectChoice("in_person", "In person"),
                           SelectChoice("web_form", "Web form")]
TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


def _parse_time(value: str | None) -> time | None:
    match = TIME.match(value or "")
    return time(int(match.group(1)), int(match.group(2))) if match else None


def _time_field(label: str, description: str) -> StringField:
    return StringField(label, widget=GovTextInput(), description=description, validators=[Length(max=5)])


# --- forms -----------------------------------------------------------------------------------------

class ConsiderForm(BaseForm):
    behaviours = SelectMultipleField("Which of the policy's behaviours apply?", widget=GovCheckboxesInput(), choices=[],
                                     description="004 §18.3. Select all that apply, to the person or anyone acting for them.")
    behaviour_details = TextAreaField(
        "What has happened", widget=GovTextArea(),
        description="Dates, examples and the effect on staff, other service users and the council's resources (004 §19.2)",
        validators=[InputRequired("Enter what has happened: dates, examples and the effect on staff and services"),
                    Length(max=10000)])
    service_area = SelectField("Service most affected (optional)", widget=GovSelect(), choices=[], validate_choice=True,
                               default="", description="Its manager can see this record and is reminded of reviews")
    cases = SelectMultipleField("Their cases that show it (optional)", widget=GovCheckboxesInput(), choices=[])
    incident_on = GovDateField("Date of an incident (optional)", description="For example, 27 3 2026")
    incident_description = TextAreaField("What happened in the incident (optional)", widget=GovTextArea(),
                                         validators=[Optional(), Length(max=5000)])
    incident_reference = StringField("Potentially Violent People report number (optional)", widget=GovTextInput(),
                                     validators=[Optional(), Length(max=60)])
    equality_considerations = TextAreaField(
        "Equality considerations (optional now, required to decide)", widget=GovTextArea(),
        description="For example, whether a disability or mental health condition may explain the behaviour",
        validators=[Optional(), Length(max=10000)])
    reasonable_adjustments = TextAreaField(
        "Reasonable adjustments (optional now, required to decide)", widget=GovTextArea(),
        description="For example, a single point of contact, an advocate, or more time", validators=[Optional(), Length(max=10000)])

    def validate_behaviours(self, field):
        if not field.data:
            raise ValidationError("Select the behaviours from the policy that apply (004 §18.3)")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.incident_on.data and not self.incident_description.data:
            self.incident_description.errors = list(self.incident_description.errors) + ["Enter what happened in the incident"]
            valid = False
        if self.incident_description.data and not self.incident_on.data and not self.incident_on.errors:
            self.incident_on.errors = list(self.incident_on.errors) + ["Enter the date of the incident"]
            valid = False
        return valid


class EvidenceForm(BaseForm):
    kind = RadioField("What kind of evidence is it?", widget=GovRadioInput(), choices=[
        SelectChoice("case", "One of their cases"),
        SelectChoice("correspondence", "A letter or email from them"),
        SelectChoice("incident", "An incident (for example, abuse or a threat to staff)"),
        SelectChoice("contact", "A contact that was not logged as a case (for example, repeated calls)"),
    ], validators=[InputRequired("Select what kind of evidence it is")])
    case = SelectField("Which case", widget=GovSelect(), choices=[], validate_choice=False, default="")
    correspondence = SelectField("Which letter or email", widget=GovSelect(), choices=[], validate_choice=False, default="")
    occurred_on = GovDateField("Date it happened", description="For example, 27 3 2026")
    description = TextAreaField("What happened", widget=GovTextArea(), validators=[Length(max=5000)])
    reference = StringField("Report number (optional)", widget=GovTextInput(),
                            description="For an incident, the Potentially Violent People report number",
                            validators=[Optional(), Length(max=60)])
    version = HiddenField()

    def validate_case(self, field):
        if self.kind.data == "case" and not field.data:
            raise ValidationError("Choose the case")

    def validate_correspondence(self, field):
        if self.kind.data == "correspondence" and not field.data:
            raise ValidationError("Choose the letter or email")

    def validate_description(self, field):
        if self.kind.data in ("incident", "contact") and not field.data:
            raise ValidationError("Describe what happened")

    def validate_occurred_on(self, field):
        if self.kind.data in ("incident", "contact") and field.data is None:
            raise ValidationError("Enter the date it happened")


class WarnForm(BaseForm):
    kind = RadioField("How was the warning given?", widget=GovRadioInput(), choices=[],
                      validators=[InputRequired("Select how the warning was given")])
    warned_on = GovDateField("Date of the warning", description="For example, 27 3 2026",
                             required_message="Enter the date of the warning")
    summary = TextAreaField(
        "What they were told", widget=GovTextArea(),
        description="The behaviour, and that restrictions may follow if it continues (004 §19.1). For a written "
                    "warning this goes in the letter.",
        validators=[InputRequired("Enter what they were told: the behaviour, and what may happen if it continues"),
                    Length(max=5000)])
    version = HiddenField()


class DecideForm(BaseForm):
    kinds = SelectMultipleField("Which restrictions?", widget=GovCheckboxesInput(), choices=[],
                                description="004 §19.1. Choose the least restrictive that will work.")
    channels = SelectMultipleField("They may contact us only by", widget=GovCheckboxesInput(), choices=CONTACT_CHANNEL_CHOICES)
    contact_address = StringField("Email address to use (optional)", widget=GovTextInput(),
                                  description="To divert their email to a specific address (GH20)",
                                  validators=[Optional(), Length(max=254)])
    officer_ids = SelectMultipleField("Officers they may not contact", widget=GovCheckboxesInput(), choices=[])
    route_to_officer = SelectField("Officer their contact goes to instead", widget=GovSelect(), choices=[],
                                   validate_choice=False, default="")
    named_officer = SelectField("Officer all their contact goes through", widget=GovSelect(), choices=[],
                                validate_choice=False, default="")
    phone_days = SelectMultipleField("Days they may phone", widget=GovCheckboxesInput(), choices=DAY_CHOICES)
    phone_from = _time_field("From", "24-hour clock, for example 10:00")
    phone_until = _time_field("Until", "24-hour clock, for example 12:00")
    minutes = IntegerText("Time limit in minutes", description="For example, 15")
    premises_scope = RadioField("Which premises?", widget=GovRadioInput(), validate_choice=False, choices=[
        SelectChoice("all", "All council premises"), SelectChoice("some", "Some premises")])
    premises = TextAreaField("Which premises (if not all)", widget=GovTextArea(), validators=[Length(max=2000)])
    agreement = TextAreaField("What the written agreement says", widget=GovTextArea(), validators=[Length(max=5000)])
    safety_note = TextAreaField(
        "Safety information for staff who may meet them", widget=GovTextArea(),
        description="Only what staff need to stay safe, for example “Do not meet alone; meet in the main reception”. "
                    "Not the details of the incident.",
        validators=[Length(max=1000)])
    social_media = StringField("Which social media channels", widget=GovTextInput(), validators=[Length(max=1000)])
    case_id = SelectField("Their completed complaint", widget=GovSelect(), choices=[], validate_choice=False, default="")
    starts_on = GovDateField("Start date", description="For example, 27 3 2026",
                             required_message="Enter the date the restrictions start")
    ends_on = GovDateField("End date", description="Restrictions are for a period of time, never permanent (004 GH20)",
                           required_message="Enter the date the restrictions end: a restriction is for a period of time, "
                                            "never permanent (004 GH20)")
    review_on = GovDateField("Review by (optional)", description="If blank, they are reviewed by the end date")
    reasons = TextAreaField("Why", widget=GovTextArea(),
                            description="Why their behaviour is unreasonably persistent or vexatious: this goes in the letter (004 §19.3)",
                            validators=[InputRequired("Enter why: this goes in the letter (004 §19.3)"), Length(max=10000)])
    balance = TextAreaField(
        "How you balanced their interests", widget=GovTextArea(),
        description="Their interests against the effect of their behaviour on staff, other service users and resources (004 §19.2)",
        validators=[InputRequired("Enter how you balanced their interests against the effect of their behaviour (004 §19.2)"),
                    Length(max=10000)])
    equality_considerations = TextAreaField(
        "Equality considerations", widget=GovTextArea(),
        validators=[InputRequired("Enter the equality considerations"), Length(max=10000)])
    reasonable_adjustments = TextAreaField(
        "Reasonable adjustments", widget=GovTextArea(),
        validators=[InputRequired("Enter the reasonable adjustments considered, or why none are needed"), Length(max=10000)])
    no_warning_reason = TextAreaField(
        "Why circumstances did not permit a warning", widget=GovTextArea(),
        description="004 §19.1: a warning first, where circumstances permit", validators=[Length(max=5000)])
    version = HiddenField()

    needs_warning_reason = False

    def _chosen(self, kind: str) -> bool:
        return kind in (self.kinds.data or ())

    def validate_kinds(self, field):
        if not field.data:
            raise ValidationError("Select at least one restriction")

    def validate_channels(self, field):
        if self._chosen("contact_form") and not field.data:
            raise ValidationError("Select how they may contact us")

    def validate_officer_ids(self, field):
        if self._chosen("no_contact_officers") and not field.data:
            raise ValidationError("Select the officers they may not contact")

    def validate_route_to_officer(self, field):
        if self._chosen("no_contact_officers") and not field.data:
            raise ValidationError("Select the officer their contact goes to instead")

    def validate_named_officer(self, field):
        if self._chosen("named_officer") and not field.data:
            raise ValidationError("Select the officer all their contact goes through")

    def validate_phone_days(self, field):
        if self._chosen("phone_times") and not field.data:
            raise ValidationError("Select the days they may phone")

    def validate_phone_from(self, field):
        if self._chosen("phone_times") and _parse_time(field.data) is None:
            raise ValidationError("Enter the time calls may start from, like 10:00")

    def validate_phone_until(self, field):
        if self._chosen("phone_times") and _parse_time(field.data) is None:
            raise ValidationError("Enter the time calls must end by, like 12:00")

    def validate_minutes(self, field):
        if self._chosen("time_limits") and not field.data:
            raise ValidationError("Enter the time limit in minutes")

    def validate_premises_scope(self, field):
        if self._chosen("premises_ban") and field.data not in ("all", "some"):
            raise ValidationError("Select which premises")

    def validate_premises(self, field):
        if self._chosen("premises_ban") and self.premises_scope.data == "some" and not field.data:
            raise ValidationError("Enter which premises")

    def validate_agreement(self, field):
        if self._chosen("written_agreement") and not field.data:
            raise ValidationError("Enter what the written agreement says")

    def validate_safety_note(self, field):
        if self._chosen("pvp_register") and not field.data:
            raise ValidationError("Enter the safety information staff who may meet them need")

    def validate_social_media(self, field):
        if self._chosen("social_media_block") and not field.data:
            raise ValidationError("Enter which social media channels")

    def validate_case_id(self, field):
        if self._chosen("file_without_reply") and not field.data:
            raise ValidationError("Select their completed complaint")

    def validate_no_warning_reason(self, field):
        if self.needs_warning_reason and not field.data:
            raise ValidationError("They have not been warned: enter why circumstances did not permit a warning (004 §19.1)")


class CloseForm(BaseForm):
    reasons = TextAreaField("Why no action is needed", widget=GovTextArea(),
                            validators=[InputRequired("Enter why no action is taken"), Length(max=5000)])
    version = HiddenField()


class ReviewRequestForm(BaseForm):
    received_on = GovDateField("Date received", description="For example, 27 3 2026",
                               required_message="Enter the date the request was received")
    channel = RadioField("How did they ask?", widget=GovRadioInput(), choices=REQUEST_CHANNEL_CHOICES,
                         validators=[InputRequired("Select how they asked")])
    grounds = TextAreaField("What they said", widget=GovTextArea(), description="Why they want the decision reviewed",
                            validators=[InputRequired("Enter what they said: why they want the decision reviewed"),
                                        Length(max=10000)])
    version = HiddenField()


class ReviewForm(BaseForm):
    outcome = RadioField("Your decision", widget=GovRadioInput(), choices=[],
                         validators=[InputRequired("Select the outcome of the review")])
    lift = SelectMultipleField("Restrictions to lift (optional)", widget=GovCheckboxesInput(), choices=[])
    new_ends_on = GovDateField("New end date (optional)", description="For the restrictions that stay")
    next_review_on = GovDateField("Next review by (optional)", description="If blank, at the end date")
    reasons = TextAreaField("Reasons", widget=GovTextArea(), description="They go in the letter",
                            validators=[InputRequired("Enter the reasons for the decision: they go in the letter"),
                                        Length(max=10000)])
    version = HiddenField()


class FileCheckForm(BaseForm):
    received_on = GovDateField("Date received", description="For example, 27 3 2026",
                               required_message="Enter the date it was received")
    summary = TextAreaField("What it says", widget=GovTextArea(),
                            validators=[InputRequired("Enter what the correspondence says"), Length(max=5000)])
    new_information = RadioField("Does it contain new information that affects the decision on the complaint?",
                                 widget=GovRadioInput(), choices=YES_NO,
                                 validators=[InputRequired("Select whether it contains new information")])
    new_information_details = TextAreaField("The new information (if it has some)", widget=GovTextArea(), validators=[Length(max=5000)])
    safeguarding = RadioField("Does it raise a safeguarding concern?", widget=GovRadioInput(), choices=YES_NO,
                              validators=[InputRequired("Select whether it raises a safeguarding concern")])
    safeguarding_details = TextAreaField("The concern, and who you told (if it raises one)", widget=GovTextArea(),
                                         validators=[Length(max=5000)])

    def validate_new_information_details(self, field):
        if self.new_information.data == "yes" and not field.data:
            raise ValidationError("Enter the new information")

    def validate_safeguarding_details(self, field):
        if self.safeguarding.data == "yes" and not field.data:
            raise ValidationError("Enter the safeguarding concern and who you told")


# --- helpers ---------------------------------------------------------------------------------------

def _record_or_404(record_id: int) -> RestrictionRecord:
    record = q.fetch_record(record_id)
    if record is None:
        abort(404)
    if not ops.may_manage(current_user, record):
        abort(403)
    return record


def _version(form) -> int | None:
    value = (form.version.data or "") if hasattr(form, "version") else ""
    return int(value) if str(value).isdigit() else None


def _attach(form, error: CaseworkError) -> None:
    """Put a use case's refusal by its field (or at the top), so the error summary links to it."""
    db.session.rollback()
    field = form._fields.get(error.field or "") if error.field not in (None, "version", "csrf_token") else None
    if field is not None and not isinstance(field, HiddenField):
        field.errors = list(field.errors or ()) + [error.message]
    else:
        form.form_errors.append(error.message)


def _list_choices(options) -> list[SelectChoice]:
    return [SelectChoice(o.value, o.label) for o in options.values()]


def _item_hints(options) -> list[dict]:
    return [{"hint": {"text": " ".join(filter(None, [o.hint, o.cite]))}} for o in options.values()]


def _staff_choices(blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(str(u.id), f"{u.name} ({u.role.replace('_', ' ')})") for u in q.fetch_staff()]


def _case_label(case: Case) -> str:
    return f"{case.reference}: {case.summary}"[:120]


def _event_rows(events) -> list[dict]:
    return [{"event": e, "title": EVENT_TITLES.get(e.action, e.action.replace("_", " ").capitalize())} for e in events]


def _send_email(letter) -> bool:
    """Hand an e-mail letter to the outbox after the commit (as letters.py does)."""
    try:
        from ..notifications import send_email
    except ImportError:  # pragma: no cover
        return False
    try:
        send_email(to=letter.recipient, subject=letter.subject, body=letter.body)
        db.session.commit()
        return True
    except Exception:  # the letter is recorded; delivery problems show in the outbox
        log.exception("Could not hand restriction letter %s to the outbox", letter.id)
        db.session.rollback()
        return False


def _record_context(record: RestrictionRecord) -> dict:
    lists = ops.restriction_lists()
    names = q.fetch_user_names({i for r in record.restrictions for i in (r.officer_ids or ())})
    active = [(r, ops.describe_for_staff(ops.terms_of(r, names))) for r in record.restrictions if r.status == "active"]
    ended = [(r, ops.describe_for_staff(ops.terms_of(r, names))) for r in record.restrictions if r.status == "ended"]
    return {
        "record": record, "person": record.person, "lists": lists, "active": active, "ended": ended,
        "reference": ops.record_reference(record), "today": today_london(),
        "open_request": next((r for r in record.review_requests if r.status == "open"), None),
        "can_review": ops.may_decide_review(current_user),
        "can_register": ops.may_view_register(current_user),
        "events": _event_rows(q.fetch_record_events(record.id)),
        "next_review_on": q.next_review_on(record),
    }


# --- pages -----------------------------------------------------------------------------------------

@bp.get("")
@requires(Permission.VIEW_PERSON)
def register():
    """The central register (004 §19.4): need-to-know."""
    if not ops.may_view_register(current_user):
        abort(403)
    today = today_london()
    records = q.fetch_register()
    names = q.fetch_user_names({i for rec in records for r in rec.restrictions for i in (r.officer_ids or ())})
    rows = []
    for record in records:
        active = [r for r in record.restrictions if r.status == "active"]
        if not active:
            continue
        rows.append({
            "record": record, "reference": ops.record_reference(record),
            "restrictions": [ops.describe_for_staff(ops.terms_of(r, names)) for r in active],
            "since": min(r.starts_on for r in active), "ends_on": max(r.ends_on for r in active),
            "next_review_on": q.next_review_on(record),
        })
    return render_template(
        "restrictions/register.html", rows=rows, today=today,
        reviews_due=q.fetch_reviews_due(today, today + timedelta(days=28)),
        requests=q.fetch_open_review_requests(), in_progress=q.fetch_records_in_progress(),
        letters=q.fetch_draft_letters(), lists=ops.restriction_lists(), record_reference=ops.record_reference,
    )


@bp.get("/people/<int:person_id>")
@requires(Permission.VIEW_PERSON)
def person(person_id: int):
    """A person's restriction records: the open one and the history."""
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    records = q.fetch_records_for_person(person_id)
    if not (ops.may_view_register(current_user) or any(ops.may_manage(current_user, r) for r in records)):
        abort(403)
    visible = [r for r in records if ops.may_manage(current_user, r)]
    return render_template("restrictions/person.html", person=person, records=visible,
                           open_record=next((r for r in visible if r.is_open), None),
                           can_consider=ops.may_view_register(current_user), record_reference=ops.record_reference)


@bp.route("/people/<int:person_id>/consider", methods=["GET", "POST"])
@requires(Permission.VIEW_PERSON)
def consider(person_id: int):
    if not ops.may_view_register(current_user):
        abort(403)
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    existing = q.fetch_open_record(person_id)
    if existing is not None:
        flash(f"{person.name} is already being considered under the policy: this is their record", "info")
        return redirect(url_for("restrictions.record", record_id=existing.id))
    lists = ops.restriction_lists()
    form = ConsiderForm()
    form.behaviours.choices = _list_choices(lists.behaviours)
    form.service_area.choices = [SelectChoice("", "Not set")] + [SelectChoice(str(a.id), a.name) for a in fetch_service_areas()]
    cases = q.fetch_cases_of_person(person_id)
    form.cases.choices = [SelectChoice(str(c.id), _case_label(c)) for c in cases]
    if form.validate_on_submit():
        try:
            area = db.session.get(ServiceArea, int(form.service_area.data)) if form.service_area.data else None
            record = ops.open_consideration(
                person, behaviours=form.behaviours.data, details=form.behaviour_details.data, actor=current_user,
                service_area=area, equality_considerations=form.equality_considerations.data,
                reasonable_adjustments=form.reasonable_adjustments.data,
            )
            by_id = {str(c.id): c for c in cases}
            for case_id in form.cases.data or ():
                ops.add_evidence(record, kind="case", case=by_id[case_id], actor=current_user)
            if form.incident_on.data:
                ops.add_evidence(record, kind="incident", occurred_on=form.incident_on.data,
                                 description=form.incident_description.data, reference=form.incident_reference.data,
                                 actor=current_user)
        except CaseworkError as error:
            _attach(form, error)
        else:
            db.session.commit()
            flash("Record opened: consider a warning first, where circumstances permit (004 §19.1)", "success")
            return redirect(url_for("restrictions.record", record_id=record.id))
    status = 400 if request.method == "POST" else 200
    return render_template("restrictions/consider.html", form=form, person=person, hints=_item_hints(lists.behaviours)), status


@bp.get("/records/<int:record_id>")
@requires(Permission.VIEW_PERSON)
def record(record_id: int):
    record = _record_or_404(record_id)
    return render_template("restrictions/record.html", **_record_context(record))


@bp.route("/records/<int:record_id>/evidence", methods=["GET", "POST"])
@requires(Permission.VIEW_PERSON)
def evidence(record_id: int):
    record = _record_or_404(record_id)
    if not record.is_open:
        abort(404)
    form = EvidenceForm()
    cases = {str(c.id): c for c in q.fetch_cases_of_person(record.person_id)}
    letters = {str(c.id): c for c in q.fetch_incoming_correspondence(record.person_id)}
    form.case.choices = [SelectChoice("", "Choose a case")] + [SelectChoice(k, _case_label(c)) for k, c in cases.items()]
    form.correspondence.choices = [SelectChoice("", "Choose a letter or email")] + [
        SelectChoice(k, f"{format_date(c.created_at)}: {c.subject}"[:120]) for k, c in letters.items()]
    if request.method == "GET":
        form.version.data = str(record.version)
    if form.validate_on_submit():
        try:
            if _version(form) is not None and _version(form) != record.version:
                raise StaleVersion("This record has changed since you loaded it. Reload the page and try again.", "version")
            ops.add_evidence(
                record, kind=form.kind.data, actor=current_user, case=cases.get(form.case.data),
                correspondence=letters.get(form.correspondence.data), occurred_on=form.occurred_on.data,
                description=form.description.data, reference=form.reference.data,
            )
        except CaseworkError as error:
            _attach(form, error)
        else:
            db.session.commit()
            flash("Evidence added", "success")
            return redirect(url_for("restrictions.record", record_id=record.id, _anchor="evidence"))
    status = 400 if request.method == "POST" else 200
    return render_template("restrictions/evidence.html", form=form, record=record, person=record.person,
                           reference=ops.record_reference(record)), status


@bp.route("/records/<int:record_id>/warn", methods=["GET", "POST"])
@requires(Permission.VIEW_PERSON)
def warn(record_id: int):
    record = _record_or_404(record_id)
    if not record.is_open:
        abort(404)
    lists = ops.restriction_lists()
    form = WarnForm()
    form.kind.choices = _list_choices(lists.warning_kinds)
    if request.method == "GET":
        form.version.data = str(record.version)
        form.warned_on.data = today_london()
    if form.validate_on_submit():
        try:
            warning = ops.record_warning(record, kind=form.kind.data, warned_on=form.warned_on.data,
                                         summary=form.summary.data, actor=current_user, expected_version=_version(form))
        except CaseworkError as error:
            _attach(form, error)
        else:
            db.session.commit()
            if warning.letter_id:
                flash("Warning recorded. Check the letter, then send or print it", "success")
                return redirect(url_for("restrictions.letter", letter_id=warning.letter_id))
            flash("Warning recorded", "success")
            return redirect(url_for("restrictions.record", record_id=record.id))
    status = 400 if request.method == "POST" else 200
    return render_template("restrictions/warn.html", form=form, record=record, person=record.person,
                           reference=ops.record_reference(record), hints=_item_hints(lists.warning_kinds)), status


def _specs(form: DecideForm) -> list[ops.RestrictionSpec]:
    common = {"starts_on": form.starts_on.data, "ends_on": form.ends_on.data, "review_on": form.review_on.data}
    specs = []
    for kind in form.kinds.data or ():
        spec = ops.RestrictionSpec(kind=kind, **common)
        if kind == "contact_form":
            spec.channels, spec.contact_address = list(form.channels.data or ()), form.contact_address.data
        elif kind == "no_contact_officers":
            spec.officer_ids = [int(i) for i in form.officer_ids.data or () if str(i).isdigit()]
            spec.officer_id = int(form.route_to_officer.data) if str(form.route_to_officer.data).isdigit() else None
        elif kind == "named_officer":
            spec.officer_id = int(form.named_officer.data) if str(form.named_officer.data).isdigit() else None
        elif kind == "phone_times":
            spec.phone_days = [int(d) for d in form.phone_days.data or ()]
            spec.phone_from, spec.phone_until = _parse_time(form.phone_from.data), _parse_time(form.phone_until.data)
        elif kind == "time_limits":
            spec.minutes = int(form.minutes.data) if (form.minutes.data or "").isdigit() else None
        elif kind == "premises_ban":
            spec.all_premises, spec.premises = form.premises_scope.data == "all", form.premises.data
        elif kind == "written_agreement":
            spec.agreement = form.agreement.data
        elif kind == "pvp_register":
            spec.safety_note = form.safety_note.data
        elif kind == "social_media_block":
            spec.social_media = form.social_media.data
        elif kind == "file_without_reply":
            spec.case_id = int(form.case_id.data) if str(form.case_id.data).isdigit() else None
        specs.append(spec)
    return specs


@bp.route("/records/<int:record_id>/decide", methods=["GET", "POST"])
@requires(Permission.VIEW_PERSON)
def decide(record_id: int):
    record = _record_or_404(record_id)
    if not record.is_open:
        abort(404)
    lists = ops.restriction_lists()
    form = DecideForm()
    form.needs_warning_reason = not record.warnings
    form.kinds.choices = _list_choices(lists.types)
    staff = _staff_choices("Choose an officer")
    form.officer_ids.choices = staff[1:]
    form.route_to_officer.choices = staff
    form.named_officer.choices = staff
    completed = q.fetch_completed_complaints(record.person_id)
    form.case_id.choices = [SelectChoice("", "Choose a completed complaint")] + [SelectChoice(str(c.id), _case_label(c)) for c in completed]
    if request.method == "GET":
        form.version.data = str(record.version)
        form.starts_on.data = today_london()
        form.equality_considerations.data = record.equality_considerations
        form.reasonable_adjustments.data = record.reasonable_adjustments
    if form.validate_on_submit():
        try:
            decision = ops.impose_restrictions(
                record, _specs(form), reasons=form.reasons.data, balance=form.balance.data,
                equality_considerations=form.equality_considerations.data,
                reasonable_adjustments=form.reasonable_adjustments.data, no_warning_reason=form.no_warning_reason.data,
                actor=current_user, expected_version=_version(form),
            )
        except CaseworkError as error:
            _attach(form, error)
        else:
            db.session.commit()
            flash("Restrictions decided. Check the decision letter, then send or print it (004 §19.3)", "success")
            return redirect(url_for("restrictions.letter", letter_id=decision.letter_id))
    status = 400 if request.method == "POST" else 200
    return render_template("restrictions/decide.html", form=form, record=record, person=record.person, lists=lists,
                           reference=ops.record_reference(record), hints=_item_hints(lists.types),
                           max_months=ops.max_months(), completed=completed), status


@bp.route("/records/<int:record_id>/close", methods=["GET", "POST"])
@requires(Permission.VIEW_PERSON)
def close(record_id: int):
    record = _record_or_404(record_id)
    if not record.is_open:
        abort(404)
    form = CloseForm()
    if request.method == "GET":
        form.version.data = str(record.version)
    if form.validate_on_submit():
        try:
            ops.decide_no_action(record, reasons=form.reasons.data, actor=current_user, expected_version=_version(form))
        except CaseworkError as error:
            _attach(form, error)
        else:
            db.session.commit()
            flash("Record closed: no action", "success")
            return redirect(url_for("restrictions.record", record_id=record.id))
    status = 400 if request.method == "POST" else 200
    return render_template("restrictions/close.html", form=form, record=record, person=record.person,
                           reference=ops.record_reference(record)), status


@bp.route("/records/<int:record_id>/review-request", methods=["GET", "POST"])
@requires(Permission.VIEW_PERSON)
def review_request(record_id: int):
    record = _record_or_404(record_id)
    if not record.is_open:
        abort(404)
    form = ReviewRequestForm()
    if request.method == "GET":
        form.version.data = str(record.version)
        form.received_on.data = today_london()
    if form.validate_on_submit():
        try:
            ops.request_review(record, received_on=form.received_on.data, grounds=form.grounds.data,
                               channel=form.channel.data, actor=current_user, expected_version=_version(form))
        except CaseworkError as error:
            _attach(form, error)
        else:
            db.session.commit()
            flash("Review request logged: a Director decides it (004 §19.4). An acknowledgement letter is ready to send", "success")
            return redirect(url_for("restrictions.record", record_id=record.id))
    status = 400 if request.method == "POST" else 200
    return render_template("restrictions/review_request.html", form=form, record=record, person=record.person,
                           reference=ops.record_reference(record)), status


@bp.route("/records/<int:record_id>/review", methods=["GET", "POST"])
@requires(Permission.VIEW_PERSON)
def review(record_id: int):
    record = _record_or_404(record_id)
    if not ops.may_decide_review(current_user):
        abort(403)
    if not record.is_open or not record.active_restrictions:
        abort(404)
    lists = ops.restriction_lists()
    context = _record_context(record)
    form = ReviewForm()
    form.outcome.choices = _list_choices(lists.review_outcomes)
    form.lift.choices = [SelectChoice(str(r.id), text) for r, text in context["active"]]
    if request.method == "GET":
        form.version.data = str(record.version)
    if form.validate_on_submit():
        try:
            decision = ops.decide_review(
                record, outcome=form.outcome.data, reasons=form.reasons.data, actor=current_user,
                lift_ids=[int(i) for i in form.lift.data or () if str(i).isdigit()] if form.outcome.data == "varied" else (),
                new_ends_on=form.new_ends_on.data if form.outcome.data == "varied" else None,
                next_review_on=form.next_review_on.data if form.outcome.data != "lifted" else None,
                expected_version=_version(form),
            )
        except CaseworkError as error:
            _attach(form, error)
        else:
            db.session.commit()
            flash("Review decided. Check the letter, then send or print it", "success")
            return redirect(url_for("restrictions.letter", letter_id=decision.letter_id))
    status = 400 if request.method == "POST" else 200
    return render_template("restrictions/review.html", form=form, **context), status


@bp.route("/<int:restriction_id>/file-check", methods=["GET", "POST"])
@requires(Permission.VIEW_PERSON)
def file_check(restriction_id: int):
    """Any member of staff who reads correspondence under "file without reply" records the check
    here (004 §19.4); they see the restriction's terms only."""
    restriction = q.fetch_restriction(restriction_id)
    if restriction is None or restriction.kind != "file_without_reply" or restriction.status != "active":
        abort(404)
    if not ops.may_see_restrictions(current_user):
        abort(403)
    form = FileCheckForm()
    if request.method == "GET":
        form.received_on.data = today_london()
    if form.validate_on_submit():
        try:
            event = ops.record_file_check(
                restriction, received_on=form.received_on.data, summary=form.summary.data,
                new_information=form.new_information.data == "yes", safeguarding_concern=form.safeguarding.data == "yes",
                new_information_details=form.new_information_details.data, safeguarding_details=form.safeguarding_details.data,
                actor=current_user,
            )
        except CaseworkError as error:
            _attach(form, error)
        else:
            db.session.commit()
            if event.data.get("outcome") == "reply":
                flash("Check recorded. It contains new information: pass it to the officer for the complaint to reply", "success")
            else:
                flash("Check recorded. File it without reply (004 §19.4)", "success")
            if event.data.get("safeguarding_concern"):
                flash("You recorded a safeguarding concern: make sure it has been referred today", "info")
            return redirect(url_for("search.person", person_id=restriction.person_id))
    status = 400 if request.method == "POST" else 200
    return render_template("restrictions/file_check.html", form=form, restriction=restriction,
                           terms=ops.describe_for_staff(ops.terms_of(restriction)), person=restriction.person), status


@bp.route("/letters/<int:letter_id>", methods=["GET", "POST"])
@requires(Permission.VIEW_PERSON)
def letter(letter_id: int):
    letter = q.fetch_letter(letter_id)
    if letter is None:
        abort(404)
    record = _record_or_404(letter.record_id)
    person = record.person
    form = None
    if letter.status == "draft":
        if request.method == "GET":
            form = LetterForm(formdata=None, subject=letter.subject, body=letter.body, recipient=letter.recipient,
                              delivery="email" if letter.channel == "email" else "print")
        else:
            form = LetterForm()
            if form.validate():
                try:
                    ops.send_letter(letter, delivery=form.delivery.data, recipient=form.recipient.data,
                                    subject=form.subject.data, body=form.body.data, actor=current_user)
                except CaseworkError as error:
                    _attach(form, error)
                else:
                    db.session.commit()
                    if letter.status == "sent":
                        _send_email(letter)
                        flash(f"Email sent to {letter.recipient}", "success")
                    else:
                        flash("Letter recorded as printed: print it and post it", "success")
                    return redirect(url_for("restrictions.letter", letter_id=letter.id))
    elif request.method == "POST":
        abort(405)
    status = 400 if request.method == "POST" else 200
    return render_template("restrictions/letter.html", letter=letter, record=record, person=person, form=form,
                           title=ops.LETTER_TITLES.get(letter.kind, "Letter"), reference=ops.record_reference(record),
                           large_print=person is not None and person.preferred_format == "large_print"), status
