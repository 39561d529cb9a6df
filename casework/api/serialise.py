"""JSON shapes of the API (API.md "A case")."""
from __future__ import annotations

from datetime import date

from ..models import Case, Clock, Event, Role, User
from ..operations.cases import available_actions, clock_state
from ..operations.disclosure import person_for_viewer


def _iso(value):
    return value.isoformat() if value is not None else None


def clock_breached(clock: Clock, today: date) -> bool:
    """A council deadline answered late, or still unanswered after its due day (the engine's rule)."""
    return clock_state(clock).is_breached(today)


def clock_json(clock: Clock, today: date) -> dict:
    return {
        "name": clock.name,
        "kind": clock.kind,
        "days": clock.days,
        "started_on": _iso(clock.started_on),
        "due_on": _iso(clock.due_on),
        "original_due_on": _iso(clock.original_due_on),
        "met_on": _iso(clock.met_on),
        "stopped_on": _iso(clock.stopped_on),
        "paused": clock.paused_since is not None,
        "breached": clock_breached(clock, today),
        "extensions": clock.extensions or [],
        "pauses": clock.pauses or [],
    }


def _user_ref(user: User | None):
    return None if user is None else {"email": user.email, "name": user.name}


def case_json(case: Case, viewer: User, today: date) -> dict:
    body = {
        "reference": case.reference,
        "kind": case.kind,
        "procedure": case.procedure,
        "policy_version": case.policy_version,
        "state": case.state,
        "stage": case.stage,
        "is_open": case.is_open,
        "version": case.version,
        "received_at": _iso(case.received_at),
        "deemed_received_on": _iso(case.deemed_received_on),
        "channel": case.channel,
        "summary": case.summary,
        "service_area": case.service_area.name if case.service_area else None,
        "assignee": _user_ref(case.assignee),
        "raised_by": case.raised_by.email if case.raised_by else None,
        "next_due_on": _iso(case.next_due_on),
        "paused_since": _iso(case.paused_since),
        "outcome": case.outcome,
        "outcome_summary": case.outcome_summary,
        "remedies": case.remedies,
        "compensation": str(case.compensation) if case.compensation is not None else None,
        "lessons_learned": case.lessons_learned,
        "closed_at": _iso(case.closed_at),
        "clocks": [clock_json(c, today) for c in case.clocks],
        "actions": available_actions(case, viewer),
        "councillor_acts_for_person": case.councillor_acts_for_person,
    }
    person, note = person_for_viewer(case, viewer)
    body["person"] = person
    if note:
        body["personal_data_withheld"] = note
    body["description"] = case.description  # viewers see only cases they may (queries.visible_cases)
    return body


def event_json(event: Event, with_data: bool = True) -> dict:
    """An audit event; for a councillor without a basis to see personal data, its details are withheld."""
    return {
        "at": _iso(event.at),
        "actor": event.actor,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "data": (event.data or {}) if with_data else {"withheld": "Details withheld (001 §7.2–7.3)"},
    }
