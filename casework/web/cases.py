"""The case page, its action pages (forms generated from the policy) and assignment.

Views stay thin: they parse the form, call one use case (take_action, assign_case...) and
render; the request commits once.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Correspondence, EqualityMonitoring, Representation, User
from ..operations.cases import available_actions, explain_clock, take_action
from ..operations.disclosure import person_for_viewer
from ..operations.errors import CaseworkError, StaleVersion
from ..operations.policies import fetch_pinned_policy
from ..operations.web_ops import assign_case, decide_representation
from ..queries.cases import fetch_case_by_reference, fetch_case_events
from ..queries.queues import fetch_staff
from .action_forms import action_values, attach_refusal, build_action_form, field_params, form_name
from .forms import AssignForm, RepresentativeDecisionForm
from .helpers import amber_until, format_date, humanise, today_london
from .letters import letter_for_effects
from .permissions import Permission, can, requires

bp = Blueprint("cases", __name__, url_prefix="/cases")


def case_or_404(reference: str):
    case = fetch_case_by_reference(reference, current_user)
    if case is None:
        abort(404)
    return case


# --- describing events for the timeline -----------------------------------------------------

SPECIAL_EVENTS = {
    "open": "Case opened",
    "log_contact": "Contact logged",
    "assign": "Assigned",
    "letter": "Letter",
    "representative_accepted": "Representative accepted",
    "representative_refused": "Representative refused",
    "reminder": "Reminder sent",
    "breach": "Deadline missed",
    "escalated_to_senior_officer": "Overdue: escalated to the responsible senior officer (001 §7.1)",
    "flagged_for_chief_executive": "Still unanswered: flagged for the Chief Executive (001 §7.1)",
    "contact_restrictions": "Contact restrictions followed (004 §19)",
    "restriction_file_check": "Correspondence checked under “file without reply” (004 §19.4)",
}


def _value_text(policy_field, value) -> str:
    if value is None or value == "":
        return ""
    if policy_field is not None and policy_field.type == "choice":
        values = value if isinstance(value, list) else [value]
        labels = [(policy_field.option(v).label if policy_field.option(v) else humanise(v)) for v in values]
        return "; ".join(labels)
    if policy_field is not None and policy_field.type == "boolean":
        return "Yes" if value in (True, "true", "yes") else "No"
    if policy_field is not None and policy_field.type == "date":
        return format_date(value)
    if policy_field is not None and policy_field.type == "money":
        return f"£{value}"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def describe_event(event, policy) -> dict:
    """Title and details of one audit event, in the policy's words."""
    data = event.data or {}
    details: list[tuple[str, str]] = []
    title = SPECIAL_EVENTS.get(event.action)
    if event.action == "assign":
        title = f"Assigned to {data.get('to_name') or data.get('to')}" if data.get("to") else "Unassigned"
    elif event.action == "letter":
        verb = "printed for posting" if data.get("status") == "printed" else "sent"
        title = f"Letter {verb}: {data.get('subject', '')}"
        if data.get("recipient"):
            details.append(("To", data["recipient"]))
    elif event.action == "open":
        title = "Case opened"
        if data.get("deemed_received_on"):
            details.append(("Deemed received", format_date(data["deemed_received_on"])))
    elif event.action == "log_contact":
        if data.get("channel"):
            details.append(("Channel", humanise(data["channel"])))
        if data.get("representative"):
            details.append(("Representative", data["representative"]))
        if data.get("late_acceptance_reason"):
            details.append(("Accepted after 12 months because", data["late_acceptance_reason"]))
        if data.get("equality_monitoring"):
            details.append(("Equality monitoring", humanise(data["equality_monitoring"])))
    elif event.action in ("escalated_to_senior_officer", "flagged_for_chief_executive"):
        if data.get("due_on"):
            details.append(("Was due", format_date(data["due_on"])))
        if data.get("notified"):
            details.append(("Told", ", ".join(data["notified"])))
        if data.get("chief_executive_on"):
            details.append(("Chief Executive flag if still unanswered on", format_date(data["chief_executive_on"])))
    elif event.action == "contact_restrictions":
        for message in data.get("messages") or []:
            details.append(("Restriction", message))
        if data.get("route_to"):
            details.append(("Routed to", data["route_to"]))
        for action in data.get("actions") or []:
            details.append(("Done", action))
    elif event.action == "restriction_file_check":
        details.append(("New information", "Yes" if data.get("new_information") else "No"))
        details.append(("Safeguarding concern", "Yes" if data.get("safeguarding_concern") else "No"))
        details.append(("Outcome", "Passed on for a reply" if data.get("outcome") == "reply" else "Filed without reply"))
    elif event.action.startswith("representative_"):
        if data.get("representative"):
            details.append(("Representative", data["representative"]))
        if data.get("reason"):
            details.append(("Reason", data["reason"]))
    elif policy is not None:
        action = policy.find_action(event.action, event.from_state) if event.from_state else None
        if action is None and policy.variants(event.action):
            action = policy.variants(event.action)[0]
        title = action.title if action else humanise(event.action)
        for name, value in (data.get("fields") or {}).items():
            policy_field = action.field(name) if action else None
            text = _value_text(policy_field, value)
            if text:
                details.append((policy_field.label if policy_field else humanise(name), text))
        if data.get("to_procedure"):
            details.append(("New procedure", humanise(data["to_procedure"])))
    if title is None:
        title = humanise(event.action)
    changes = []
    for change in data.get("clock_changes") or []:
        clock = policy.clocks.get(change.get("clock")) if policy else None
        name = clock.title if clock else humanise(change.get("clock"))
        what = change.get("change")
        if what == "met":
            changes.append(f"{name}: met")
        elif what == "stopped":
            changes.append(f"{name}: stopped")
        elif change.get("due_on"):
            changes.append(f"{name}: due {format_date(change['due_on'])}")
    return {"title": title, "details": details, "clock_changes": changes}


