"""The demo loader: a realistic council whose every case looks as if the app had written it.

The strongest check is the replay: demo cases are opened again through
operations.cases.open_case and taken through take_action with the actions, fields, actors and
times of their own audit trails, and every column, clock and event must come out the same.
"""
from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from casework.demo import DEMO_PASSWORD, DEMO_USERS, WARDS, load_demo
from casework.extensions import db
from casework.models import (
    Case,
    CaseKind,
    CaseSequence,
    Clock,
    EqualityMonitoring,
    Event,
    Person,
    PolicyVersion,
    Representation,
    Role,
    ServiceArea,
    User,
    Ward,
)
from casework.operations.calendar import fetch_calendar
from casework.operations.cases import open_case, take_action

# A fixed "now" keeps the data the same from day to day (the demo is deterministic for a seed and now).
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
N_CASES = 1500


@pytest.fixture(scope="module")
def demo(database_template, tmp_path_factory):
    """One demo load for the module (tests that change data roll back)."""
    from casework import create_app
    from tests.conftest import TEST_CONFIG, truncate_all

    if isinstance(database_template, str):  # PostgreSQL
        truncate_all(database_template)
        uri = database_template
    else:
        copy = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
        shutil.copyfile(database_template, copy)
        uri = "sqlite:///" + str(copy)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        load_demo(N_CASES, seed=2026, now=NOW, echo=lambda message: None)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def fresh_session(demo):
    yield
    db.session.rollback()


def all_cases() -> list[Case]:
    return list(db.session.execute(select(Case).order_by(Case.id)).scalars())


def test_loads_the_number_of_cases_asked_for_with_every_kind_and_procedure(demo):
    cases = all_cases()
    assert len(cases) == N_CASES
    assert {c.kind for c in cases} == set(CaseKind)
    procedures = {c.procedure for c in cases}
    assert {"corporate", "childrens", "adults", "lgsco", "member_enquiry", "mp_enquiry",
            "feedback", "service_request"} <= procedures
    assert all(c.received_at <= NOW for c in cases)
    assert min(c.received_at for c in cases) < NOW.replace(year=NOW.year - 1)  # about two years...
    assert max(c.received_at for c in cases) > NOW - timedelta(days=4)  # ...up to now


def test_cases_are_in_every_kind_of_state(demo):
    cases = all_cases()
    corporate = {c.state for c in cases if c.procedure == "corporate"}
    assert {"resolved_informally", "stage1_responded", "closed", "declined", "withdrawn", "referred_to_lgsco"} <= corporate
    assert any(c.is_open for c in cases) and any(not c.is_open for c in cases)
    assert {c.outcome for c in cases} >= {"upheld", "partially_upheld", "not_upheld"}
    assert any(c.compensation for c in cases)
    assert any(c.remedies for c in cases)
    assert any(c.lessons_learned for c in cases)
    assert any(c.stage == "stage2" for c in cases)
    assert any(c.is_open and c.next_due_on is not None and c.next_due_on < NOW.date() for c in cases), "some overdue"
    member = [c for c in cases if c.kind == "member_enquiry"]
    assert member and all(c.raised_by is not None and c.raised_by.role == Role.COUNCILLOR for c in member)
    actions = set(db.session.execute(select(Event.action).distinct()).scalars())
    assert {"open", "start_stage1", "acknowledge", "respond", "escalate", "extend", "pause", "resume", "withdraw",
            "decline", "close", "resolve_informally"} <= actions
    extended = db.session.execute(select(func.count()).select_from(Clock).where(Clock.extensions != [])).scalar_one()
    paused = db.session.execute(select(func.count()).select_from(Clock).where(Clock.pauses != [])).scalar_one()
    assert extended and paused
    linked = [c for c in cases if c.linked_case_id is not None]
    assert any(c.procedure == "lgsco" for c in linked)


def test_council_people_and_demo_users(demo):
    wards = {w.name: w for w in db.session.execute(select(Ward)).scalars()}
    assert set(WARDS) <= set(wards) and len(WARDS) == 18
    for email, role, _name in DEMO_USERS:
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        assert user.role == role
        assert check_password_hash(user.password_hash, DEMO_PASSWORD)
    assert {role for _, role, _ in DEMO_USERS} == set(Role)
    councillor = db.session.execute(select(User).where(User.email == "councillor@demo.casework.test")).scalar_one()
    assert {w.name for w in councillor.wards} == {"St Michael's", "Foleshill"}
    officer = db.session.execute(select(User).where(User.email == "officer@demo.casework.test")).scalar_one()
    assert officer.service_area is not None
    for ward in wards.values():
        members = db.session.execute(select(User).where(User.wards.contains(ward))).scalars().all()
        assert 2 <= len(members) <= 3
    areas = db.session.execute(select(ServiceArea)).scalars().all()
    assert len(areas) >= 12 and all(a.manager_id is not None and a.directorate_id is not None for a in areas)

    people = db.session.execute(select(Person)).scalars().all()
    assert all(p.postcode and p.postcode.startswith("CV") and p.ward_id for p in people)
    assert any(p.accessibility_needs for p in people) and any(p.interpreter_needed for p in people)
    repeat = db.session.execute(
        select(Case.person_id).group_by(Case.person_id).having(func.count() > 1)
    ).scalars().all()
    assert repeat, "some people contact the council more than once"
    assert db.session.execute(select(func.count()).select_from(Representation)).scalar_one()
    monitored = db.session.execute(select(func.count()).select_from(EqualityMonitoring)).scalar_one()
    assert 0 < monitored < len(people) / 2, "equality monitoring is given by a voluntary minority"


