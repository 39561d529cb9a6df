"""Log a contact: the front door's guided journey (POLICY.md §1–3), one question per page where
that helps. Answers are kept in the session until the check-answers page, where one use case
(operations.web_ops.log_contact) opens the case; it ends on the case page with its reference
and deadlines.

Journey: find the person (or add a new one) → who is contacting (the person, or a
representative with evidence of permission) → how and when → what about → what kind (the
policy's wording) → [complaints: out-of-scope checks with signposting → the 12-month rule →
procedure] → preferences and accessibility → equality monitoring (voluntary) → check answers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Callable

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea
from sqlalchemy import select
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from ..extensions import db
from ..models import Person, Restriction, Role, User, Ward
from ..operations.cases import record_event
from ..operations.errors import CaseworkError
from ..operations.policies import current_policies
from ..operations.restrictions import (
    Assessment, assess_person_contact, record_contact_assessment, record_file_check,
)
from ..operations.web_ops import EQUALITY_FIELDS, ContactDetails, assign_case, log_contact
from ..queries.queues import fetch_open_cases_for_people, fetch_service_areas, fetch_staff, search_people
from ..workdays import LONDON, UTC, utc_now
from . import forms as f
from .fields import RadioInput
from .helpers import format_date, humanise
from .permissions import Permission, requires

bp = Blueprint("contact", __name__, url_prefix="/contacts/new")

SESSION_KEY = "contact"

# The policy's own words to help decide what kind of contact it is (004 §3, §8, §10.3; 001; 003).
KIND_HINTS = {
    "complaint": "“Any expression of dissatisfaction about the standard of service, actions, or lack of action by the "
                 "Council or its employees” (004 §3.1–3.2).",
    "service_request": "A first request for a service, or the first report of a problem, such as a missed bin. Not a "
                       "complaint: it goes to the service, and becomes a complaint only if it is not dealt with properly "
                       "and promptly (004 §3.1, §3.3, §10.3).",
    "comment": "Views or suggestions about a service or policy. Recorded and forwarded to the service; not acknowledged "
               "unless they ask for it (004 §8.1).",
    "compliment": "Praise for a service or a member of staff. Recorded and forwarded to the service for feedback (004 §8.2).",
    "member_enquiry": "From a councillor, usually for a constituent: acknowledged within 2 working days and answered within 5 "
                      "(003 §4.7; 001 §7.1).",
    "mp_enquiry": "From an MP for a constituent: monitored weekly so it is answered in time (004 Appendix C).",
}
KIND_LABELS = {
    "complaint": "Complaint",
    "service_request": "Service request or first report of a problem",
    "comment": "Comment",
    "compliment": "Compliment",
    "member_enquiry": "Councillor enquiry",
    "mp_enquiry": "MP enquiry",
}
COMPLAINT_PROCEDURES = ("corporate", "childrens", "adults")
NOT_A_SCOPE_CHECK = {"out_of_time"}  # asked on its own page (the 12-month rule)


def _data() -> dict:
    return session.setdefault(SESSION_KEY, {})


def _save(**values) -> None:
    data = dict(session.get(SESSION_KEY, {}))
    data.update(values)
    session[SESSION_KEY] = data


def _drop(*keys) -> None:
    data = dict(session.get(SESSION_KEY, {}))
    for key in keys:
        data.pop(key, None)
    session[SESSION_KEY] = data


def _out_of_scope_options():
    return [o for o in current_policies()["corporate"].lists["out_of_scope"] if o.value not in NOT_A_SCOPE_CHECK]


def _out_of_scope(value: str | None):
    for option in current_policies()["corporate"].lists["out_of_scope"]:
        if option.value == value:
            return option
    return None


# --- contact restrictions (004 §18–19; issue 7) ----------------------------------------------------
# Once an existing person is chosen, what is in force for them is shown at the top of every
# following step, and the journey follows it: a call outside the permitted times is flagged, a
# contact for an officer they may not contact goes to the named officer, and correspondence
# about a completed complaint under "file without reply" gets the recorded check. A new
# complaint is never blocked: the restrictions govern only how contact happens.

RESTRICTION_ANSWERS = ("restriction_done", "officer_id", "about_completed", "new_information", "safeguarding",
                       "check_details")
YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


def _assessment(d: dict, *, ignore_answers: bool = False) -> Assessment | None:
    """What the person's restrictions mean for this contact (None before a person and a channel)."""
    if not d.get("person_id") or not d.get("channel") or not d.get("received_on"):
        return None
    about = True if d.get("about_completed") == "yes" and not ignore_answers else None
    officer_id = None if ignore_answers else d.get("officer_id")
    key = (d["person_id"], d["channel"], d["received_on"], d.get("received_time"), officer_id, about, d.get("kind"))
    cache = g.setdefault("contact_assessments", {})
    if key not in cache:
        cache[key] = assess_person_contact(
            d["person_id"], d["channel"], _received_at(date.fromisoformat(d["received_on"]), d["received_time"]),
            officer_id=officer_id, about_completed_case=about,
            new_complaint=d.get("kind") == "complaint")
    return cache[key]


