"""A small council whose report figures are known by hand.

Every case is opened and driven through the real use cases (open_case / take_action) at fixed
past instants, as tests/test_concurrency.py does; the expected figures below were worked out
on paper from the policy files (corporate: Stage 1 answered within 10 working days of its
start, acknowledged within 3; the day after the start is day 1).

Financial year 2025/26 (1 April 2025 – 31 March 2026), reported as of Friday 10 April 2026.

| case | what happens | Stage 1 response clock (start Mon 2 June 2025, due Mon 16 June) |
|---|---|---|
| A | acknowledged 3 Jun; answered 13 Jun, upheld, apology + £150; escalated 20 Jun | on time, 9 working days |
| B | answered Fri 20 Jun, not upheld | late, 14 working days |
| C | never answered | open and past due: late |
| D | extended to 30 Jun; answered 27 Jun, partially upheld | on time with an extension, 19 working days |
| E | resolved informally 3 Jun | – |
| F | declined (a school) 3 Jun | – |
| G | withdrawn 4 Jun | – |
| I | received Mon 30 Mar 2026, Stage 1 due Wed 15 Apr (Easter) | pending |
| X | received 2024 | outside the year |
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pytest

from casework.extensions import db
from casework.models import Case, EqualityMonitoring, Person, Role, ServiceArea, User, Ward
from casework.operations.cases import open_case, take_action
from casework.reports.period import Period
from casework.reports.scope import ReportFilters
from tests.factories import make_service_area, make_user

UTC = timezone.utc
YEAR = Period.financial_year(2025)
AS_OF = date(2026, 4, 10)


def at(y: int, m: int, d: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=UTC)


def filters(**kwargs) -> ReportFilters:
    kwargs.setdefault("period", YEAR)
    kwargs.setdefault("as_of", AS_OF)
    return ReportFilters(**kwargs)


@dataclass
class Council:
    waste: ServiceArea
    housing: ServiceArea
    officer: User
    recovery: User
    councillor: User
    ward: Ward
    cases: dict = field(default_factory=dict)


_people = iter(range(1, 10_000))


def person(ward: Ward | None = None, **equality) -> Person:
    n = next(_people)
    p = Person(name=f"Resident {n}", email=f"resident{n}@example.com", ward=ward)
    db.session.add(p)
    if equality:
        db.session.flush()
        db.session.add(EqualityMonitoring(person_id=p.id, **equality))
    return p


def act(case: Case, action: str, when: datetime, actor: User, **fields) -> Case:
    take_action(case, action, fields, actor=actor, at=when)
    db.session.commit()
    return case


def complaint(council: Council, received: datetime, *, area=None, channel="email", who: Person | None = None, **kw) -> Case:
    case = open_case(kind="complaint", procedure=kw.pop("procedure", "corporate"), received_at=received,
                     summary=kw.pop("summary", "Bins missed again"), channel=channel,
                     person=who or person(), service_area=area or council.waste, actor=council.recovery)
    db.session.commit()
    return case


def stage1(council: Council, case: Case, when: datetime) -> Case:
    return act(case, "start_stage1", when, council.recovery, reason="not_resolved")


def respond(council: Council, case: Case, when: datetime, outcome: str, **extra) -> Case:
    fields = {"outcome": outcome, "summary": "We looked into every point."}
    fields.update(extra)
    return act(case, "respond", when, council.recovery, **fields)


@pytest.fixture
def council(app) -> Council:
    waste = make_service_area("Waste and Recycling", "City Services")
    housing = make_service_area("Housing", "Adults and Housing")
    ward = Ward(name="Foleshill")
    db.session.add(ward)
    db.session.commit()
    return Council(
        waste=waste,
        housing=housing,
        officer=make_user(Role.INVESTIGATING_OFFICER),
        recovery=make_user(Role.SERVICE_RECOVERY),
        councillor=make_user(Role.COUNCILLOR),
        ward=ward,
    )


@pytest.fixture
def year_of_complaints(council) -> Council:
    """Cases A–I and X of the module docstring."""
    c = council
    june2 = at(2025, 6, 2, 9)  # Monday 2 June 2025, 10:00 BST
    a = complaint(c, june2)
    stage1(c, a, at(2025, 6, 2, 10))
    act(a, "acknowledge", at(2025, 6, 3), c.recovery)
    respond(c, a, at(2025, 6, 13), "upheld", remedies=["apology", "financial"], compensation="150.00",
            lessons_learned="Crews now check assisted collections off on the round sheet.")
    act(a, "escalate", at(2025, 6, 20), c.recovery, grounds=["procedures_not_applied"])

    b = complaint(c, june2, channel="telephone")
    stage1(c, b, at(2025, 6, 2, 10))
    respond(c, b, at(2025, 6, 20), "not_upheld")

    cc = complaint(c, june2, area=c.housing)
    stage1(c, cc, at(2025, 6, 2, 10))

    d = complaint(c, june2, area=c.housing)
    stage1(c, d, at(2025, 6, 2, 10))
    act(d, "extend", at(2025, 6, 12), c.recovery, due_on="2025-06-30", reason="Waiting for the contractor's report")
    respond(c, d, at(2025, 6, 27), "partially_upheld", remedies=["apology"])

    e = complaint(c, june2)
    act(e, "resolve_informally", at(2025, 6, 3), c.recovery, summary="Collected the next day")

    f = complaint(c, june2, channel="web_form")
    act(f, "decline", at(2025, 6, 3), c.recovery, reason="schools")

    g = complaint(c, june2)
    act(g, "withdraw", at(2025, 6, 4), c.recovery, reason="Sorted out")

    i = complaint(c, at(2026, 3, 30, 9))  # Monday 30 March 2026, 10:00 BST
    stage1(c, i, at(2026, 3, 30, 10))

    x = complaint(c, at(2024, 6, 3, 9))
    stage1(c, x, at(2024, 6, 3, 10))
    respond(c, x, at(2024, 6, 4), "upheld")

    c.cases.update(A=a, B=b, C=cc, D=d, E=e, F=f, G=g, I=i, X=x)
    return c
