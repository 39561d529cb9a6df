"""Daily digests per officer and per team manager; the weekly member and MP enquiry monitoring."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.jobs.digests import fetch_enquiry_monitoring, run_daily_digests, run_weekly_enquiry_digest
from casework.models.notifications import Notification, NotificationDelivery
from casework.operations.cases import open_case
from tests.jobs.support import act, at, complaint, count, kinds_for, make_council, member_enquiry, resident


@pytest.fixture
def council(app):
    return make_council()


def digest_for(user, kind: str) -> Notification:
    return db.session.execute(
        select(Notification)
        .join(NotificationDelivery, NotificationDelivery.notification_id == Notification.id)
        .where(NotificationDelivery.user_id == user.id, Notification.kind == kind)
    ).scalar_one()


@pytest.fixture
def workload(council):
    """As of Fri 6 March 2026 (digest horizon: 5 working days, Fri 13 March)."""
    c = council
    cases = {
        "overdue": complaint(at("03-02", 10), assignee=c.officer, area=c.area),  # due Thu 5 March
        "today": complaint(at("03-03", 10), assignee=c.officer, area=c.area),  # due Fri 6 March
        "soon": complaint(at("03-04", 10), assignee=c.officer, area=c.area),  # due Mon 9 March
        "later": complaint(at("03-03", 10), assignee=c.officer, area=c.area),
        "paused": complaint(at("03-02", 10), assignee=c.officer, area=c.area),
        "colleague": complaint(at("03-02", 10), assignee=c.other_officer, area=c.area),
        "unassigned": complaint(at("03-04", 10), area=c.area),
        "elsewhere": complaint(at("03-02", 10), assignee=c.other_officer, area=c.bare_area),
    }
    act(cases["later"], "start_stage1", at("03-03", 11), c.recovery, reason="resident_insists")
    act(cases["later"], "acknowledge", at("03-04"), c.officer)  # Stage 1 response due Tue 17 March
    act(cases["paused"], "start_stage1", at("03-03", 11), c.recovery, reason="resident_insists")
    act(cases["paused"], "pause", at("03-03", 12), c.officer, reason="Waiting for consent")
    return cases


def test_officer_digest_lists_due_and_overdue_cases(council, workload):
    result = run_daily_digests(at("03-06", 7))
    assert result.decided == 3  # two officers, one manager
    digest = digest_for(council.officer, "daily_digest_officer")
    assert digest.subject == "Your cases on Fri 6 March: 1 overdue, 2 due soon"
    body = digest.body
    assert body.index("Overdue (1):") < body.index(workload["overdue"].reference) < body.index("Due today (1):")
    assert body.index("Due today (1):") < body.index(workload["today"].reference) < body.index("Due soon (1):")
    assert body.index("Due soon (1):") < body.index(workload["soon"].reference)
    assert "Informal resolution (Corporate complaints), due Thu 5 March, 1 working day late." in body
    for absent in ("later", "paused", "colleague", "unassigned", "elsewhere"):
        assert workload[absent].reference not in body
    assert "Zebedee" not in body  # no resident's personal data in digests either
    colleague = digest_for(council.other_officer, "daily_digest_officer")
    assert workload["colleague"].reference in colleague.body and workload["elsewhere"].reference in colleague.body


def test_manager_digest_covers_the_team_and_unassigned_cases(council, workload):
    run_daily_digests(at("03-06", 7))
    digest = digest_for(council.manager, "daily_digest_manager")
    assert digest.subject == "Your team's cases on Fri 6 March: 2 overdue, 3 due soon, 1 unassigned"
    body = digest.body
    assert "Waste and Recycling: 2 overdue, 1 due today, 2 due soon, 1 unassigned." in body
    for present in ("overdue", "today", "soon", "colleague", "unassigned"):
        assert workload[present].reference in body
    for absent in ("later", "paused", "elsewhere"):
        assert workload[absent].reference not in body
    assert "Olu Officer" in body and "Oona Other" in body  # who has each overdue case
    assert digest.data == {"overdue": 2, "due_today": 1, "due_soon": 2, "unassigned": 1}


def test_digests_once_a_day_and_only_on_working_days(council, workload):
    run_daily_digests(at("03-06", 7))
    again = run_daily_digests(at("03-06", 8))
    assert again.decided == 0 and again.delivery.sent == []
    saturday = run_daily_digests(at("03-07", 7))
    assert saturday.skipped == "not a working day"
    good_friday = run_daily_digests(at("04-03", 7))
    assert good_friday.skipped == "not a working day"
    monday = run_daily_digests(at("03-09", 7))
    assert monday.decided == 3
    assert kinds_for(council.officer) == ["daily_digest_officer", "daily_digest_officer"]
    assert count(Notification) == 6


def test_nothing_due_means_no_digest(council):
    assert run_daily_digests(at("03-06", 7)).decided == 0


# --- weekly enquiry monitoring (004 Appendix C) ----------------------------------------------

def mp_enquiry(received, *, area, assignee):
    case = open_case(kind="mp_enquiry", procedure="mp_enquiry", received_at=received, summary="MP asks about bins",
                     service_area=area, assignee=assignee, person=resident())
    db.session.commit()
    return case


@pytest.fixture
def enquiries(council):
    c = council
    late = member_enquiry(at("03-02", 10), council=c, assignee=c.officer, area=c.area, acknowledge_at=at("03-03"))
    act(late, "respond", at("03-11"), c.officer, summary="Answered late")  # due Mon 9 March
    waiting = member_enquiry(at("03-09", 10), council=c, assignee=c.officer, area=c.area, acknowledge_at=at("03-10"))
    overdue = member_enquiry(at("03-02", 10), council=c, assignee=c.other_officer, area=c.bare_area,
                             acknowledge_at=at("03-03"))
    on_time = mp_enquiry(at("03-09", 10), area=c.area, assignee=c.officer)
    act(on_time, "respond", at("03-12"), c.officer, summary="Answered in time")
    old = mp_enquiry(at("02-02", 10), area=c.area, assignee=c.officer)
    act(old, "respond", at("02-05"), c.officer, summary="Answered weeks ago")
    return {"late": late, "waiting": waiting, "overdue": overdue, "on_time": on_time, "old": old}


def test_weekly_monitoring_figures_by_service_area(council, enquiries):
    # Monday 16 March: the week is Mon 9 to Sun 15 March.
    from datetime import date

    figures = fetch_enquiry_monitoring(date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23))
    members = {f.area: vars(f) for f in figures["member_enquiry"]}
    assert members["Waste and Recycling"] == {
        "area": "Waste and Recycling", "received": 1, "open": 1, "due": 1, "overdue": 0,
        "answered_on_time": 0, "answered_late": 1,
    }
    assert members["Parks"] == {
        "area": "Parks", "received": 0, "open": 1, "due": 0, "overdue": 1, "answered_on_time": 0, "answered_late": 0,
    }
    mps = {f.area: vars(f) for f in figures["mp_enquiry"]}
    assert mps == {"Waste and Recycling": {
        "area": "Waste and Recycling", "received": 1, "open": 0, "due": 0, "overdue": 0,
        "answered_on_time": 1, "answered_late": 0,
    }}


def test_weekly_digest_goes_to_service_recovery_and_directors_once(council, enquiries):
    result = run_weekly_enquiry_digest(at("03-16", 7, 15))
    assert result.decided == 1 and result.recipients == 2
    assert kinds_for(council.recovery) == ["weekly_enquiry_digest"]
    assert kinds_for(council.director) == ["weekly_enquiry_digest"]
    assert kinds_for(council.officer) == [] and "weekly_enquiry_digest" not in kinds_for(council.councillor)
    digest = digest_for(council.director, "weekly_enquiry_digest")
    assert digest.subject == "Member and MP enquiries: week Mon 9 March to Sun 15 March"
    assert ("Councillor (member) enquiries: 2 open, 1 due, 1 overdue; answered 0 on time and 1 late; 1 received."
            in digest.body)
    assert "- Parks: 1 open, 0 due, 1 overdue; answered 0 on time, 0 late; 0 received." in digest.body
    assert "MP enquiries: 0 open, 0 due, 0 overdue; answered 1 on time and 0 late; 1 received." in digest.body
    assert run_weekly_enquiry_digest(at("03-16", 9)).decided == 0
