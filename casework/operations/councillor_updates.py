"""Councillors kept informed (issue 5; 004 report §4.3; 001 §7.1): when a case a councillor raised,
or one opened from their enquiry, is acknowledged, gets a holding reply (or a new date), moves to
another stage (including being passed on as a complaint, ruled inappropriate, closed) or is
answered, the councillor gets one notification — in the app and by e-mail.

Called by operations.cases.take_action after it has recorded the action's audit event. The
notification's key is the case and that event (`councillor:<case id>:<event id>`), so one action
notifies once however often the decision is retried.

Personal data: the notification never carries any. It names the reference, what happened, the
state and the dates, and links to the councillor's own page for the case, where the disclosure
rule (operations.disclosure, 001 §7.2–7.3) decides what they may see. So the rule is obeyed
however it would decide, and nothing about a person travels by e-mail.
"""
from __future__ import annotations

from datetime import date

from flask import current_app

from ..extensions import db
from ..models import Case, Event, Role, User
from ..notifications import Recipient, notify
from ..workdays import london_date
from .policies import UnknownPolicy, fetch_pinned_policy

ACKNOWLEDGED = "councillor_acknowledged"
HOLDING_REPLY = "councillor_holding_reply"
STAGE_CHANGED = "councillor_stage_changed"
ANSWERED = "councillor_answered"
KINDS = (ACKNOWLEDGED, HOLDING_REPLY, STAGE_CHANGED, ANSWERED)

# A holding reply with a new date (001 §7.1) and, for complaints, the interim reply that extends
# the response deadline (004 §11.2) tell the councillor the same thing: a new date.
NEW_DATE_ACTIONS = ("holding_reply", "extend")

KIND_WORDS = {
    "member_enquiry": "enquiry",
    "mp_enquiry": "enquiry",
    "complaint": "complaint",
    "service_request": "service request",
    "comment": "comment",
    "compliment": "compliment",
}


def councillor_link(reference: str) -> str:
    base = (current_app.config.get("CASEWORK_BASE_URL") or "").rstrip("/")
    return f"{base}/councillor/cases/{reference}"


def _recipients(case: Case, actor: User | None) -> list[Recipient]:
    """The councillor who raised the case and, for a case opened from an enquiry, the councillor
    who raised that enquiry (the same rule as queries.cases.councillor_case_ids)."""
    wanted: list[tuple[int, str]] = []
    if case.raised_by_id is not None:
        wanted.append((case.raised_by_id, "You raised this case."))
    if case.linked_case_id is not None:
        root = db.session.get(Case, case.linked_case_id)
        if root is not None and root.raised_by_id is not None:
            wanted.append((root.raised_by_id, f"This case was opened from your enquiry {root.reference}."))
    recipients: list[Recipient] = []
    seen: set[int] = set()
    for user_id, reason in wanted:
        if user_id in seen or (actor is not None and actor.id == user_id):
            continue  # nobody is told about what they did themselves
        seen.add(user_id)
        user = db.session.get(User, user_id)
        if user is not None and user.role == Role.COUNCILLOR and user.is_active:
            recipients.append(Recipient(user_id, reason))
    return recipients


def _policy(case: Case):
    try:
        return fetch_pinned_policy(case.procedure, case.policy_version)
    except UnknownPolicy:
        return None


def _state_title(policy, state: str | None) -> str:
    if state is None:
        return ""
    found = policy.states.get(state) if policy is not None else None
    return found.title if found is not None else state.replace("_", " ").capitalize()


def _stage_of(policy, state: str | None) -> str | None:
    found = policy.states.get(state) if policy is not None and state else None
    return getattr(found, "stage", None) if found is not None else None


def _respond_due(case: Case) -> date | None:
    running = [c.due_on for c in case.clocks if c.kind == "deadline" and c.met_on is None and c.stopped_on is None]
    return min(running) if running else None


def classify(case: Case, event: Event, policy) -> str | None:
    """Which of the four updates this action is, if any (at most one per action)."""
    if event.action == "respond":
        return ANSWERED
    if event.action == "acknowledge":
        return ACKNOWLEDGED
    if event.action in NEW_DATE_ACTIONS:
        return HOLDING_REPLY
    if event.from_state == event.to_state:
        return None
    data = event.data or {}
    if data.get("linked_case") or data.get("to_procedure"):
        return STAGE_CHANGED
    final = policy is not None and event.to_state in policy.states and policy.states[event.to_state].final
    if final or _stage_of(policy, event.from_state) != _stage_of(policy, event.to_state):
        return STAGE_CHANGED
    return None