def _restricted(d: dict) -> bool:
    assessment = _assessment(d, ignore_answers=True)
    return assessment is not None and assessment.restricted


def _file_without_reply_restriction(d: dict) -> Restriction | None:
    """The "file without reply" restriction in force for the person, when the contact is not a
    new complaint (a new complaint is never filed without reply)."""
    if not d.get("person_id") or d.get("kind") == "complaint" or not _restricted(d):
        return None
    probe = assess_person_contact(
        d["person_id"], d["channel"], _received_at(date.fromisoformat(d["received_on"]), d["received_time"]),
        about_completed_case=True)
    if not probe.file_without_reply_check_required:
        return None
    return db.session.get(Restriction, probe.file_without_reply_restriction_id)


def _filed(d: dict) -> bool:
    """Correspondence about the completed complaint, checked: nothing new, no safeguarding concern."""
    return (d.get("kind") != "complaint" and d.get("about_completed") == "yes" and d.get("new_information") == "no"
            and d.get("safeguarding") == "no")


class RestrictionCheckForm(f.BaseForm):
    officer = SelectField("Is it for a particular officer?", widget=GovSelect(), validate_choice=False,
                          description="If they asked for someone by name, or wrote to someone. Their restrictions "
                                      "may say who handles their contact.")
    about_completed = RadioField("Is it about their completed complaint?", widget=RadioInput(), choices=YES_NO,
                                 validate_choice=False)
    new_information = RadioField("Does it contain new information?", widget=RadioInput(), choices=YES_NO,
                                 validate_choice=False,
                                 description="Fresh evidence, or something not considered when the complaint was answered.")
    safeguarding = RadioField("Does it raise a safeguarding concern?", widget=RadioInput(), choices=YES_NO,
                              validate_choice=False,
                              description="A risk of harm to them or to anyone else.")
    details = TextAreaField("What is the new information or safeguarding concern?", widget=GovTextArea(),
                            description="For a safeguarding concern, say who you told.",
                            validators=[Length(max=5000)])

    def __init__(self, *args, file_check: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.file_check = file_check

    def validate_about_completed(self, field):
        if self.file_check and field.data not in ("yes", "no"):
            raise ValidationError("Select whether it is about their completed complaint")

    def validate_new_information(self, field):
        if self.file_check and self.about_completed.data == "yes" and field.data not in ("yes", "no"):
            raise ValidationError("Select whether it contains new information")

    def validate_safeguarding(self, field):
        if self.file_check and self.about_completed.data == "yes" and field.data not in ("yes", "no"):
            raise ValidationError("Select whether it raises a safeguarding concern")

    def validate_details(self, field):
        if (self.file_check and self.about_completed.data == "yes"
                and "yes" in (self.new_information.data, self.safeguarding.data) and not field.data):
            raise ValidationError("Enter the new information or safeguarding concern")


# --- the steps and when each applies ------------------------------------------------------------

def _is_complaint(d: dict) -> bool:
    return d.get("kind") == "complaint"


def _declined_by_scope(d: dict) -> bool:
    return _is_complaint(d) and bool(d.get("scope")) and d.get("scope") != "none"


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    applies: Callable[[dict], bool]
    answered: Callable[[dict], bool]


STEPS = (
    Step("find", "Find the person", lambda d: True, lambda d: bool(d.get("person_id") or d.get("person"))),
    Step("person", "Their details", lambda d: not d.get("person_id"), lambda d: bool(d.get("person"))),
    Step("who", "Who is contacting us", lambda d: True, lambda d: bool(d.get("who"))),
    Step("representative", "The representative", lambda d: d.get("who") == "representative",
         lambda d: bool(d.get("representative"))),
    Step("received", "How and when", lambda d: True, lambda d: bool(d.get("channel"))),
    Step("about", "What it is about", lambda d: True, lambda d: bool(d.get("summary"))),
    Step("kind", "What kind of contact", lambda d: True, lambda d: bool(d.get("kind"))),
    Step("restriction", "Their contact restrictions", _restricted, lambda d: bool(d.get("restriction_done"))),
    Step("councillor", "Which councillor", lambda d: d.get("kind") == "member_enquiry", lambda d: bool(d.get("raised_by_id"))),
    Step("mp", "Which MP", lambda d: d.get("kind") == "mp_enquiry", lambda d: bool(d.get("mp_name"))),
    Step("scope", "Can it be considered as a complaint", _is_complaint, lambda d: bool(d.get("scope"))),
    Step("decline", "It cannot be considered", _declined_by_scope, lambda d: "decline_details" in d),
    Step("late", "The 12-month rule", lambda d: _is_complaint(d) and not _declined_by_scope(d), lambda d: bool(d.get("late"))),
    Step("procedure", "Which procedure",
         lambda d: _is_complaint(d) and not _declined_by_scope(d) and d.get("late") != "decline",
         lambda d: bool(d.get("procedure"))),
    Step("preferences", "Contact preferences and accessibility", lambda d: True, lambda d: "preferences" in d),
    Step("equality", "Equality monitoring", lambda d: True, lambda d: bool(d.get("equality_answer"))),
    Step("equality_questions", "Equality questions", lambda d: d.get("equality_answer") == "yes", lambda d: "equality" in d),
    Step("check", "Check your answers", lambda d: True, lambda d: False),
)
# Correspondence filed without reply after the check needs nothing more than the check answers.
_SKIPPED_WHEN_FILED = {"councillor", "mp", "scope", "decline", "late", "procedure", "preferences", "equality",
                       "equality_questions"}


def _unless_filed(applies: Callable[[dict], bool]) -> Callable[[dict], bool]:
    return lambda d: applies(d) and not _filed(d)


STEPS = tuple(Step(s.name, s.title, _unless_filed(s.applies), s.answered) if s.name in _SKIPPED_WHEN_FILED else s
              for s in STEPS)
STEP_NAMES = [s.name for s in STEPS]


def _next(after: str) -> str:
    d = _data()
    if d.get("changing"):
        for step in STEPS:
            if step.name != "check" and step.applies(d) and not step.answered(d):
                return step.name
        return "check"
    index = STEP_NAMES.index(after)
    for step in STEPS[index + 1:]:
        if step.applies(d):
            return step.name
    return "check"


def _previous(current: str) -> str | None:
    d = _data()
    index = STEP_NAMES.index(current)
    for step in reversed(STEPS[:index]):
        if step.applies(d):
            return step.name
    return None


def _go(step: str):
    return redirect(url_for("contact.step", step_name=step))


def _render(name: str, form, **context):
    prev = _previous(name)
    back = url_for("contact.step", step_name="check") if _data().get("changing") and name != "check" else (
        url_for("contact.step", step_name=prev) if prev else url_for("main.home"))
    step = STEPS[STEP_NAMES.index(name)]
    status = 400 if form is not None and form.errors else 200
    d = _data()
    context.setdefault("restriction_assessment", _assessment(d) if name != "find" else None)
    return render_template(f"contact/{name}.html", form=form, step=step, back=back, data=d, **context), status


# --- views -----------------------------------------------------------------------------------------

@bp.get("/")
@requires(Permission.LOG_CONTACT)
def start():
    session[SESSION_KEY] = {}
    return _go("find")


@bp.route("/<step_name>", methods=["GET", "POST"])
@requires(Permission.LOG_CONTACT)
def step(step_name: str):
    name = step_name
    if name not in STEP_NAMES:
        abort(404)
    d = _data()
    if request.args.get("change") == "1":
        _save(changing=True)
    if name == "person" and request.args.get("new") == "1":
        _drop("person_id")
        d = _data()
    step_def = STEPS[STEP_NAMES.index(name)]
    if name != "find" and not d.get("person_id") and not d.get("person") and name != "person":
        return _go("find")
    if not step_def.applies(d):
        return _go(_next(name))
    return HANDLERS[name]()


def _find():
    d = _data()
    if request.method == "POST":
        person_id = request.form.get("person_id", "")
        if person_id.isdigit() and db.session.get(Person, int(person_id)) is not None:
            _drop("person", *RESTRICTION_ANSWERS)
            _save(person_id=int(person_id))
            return _go(_next("find"))
        abort(400)
    form = f.FindPersonForm(request.args)
    searched = any(request.args.get(k) for k in ("name", "email", "phone", "postcode"))
    people, open_cases = [], {}
    if searched and form.validate():
        people = search_people(name=form.name.data or "", email=form.email.data or "", phone=form.phone.data or "",
                               postcode=form.postcode.data or "")
        open_cases = fetch_open_cases_for_people(current_user, [p.id for p in people])
    elif not searched:
        form = f.FindPersonForm(formdata=None)
    chosen = db.session.get(Person, d["person_id"]) if d.get("person_id") else None
    return _render("find", form, people=people, open_cases=open_cases, searched=searched, chosen=chosen)


def _ward_choices():
    wards = db.session.execute(select(Ward).order_by(Ward.name)).scalars()
    return [SelectChoice("", "Not known"), *[SelectChoice(str(w.id), w.name) for w in wards]]


def _person():
    d = _data()
    if request.method == "POST":
        form = f.PersonForm()
        form.ward.choices = _ward_choices()
        if form.validate():
            _drop("person_id")
            _save(person={"name": form.name.data, "email": form.email.data or None, "phone": form.phone.data or None,
                          "address": form.address.data or None, "postcode": (form.postcode.data or "").upper() or None,
                          "ward_id": int(form.ward.data) if form.ward.data else None})
            return _go(_next("person"))
    else:
        existing = d.get("person") or {}
        prefill = {k: request.args.get(k) for k in ("name", "email", "phone", "postcode") if request.args.get(k)}
        form = f.PersonForm(formdata=None, **{**prefill, **{k: v for k, v in existing.items() if v and k != "ward_id"}},
                            ward=str(existing.get("ward_id") or ""))
        form.ward.choices = _ward_choices()
    return _render("person", form)


def _who():
    d = _data()
    form = f.WhoForm() if request.method == "POST" else f.WhoForm(formdata=None, who=d.get("who"))
    if request.method == "POST" and form.validate():
        _save(who=form.who.data)
        if form.who.data == "self":
            _drop("representative")
        return _go(_next("who"))
    return _render("who", form)


def _representative():
    d = _data()
    if request.method == "POST":
        form = f.RepresentativeForm()
        if form.validate():
            _save(representative={
                "name": form.name.data, "relationship": form.relationship.data, "email": form.email.data or None,
                "phone": form.phone.data or None, "consent_evidence": form.consent_evidence.data,
                "consent_received_on": form.consent_received_on.data.isoformat() if form.consent_received_on.data else None,
            })
            return _go(_next("representative"))
    else:
        rep = dict(d.get("representative") or {})
        if rep.get("consent_received_on"):
            rep["consent_received_on"] = date.fromisoformat(rep["consent_received_on"])
        form = f.RepresentativeForm(formdata=None, **rep)
    return _render("representative", form)


def _received_at(received_on: date, received_time: str) -> datetime:
    hours, minutes = (int(x) for x in received_time.replace(".", ":").split(":"))
    return datetime.combine(received_on, time(hours, minutes), tzinfo=LONDON).astimezone(UTC)


def _received():
    d = _data()
    if request.method == "POST":
        form = f.ReceivedForm()
        if form.validate():
            at = _received_at(form.received_on.data, form.received_time.data)
            if at > utc_now():
                form.received_on.errors.append("The date and time received must be now or in the past")
            else:
                _save(channel=form.channel.data, received_on=form.received_on.data.isoformat(),
                      received_time=form.received_time.data.replace(".", ":"))
                return _go(_next("received"))
    else:
        now = datetime.now(LONDON)
        form = f.ReceivedForm(
            formdata=None, channel=d.get("channel"),
            received_on=date.fromisoformat(d["received_on"]) if d.get("received_on") else now.date(),
            received_time=d.get("received_time") or f"{now:%H:%M}",
        )
    return _render("received", form)


def _area_choices():
    return [SelectChoice("", "Not known yet"), *[SelectChoice(str(a.id), a.name) for a in fetch_service_areas()]]


def _about():
    d = _data()
    if request.method == "POST":
        form = f.AboutForm()
        form.service_area.choices = _area_choices()
        if form.validate():
            _save(summary=form.summary.data, description=form.description.data or None,
                  service_area_id=int(form.service_area.data) if form.service_area.data else None)
            return _go(_next("about"))
    else:
        form = f.AboutForm(formdata=None, summary=d.get("summary"), description=d.get("description"),
                           service_area=str(d.get("service_area_id") or ""))
        form.service_area.choices = _area_choices()
    return _render("about", form)


def _kind():
    d = _data()
    form = f.KindForm() if request.method == "POST" else f.KindForm(formdata=None, kind=d.get("kind"))
    form.kind.choices = [SelectChoice(k, v) for k, v in KIND_LABELS.items()]
    if request.method == "POST" and form.validate():
        if form.kind.data != d.get("kind"):
            _drop("scope", "decline_details", "late", "late_reason", "procedure", "raised_by_id", "mp_name",
                  *RESTRICTION_ANSWERS)
        _save(kind=form.kind.data)
        return _go(_next("kind"))
    return _render("kind", form, hints=KIND_HINTS)


def _restriction():
    d = _data()
    fwr = _file_without_reply_restriction(d)
    choices = [SelectChoice("", "No particular officer"),
               *[SelectChoice(str(u.id), u.name) for u in fetch_staff()]]
    if request.method == "POST":
        form = RestrictionCheckForm(file_check=fwr is not None)
    else:
        form = RestrictionCheckForm(
            formdata=None, file_check=fwr is not None, officer=str(d.get("officer_id") or ""),
            about_completed=d.get("about_completed"), new_information=d.get("new_information"),
            safeguarding=d.get("safeguarding"), details=d.get("check_details"))
    form.officer.choices = choices
    if request.method == "POST" and form.validate():
        officer = form.officer.data
        if officer and not (officer.isdigit() and any(c.value == officer for c in choices)):
            form.officer.errors = ["Choose an officer from the list"]
        else:
            about = form.about_completed.data if fwr is not None else None
            checked = about == "yes"
            _save(restriction_done=True, officer_id=int(officer) if officer else None, about_completed=about,
                  new_information=form.new_information.data if checked else None,
                  safeguarding=form.safeguarding.data if checked else None,
                  check_details=(form.details.data or None) if checked else None)
            return _go(_next("restriction"))
    return _render("restriction", form, file_check=fwr)


def _councillor_choices():
    users = db.session.execute(
        select(User).where(User.role == Role.COUNCILLOR, User.is_active_user.is_(True)).order_by(User.name)
    ).scalars()
    return [SelectChoice("", "Choose a councillor"), *[SelectChoice(str(u.id), u.name) for u in users]]


def _councillor():
    d = _data()
    form = f.CouncillorForm() if request.method == "POST" else f.CouncillorForm(formdata=None, raised_by=str(d.get("raised_by_id") or ""))
    form.raised_by.choices = _councillor_choices()
    if request.method == "POST" and form.validate():
        _save(raised_by_id=int(form.raised_by.data))
        return _go(_next("councillor"))
    return _render("councillor", form)


def _mp():
    d = _data()
    form = f.MPForm() if request.method == "POST" else f.MPForm(formdata=None, mp_name=d.get("mp_name"))
    if request.method == "POST" and form.validate():
        _save(mp_name=form.mp_name.data)
        return _go(_next("mp"))
    return _render("mp", form)


def _scope():
    d = _data()
    form = f.ScopeForm() if request.method == "POST" else f.ScopeForm(formdata=None, reason=d.get("scope"))
    options = _out_of_scope_options()
    form.reason.choices = [*[SelectChoice(o.value, o.label) for o in options],
                           SelectChoice("none", "None of these: it can be considered as a complaint")]
    if request.method == "POST" and form.validate():
        if form.reason.data == "none":
            _drop("decline_details")
        _save(scope=form.reason.data)
        return _go(_next("scope"))
    return _render("scope", form, options=options)


def _decline():
    d = _data()
    option = _out_of_scope(d.get("scope"))
    form = f.DeclineForm() if request.method == "POST" else f.DeclineForm(formdata=None, details=d.get("decline_details"))
    if request.method == "POST" and form.validate():
        _save(decline_details=form.details.data or "")
        return _go(_next("decline"))
    return _render("decline", form, option=option)


def _late():
    d = _data()
    form = f.LateForm() if request.method == "POST" else f.LateForm(formdata=None, late=d.get("late"), late_reason=d.get("late_reason"))
    if request.method == "POST" and form.validate():
        _save(late=form.late.data, late_reason=form.late_reason.data if form.late.data == "accept" else None)
        if form.late.data == "decline":
            _drop("procedure")
        return _go(_next("late"))
    return _render("late", form, out_of_time=_out_of_scope("out_of_time"))


def _procedure():
    d = _data()
    policies = current_policies()
    form = f.ProcedureForm() if request.method == "POST" else f.ProcedureForm(formdata=None, procedure=d.get("procedure"))
    form.procedure.choices = [SelectChoice(k, policies[k].title) for k in COMPLAINT_PROCEDURES if k in policies]
    if request.method == "POST" and form.validate():
        _save(procedure=form.procedure.data)
        return _go(_next("procedure"))
    return _render("procedure", form, descriptions={k: policies[k].description for k in COMPLAINT_PROCEDURES if k in policies})


def _existing_preferences(d: dict) -> dict:
    if "preferences" in d:
        return d["preferences"]
    person = db.session.get(Person, d["person_id"]) if d.get("person_id") else None
    if person is None:
        return {}
    return {"preferred_contact_method": person.preferred_contact_method, "preferred_format": person.preferred_format,
            "other_needs": person.accessibility_needs, "language": person.language,
            "interpreter": "yes" if person.interpreter_needed else None}


def _preferences():
    d = _data()
    if request.method == "POST":
        form = f.PreferencesForm()
        if form.validate():
            _save(preferences={
                "preferred_contact_method": form.preferred_contact_method.data or None,
                "preferred_format": form.preferred_format.data or None,
                "needs": form.needs.data or [],
                "other_needs": form.other_needs.data or None,
                "language": form.language.data or None,
                "interpreter": form.interpreter.data or None,
            })
            return _go(_next("preferences"))
    else:
        form = f.PreferencesForm(formdata=None, **{k: v for k, v in _existing_preferences(d).items() if v})
    return _render("preferences", form)


def _equality():
    d = _data()
    form = f.EqualityAskForm() if request.method == "POST" else f.EqualityAskForm(formdata=None, answer=d.get("equality_answer"))
    if request.method == "POST" and form.validate():
        _save(equality_answer=form.answer.data)
        if form.answer.data != "yes":
            _drop("equality")
        return _go(_next("equality"))
    return _render("equality", form)


def _equality_questions():
    d = _data()
    form = f.EqualityForm() if request.method == "POST" else f.EqualityForm(formdata=None, **(d.get("equality") or {}))
    if request.method == "POST" and form.validate():
        _save(equality={k: form[k].data or None for k in EQUALITY_FIELDS})
        return _go(_next("equality_questions"))
    return _render("equality_questions", form)


# --- check answers and log ---------------------------------------------------------------------------

def _accessibility_text(prefs: dict) -> str | None:
    parts = [f.NEEDS_LABELS[n] for n in prefs.get("needs") or [] if n in f.NEEDS_LABELS]
    if prefs.get("other_needs"):
        parts.append(prefs["other_needs"])
    return "; ".join(parts) or None


def _details(d: dict) -> ContactDetails:
    prefs = d.get("preferences") or {}
    complaint = _is_complaint(d)
    decline_reason = None
    if complaint and _declined_by_scope(d):
        decline_reason = d["scope"]
    elif complaint and d.get("late") == "decline":
        decline_reason = "out_of_time"
    procedure = None
    if complaint:
        procedure = d.get("procedure") if not decline_reason else "corporate"
    equality = None
    if d.get("equality_answer") == "declined":
        equality = {"declined": True}
    elif d.get("equality_answer") == "yes":
        equality = {"declined": False, **(d.get("equality") or {})}
    preferences = {
        "preferred_contact_method": prefs.get("preferred_contact_method"),
        "preferred_format": prefs.get("preferred_format"),
        "accessibility_needs": _accessibility_text(prefs),
        "language": prefs.get("language"),
        "interpreter_needed": prefs.get("interpreter") == "yes",
    } if prefs else {}
    return ContactDetails(
        kind=d["kind"],
        channel=d["channel"],
        received_at=_received_at(date.fromisoformat(d["received_on"]), d["received_time"]),
        summary=d["summary"],
        description=d.get("description"),
        procedure=procedure,
        service_area_id=d.get("service_area_id"),
        person_id=d.get("person_id"),
        person=d.get("person"),
        preferences=preferences,
        representative=d.get("representative") if d.get("who") == "representative" else None,
        equality=equality,
        raised_by_id=d.get("raised_by_id") if d["kind"] == "member_enquiry" else None,
        decline_reason=decline_reason,
        decline_details=d.get("decline_details") or None,
        late_reason=d.get("late_reason") if complaint and d.get("late") == "accept" else None,
        events_over_12_months=complaint and d.get("late") in ("accept", "decline"),
        mp_name=d.get("mp_name") if d["kind"] == "mp_enquiry" else None,
    )


def _check_rows(d: dict) -> list[dict]:
    """Sections of the check-answers page: (heading, rows of (question, answer, step to change))."""
    def change(step_name: str) -> str:
        return url_for("contact.step", step_name=step_name, change="1")

    person = db.session.get(Person, d["person_id"]) if d.get("person_id") else None
    new = d.get("person") or {}
    ward = db.session.get(Ward, new["ward_id"]).name if new.get("ward_id") else None
    sections = []
    if person is not None:
        sections.append(("The person", [("Person", f"{person.name} (existing record)", "find")]))
    else:
        sections.append(("The person", [
            ("Name", new.get("name"), "person"), ("Email", new.get("email") or "Not given", "person"),
            ("Phone", new.get("phone") or "Not given", "person"),
            ("Address", " ".join(filter(None, [new.get("address"), new.get("postcode")])) or "Not given", "person"),
            ("Ward", ward or "Not known", "person"),
        ]))
    rows = [("Who is contacting us", "A representative" if d.get("who") == "representative" else "The person themselves", "who")]
    rep = d.get("representative") if d.get("who") == "representative" else None
    if rep:
        rows += [("Representative", f"{rep['name']} ({rep['relationship']})", "representative"),
                 ("Evidence of permission", rep.get("consent_evidence"), "representative"),
                 ("Permission received", format_date(rep.get("consent_received_on")) or "Not yet", "representative")]
    sections.append(("Who is contacting us", rows))
    area = next((a.name for a in fetch_service_areas() if a.id == d.get("service_area_id")), None)
    contact_rows = [
        ("How", f.CHANNEL_LABELS.get(d.get("channel"), humanise(d.get("channel"))), "received"),
        ("When", f"{format_date(d.get('received_on'))} at {d.get('received_time')}", "received"),
        ("Summary", d.get("summary"), "about"),
        ("What happened", d.get("description") or "Not given", "about"),
        ("Service area", area or "Not known yet", "about"),
        ("Kind", KIND_LABELS.get(d.get("kind"), ""), "kind"),
    ]
    if d.get("kind") == "member_enquiry" and d.get("raised_by_id"):
        councillor = db.session.get(User, d["raised_by_id"])
        contact_rows.append(("Councillor", councillor.name if councillor else "", "councillor"))
    if d.get("kind") == "mp_enquiry":
        contact_rows.append(("MP", d.get("mp_name"), "mp"))
    sections.append(("The contact", contact_rows))
    if _is_complaint(d):
        triage = []
        if _declined_by_scope(d):
            option = _out_of_scope(d.get("scope"))
            triage.append(("Outside the complaints policy", option.label if option else d.get("scope"), "scope"))
            triage.append(("What happens", "It is recorded and declined, with the signposting in the letter", "scope"))
        else:
            triage.append(("Outside the complaints policy", "No", "scope"))
            late = {"no": "No, within 12 months", "accept": "Yes, accepted late: " + (d.get("late_reason") or ""),
                    "decline": "Yes, no good reason: it is recorded and declined"}.get(d.get("late"), "")
            triage.append(("Events more than 12 months ago", late, "late"))
            if d.get("procedure"):
                triage.append(("Procedure", current_policies()[d["procedure"]].title, "procedure"))
        sections.append(("Triage", triage))
    if _restricted(d):
        sections.append(("Contact restrictions", _restriction_rows(d)))
    if _filed(d):
        return [(heading, [{"key": q, "value": a or "", "href": change(s)} for q, a, s in rows]) for heading, rows in sections]
    prefs = d.get("preferences") or {}
    sections.append(("Preferences and accessibility", [
        ("Contact them by", f.CONTACT_METHOD_LABELS.get(prefs.get("preferred_contact_method"), "No preference"), "preferences"),
        ("Format", f.FORMAT_LABELS.get(prefs.get("preferred_format"), "Standard"), "preferences"),
        ("Accessibility needs", _accessibility_text(prefs) or "None", "preferences"),
        ("Language", prefs.get("language") or "English", "preferences"),
        ("Interpreter", "Yes" if prefs.get("interpreter") == "yes" else "No", "preferences"),
    ]))
    answer = {"yes": "Answered", "declined": "Prefers not to answer", "not_asked": "Not asked"}.get(d.get("equality_answer"), "")
    sections.append(("Equality monitoring (voluntary)", [("Equality monitoring", answer, "equality")]))
    return [(heading, [{"key": q, "value": a or "", "href": change(s)} for q, a, s in rows]) for heading, rows in sections]


def _restriction_rows(d: dict) -> list[tuple[str, str, str]]:
    assessment = _assessment(d)
    officer = db.session.get(User, d["officer_id"]) if d.get("officer_id") else None
    rows = [("For a particular officer", officer.name if officer else "No", "restriction")]
    if assessment is not None and assessment.route_to_officer_id:
        rows.append(("Goes to", f"{assessment.route_to_officer_name}: the new case is assigned to them, "
                                "as their restrictions say", "restriction"))
    if d.get("about_completed"):
        rows.append(("About their completed complaint", "Yes" if d["about_completed"] == "yes" else "No", "restriction"))
    if d.get("about_completed") == "yes":
        rows.append(("New information", "Yes" if d.get("new_information") == "yes" else "No", "restriction"))
        rows.append(("Safeguarding concern", "Yes" if d.get("safeguarding") == "yes" else "No", "restriction"))
        if d.get("check_details"):
            rows.append(("Details", d["check_details"], "restriction"))
        rows.append(("What happens", "Filed without reply: the check is recorded (004 §19.4)" if _filed(d)
                     else "Logged and handled as usual: the check is recorded (004 §19.4)", "restriction"))
    if assessment is not None and "phone_outside_permitted_times" in assessment.flags:
        rows.append(("Call outside their permitted times", "Yes: flagged on the case", "received"))
    return rows


def _file_without_reply(d: dict, assessment: Assessment | None):
    """The check says: nothing new, no safeguarding concern. File it without reply (no new case)."""
    restriction = _file_without_reply_restriction(d)
    if restriction is None:
        raise CaseworkError("Their file-without-reply restriction is no longer in force: log the contact as usual",
                            "restriction")
    received_on = date.fromisoformat(d["received_on"])
    record_file_check(restriction, received_on=received_on, summary=d["summary"], new_information=False,
                      safeguarding_concern=False, actor=current_user)
    if assessment is not None:
        record_contact_assessment(
            d["person_id"], assessment, channel=d["channel"],
            at=_received_at(received_on, d["received_time"]), actor=current_user, case=restriction.case,
            summary=d["summary"], action_taken="Read, checked for new information and safeguarding concerns, "
                                               "and filed without reply (004 §19.4)")
    return restriction


def _enforce(case, d: dict, assessment: Assessment | None) -> list[str]:
    """After logging: follow the person's restrictions for the new case, and record how."""
    if assessment is None or not assessment.restricted:
        return []
    actions: list[str] = []
    if assessment.route_to_officer_id and case.is_open:
        officer = db.session.get(User, assessment.route_to_officer_id)
        if officer is not None and officer.is_active:
            assign_case(case, officer, actor=current_user)
            actions.append(f"Assigned to {officer.name}, as their contact restrictions say")
    if d.get("about_completed") == "yes":
        restriction = _file_without_reply_restriction(d)
        if restriction is not None:
            new_info, safeguarding = d.get("new_information") == "yes", d.get("safeguarding") == "yes"
            record_file_check(
                restriction, received_on=date.fromisoformat(d["received_on"]), summary=d["summary"],
                new_information=new_info, safeguarding_concern=safeguarding, actor=current_user,
                new_information_details=d.get("check_details") if new_info else None,
                safeguarding_details=d.get("check_details") if safeguarding else None)
            actions.append("Checked for new information and safeguarding concerns: handled as a new contact")
    if "phone_outside_permitted_times" in assessment.flags:
        actions.append("Flagged: a call outside the times they may phone")
    if assessment.new_complaint:
        actions.append("A new complaint: logged and handled under the complaints procedure")
    at = _received_at(date.fromisoformat(d["received_on"]), d["received_time"])
    record_event(case, "contact_restrictions", current_user, {
        "flags": list(assessment.flags), "messages": list(assessment.messages),
        "route_to": assessment.route_to_officer_name, "actions": actions, "cite": "004 §19",
    })
    record_contact_assessment(d["person_id"], assessment, channel=d["channel"], at=at, actor=current_user, case=case,
                              summary=d["summary"], action_taken="; ".join(actions) or "Shown to staff")
    return actions


def _log(d: dict, assessment: Assessment | None):
    case = log_contact(_details(d), actor=current_user)
    return case, _enforce(case, d, assessment)


def _done(form, work: Callable):
    """Run one use case for the check page: commit and end the journey, or show its refusal."""
    try:
        result = work()
    except CaseworkError as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        return None
    db.session.commit()
    session.pop(SESSION_KEY, None)
    return result


def _check():
    d = _data()
    missing = [s for s in STEPS if s.name != "check" and s.applies(d) and not s.answered(d)]
    if missing:
        return _go(missing[0].name)
    form = f.ConfirmForm()
    assessment = _assessment(d)
    if request.method == "POST" and form.validate():
        if _filed(d):
            restriction = _done(form, lambda: _file_without_reply(d, assessment))
            if restriction is not None:
                flash("Filed without reply: the check for new information and safeguarding concerns is recorded "
                      "(004 §19.4)", "success")
                if restriction.case is not None:
                    return redirect(url_for("cases.show", reference=restriction.case.reference))
                return redirect(url_for("search.person", person_id=d["person_id"]))
        else:
            logged = _done(form, lambda: _log(d, assessment))
            if logged is not None:
                case, actions = logged
                what = "declined (outside the complaints policy)" if not case.is_open else "logged"
                flash(" ".join([f"Contact {what}: reference {case.reference}.", *[a + "." for a in actions]]), "success")
                return redirect(url_for("cases.show", reference=case.reference))
    _save(changing=True)
    return _render("check", form, sections=_check_rows(d), filed=_filed(d))


HANDLERS = {
    "find": _find, "person": _person, "who": _who, "representative": _representative, "received": _received,
    "about": _about, "kind": _kind, "restriction": _restriction, "councillor": _councillor, "mp": _mp, "scope": _scope, "decline": _decline,
    "late": _late, "procedure": _procedure, "preferences": _preferences, "equality": _equality,
    "equality_questions": _equality_questions, "check": _check,
}
