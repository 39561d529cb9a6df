"""open_case and take_action: the policy engine's decisions, persisted with an audit event."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from .. import policy as engine
from ..extensions import db
from ..models import Case, CaseKind, Clock, Event, Person, ServiceArea, User, Ward
from ..models.enums import Channel
from ..workdays import london_date, to_london, utc_now
from .calendar import calendar_for_policy
from .errors import CaseworkError, Forbidden, InvalidField, NotAllowed, StaleVersion
from .policies import UnknownPolicy, current_policies, fetch_current_policy, fetch_pinned_policy, pin_policy
from .references import allocate_reference

REFUSAL_ERRORS = {
    "not_allowed": NotAllowed,
    "forbidden": Forbidden,
    "invalid_field": InvalidField,
    "cap_exceeded": InvalidField,
    "unknown_action": InvalidField,
}


def _known_action_names() -> set[str]:
    names: set[str] = set()
    for policy in current_policies().values():
        names.update(policy.action_names)
    return names


def _refusal(refused: "engine.ActionRefused", action: str) -> CaseworkError:
    """An action this procedure lacks but another has is "not allowed here" (409); a name no
    procedure knows is an invalid field (422)."""
    if refused.code == "unknown_action":
        if action in _known_action_names():
            return NotAllowed(refused.message, field="action", code="not_allowed")
        return InvalidField(refused.message, field="action", code="unknown_action")
    error_class = REFUSAL_ERRORS.get(refused.code, NotAllowed)
    return error_class(refused.message, field=refused.field, code=refused.code)


def actor_label(actor: User | None) -> str:
    return actor.email if actor is not None else "system"


def actor_roles(actor: User | None) -> set[str]:
    return {"system", "admin"} if actor is None else set(actor.roles)


# --- snapshots: rows <-> the engine's plain values ------------------------------------------

def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def clock_state(row: Clock) -> "engine.ClockState":
    return engine.ClockState(
        name=row.name,
        started_on=row.started_on,
        due_on=row.due_on,
        original_due_on=row.original_due_on,
        days=row.days,
        met_on=row.met_on,
        stopped_on=row.stopped_on,
        paused_since=row.paused_since,
        extensions=tuple(
            engine.Extension(
                on=_date(e["on"]), from_due=_date(e["from_due"]), to_due=_date(e["to_due"]), reason=e["reason"],
                kind=e.get("kind", "extension"),
            )
            for e in row.extensions or ()
        ),
        pauses=tuple(
            engine.Pause(start=_date(p["start"]), end=_date(p.get("end")), reason=p["reason"], days=p.get("days", 0))
            for p in row.pauses or ()
        ),
        kind=row.kind,
        started_by=row.started_by or "",
    )


def snapshot(case: Case) -> "engine.CaseSnapshot":
    return engine.CaseSnapshot(
        state=case.state,
        received_at=case.received_at,
        deemed_received_on=case.deemed_received_on,
        clocks=tuple(clock_state(c) for c in case.clocks),
        paused_since=case.paused_since,
    )


def _write_clocks(case: Case, clocks) -> list[dict]:
    """Bring the clock rows in line with the engine's; returns what changed, for the audit event."""
    rows = {c.name: c for c in case.clocks}
    changes = []
    for state in clocks:
        values = {
            "kind": state.kind,
            "started_by": state.started_by,
            "days": state.days,
            "started_on": state.started_on,
            "due_on": state.due_on,
            "original_due_on": state.original_due_on,
            "met_on": state.met_on,
            "stopped_on": state.stopped_on,
            "paused_since": state.paused_since,
            "extensions": [_jsonable(asdict(e)) for e in state.extensions],
            "pauses": [_jsonable(asdict(p)) for p in state.pauses],
        }
        row = rows.get(state.name)
        if row is None:
            case.clocks.append(Clock(name=state.name, **values))
            changes.append({"clock": state.name, "change": "started", "due_on": state.due_on.isoformat()})
            continue
        changed = {k: _jsonable(v) for k, v in values.items() if getattr(row, k) != v}
        if changed:
            for key, value in values.items():
                setattr(row, key, value)
            changes.append({"clock": state.name, "change": "updated", **{k: changed[k] for k in changed if k in ("due_on", "met_on", "stopped_on", "paused_since")}})
    return changes


def _next_due(clocks) -> date | None:
    running = [c.due_on for c in clocks if c.kind == "deadline" and c.met_on is None and c.stopped_on is None]
    return min(running) if running else None


