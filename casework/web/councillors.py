"""A councillor's own pages (issue 5; POLICY.md §8): raise an enquiry for a constituent or on a ward
matter, "my enquiries" and "my constituents' cases", and a page per case with its progress, the
officer handling it, the replies, and the person's details only where 001 §7.2–7.3 allows
(operations.disclosure; every view of personal data is an audit event).

Councillors see nothing else: every view here needs COUNCILLOR_PAGES (councillors only), and a
case is found through queries.cases (the API's visibility rule: the cases they raised and those
opened from their enquiries); any other reference is "not found".
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..extensions import db
from ..models import Case, CaseKind, Correspondence, Role, User
from ..models.enums import Channel
from ..operations.cases import fetch_service_area_by_name, find_or_create_person, open_case
from ..operations.councillor_updates import follow_up_window, record_follow_up
from ..operations.councillors import fetch_ward_for_postcode, normalise_postcode
from ..operations.disclosure import disclosure_for, person_json, record_disclosure
from ..operations.errors import CaseworkError
from ..operations.policies import UnknownPolicy, fetch_pinned_policy
from ..queries.cases import councillor_case_ids, fetch_case_by_reference, fetch_case_events
from ..queries.queues import fetch_service_areas
from ..workdays import utc_now
from .fields import RadioInput
from .forms import OPTIONAL_EMAIL, BaseForm
from .helpers import amber_until, format_date, humanise, today_london
from .permissions import Permission, requires

bp = Blueprint("councillors", __name__, url_prefix="/councillor")


@bp.before_app_request
def councillors_follow_case_links_to_their_own_page():
    """A link to a case's staff page (in an e-mail sent to staff and the councillor alike, such as
    the escalation notice) takes a councillor to their own page for it, where the disclosure rule
    applies (a case they may not see is not found there)."""
    if request.endpoint == "cases.show" and current_user.is_authenticated and current_user.role == Role.COUNCILLOR:
        return redirect(url_for("councillors.case", reference=request.view_args["reference"]))
    return None

PER_PAGE = 20
SESSION_KEY = "councillor_enquiry"
ENQUIRY = str(CaseKind.MEMBER_ENQUIRY)


# --- queries (indexed: cases.raised_by_id, cases.linked_case_id; one page at a time) -------------

def _my_enquiries(user: User):
    return select(Case).where(Case.raised_by_id == user.id, Case.kind == ENQUIRY)


def _constituents_cases(user: User):
    """The cases they may see (queries.cases.councillor_case_ids, as the API) that are not their
    own enquiries: complaints and requests opened from them, or logged as raised by them."""
    return select(Case).where(Case.id.in_(councillor_case_ids(user)), Case.kind != ENQUIRY)


def _page_of(query, page: int, per_page: int = PER_PAGE):
    rows = list(db.session.execute(
        query.order_by(Case.is_open.desc(), Case.next_due_on.is_(None), Case.next_due_on, Case.received_at.desc(), Case.id.desc())
        .offset((page - 1) * per_page).limit(per_page + 1)
        .options(selectinload(Case.assignee), selectinload(Case.service_area))
    ).scalars())
    return rows[:per_page], len(rows) > per_page


def _count(query) -> tuple[int, int]:
    """(all, open)"""
    sub = query.subquery()
    row = db.session.execute(
        select(func.count(), func.coalesce(func.sum(sql_case((sub.c.is_open.is_(True), 1), else_=0)), 0)).select_from(sub)
    ).one()
    return int(row[0]), int(row[1])


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        abort(404)
    return int(raw)


def _list_context(cases):
    today = today_london()
    return {"cases": cases, "today": today, "amber_last": amber_until(today)}


# --- home and lists ---------------------------------------------------------------------------

@bp.get("/home")
@requires(Permission.COUNCILLOR_PAGES)
def home():
    enquiries, more_enquiries = _page_of(_my_enquiries(current_user), 1, 10)
    cases, more_cases = _page_of(_constituents_cases(current_user), 1, 10)
    today = today_london()
    return render_template(
        "councillors/home.html",
        enquiries=enquiries, more_enquiries=more_enquiries, enquiry_counts=_count(_my_enquiries(current_user)),
        cases=cases, more_cases=more_cases, case_counts=_count(_constituents_cases(current_user)),
        wards=sorted(w.name for w in current_user.wards), today=today, amber_last=amber_until(today),
    )


@bp.get("/enquiries")
@requires(Permission.COUNCILLOR_PAGES)
def enquiries():
    page = _page_number()
    cases, has_next = _page_of(_my_enquiries(current_user), page)
    return render_template("councillors/list.html", title="My enquiries", page=page, has_next=has_next,
                           counts=_count(_my_enquiries(current_user)), endpoint="councillors.enquiries",
                           empty="You have not raised any enquiries yet.", **_list_context(cases))


@bp.get("/cases")
@requires(Permission.COUNCILLOR_PAGES)
def constituents():
    page = _page_number()
    cases, has_next = _page_of(_constituents_cases(current_user), page)
    return render_template("councillors/list.html", title="My constituents' cases", page=page, has_next=has_next,
                           counts=_count(_constituents_cases(current_user)), endpoint="councillors.constituents",
                           empty="None yet. When an enquiry of yours is passed on as a complaint or a service request, "
                                 "it is listed here.", **_list_context(cases))


# --- raise an enquiry (question pages; nothing is stored until the last one) ---------------------

class ForWhomForm(BaseForm):
    for_whom = RadioField(
        "Who is the enquiry for?", widget=RadioInput(),
        choices=[SelectChoice("constituent", "A constituent (a resident or organisation)"),
                 SelectChoice("ward", "A ward matter, not about one person")],
        validators=[InputRequired("Select who the enquiry is for")],
    )


POSTCODE_MESSAGE = "Enter a real postcode, like CV1 2AB"


class ConstituentForm(BaseForm):
    name = StringField("Full name", widget=GovTextInput(), validators=[DataRequired("Enter the constituent's full name"), Length(max=200, message="The name must be 200 characters or fewer")])
    email = StringField("Email address (optional)", widget=GovTextInput(), validators=OPTIONAL_EMAIL)
    phone = StringField("Phone number (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=40, message="The phone number must be 40 characters or fewer")])
    address = TextAreaField("Address (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=500, message="The address must be 500 characters or fewer")])
    postcode = StringField("Postcode", widget=GovTextInput(), description="We use it to find the ward they live in",
                           validators=[DataRequired("Enter the constituent's postcode")])
    acting = RadioField(
        "Are you acting for this person?", widget=RadioInput(),
        description="Say yes only if they asked you to take this up for them. Officers may then share their personal "
                    "information with you where you represent their ward and need it to answer them (001 §7.2).",
        choices=[SelectChoice("yes", "Yes, I am acting for this person"),
                 SelectChoice("no", "No")],
        validators=[InputRequired("Select whether you are acting for this person")],
    )

    def validate_postcode(self, field):
        if normalise_postcode(field.data) is None:
            raise ValidationError(POSTCODE_MESSAGE)


class AboutForm(BaseForm):
    summary = StringField("What is the enquiry about?", widget=GovTextInput(),
                          description="One line, for example: Fly-tipping behind the shops on Foleshill Road",
                          validators=[DataRequired("Enter what the enquiry is about"),
                                      Length(max=300, message="What the enquiry is about must be 300 characters or fewer")])
    description = TextAreaField("More detail (optional)", widget=GovTextArea(),
                                description="What happened, and what you or your constituent want the council to do",
                                validators=[Optional(), Length(max=10000, message="The detail must be 10,000 characters or fewer")])
    service_area = SelectField("Service area (optional)", widget=GovSelect(), choices=[], validate_choice=True, default="",
                               validators=[Optional()])


class ConfirmForm(BaseForm):
    pass


class FollowUpForm(BaseForm):
    text = TextAreaField("Your follow-up", widget=GovTextArea(),
                         description="A further question or a reply to the answer. The officer dealing with it is told.",
                         validators=[DataRequired("Enter your follow-up"),
                                     Length(max=5000, message="The follow-up must be 5,000 characters or fewer")])


STEPS = ("for_whom", "constituent", "about", "check")
STEP_TITLES = {"for_whom": "Who is the enquiry for?", "constituent": "The constituent", "about": "What it is about",
               "check": "Check your enquiry before sending it"}


def _data() -> dict:
    return dict(session.get(SESSION_KEY) or {})


def _save(**values) -> None:
    data = _data()
    data.update(values)
    session[SESSION_KEY] = data


def _step_url(step: str) -> str:
    return url_for("councillors.raise_step", step=step)


def _area_choices():
    return [SelectChoice("", "Not sure"), *[SelectChoice(a.name, a.name) for a in fetch_service_areas()]]


def _back(step: str) -> str:
    d = _data()
    if d.get("changing") and step != "check":
        return _step_url("check")
    previous = {"constituent": "for_whom", "about": "constituent" if d.get("for_whom") == "constituent" else "for_whom",
                "check": "about"}.get(step)
    return _step_url(previous) if previous else url_for("councillors.home")


def _after(step: str) -> str:
    d = _data()
    if step == "for_whom":
        if d.get("for_whom") == "constituent" and not d.get("person"):
            return "constituent"
        return "check" if d.get("changing") and d.get("summary") else ("constituent" if d.get("for_whom") == "constituent" else "about")
    if step == "constituent":
        return "check" if d.get("changing") and d.get("summary") else "about"
    return "check"


def _render_step(step: str, form, **context):
    status = 400 if form is not None and form.errors else 200
    return render_template(f"councillors/raise_{step}.html", form=form, back=_back(step), step_title=STEP_TITLES[step],
                           data=_data(), **context), status


@bp.get("/enquiries/new")
@requires(Permission.COUNCILLOR_PAGES)
def raise_start():
    session[SESSION_KEY] = {}
    return redirect(_step_url("for_whom"))


@bp.route("/enquiries/new/<step>", methods=["GET", "POST"])
@requires(Permission.COUNCILLOR_PAGES)
def raise_step(step: str):
    if step not in STEPS:
        abort(404)
    d = _data()
    if request.args.get("change") == "1":
        _save(changing=True)
    if step != "for_whom" and not d.get("for_whom"):
        return redirect(_step_url("for_whom"))
    if step == "constituent" and d.get("for_whom") != "constituent":
        return redirect(_step_url("about"))
    if step == "check" and (not d.get("summary") or (d.get("for_whom") == "constituent" and not d.get("person"))):
        return redirect(_step_url("about" if d.get("for_whom") == "ward" or d.get("person") else "constituent"))
    return {"for_whom": _for_whom, "constituent": _constituent, "about": _about, "check": _check}[step]()


def _for_whom():
    d = _data()
    form = ForWhomForm() if request.method == "POST" else ForWhomForm(formdata=None, for_whom=d.get("for_whom"))
    if request.method == "POST" and form.validate():
        values = {"for_whom": form.for_whom.data}
        if form.for_whom.data == "ward":
            values["person"] = None
        _save(**values)
        return redirect(_step_url(_after("for_whom")))
    return _render_step("for_whom", form)


def _constituent():
    d = _data()
    if request.method == "POST":
        form = ConstituentForm()
        if form.validate():
            postcode = normalise_postcode(form.postcode.data)
            ward = fetch_ward_for_postcode(postcode)
            _save(person={"name": form.name.data, "email": form.email.data or None, "phone": form.phone.data or None,
                          "address": form.address.data or None, "postcode": postcode,
                          "ward": ward.name if ward is not None else None},
                  acting=form.acting.data == "yes")
            return redirect(_step_url(_after("constituent")))
    else:
        person = d.get("person") or {}
        acting = None if "acting" not in d else ("yes" if d["acting"] else "no")
        form = ConstituentForm(formdata=None, **{k: v for k, v in person.items() if v and k != "ward"}, acting=acting)
    return _render_step("constituent", form)


def _about():
    d = _data()
    if request.method == "POST":
        form = AboutForm()
        form.service_area.choices = _area_choices()
        if form.validate():
            _save(summary=form.summary.data, description=form.description.data or None,
                  service_area=form.service_area.data or None)
            return redirect(_step_url("check"))
    else:
        form = AboutForm(formdata=None, summary=d.get("summary"), description=d.get("description"),
                         service_area=d.get("service_area") or "")
        form.service_area.choices = _area_choices()
    return _render_step("about", form)


def _check():
    d = _data()
    form = ConfirmForm()
    if request.method == "POST" and form.validate():
        try:
            case = _open_enquiry(d)
        except CaseworkError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            session.pop(SESSION_KEY, None)
            flash(f"Enquiry sent: your reference is {case.reference}", "success")
            return redirect(url_for("councillors.case", reference=case.reference))
    return _render_step("check", form)


def _open_enquiry(d: dict) -> Case:
    """The enquiry, opened the way the API opens one for a councillor (POST /api/v1/cases)."""
    person = None
    acting = False
    if d.get("for_whom") == "constituent" and d.get("person"):
        data = dict(d["person"])
        data.pop("ward", None)
        data["ward_obj"] = fetch_ward_for_postcode(data.get("postcode"))
        person = find_or_create_person(data)
        acting = bool(d.get("acting"))
    service_area = fetch_service_area_by_name(d["service_area"]) if d.get("service_area") else None
    return open_case(
        kind=ENQUIRY, procedure=None, received_at=utc_now(), summary=d["summary"], channel=str(Channel.COUNCILLOR),
        description=d.get("description"), person=person, service_area=service_area, raised_by=current_user,
        actor=current_user, councillor_acts_for_person=acting and person is not None,
    )


# --- a case, as its councillor may see it ------------------------------------------------------

def _case_or_404(reference: str) -> Case:
    case = fetch_case_by_reference(reference, current_user)
    if case is None:
        abort(404)
    return case


def _policy(case: Case):
    try:
        return fetch_pinned_policy(case.procedure, case.policy_version)
    except UnknownPolicy:
        return None


SPECIAL_TITLES = {
    "open": "Raised",
    "escalated_to_senior_officer": "Overdue: escalated to the responsible senior officer (001 §7.1)",
    "flagged_for_chief_executive": "Still unanswered: flagged for the Chief Executive (001 §7.1)",
    "councillor_follow_up": "Your follow-up",
    "consent_recorded": "The person's consent to share their details with you was recorded",
}
HIDDEN_EVENTS = {"personal_data_viewed", "assign", "log_contact", "representative_accepted", "representative_refused",
                 "reminder", "breach"}
# Fields of an action a councillor is shown: the council's reply to them, never the person's details.
REPLY_FIELDS = {
    "holding_reply": ("due_on", "reason"),
    "extend": ("due_on", "reason"),
    "rule_inappropriate": ("reason",),
    "respond": ("summary", "outcome"),
    "resolve_informally": ("summary",),
    "withdraw": ("reason",),
    "follow_up": ("summary",),
    "convert": ("procedure",),
    "escalate_to_senior_officer": ("reason",),
}
# For a case of the councillor's own enquiry the replies are to them; on a complaint the reply is to
# the person, so its words are shown only where the disclosure rule allows.
ENQUIRY_KINDS = {str(CaseKind.MEMBER_ENQUIRY)}


def _field_text(action, name: str, value) -> tuple[str, str] | None:
    if value in (None, "", []):
        return None
    field = action.field(name) if action is not None else None
    label = field.label if field is not None else humanise(name)
    if field is not None and field.type == "date":
        return label, format_date(value)
    if field is not None and field.type == "choice":
        option = field.option(value) if not isinstance(value, list) else None
        return label, option.label if option is not None else humanise(value)
    return label, str(value)


def _updates(case: Case, policy, show_replies: bool, councillor: User) -> list[dict]:
    items = []
    for event in fetch_case_events(case):
        if event.action in HIDDEN_EVENTS:
            continue
        data = event.data or {}
        action = None
        if policy is not None and event.action not in SPECIAL_TITLES:
            action = policy.find_action(event.action, event.from_state) if event.from_state else None
            if action is None and policy.variants(event.action):
                action = policy.variants(event.action)[0]
        if event.action == "letter":
            to_them = (data.get("recipient") or "").strip().lower() == councillor.email.lower()
            title = "Letter to you" if to_them else "Letter sent to the person (not shown to councillors)"
            items.append({"at": event.at, "title": title, "details": [], "escalation": False,
                          "letter_id": data.get("correspondence_id") if to_them else None})
            continue
        title = SPECIAL_TITLES.get(event.action) or (action.title if action is not None else humanise(event.action))
        details: list[tuple[str, str]] = []
        withheld = False
        if event.action == "councillor_follow_up":
            details.append(("Follow-up", data.get("text", "")))
        elif event.action in ("escalated_to_senior_officer", "flagged_for_chief_executive"):
            if data.get("due_on"):
                details.append(("Was due", format_date(data["due_on"])))
        else:
            fields = data.get("fields") or {}
            for name in REPLY_FIELDS.get(event.action, ()):
                if name in ("summary", "reason") and not show_replies and fields.get(name):
                    withheld = True
                    continue
                text = _field_text(action, name, fields.get(name))
                if text:
                    details.append(text)
            if data.get("linked_case"):
                details.append(("Passed on as", data["linked_case"]))
        items.append({"at": event.at, "title": title, "details": details, "withheld": withheld,
                      "escalation": event.action in ("escalated_to_senior_officer", "flagged_for_chief_executive")})
    items.reverse()
    return items


def _deadlines(case: Case, policy, today: date, amber_last: date) -> list[dict]:
    rows = []
    for clock in case.clocks:
        if clock.kind != "deadline":
            continue
        definition = policy.clocks.get(clock.name) if policy is not None else None
        if clock.met_on:
            status = "Met late" if clock.met_on > clock.due_on else "Met"
        elif clock.stopped_on:
            status = "Stopped"
        else:
            status = None
        rows.append({"title": definition.title if definition else humanise(clock.name), "clock": clock, "status": status,
                     "changed": clock.due_on != clock.original_due_on})
    return rows


def _latest_fields(case: Case, action: str) -> dict:
    from ..models import Event

    event = db.session.execute(
        select(Event).where(Event.case_id == case.id, Event.action == action).order_by(Event.id.desc()).limit(1)
    ).scalar_one_or_none()
    return dict((event.data or {}).get("fields") or {}) if event is not None else {}


def _related(case: Case) -> dict:
    """The enquiry this case came from and the cases opened from it, as far as the councillor may see them."""
    visible = councillor_case_ids(current_user)
    from_case = None
    if case.linked_case_id is not None:
        from_case = db.session.execute(
            select(Case).where(Case.id == case.linked_case_id, Case.id.in_(visible))).scalar_one_or_none()
    opened = list(db.session.execute(
        select(Case).where(Case.linked_case_id == case.id, Case.id.in_(visible)).order_by(Case.id)).scalars())
    return {"from_case": from_case, "opened": opened}


@bp.get("/cases/<reference>")
@requires(Permission.COUNCILLOR_PAGES)
def case(reference: str):
    case = _case_or_404(reference)
    policy = _policy(case)
    today = today_london()
    amber_last = amber_until(today)
    disclosure = disclosure_for(case, current_user) if case.person is not None else None
    person = None
    if disclosure is not None and disclosure.allowed:
        person = person_json(case)
        record_disclosure(case, current_user, disclosure, "web:councillor_case")
        db.session.commit()
    show_replies = case.kind in ENQUIRY_KINDS or (disclosure is None or disclosure.allowed)
    letters = {
        c.id: c for c in db.session.execute(
            select(Correspondence).where(Correspondence.case_id == case.id, Correspondence.direction == "out",
                                         func.lower(Correspondence.recipient) == current_user.email.lower())
        ).scalars()
    }
    state = policy.states.get(case.state) if policy is not None else None
    return render_template(
        "councillors/case.html",
        case=case, policy=policy, state=state, person=person, disclosure=disclosure, show_replies=show_replies,
        deadlines=_deadlines(case, policy, today, amber_last), updates=_updates(case, policy, show_replies, current_user),
        letters=letters, holding=_latest_fields(case, "holding_reply") if case.kind in ENQUIRY_KINDS else {},
        follow_up=follow_up_window(case, today), related=_related(case), today=today, amber_last=amber_last,
    )


@bp.route("/cases/<reference>/follow-up", methods=["GET", "POST"])
@requires(Permission.COUNCILLOR_PAGES)
def follow_up(reference: str):
    case = _case_or_404(reference)
    window = follow_up_window(case, today_london())
    if window is None:
        flash("You can follow up an answered enquiry only during its follow-up period", "error")
        return redirect(url_for("councillors.case", reference=reference))
    form = FollowUpForm() if request.method == "POST" else FollowUpForm(formdata=None)
    if request.method == "POST" and form.validate():
        try:
            record_follow_up(case, current_user, form.text.data)
        except CaseworkError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash("Follow-up sent to the officer dealing with your enquiry", "success")
            return redirect(url_for("councillors.case", reference=reference))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("councillors/follow_up.html", case=case, form=form, window=window), status