def _timeline(case, policy) -> list[dict]:
    events = fetch_case_events(case)
    letters = {
        c.id: c for c in db.session.execute(
            select(Correspondence).where(Correspondence.case_id == case.id).order_by(Correspondence.id)
        ).scalars()
    }
    items = []
    linked = set()
    for event in events:
        entry = describe_event(event, policy)
        entry.update(at=event.at, actor=event.actor, action=event.action, state=event.to_state)
        letter_id = (event.data or {}).get("correspondence_id")
        if letter_id in letters:
            entry["letter"] = letters[letter_id]
            linked.add(letter_id)
        items.append(entry)
    for letter in letters.values():
        if letter.id in linked:
            continue
        direction = "received" if letter.direction == "in" else letter.status
        items.append({"title": f"Letter {direction}: {letter.subject}", "details": [], "clock_changes": [],
                      "at": letter.sent_at or letter.created_at, "actor": "", "action": "letter", "letter": letter})
    items.sort(key=lambda i: i["at"], reverse=True)
    return items


def _readable_steps(steps: list[dict], clock, definition, policy) -> list[dict]:
    """The engine names clocks and actions by key; people read their titles."""
    out = []
    for step in steps:
        text = step.get("text", "")
        if definition is not None:
            text = text.replace(clock.name, definition.title, 1)
        if policy is not None and clock.started_by in policy.actions:
            text = text.replace(f"“{clock.started_by}”", f"“{policy.actions[clock.started_by].title}”")
        out.append({**step, "text": text})
    return out


def _deadlines(case, policy, today: date, amber_last: date) -> list[dict]:
    rows = []
    for clock in case.clocks:
        definition = policy.clocks.get(clock.name) if policy else None
        running = clock.met_on is None and clock.stopped_on is None
        if clock.met_on:
            status = ("Met late" if clock.met_on > clock.due_on and clock.kind == "deadline" else "Met", "govuk-tag--blue")
        elif clock.stopped_on:
            status = ("Stopped", "govuk-tag--grey")
        elif clock.paused_since:
            status = ("Paused", "govuk-tag--purple")
        elif clock.kind == "window":
            status = ("Open" if clock.due_on >= today else "Closed", "govuk-tag--grey")
        else:
            status = None
        rows.append({
            "clock": clock,
            "title": definition.title if definition else humanise(clock.name),
            "cite": definition.cite if definition else "",
            "running": running,
            "status": status,
            "steps": _readable_steps(explain_clock(case, clock), clock, definition, policy),
            "extensions": clock.extensions or [],
        })
    return rows


@bp.get("/<reference>")
@requires(Permission.VIEW_CASE)
def show(reference: str):
    case = case_or_404(reference)
    policy = fetch_pinned_policy(case.procedure, case.policy_version)
    today = today_london()
    amber_last = amber_until(today)
    person, withheld = person_for_viewer(case, current_user)
    actions = []
    if can(current_user, Permission.TAKE_ACTION):
        for name in available_actions(case, current_user):
            action = policy.find_action(name, case.state)
            actions.append({"name": name, "title": action.title if action else humanise(name),
                            "description": action.description if action else None})
    equality = db.session.get(EqualityMonitoring, case.person_id) if case.person_id else None
    assign_form = AssignForm(formdata=None, version=case.version)
    assign_form.assignee.choices = _assignee_choices(case)
    return render_template(
        "cases/case.html",
        case=case,
        policy=policy,
        state=policy.states.get(case.state),
        person=person,
        person_withheld=withheld,
        representations=list(case.representations),
        deadlines=_deadlines(case, policy, today, amber_last),
        timeline=_timeline(case, policy),
        actions=actions,
        assign_form=assign_form,
        can_assign_anyone=can(current_user, Permission.ASSIGN_ANYONE),
        can_assign_self=can(current_user, Permission.ASSIGN_SELF),
        can_send_letter=can(current_user, Permission.SEND_LETTER),
        can_view_equality=can(current_user, Permission.VIEW_EQUALITY),
        equality=equality,
        today=today,
        amber_last=amber_last,
        decision_form=RepresentativeDecisionForm(formdata=None),
    )


