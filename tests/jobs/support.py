"""A small council for the scheduler tests: one service area with a manager, its officers, the
Service Recovery Team, a director, an administrator and a councillor; and cases opened and
driven through the real use cases (open_case / take_action)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Case, Event, Person, Role, ServiceArea, User
from casework.models.notifications import Notification, NotificationDelivery, OutboxMessage
from casework.operations.cases import open_case, take_action
from tests.factories import make_service_area, make_user

UTC = timezone.utc


def at(day: str, hour: int = 9, minute: int = 0) -> datetime:
    """An instant on a day in 2026 ('03-04' -> 2026-03-04 09:00 UTC, i.e. London winter time)."""
    month, dom = (int(x) for x in day.split("-"))
    return datetime(2026, month, dom, hour, minute, tzinfo=UTC)


@dataclass
class Council:
    area: ServiceArea
    bare_area: ServiceArea  # no manager
    manager: User
    officer: User
    other_officer: User
    recovery: User
    director: User
    admin: User
    councillor: User


def make_council() -> Council:
    area = make_service_area("Waste and Recycling", "City Services")
    bare = make_service_area("Parks", "Streetpride")
    manager = make_user(Role.INVESTIGATING_OFFICER, name="Mona Manager", email="manager@council.test", service_area_id=area.id)
    area.manager_id = manager.id
    db.session.commit()
    return Council(
        area=area,
        bare_area=bare,
        manager=manager,
        officer=make_user(Role.INVESTIGATING_OFFICER, name="Olu Officer", email="officer@council.test", service_area_id=area.id),
        other_officer=make_user(Role.INVESTIGATING_OFFICER, name="Oona Other", email="other@council.test", service_area_id=area.id),
        recovery=make_user(Role.SERVICE_RECOVERY, name="Rhys Recovery", email="recovery@council.test"),
        director=make_user(Role.DIRECTOR, name="Dee Director", email="director@council.test"),
        admin=make_user(Role.ADMIN, name="Ada Admin", email="admin@council.test"),
        councillor=make_user(Role.COUNCILLOR, name="Cllr Khan", email="cllr@council.test"),
    )


RESIDENT = {"name": "Zebedee Quixote-Smith", "email": "zebedee.quixote@example.com", "postcode": "CV1 9ZZ"}


def resident() -> Person:
    person = Person(**RESIDENT)
    db.session.add(person)
    return person


def complaint(received: datetime, *, assignee=None, area=None, summary="Bins not collected at Zebedee's house") -> Case:
    case = open_case(
        kind="complaint", procedure="corporate", received_at=received, summary=summary,
        assignee=assignee, service_area=area, person=resident(),
    )
    db.session.commit()
    return case


def member_enquiry(received: datetime, *, council: Council, assignee=None, area=None, acknowledge_at=None) -> Case:
    case = open_case(
        kind="member_enquiry", procedure="member_enquiry", received_at=received,
        summary="Constituent Zebedee asks about a missed collection", assignee=assignee, service_area=area,
        raised_by=council.councillor, person=resident(),
    )
    db.session.commit()
    if acknowledge_at is not None:
        take_action(case, "acknowledge", {}, actor=council.officer, at=acknowledge_at)
        db.session.commit()
    return case


def act(case: Case, action: str, when: datetime, actor, **fields) -> Case:
    take_action(case, action, fields, actor=actor, at=when)
    db.session.commit()
    return case


def received_by(user: User) -> list[tuple[str, str]]:
    """(kind, key) of every notification delivered to the user, in order."""
    rows = db.session.execute(
        select(Notification.kind, Notification.key)
        .join(NotificationDelivery, NotificationDelivery.notification_id == Notification.id)
        .where(NotificationDelivery.user_id == user.id)
        .order_by(NotificationDelivery.id)
    ).all()
    return [(r.kind, r.key) for r in rows]


def kinds_for(user: User) -> list[str]:
    return [kind for kind, _ in received_by(user)]


def outbox_for(user: User) -> list[OutboxMessage]:
    return list(db.session.execute(
        select(OutboxMessage).where(OutboxMessage.to_address == user.email).order_by(OutboxMessage.id)
    ).scalars())


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def events(case: Case, action: str) -> list[Event]:
    return list(db.session.execute(
        select(Event).where(Event.case_id == case.id, Event.action == action).order_by(Event.id)
    ).scalars())