def test_references_are_unique_and_the_sequences_continue_without_gaps(demo):
    cases = all_cases()
    references = [c.reference for c in cases]
    assert len(set(references)) == len(references)
    highest: dict = defaultdict(int)
    for reference in references:
        prefix, year, number = reference.split("-")
        highest[(prefix, int(year))] = max(highest[(prefix, int(year))], int(number))
    sequences = {(s.prefix, s.year): s.last_value for s in db.session.execute(select(CaseSequence)).scalars()}
    assert sequences == dict(highest)
    for (prefix, year), last in highest.items():
        assert sum(1 for r in references if r.startswith(f"{prefix}-{year}-")) == last  # no gaps
    # References follow the order of receipt, as the app allocates them.
    by_received = sorted(cases, key=lambda c: (c.received_at, c.id))
    assert [c.id for c in by_received] == [c.id for c in cases]

    case = open_case(kind="complaint", procedure="corporate", received_at=NOW, summary="After the demo")
    assert case.reference == f"CMP-{NOW.year}-{highest[('CMP', NOW.year)] + 1:06d}"


def test_next_due_on_is_the_earliest_running_deadline(demo):
    running = defaultdict(list)
    for clock in db.session.execute(select(Clock)).scalars():
        if clock.kind == "deadline" and clock.met_on is None and clock.stopped_on is None:
            running[clock.case_id].append(clock.due_on)
    for case in all_cases():
        expected = min(running[case.id]) if running[case.id] else None
        assert case.next_due_on == expected, case.reference
        if not case.is_open:
            assert case.closed_at is not None and case.next_due_on is None


def test_every_case_has_its_open_event_first_and_a_consistent_trail(demo):
    events = defaultdict(list)
    for event in db.session.execute(select(Event).order_by(Event.id)).scalars():
        events[event.case_id].append(event)
    for case in all_cases():
        trail = events[case.id]
        first = trail[0]
        assert first.action == "open" and first.from_state is None and first.at == case.received_at
        assert first.data["reference"] == case.reference
        for before, after in zip(trail, trail[1:]):
            assert after.from_state == before.to_state
            assert after.at > before.at
        assert trail[-1].to_state == case.state
        assert len(trail) == case.version  # one version per action, as the ORM counts them
        assert trail[-1].at <= NOW
        if not case.is_open:
            assert case.closed_at == trail[-1].at


def test_clock_due_dates_are_working_days(demo):
    calendar = fetch_calendar()
    clocks = db.session.execute(select(Clock)).scalars().all()
    assert clocks
    for clock in clocks:
        assert calendar.is_working_day(clock.due_on), (clock.name, clock.due_on)
        assert calendar.is_working_day(clock.original_due_on), (clock.name, clock.original_due_on)


def test_the_policy_versions_used_are_pinned(demo):
    used = set(db.session.execute(select(Case.procedure, Case.policy_version).distinct()).all())
    pinned = set(db.session.execute(select(PolicyVersion.key, PolicyVersion.version)).all())
    assert used <= pinned


def test_the_app_takes_further_actions_on_a_demo_case(demo):
    admin = db.session.execute(select(User).where(User.email == "admin@demo.casework.test")).scalar_one()
    informal = db.session.execute(
        select(Case).where(Case.procedure == "corporate", Case.state == "informal").limit(1)
    ).scalar_one_or_none()
    if informal is None:  # the data has none open at this moment: open one the app's way
        informal = open_case(kind="complaint", procedure="corporate", received_at=NOW, summary="Bins")
    version = informal.version
    take_action(informal, "start_stage1", {"reason": "resident_insists"}, actor=admin)
    assert informal.state == "stage1" and informal.version == version + 1
    assert {c.name for c in informal.clocks} >= {"stage1.acknowledge", "stage1.respond"}
    db.session.flush()

    responded = db.session.execute(
        select(Case).where(Case.procedure == "corporate", Case.state == "stage1_responded").limit(1)
    ).scalar_one()
    take_action(responded, "close", {"reason": "No reply"}, actor=admin)
    assert responded.state == "closed" and not responded.is_open
    db.session.flush()


