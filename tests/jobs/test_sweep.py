"""The deadline sweep, with the clock wound forward: the right people, the right reminders, once."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.jobs.settings import JobSettings
from casework.jobs.sweep import SweepPlanner, run_sweep
from casework.models.notifications import Notification, NotificationDelivery, OutboxMessage
from tests.jobs.support import act, at, complaint, count, kinds_for, make_council, outbox_for, received_by


@pytest.fixture
def council(app):
    return make_council()


# Corporate complaint received Mon 2 March 2026, 10:15: informal resolution (3 working days) is
# due Thu 5 March; its policy reminds 1 working day before (Wed 4 March).
RECEIVED = at("03-02", 10, 15)


def test_reminder_due_day_and_breach_each_once_to_the_right_people(council):
    case = complaint(RECEIVED, assignee=council.officer, area=council.area)
    clock_id = case.clocks[0].id

    assert run_sweep(at("03-03")).decided == {}  # Tue: too early
    run_sweep(at("03-04"))  # Wed: one working day before
    assert received_by(council.officer) == [("deadline_reminder", f"clock:{clock_id}:reminder-1:2026-03-05")]
    run_sweep(at("03-04", 15))  # the same day again: nothing new
    run_sweep(at("03-05"))  # Thu: due today
    run_sweep(at("03-06"))  # Fri: breached
    run_sweep(at("03-06", 16))
    run_sweep(at("03-09"))  # Mon: still breached, already told

    assert kinds_for(council.officer) == ["deadline_reminder", "deadline_due_today", "deadline_breached"]
    assert kinds_for(council.manager) == ["deadline_breached"]
    for bystander in (council.other_officer, council.recovery, council.director, council.admin, council.councillor):
        assert kinds_for(bystander) == []
    # One e-mail per delivery, in the development outbox.
    assert [m.subject for m in outbox_for(council.officer)] == [
        f"Reminder: {case.reference} Informal resolution due Thu 5 March",
        f"Due today: {case.reference} Informal resolution due Thu 5 March",
        f"Overdue: {case.reference} Informal resolution was due Thu 5 March",
    ]
    assert len(outbox_for(council.manager)) == 1
    assert count(OutboxMessage) == count(NotificationDelivery) == 4


def test_met_and_stopped_clocks_are_not_chased(council):
    case = complaint(RECEIVED, assignee=council.officer, area=council.area)
    act(case, "resolve_informally", at("03-03"), council.recovery, summary="Sorted on the phone")
    for day in ("03-04", "03-05", "03-06"):
        run_sweep(at(day))
    assert count(Notification) == 0


def test_reminders_follow_the_clock_to_the_next_stage(council):
    case = complaint(RECEIVED, assignee=council.officer, area=council.area)
    # Stage 1 on Tue 3 March: acknowledge within 3 (Fri 6), respond within 10 (Tue 17 March,
    # reminder 2 working days before: Fri 13 March).
    act(case, "start_stage1", at("03-03"), council.recovery, reason="resident_insists")
    act(case, "acknowledge", at("03-04"), council.officer)
    for day in ("03-04", "03-05", "03-06", "03-12", "03-13", "03-16", "03-17", "03-18"):
        run_sweep(at(day))
    keys = [key.split(":", 2)[2] for _, key in received_by(council.officer)]
    assert keys == ["reminder-2:2026-03-17", "due:2026-03-17", "breach:2026-03-17"]
    assert kinds_for(council.manager) == ["deadline_breached"]


def test_only_the_nearest_lead_time_is_sent_when_several_have_passed(council):
    case = complaint(RECEIVED, assignee=council.officer, area=council.area)
    act(case, "start_stage1", at("03-03"), council.recovery, reason="resident_insists")
    act(case, "acknowledge", at("03-04"), council.officer)
    act(case, "respond", at("03-05"), council.officer,
        outcome="not_upheld", summary="Collections were made")
    act(case, "escalate", at("03-06"), council.recovery, grounds=["procedures_not_applied"])
    # Stage 2 response: 20 working days from Fri 6 March, skipping Good Friday and Easter Monday
    # -> Tue 7 April; reminders 5 and 2 working days before: Fri 27 March and Wed 1 April.
    # The first sweep is on Wed 1 April: both lead times have passed; only the nearer is sent.
    run_sweep(at("04-01"))
    run_sweep(at("04-02"))
    keys = [key.split(":", 2)[2] for _, key in received_by(council.officer)]
    assert keys == ["reminder-2:2026-04-07"]


def test_an_extension_moves_the_reminders_to_the_new_date(council):
    case = complaint(RECEIVED, assignee=council.officer, area=council.area)
    act(case, "start_stage1", at("03-03"), council.recovery, reason="resident_insists")
    act(case, "acknowledge", at("03-04"), council.officer)
    run_sweep(at("03-13"))  # reminder for Tue 17 March
    act(case, "extend", at("03-13", 10), council.officer, days=15, reason="Waiting for the contractor's records")
    run_sweep(at("03-17"))  # old date: nothing (the clock is now due Tue 24 March)
    run_sweep(at("03-20"))  # two working days before Tue 24 March
    keys = [key.split(":", 2)[2] for _, key in received_by(council.officer)]
    assert keys == ["reminder-2:2026-03-17", "reminder-2:2026-03-24"]


def test_paused_clocks_are_not_chased(council):
    case = complaint(RECEIVED, assignee=council.officer, area=council.area)
    act(case, "start_stage1", at("03-03"), council.recovery, reason="resident_insists")
    act(case, "pause", at("03-03", 11), council.officer, reason="Waiting for consent")
    for day in ("03-05", "03-06", "03-17", "03-18"):
        run_sweep(at(day))
    assert count(Notification) == 0


def test_unassigned_cases_go_to_the_area_manager_else_the_service_recovery_team(council):
    complaint(RECEIVED, area=council.area)  # unassigned, managed area
    complaint(RECEIVED, area=council.bare_area)  # unassigned, area without a manager
    complaint(RECEIVED)  # unassigned, no area
    run_sweep(at("03-04"))
    assert kinds_for(council.manager) == ["deadline_reminder"]
    assert kinds_for(council.recovery) == ["deadline_reminder", "deadline_reminder"]
    run_sweep(at("03-06"))  # breach: the officer's share goes to the same people, plus managers
    assert kinds_for(council.manager) == ["deadline_reminder", "deadline_breached"]
    assert kinds_for(council.recovery) == ["deadline_reminder", "deadline_reminder", "deadline_breached", "deadline_breached"]
    reasons = db.session.execute(
        select(NotificationDelivery.reason).where(NotificationDelivery.user_id == council.manager.id)
    ).scalars().all()
    assert "Nobody is assigned to this case and you manage its service area (Waste and Recycling)." in reasons[0]


def test_an_inactive_assignee_counts_as_unassigned(council):
    council.officer.is_active_user = False
    db.session.commit()
    complaint(RECEIVED, assignee=council.officer, area=council.area)
    run_sweep(at("03-04"))
    assert kinds_for(council.officer) == []
    assert kinds_for(council.manager) == ["deadline_reminder"]


def test_long_overdue_breaches_are_left_to_the_digests(council, app):
    complaint(RECEIVED, assignee=council.officer, area=council.area)
    # Breached Fri 6 March; first sweep more than CASEWORK_REMINDER_CATCH_UP_DAYS later.
    app.config["CASEWORK_REMINDER_CATCH_UP_DAYS"] = 3
    run_sweep(at("03-12"))  # 4 working days after the breach day
    assert count(Notification) == 0
    app.config["CASEWORK_REMINDER_CATCH_UP_DAYS"] = 10
    run_sweep(at("03-12"))  # within 10: caught up once
    run_sweep(at("03-13"))
    assert kinds_for(council.officer) == ["deadline_breached"]


def test_a_non_working_day_sends_no_breach_before_the_next_working_day(council):
    # Received Wed 4 March: informal resolution due Mon 9 March... use a Friday due date:
    # received Tue 3 March -> due Fri 6 March; the day after is Saturday.
    complaint(at("03-03", 10), assignee=council.officer, area=council.area)
    run_sweep(at("03-07"))  # Saturday
    run_sweep(at("03-08"))  # Sunday
    assert "deadline_breached" not in kinds_for(council.officer)
    run_sweep(at("03-09"))  # Monday
    assert kinds_for(council.officer)[-1] == "deadline_breached"


def test_sweeping_twice_sends_nothing_new(council):
    for _ in range(3):
        complaint(RECEIVED, assignee=council.officer, area=council.area)
    first = run_sweep(at("03-06"))
    assert first.decided["deadline_breached"] == 3
    assert len(first.delivery.sent) == 6  # officer and manager for each
    second = run_sweep(at("03-06"))
    assert sum(second.decided.values()) == 0 and second.delivery.sent == []
    assert count(Notification) == 3 and count(OutboxMessage) == 6


def test_describe_says_what_was_sent(council):
    case = complaint(RECEIVED, assignee=council.officer, area=council.area)
    text = run_sweep(at("03-06")).describe()
    assert text.startswith("Sweep as of 2026-03-06: 0 deadline(s) due today, 1 breached.")
    assert "Decided 1 new notification(s) for 2 recipient(s): 1 breach notice." in text
    assert f"to officer@council.test: Overdue: {case.reference} Informal resolution was due Thu 5 March" in text
    assert "kept in the outbox" in text
    again = run_sweep(at("03-06")).describe()
    assert "No new notifications" in again and "Nothing waiting to be sent." in again


def test_sweep_batches_cover_every_clock(council):
    cases = [complaint(RECEIVED, assignee=council.officer, area=council.area) for _ in range(7)]
    result = run_sweep(at("03-04"), batch_size=2)
    assert result.decided["deadline_reminder"] == 7 and result.errors == 0
    assert {key.split(":")[1] for _, key in received_by(council.officer)} == {str(c.clocks[0].id) for c in cases}


def test_default_lead_time_when_the_policy_gives_none(app):
    settings = JobSettings()
    planner = SweepPlanner(date(2026, 3, 2), settings, directory=None, book=None)
    deadline = SimpleNamespace(kind="deadline")
    window = SimpleNamespace(kind="window")
    assert planner.leads(deadline, None) == [2]
    assert planner.leads(deadline, SimpleNamespace(remind_before=())) == [2]
    assert planner.leads(deadline, SimpleNamespace(remind_before=(5, 2, 0))) == [2, 5]
    assert planner.leads(window, SimpleNamespace(remind_before=())) == []
    assert planner.leads(window, SimpleNamespace(remind_before=(3,))) == [3]


def test_a_window_with_remind_before_gets_a_closing_reminder_but_never_a_breach(council):
    from casework.operations.cases import open_case

    case = open_case(kind="complaint", procedure="lgsco", received_at=RECEIVED, summary="Ombudsman case",
                     assignee=council.officer, service_area=council.area)
    db.session.commit()
    act(case, "start_investigation", at("03-03"), council.recovery, enquiries="Why were the bins missed?")
    act(case, "send_response", at("03-04"), council.officer, summary="Collection records")
    act(case, "draft_decision", at("03-05"), council.recovery, provisional_outcome="not_upheld")
    # Comments on the draft: a window of 10 working days (Thu 19 March), reminder 3 before (Mon 16).
    for day in ("03-13", "03-16", "03-19", "03-20", "03-23"):
        run_sweep(at(day))
    assert received_by(council.officer) == [
        ("window_reminder", f"clock:{case.clocks[-1].id}:reminder-3:2026-03-19"),
    ]
    assert kinds_for(council.manager) == []
    [message] = outbox_for(council.officer)
    assert message.subject == f"Reminder: {case.reference} Comments on the draft decision closes Thu 19 March"