def _record(case: Case, *, action: str, at: datetime, actor: User | None, from_state, data: dict) -> Event:
    event = Event(
        at=at,
        recorded_at=utc_now(),
        actor_id=actor.id if actor is not None else None,
        actor=actor_label(actor),
        action=action,
        from_state=from_state,
        to_state=case.state,
        data=_jsonable(data),
    )
    event.case_id = case.id
    db.session.add(event)
    return event


def record_event(case: Case, action: str, actor: User | None, data: dict, at: datetime | None = None) -> Event:
    """An audit event for a change that is not a policy action (assignment, correspondence...)."""
    case.updated_at = utc_now()
    return _record(case, action=action, at=at or utc_now(), actor=actor, from_state=case.state, data=data)


def _apply_transition(case: Case, policy, transition, at: datetime) -> list[dict]:
    changes = _write_clocks(case, transition.clocks)
    case.state = transition.new_state
    state = policy.states[transition.new_state]
    case.stage = getattr(state, "stage", None)
    case.paused_since = getattr(transition, "paused_since", None) if hasattr(transition, "paused_since") else case.paused_since
    for key, value in (transition.case_updates or {}).items():
        if key == "outcome":
            case.outcome = value
        elif key in ("summary", "outcome_summary"):
            case.outcome_summary = value
        elif key == "remedies":
            case.remedies = _jsonable(value if isinstance(value, list) else [value])
        elif key == "compensation":
            case.compensation = Decimal(str(value)) if value not in (None, "") else None
        elif key == "lessons_learned":
            case.lessons_learned = value
        elif key in ("reason", "closure_reason"):
            case.closure_reason = value
        else:
            details = dict(case.details or {})
            details[key] = _jsonable(value)
            case.details = details
    case.next_due_on = _next_due(transition.clocks)
    was_open = case.is_open
    case.is_open = not state.final
    if was_open and not case.is_open:
        case.closed_at = at
    elif case.is_open:
        case.closed_at = None
    case.updated_at = utc_now()
    return changes


# --- use cases ----------------------------------------------------------------------------------

def _validate_received_at(received_at) -> datetime:
    if not isinstance(received_at, datetime) or received_at.tzinfo is None:
        raise InvalidField("received_at must be a date and time with a time zone, e.g. 2026-03-02T10:15:00+00:00", "received_at")
    if received_at > utc_now():
        raise InvalidField("received_at cannot be in the future", "received_at")
    return received_at


def open_case(
    *,
    kind: str,
    procedure: str | None,
    received_at: datetime,
    summary: str,
    channel: str | None = None,
    description: str | None = None,
    person: Person | None = None,
    service_area: ServiceArea | None = None,
    raised_by: User | None = None,
    assignee: User | None = None,
    actor: User | None = None,
    details: dict | None = None,
    councillor_acts_for_person: bool = False,
    linked_case: Case | None = None,
) -> Case:
    """Open a case under the current version of its procedure's policy and start its clocks."""
    if kind not in set(CaseKind):
        raise InvalidField(f"Unknown kind {kind!r}: use one of {', '.join(CaseKind)}", "kind")
    from ..models import DEFAULT_PROCEDURE

    procedure = procedure or DEFAULT_PROCEDURE[CaseKind(kind)]
    try:
        policy = fetch_current_policy(procedure)
    except UnknownPolicy:
        raise InvalidField(f"Unknown procedure {procedure!r}", "procedure") from None
    if kind not in policy.kinds:
        raise InvalidField(f"The {procedure} procedure does not handle a {kind.replace('_', ' ')}", "procedure")
    if channel is not None and channel not in set(Channel):
        raise InvalidField(f"Unknown channel {channel!r}: use one of {', '.join(Channel)}", "channel")
    summary = (summary or "").strip()
    if not summary:
        raise InvalidField("Enter a summary of what the contact is about", "summary")
    if len(summary) > 300:
        raise InvalidField("The summary must be 300 characters or fewer", "summary")
    received_at = _validate_received_at(received_at)

    pin_policy(policy)
    calendar = calendar_for_policy(policy)
    transition = engine.open_case(policy, received_at, calendar)
    reference = allocate_reference(policy.reference_prefix, london_date(received_at).year)
    now = utc_now()
    case = Case(
        reference=reference,
        kind=kind,
        procedure=policy.key,
        policy_version=policy.version,
        state=transition.new_state,
        is_open=True,
        channel=channel,
        received_at=received_at,
        deemed_received_on=transition.deemed_received_on,
        summary=summary,
        description=description,
        person=person,
        service_area=service_area,
        raised_by=raised_by,
        councillor_acts_for_person=councillor_acts_for_person,
        linked_case_id=linked_case.id if linked_case is not None else None,
        assignee=assignee,
        details=_jsonable(details or {}),
        created_at=now,
        updated_at=now,
    )
    db.session.add(case)
    _apply_transition(case, policy, transition, received_at)
    db.session.flush()
    _record(
        case,
        action="open",
        at=received_at,
        actor=actor,
        from_state=None,
        data={
            "reference": reference,
            "kind": kind,
            "procedure": policy.key,
            "policy_version": policy.version,
            "deemed_received_on": transition.deemed_received_on,
            "clocks": [{"name": c.name, "due_on": c.due_on} for c in transition.clocks],
            **({"linked_case": linked_case.reference} if linked_case is not None else {}),
        },
    )
    db.session.flush()
    return case