def replayable(cases: list[Case]) -> list[Case]:
    """A handful of cases of every procedure, favouring the ones with the most happening."""
    by_procedure = defaultdict(list)
    for case in cases:
        by_procedure[case.procedure].append(case)
    chosen = []
    for group in by_procedure.values():
        group.sort(key=lambda c: (-c.version, c.id))
        chosen += group[:6] + group[-2:]
    chosen += [c for c in cases if c.paused_since is not None][:3]
    children = [c for c in cases if c.linked_case_id is not None and c.procedure != "lgsco"][:6]
    chosen += children + [c for c in cases if c.id in {child.linked_case_id for child in children}]
    return list({c.id: c for c in chosen}.values())


def test_demo_rows_are_exactly_what_the_app_writes(demo):
    """Replay demo cases through open_case / take_action and compare every column."""
    users = {u.id: u for u in db.session.execute(select(User)).scalars()}
    events = defaultdict(list)
    for event in db.session.execute(select(Event).order_by(Event.id)).scalars():
        events[event.case_id].append(event)
    checked = 0
    for original in replayable(all_cases()):
        trail = events[original.id]
        opened = trail[0]
        copy = open_case(
            kind=original.kind, procedure=opened.data["procedure"], received_at=original.received_at,
            summary=original.summary, channel=original.channel, description=original.description,
            person=original.person, service_area=original.service_area, raised_by=original.raised_by,
            assignee=original.assignee, actor=users.get(opened.actor_id), details=opened_details(original),
            councillor_acts_for_person=original.councillor_acts_for_person,
            linked_case=db.session.get(Case, original.linked_case_id) if original.linked_case_id else None,
        )
        for event in trail[1:]:
            take_action(copy, event.action, event.data.get("fields", {}), actor=users.get(event.actor_id), at=event.at)
        db.session.flush()
        for column in ("kind", "procedure", "policy_version", "state", "stage", "is_open", "channel", "received_at",
                       "summary", "person_id", "service_area_id", "assignee_id", "raised_by_id", "linked_case_id",
                       "councillor_acts_for_person",
                       "deemed_received_on", "next_due_on", "paused_since", "outcome", "outcome_summary", "remedies",
                       "compensation", "lessons_learned", "closure_reason", "details", "closed_at", "version"):
            assert getattr(copy, column) == getattr(original, column), (original.reference, column)
        assert clock_rows(copy) == clock_rows(original), original.reference
        replayed = db.session.execute(select(Event).where(Event.case_id == copy.id).order_by(Event.id)).scalars().all()
        assert [event_row(e) for e in replayed] == [event_row(e) for e in trail], original.reference
        checked += 1
    assert checked >= 20


def opened_details(case: Case) -> dict:
    """The details the case was opened with (the MP's office); actions stored the rest."""
    return {k: v for k, v in (case.details or {}).items() if k == "mp_office"}


def clock_rows(case: Case) -> list[dict]:
    columns = [c.name for c in Clock.__table__.columns if c.name not in ("id", "case_id")]
    rows = db.session.execute(select(Clock).where(Clock.case_id == case.id).order_by(Clock.id)).scalars()
    return [{name: getattr(row, name) for name in columns} for row in rows]


def event_row(event: Event) -> tuple:
    data = dict(event.data)
    if event.action == "open":
        data.pop("reference")  # the replayed case has its own reference...
    elif "linked_case" in data:
        data["linked_case"] = "(opened)"  # ...and so has the case a replayed action opens
    return (event.action, event.from_state, event.to_state, event.at, event.actor, event.actor_id, data)


def test_the_same_seed_gives_the_same_rows_with_or_without_worker_processes(demo):
    """Cases are planned in one pass and each is driven from its own seed, so the rows do not
    depend on how many processes drive them (nor in what order chunks finish)."""
    import multiprocessing

    from casework import demo as module
    from casework.operations.calendar import calendar_for_policy
    from casework.operations.policies import current_policies

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("worker processes need the fork start method")
    policies = dict(current_policies())
    org = module._load_org(module.random.Random(1), "not-used", NOW)  # reads back the demo's users
    calendars = {key: calendar_for_policy(policy) for key, policy in policies.items()}
    dialect = db.session.get_bind().dialect
    planner = module._Planner(99, NOW, calendars["corporate"], policies, org, 10_000_000, 10_000_000, {})
    plans = planner.plan(240)
    chunks = [plans[i:i + 60] for i in range(0, len(plans), 60)]
    module._SHARED = module._Shared(99, NOW, org, policies, calendars, {}, dialect)
    try:
        with module._chunk_results(chunks, 0) as results:
            alone = [result[1] for result in results]
        module._SHARED = module._Shared(99, NOW, org, policies, calendars, {}, dialect)
        with module._chunk_results(chunks, 2) as results:
            together = [result[1] for result in results]
    finally:
        module._SHARED = None
    assert alone == together
    assert sum(batch["cases"][0] for batch in alone) == 240
