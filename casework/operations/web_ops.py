"""Use cases the staff web app needs beyond the policy actions: logging a contact at the front
door, assigning, deciding on a representative, and recording letters sent. Each writes its
audit event (record_event) and flushes; the request commits once."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import Case, Correspondence, EqualityMonitoring, Person, Representation, Role, ServiceArea, User, Ward
from ..workdays import utc_now
from .cases import open_case, record_event, take_action
from .errors import InvalidField, NotAllowed, StaleVersion

EQUALITY_FIELDS = ("age_band", "sex", "gender_identity", "ethnicity", "disability", "religion", "sexual_orientation")
PREFERENCE_FIELDS = ("preferred_contact_method", "preferred_format", "accessibility_needs", "language", "interpreter_needed")


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != case.version:
        raise StaleVersion("The case has changed since you loaded it. Reload the page and try again.", "version")


def assign_case(case: Case, assignee: User | None, *, actor: User, expected_version: int | None = None) -> Case:
    """Assign or reassign (None: back to the unassigned queue)."""
    _check_version(case, expected_version)
    if assignee is not None and (assignee.role == Role.COUNCILLOR or not assignee.is_active):
        raise InvalidField("Choose a member of staff", "assignee")
    if not case.is_open:
        raise NotAllowed("The case is closed", "assignee")
    before = case.assignee
    if (before.id if before else None) == (assignee.id if assignee else None):
        return case
    case.assignee = assignee
    record_event(case, "assign", actor, {
        "from": before.email if before else None,
        "to": assignee.email if assignee else None,
        "to_name": assignee.name if assignee else None,
    })
    db.session.flush()
    return case


@dataclass
class ContactDetails:
    """What the front-door journey collected (POLICY.md §1–3)."""

    kind: str
    channel: str
    received_at: datetime
    summary: str
    description: str | None = None
    procedure: str | None = None
    service_area_id: int | None = None
    person_id: int | None = None
    person: dict | None = None  # a new person: name, email, phone, address, postcode, ward_id
    preferences: dict = field(default_factory=dict)
    representative: dict | None = None  # name, email, phone, relationship, consent_evidence, consent_received_on
    equality: dict | None = None  # {"declined": bool, ...EQUALITY_FIELDS} or None when not asked
    raised_by_id: int | None = None
    decline_reason: str | None = None  # an out-of-scope reason (004 §9.1): the case is opened and declined
    decline_details: str | None = None
    late_reason: str | None = None  # why a complaint about events over 12 months ago is accepted (004 §9.1, §13.1)
    events_over_12_months: bool = False
    mp_name: str | None = None


def _person(details: ContactDetails) -> Person:
    if details.person_id is not None:
        person = db.session.get(Person, details.person_id)
        if person is None:
            raise InvalidField("That person no longer exists: search again", "person")
        return person
    data = dict(details.person or {})
    name = (data.get("name") or "").strip()
    if not name:
        raise InvalidField("Enter the person's name", "name")
    ward = db.session.get(Ward, data["ward_id"]) if data.get("ward_id") else None
    email = (data.get("email") or "").strip().lower() or None
    if email:
        existing = db.session.execute(
            select(Person).where(func.lower(Person.email) == email).order_by(Person.id).limit(1)
        ).scalar_one_or_none()
        if existing is not None:
            return existing
    person = Person(
        name=name,
        email=email,
        phone=(data.get("phone") or "").strip() or None,
        address=(data.get("address") or "").strip() or None,
        postcode=(data.get("postcode") or "").strip().upper() or None,
        ward=ward,
    )
    db.session.add(person)
    return person


def _apply_preferences(person: Person, preferences: dict) -> dict:
    changed = {}
    for key in PREFERENCE_FIELDS:
        if key not in preferences:
            continue
        value = preferences[key]
        if key == "interpreter_needed":
            value = bool(value)
        elif isinstance(value, str):
            value = value.strip() or None
        if getattr(person, key) != value:
            setattr(person, key, value)
            changed[key] = value
    return changed


def _record_equality(person: Person, equality: dict) -> None:
    """Voluntary (004 §5.4, GH9); held apart from the person record, latest answers kept."""
    row = db.session.get(EqualityMonitoring, person.id)
    if row is None:
        row = EqualityMonitoring(person_id=person.id)
        db.session.add(row)
    row.declined = bool(equality.get("declined"))
    for key in EQUALITY_FIELDS:
        setattr(row, key, None if row.declined else (equality.get(key) or None))
    row.recorded_at = utc_now()


def log_contact(details: ContactDetails, *, actor: User) -> Case:
    """Open the case the front door logged: person (found or new), representative with consent
    evidence, preferences, voluntary equality answers; a complaint outside the policy is opened
    and declined at once, so the decline letter and the figures include it (004 §9.1)."""
    person = _person(details)
    changed = _apply_preferences(person, details.preferences)
    db.session.flush()
    if details.equality is not None:
        _record_equality(person, details.equality)
    service_area = db.session.get(ServiceArea, details.service_area_id) if details.service_area_id else None
    raised_by = db.session.get(User, details.raised_by_id) if details.raised_by_id else None
    if details.kind == "member_enquiry" and (raised_by is None or raised_by.role != Role.COUNCILLOR):
        raise InvalidField("Choose the councillor who raised the enquiry", "raised_by")
    extra = {}
    if details.events_over_12_months:
        extra["events_over_12_months"] = True
        if details.late_reason:
            extra["late_acceptance_reason"] = details.late_reason
    if details.mp_name:
        extra["mp_name"] = details.mp_name
    case = open_case(
        kind=details.kind,
        procedure=details.procedure,
        received_at=details.received_at,
        summary=details.summary,
        channel=details.channel,
        description=details.description,
        person=person,
        service_area=service_area,
        raised_by=raised_by,
        actor=actor,
        details=extra,
    )
    representative = None
    if details.representative:
        rep = details.representative
        representative = Person(
            name=rep["name"].strip(),
            email=(rep.get("email") or "").strip().lower() or None,
            phone=(rep.get("phone") or "").strip() or None,
            address=(rep.get("address") or "").strip() or None,
        )
        db.session.add(representative)
        received_on = rep.get("consent_received_on")
        if isinstance(received_on, str) and received_on:
            received_on = date.fromisoformat(received_on)
        case.representations.append(Representation(
            representative=representative,
            relationship_to_person=(rep.get("relationship") or "").strip() or None,
            consent_evidence=(rep.get("consent_evidence") or "").strip() or None,
            consent_received_on=received_on or None,
            decision="pending",
        ))
    db.session.flush()
    record_event(case, "log_contact", actor, {
        "channel": details.channel,
        "person": person.name,
        "new_person": details.person_id is None,
        "representative": representative.name if representative else None,
        "preferences_changed": sorted(changed),
        "equality_monitoring": None if details.equality is None else ("declined" if details.equality.get("declined") else "answered"),
        "events_over_12_months": details.events_over_12_months,
        "late_acceptance_reason": details.late_reason,
    }, at=details.received_at)
    db.session.flush()
    if details.decline_reason:
        fields = {"reason": details.decline_reason}
        if details.decline_details:
            fields["details"] = details.decline_details
        take_action(case, "decline", fields, actor=actor)
    return case


def decide_representation(case: Case, representation: Representation, decision: str, reason: str | None, *,
                          actor: User) -> Representation:
    """Accept or refuse a representative (004 §4.2, GH7: refusal needs a reason; both are told in writing)."""
    if representation.case_id != case.id:
        raise InvalidField("That representative is not on this case", "representation")
    if decision not in ("accepted", "refused"):
        raise InvalidField("Choose whether to accept or refuse the representative", "decision")
    reason = (reason or "").strip() or None
    if decision == "refused" and not reason:
        raise InvalidField("Enter why the representative is refused", "reason")
    representation.decision = decision
    representation.decision_reason = reason
    record_event(case, f"representative_{decision}", actor, {
        "representative": representation.representative.name, "reason": reason,
    })
    db.session.flush()
    return representation


def record_letter(case: Case, *, template: str | None, subject: str, body: str, channel: str, recipient: str | None,
                  status: str, actor: User) -> Correspondence:
    """A letter or e-mail sent (status "sent") or printed for posting ("printed"), on the timeline."""
    subject = (subject or "").strip()
    body = (body or "").strip()
    if not subject:
        raise InvalidField("Enter a subject", "subject")
    if len(subject) > 300:
        raise InvalidField("The subject must be 300 characters or fewer", "subject")
    if not body:
        raise InvalidField("Enter the letter", "body")
    if status not in ("sent", "printed"):
        raise InvalidField("Choose how to send it", "delivery")
    now = utc_now()
    letter = Correspondence(
        case_id=case.id, direction="out", status=status, template=template, channel=channel,
        recipient=(recipient or "").strip() or None, subject=subject, body=body,
        created_by_id=actor.id, created_at=now, sent_at=now,
    )
    db.session.add(letter)
    db.session.flush()
    record_event(case, "letter", actor, {
        "correspondence_id": letter.id, "template": template, "status": status, "channel": channel,
        "recipient": letter.recipient, "subject": subject,
    })
    db.session.flush()
    return letter
