"""Shared helpers for the web tests: sign in, open cases through the real use cases."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from casework.extensions import db
from casework.models import Case, Event, Person, Role
from casework.operations.cases import open_case, take_action
from tests.factories import PASSWORD, make_user


def sign_in(client, user):
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return user


def signed_in(client, role=Role.SERVICE_RECOVERY, **kwargs):
    return sign_in(client, make_user(role, **kwargs))


def recent(days_ago: int = 1, hour: int = 10) -> datetime:
    """A weekday-independent past time (the engine refuses the future)."""
    return (datetime.now(timezone.utc) - timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0, microsecond=0)


def make_case(*, procedure="corporate", kind="complaint", summary="Bin not collected for three weeks", person=None,
              received_at=None, actor=None, **kwargs) -> Case:
    if person is None:
        person = Person(name="Pat Resident", email=f"pat{datetime.now().timestamp()}@example.com", postcode="CV1 2AB")
        db.session.add(person)
    case = open_case(kind=kind, procedure=procedure, received_at=received_at or recent(3), summary=summary,
                     channel="email", person=person, actor=actor, **kwargs)
    db.session.commit()
    return case


def act(case, action, fields=None, actor=None):
    take_action(case, action, fields or {}, actor=actor)
    db.session.commit()
    return case


def event_count(case) -> int:
    return db.session.query(Event).filter(Event.case_id == case.id).count()


def error_links(html: str) -> list[str]:
    summary = html[html.index("govuk-error-summary"):]
    summary = summary[:summary.index("</ul>")]
    return re.findall(r'href="(#[^"]+)"', summary)