def _assignee_choices(case):
    from wtforms.fields.choices import SelectChoice

    choices = [SelectChoice("", "Nobody (unassigned)")]
    choices += [SelectChoice(str(u.id), f"{u.name} ({humanise(u.role).lower()})") for u in fetch_staff()]
    return choices


@bp.post("/<reference>/assign")
@requires(Permission.ASSIGN_SELF)
def assign(reference: str):
    case = case_or_404(reference)
    form = AssignForm()
    form.assignee.choices = _assignee_choices(case)
    take = request.form.get("take") == "1"
    if not take and not can(current_user, Permission.ASSIGN_ANYONE):
        abort(403)
    if take:
        form.assignee.data = str(current_user.id)
    elif not form.validate():
        flash(form.assignee.errors[0] if form.assignee.errors else "Choose who to assign the case to", "error")
        return redirect(url_for("cases.show", reference=reference, _anchor="assign"))
    assignee = db.session.get(User, int(form.assignee.data)) if form.assignee.data else None
    try:
        assign_case(case, assignee, actor=current_user, expected_version=_version(form.version.data))
    except CaseworkError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("cases.show", reference=reference))
    db.session.commit()
    flash(f"{case.reference} assigned to {assignee.name}" if assignee else f"{case.reference} is now unassigned", "success")
    return redirect(url_for("cases.show", reference=reference))


def _version(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@bp.route("/<reference>/actions/<name>", methods=["GET", "POST"])
@requires(Permission.TAKE_ACTION)
def action(reference: str, name: str):
    case = case_or_404(reference)
    policy = fetch_pinned_policy(case.procedure, case.policy_version)
    if name not in available_actions(case, current_user):
        abort(404 if not policy.variants(name) else 403)
    policy_action = policy.find_action(name, case.state)
    if request.method == "GET":
        form = build_action_form(policy_action, formdata=None, version=case.version)
        return render_template("cases/action.html", case=case, action=policy_action, form=form,
                               field_params=field_params, form_name=form_name)
    form = build_action_form(policy_action)
    status = 400
    if form.validate():
        try:
            take_action(case, name, action_values(form, policy_action), actor=current_user,
                        expected_version=_version(form.version.data))
        except StaleVersion as error:
            db.session.rollback()
            form.form_errors.append(error.message)
            status = 409
        except CaseworkError as error:
            db.session.rollback()
            attach_refusal(form, policy_action, error)
            status = error.status if error.status in (400, 403, 409, 422) else 400
        else:
            db.session.commit()
            flash(f"{policy_action.title}: done", "success")
            letter = letter_for_effects(policy_action)
            if letter and can(current_user, Permission.SEND_LETTER):
                return redirect(url_for("letters.compose", reference=case.reference, template=letter))
            return redirect(url_for("cases.show", reference=case.reference))
    case = case_or_404(reference)
    form.version.data = str(case.version) if status == 409 else form.version.data
    return render_template("cases/action.html", case=case, action=policy_action, form=form,
                           field_params=field_params, form_name=form_name), status


@bp.post("/<reference>/representatives/<int:representation_id>")
@requires(Permission.TAKE_ACTION)
def decide_representative(reference: str, representation_id: int):
    case = case_or_404(reference)
    representation = db.session.get(Representation, representation_id)
    if representation is None or representation.case_id != case.id:
        abort(404)
    form = RepresentativeDecisionForm()
    if not form.validate():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(url_for("cases.show", reference=reference, _anchor="representative"))
    try:
        decide_representation(case, representation, form.decision.data, form.reason.data, actor=current_user)
    except CaseworkError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("cases.show", reference=reference, _anchor="representative"))
    db.session.commit()
    if form.decision.data == "refused":
        flash("Representative refused: write to them and to the complainant (004 §4.2)", "success")
        return redirect(url_for("letters.compose", reference=reference, template="representative_refused",
                                representation=representation.id))
    flash("Representative accepted", "success")
    return redirect(url_for("cases.show", reference=reference))