def _validate_action_time(case: Case, at: datetime | None) -> datetime:
    now = utc_now()
    if at is None:
        return now
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise InvalidField("at must be a date and time with a time zone", "at")
    if at > now:
        raise InvalidField("at cannot be in the future", "at")
    if at < case.received_at:
        raise InvalidField("at cannot be before the case was received", "at")
    return at


def take_action(
    case: Case,
    action: str,
    fields: dict | None = None,
    *,
    actor: User | None,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Case:
    """Perform a policy action on a case: one audit event, optimistic locking on the version."""
    fields = dict(fields or {})
    if expected_version is not None and expected_version != case.version:
        raise StaleVersion(
            f"The case has changed since you loaded it (version {expected_version}; it is now {case.version}). Reload and try again.",
            "version",
        )
    if not isinstance(action, str) or not action:
        raise InvalidField("Name the action to perform", "action")
    at = _validate_action_time(case, at)
    policy = fetch_pinned_policy(case.procedure, case.policy_version)
    from_state = case.state
    roles = actor_roles(actor)
    try:
        if policy.operation_of(action, case.state) == "switch_procedure":
            transition = _switch(case, policy, action, fields, at, roles)
        else:
            transition = engine.apply_action(policy, snapshot(case), action, fields, at, roles, calendar_for_policy(policy))
    except engine.ActionRefused as refused:
        raise _refusal(refused, action) from None
    new_policy = fetch_current_policy(transition.switch_to) if transition.switch_to else policy
    if transition.switch_to:
        pin_policy(new_policy)
        case.procedure = new_policy.key
        case.policy_version = new_policy.version
    clock_changes = _apply_transition(case, new_policy, transition, at)
    data = dict(transition.event_data or {})
    if clock_changes:
        data["clocks"] = clock_changes
    if transition.effects:
        data["effects"] = [_jsonable(asdict(e)) if hasattr(e, "__dataclass_fields__") else e for e in transition.effects]
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion("Someone else changed this case at the same time. Reload and try again.", "version") from None
    for effect in transition.effects or ():
        procedure = effect.get("open_linked_case") if isinstance(effect, dict) else None
        if procedure:
            linked = open_linked_case(case, procedure, at=at, actor=actor)
            data["linked_case"] = linked.reference
    event = _record(case, action=action, at=at, actor=actor, from_state=from_state, data=data)
    db.session.flush()
    from .councillor_updates import case_changed  # councillors kept informed (issue 5)

    case_changed(case, event, actor=actor)
    return case


def open_linked_case(case: Case, procedure: str, *, at: datetime, actor: User | None) -> Case:
    """An enquiry passed on as a complaint or service request, without re-keying; the councillor who
    raised it stays linked and informed (004 report §4.3)."""
    policy = fetch_current_policy(procedure)
    kind = CaseKind.COMPLAINT if CaseKind.COMPLAINT in policy.kinds else policy.kinds[0]
    return open_case(
        kind=kind, procedure=procedure, received_at=at, summary=case.summary, channel=case.channel,
        description=case.description, person=case.person, service_area=case.service_area,
        raised_by=case.raised_by, assignee=case.assignee, actor=actor,
        councillor_acts_for_person=case.councillor_acts_for_person, linked_case=case,
    )


def _switch(case: Case, policy, action: str, fields: dict, at: datetime, roles: set[str]):
    """004 §10.5: the Service Recovery Team may move a case between corporate and statutory."""
    target = fields.get("procedure")
    if not target or not isinstance(target, str):
        raise InvalidField("Choose the procedure to switch to", "procedure")
    if target == case.procedure:
        raise InvalidField("The case already follows that procedure", "procedure")
    try:
        new_policy = fetch_current_policy(target)
    except UnknownPolicy:
        raise InvalidField(f"Unknown procedure {target!r}", "procedure") from None
    if case.kind not in new_policy.kinds:
        raise InvalidField(f"The {target} procedure does not handle a {case.kind.replace('_', ' ')}", "procedure")
    return engine.switch_procedure(
        policy, new_policy, snapshot(case), action, fields, at, roles, calendar_for_policy(new_policy)
    )


def available_actions(case: Case, actor: User | None) -> list[str]:
    policy = fetch_pinned_policy(case.procedure, case.policy_version)
    return engine.available_actions(policy, snapshot(case), actor_roles(actor))


def explain_clock(case: Case, clock: Clock) -> list[dict]:
    """Every step from receipt (for clocks started at receipt) to the due date."""
    policy = fetch_pinned_policy(case.procedure, case.policy_version)
    calendar = calendar_for_policy(policy)
    steps = list(engine.explain_clock(clock_state(clock), calendar))
    if clock.started_by == "@open":
        steps[:0] = explain_receipt(case, policy, calendar)
    return steps


def explain_receipt(case: Case, policy, calendar) -> list[dict]:
    """Why the case counts as received on its deemed date (cut-off, non-working days)."""
    local = to_london(case.received_at)
    received_on = local.date()
    cutoff = policy.counting.cutoff
    steps = [{
        "date": received_on.isoformat(),
        "step": "received",
        "text": f"Received {local:%a %Y-%m-%d at %H:%M} (London time)",
    }]
    if case.deemed_received_on == received_on:
        return steps
    reasons = []
    if local.time() > cutoff:
        reasons.append(f"after the {cutoff:%H:%M} cut-off ({policy.counting.cite})")
    if not calendar.is_working_day(received_on):
        reasons.append(f"on a non-working day ({calendar.non_working_reason(received_on)})")
    for day, reason in calendar.skipped_days(received_on, case.deemed_received_on):
        steps.append({"date": day.isoformat(), "step": "skipped", "text": f"{day:%a %Y-%m-%d} is not a working day: {reason}"})
    steps.append({
        "date": case.deemed_received_on.isoformat(),
        "step": "deemed_receipt",
        "text": f"Received {' and '.join(reasons) or 'outside working hours'}, so deemed received on the next working day, "
                f"{case.deemed_received_on:%a %Y-%m-%d}",
    })
    return steps


# --- people and reference data ----------------------------------------------------------------

def find_or_create_person(data: dict) -> Person:
    """Reuse the person with this e-mail address (avoids duplicates, 004 front door)."""
    email = (data.get("email") or "").strip().lower() or None
    if email:
        existing = db.session.execute(
            select(Person).where(func.lower(Person.email) == email).order_by(Person.id).limit(1)
        ).scalar_one_or_none()
        if existing is not None:
            return existing
    ward = data.get("ward_obj")
    if ward is None and data.get("postcode"):
        from .councillors import fetch_ward_for_postcode

        ward = fetch_ward_for_postcode(data["postcode"])
    person = Person(
        name=data["name"].strip(),
        email=email,
        phone=(data.get("phone") or None),
        address=data.get("address"),
        postcode=(data.get("postcode") or "").strip().upper() or None,
        ward=ward,
        preferred_contact_method=data.get("preferred_contact_method"),
        preferred_format=data.get("preferred_format"),
        accessibility_needs=data.get("accessibility_needs"),
        language=data.get("language"),
        interpreter_needed=bool(data.get("interpreter_needed", False)),
    )
    db.session.add(person)
    return person


def fetch_ward_by_name(name: str) -> Ward | None:
    return db.session.execute(select(Ward).where(func.lower(Ward.name) == name.strip().lower())).scalar_one_or_none()


def fetch_service_area_by_name(name: str) -> ServiceArea | None:
    return db.session.execute(
        select(ServiceArea).where(func.lower(ServiceArea.name) == name.strip().lower())
    ).scalar_one_or_none()
