"""A small council for the restriction tests, and a person to consider: one with a completed
complaint and an open one, driven through the real use cases."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from casework.extensions import db
from casework.models import Case, Person, Role, ServiceArea, User
from casework.operations import restrictions as ops
from casework.operations.cases import open_case, take_action
from casework.workdays import london_date, utc_now
from tests.factories import make_service_area, make_user


@dataclass
class Council:
    area: ServiceArea
    manager: User  # investigating officer who manages the service area
    officer: User
    other_officer: User
    recovery: User  # the complaints manager: acts as the Service Manager
    front_door: User
    director: User
    other_director: User
    admin: User
    councillor: User


def make_council() -> Council:
    area = make_service_area("Housing Repairs", "Housing")
    manager = make_user(Role.INVESTIGATING_OFFICER, name="Mo Manager", service_area_id=area.id)
    area.manager_id = manager.id
    db.session.commit()
    return Council(
        area=area,
        manager=manager,
        officer=make_user(Role.INVESTIGATING_OFFICER, name="Ola Officer", service_area_id=area.id),
        other_officer=make_user(Role.INVESTIGATING_OFFICER, name="Nia Named", service_area_id=area.id),
        recovery=make_user(Role.SERVICE_RECOVERY, name="Sam Service-Manager"),
        front_door=make_user(Role.RESIDENT_EXPERIENCE, name="Fran Frontdoor"),
        director=make_user(Role.DIRECTOR, name="Dana Director"),
        other_director=make_user(Role.DIRECTOR, name="Dev Director"),
        admin=make_user(Role.ADMIN, name="Ari Admin"),
        councillor=make_user(Role.COUNCILLOR, name="Cllr Cole"),
    )


def today() -> date:
    return london_date(utc_now())


def recent(days_ago: int = 3) -> datetime:
    return (datetime.now(timezone.utc) - timedelta(days=days_ago)).replace(hour=10, minute=0, second=0, microsecond=0)


def make_person(name: str = "Perry Persistent", email: str | None = "perry@example.com") -> Person:
    person = Person(name=name, email=email, address="1 High Street", postcode="CV1 1AA")
    db.session.add(person)
    db.session.commit()
    return person


def completed_complaint(person: Person, actor: User, summary: str = "Repairs to the roof") -> Case:
    """A corporate complaint closed at Stage 1 by a decline (closed, so 'completed')."""
    case = open_case(kind="complaint", procedure="corporate", received_at=recent(30), summary=summary,
                     channel="email", person=person, actor=actor)
    db.session.flush()
    take_action(case, "decline", {"reason": "legal_action"}, actor=actor)
    db.session.commit()
    assert not case.is_open
    return case


def open_complaint(person: Person, actor: User, summary: str = "Noise from the flat upstairs") -> Case:
    case = open_case(kind="complaint", procedure="corporate", received_at=recent(2), summary=summary,
                     channel="telephone", person=person, actor=actor)
    db.session.commit()
    return case


def considered(person: Person, actor: User, **kwargs):
    record = ops.open_consideration(
        person, behaviours=kwargs.pop("behaviours", ["repeated_contact", "abuse_harassment"]),
        details=kwargs.pop("details", "Forty calls in March; abusive to two officers on 3 and 10 March."),
        actor=actor, **kwargs)
    db.session.commit()
    return record


def warned(record, actor: User, kind: str = "written"):
    warning = ops.record_warning(record, kind=kind, warned_on=today(), actor=actor,
                                 summary="We asked you to stop calling several times a day and to stop swearing at staff.")
    db.session.commit()
    return warning


def decide(record, actor: User, specs, **kwargs):
    decision = ops.impose_restrictions(
        record, specs, actor=actor,
        reasons=kwargs.pop("reasons", "Repeated calls and abuse of staff, continuing after a written warning."),
        balance=kwargs.pop("balance", "Their complaints are still answered in writing; staff are protected from abuse."),
        equality_considerations=kwargs.pop("equality_considerations", "No disability or other need is known; they were asked."),
        reasonable_adjustments=kwargs.pop("reasonable_adjustments", "Offered a single point of contact; letters in standard print."),
        **kwargs)
    db.session.commit()
    return decision


def spec(kind: str, months: int = 3, **terms) -> ops.RestrictionSpec:
    start = terms.pop("starts_on", today())
    return ops.RestrictionSpec(kind=kind, starts_on=start, ends_on=terms.pop("ends_on", start + timedelta(days=30 * months)),
                               **terms)