def case_changed(case: Case, event: Event, *, actor: User | None) -> int | None:
    """Tell the councillor(s) following this case about the action just recorded; the
    notification id, or None when there is nothing to tell or nobody to tell."""
    if case.raised_by_id is None and case.linked_case_id is None:
        return None
    policy = _policy(case)
    kind = classify(case, event, policy)
    if kind is None:
        return None
    recipients = _recipients(case, actor)
    if not recipients:
        return None
    if event.id is None:
        db.session.flush()
    data = event.data or {}
    fields = data.get("fields") or {}
    context = {
        "reference": case.reference,
        "title": KIND_WORDS.get(case.kind, "case"),
        "state_title": _state_title(policy, case.state),
        "from_state_title": _state_title(policy, event.from_state),
        "procedure_title": policy.title if policy is not None else case.procedure,
        "due_on": _respond_due(case) if case.is_open else None,
        "linked_reference": data.get("linked_case"),
        "is_open": case.is_open,
        "action": event.action,
        "link": councillor_link(case.reference),
    }
    if kind == HOLDING_REPLY:
        new_date = fields.get("due_on") or next(
            (c.get("due_on") for c in data.get("clocks") or () if c.get("due_on")), None)
        if isinstance(new_date, str) and new_date:
            context["due_on"] = date.fromisoformat(new_date)
        context["reason"] = None  # the reason may describe the person: it is on the councillor's page
    return notify(
        key=f"councillor:{case.id}:{event.id}",
        kind=kind,
        recipients=recipients,
        context=context,
        for_date=london_date(event.at),
        case_id=case.id,
        due_on=context["due_on"],
        link=councillor_link(case.reference),
        data={"event_id": event.id, "action": event.action, "state": case.state},
    )


# --- the councillor's follow-up after the answer (member_enquiry.toml: enquiry.follow_up) -------

FOLLOW_UP_CLOCK = "enquiry.follow_up"
FOLLOW_UP_EVENT = "councillor_follow_up"


def follow_up_window(case: Case, today: date):
    """The follow-up window's clock while the councillor may still follow up an answered enquiry
    (the policy keeps it open for `enquiry.follow_up` working days before it closes), else None."""
    if case.kind != "member_enquiry" or case.state != "replied" or not case.is_open:
        return None
    for clock in case.clocks:
        if clock.name == FOLLOW_UP_CLOCK and clock.stopped_on is None and clock.due_on >= today:
            return clock
    return None


def _officers_for(case: Case) -> list[Recipient]:
    """The officer dealing with the case; else its service area's manager; else the Service Recovery Team."""
    assignee = case.assignee
    if assignee is not None and assignee.is_active and assignee.role != Role.COUNCILLOR:
        return [Recipient(assignee.id, "You are the officer assigned to this enquiry.")]
    area = case.service_area
    manager = db.session.get(User, area.manager_id) if area is not None and area.manager_id else None
    if manager is not None and manager.is_active:
        return [Recipient(manager.id, f"Nobody is assigned to this enquiry and you manage its service area ({area.name}).")]
    from sqlalchemy import select

    team = db.session.execute(
        select(User.id).where(User.role == Role.SERVICE_RECOVERY, User.is_active_user.is_(True)).order_by(User.id)
    ).scalars()
    return [Recipient(uid, "Nobody is assigned to this enquiry, so the Service Recovery Team is told.") for uid in team]


def record_follow_up(case: Case, councillor: User, text: str):
    """A councillor's follow-up on their answered enquiry, within the follow-up window: kept as
    correspondence received on the case, an audit event, and a notification to the officer, who
    records how it was answered (the policy's `follow_up` action)."""
    from ..models import Correspondence
    from ..workdays import utc_now
    from .cases import record_event
    from .errors import InvalidField, NotAllowed

    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise InvalidField("Enter your follow-up", "text")
    if len(text) > 5000:
        raise InvalidField("The follow-up must be 5,000 characters or fewer", "text")
    if councillor.role != Role.COUNCILLOR or case.raised_by_id != councillor.id:
        raise NotAllowed("Only the councillor who raised the enquiry can follow it up", "text")
    now = utc_now()
    if follow_up_window(case, london_date(now)) is None:
        raise NotAllowed("The follow-up period for this enquiry has ended", "text")
    letter = Correspondence(
        case_id=case.id, direction="in", status="received", channel="councillor", recipient=None,
        subject=f"Follow-up from {councillor.name}", body=text, created_by_id=councillor.id, created_at=now, sent_at=now,
    )
    db.session.add(letter)
    db.session.flush()
    event = record_event(case, FOLLOW_UP_EVENT, councillor, {"text": text, "correspondence_id": letter.id})
    db.session.flush()
    base = (current_app.config.get("CASEWORK_BASE_URL") or "").rstrip("/")
    link = f"{base}/cases/{case.reference}"
    notify(
        key=f"councillor-follow-up:{case.id}:{event.id}", kind="councillor_follow_up",
        recipients=_officers_for(case),
        context={"reference": case.reference, "councillor_name": councillor.name, "link": link},
        case_id=case.id, link=link, data={"event_id": event.id},
    )
    return event
