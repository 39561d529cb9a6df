"""Member enquiries (POLICY.md §8, 001 §7.1): overdue -> senior officer -> Chief Executive flag."""
from __future__ import annotations

import pytest

from casework.extensions import db
from casework.jobs.sweep import CHIEF_EXECUTIVE_EVENT, ESCALATED_EVENT, run_sweep
from casework.models.notifications import Notification
from casework.queries.cases import fetch_case_events
from tests.jobs.support import act, at, count, events, kinds_for, make_council, member_enquiry


@pytest.fixture
def council(app):
    return make_council()


# Received Mon 2 March 2026: acknowledge within 2 working days (Wed 4), answer within 5
# (Mon 9 March; reminder 2 working days before, Thu 5 March). Overdue from Tue 10 March;
# flagged for the Chief Executive 5 working days after escalation: Tue 17 March.
RECEIVED = at("03-02", 10)


def test_the_escalation_chain_once_each(council):
    enquiry = member_enquiry(RECEIVED, council=council, assignee=council.officer, area=council.area,
                             acknowledge_at=at("03-03"))
    for day in ("03-05", "03-09"):
        run_sweep(at(day))
    assert kinds_for(council.officer) == ["deadline_reminder", "deadline_due_today"]

    result = run_sweep(at("03-10"))
    assert result.escalated == [enquiry.reference] and result.flagged == []
    assert kinds_for(council.officer) == ["deadline_reminder", "deadline_due_today", "deadline_breached"]
    assert kinds_for(council.manager) == ["enquiry_escalated"]  # the senior officer responsible
    # kept informed (report §4.3): the acknowledgement (operations.councillor_updates), then the escalation
    assert kinds_for(council.councillor) == ["councillor_acknowledged", "enquiry_escalated"]
    assert kinds_for(council.director) == [] and kinds_for(council.admin) == []
    [escalated] = events(enquiry, ESCALATED_EVENT)
    assert escalated.actor == "system" and escalated.data["notified"] == ["manager@council.test", "cllr@council.test"]
    assert escalated.data["due_on"] == "2026-03-09" and escalated.data["chief_executive_on"] == "2026-03-17"

    for day in ("03-11", "03-16"):
        assert run_sweep(at(day)).flagged == []
    result = run_sweep(at("03-17"))
    assert result.flagged == [enquiry.reference]
    assert kinds_for(council.director) == ["enquiry_chief_executive"]
    assert kinds_for(council.admin) == ["enquiry_chief_executive"]
    [flag] = events(enquiry, CHIEF_EXECUTIVE_EVENT)
    assert flag.data["working_days_after_escalation"] == 5 and flag.data["rule"] == "001 §7.1"

    for day in ("03-17", "03-18", "03-31"):
        run_sweep(at(day))
    assert len(events(enquiry, ESCALATED_EVENT)) == 1 and len(events(enquiry, CHIEF_EXECUTIVE_EVENT)) == 1
    assert count(Notification) == 6  # acknowledged (to the councillor), reminder, due today, breach, escalation, flag
    # Visible on the case's audit trail (GET /api/v1/cases/{reference}/events).
    actions = [e.action for e in fetch_case_events(enquiry)]
    assert actions == ["open", "acknowledge", ESCALATED_EVENT, CHIEF_EXECUTIVE_EVENT]


def test_answering_stops_the_chain(council):
    enquiry = member_enquiry(RECEIVED, council=council, assignee=council.officer, area=council.area,
                             acknowledge_at=at("03-03"))
    run_sweep(at("03-10"))
    act(enquiry, "respond", at("03-11"), council.officer, summary="The bins will be collected on Friday")
    run_sweep(at("03-17"))
    assert len(events(enquiry, ESCALATED_EVENT)) == 1
    assert events(enquiry, CHIEF_EXECUTIVE_EVENT) == []


def test_a_holding_reply_gives_a_new_date_and_a_new_chain(council):
    enquiry = member_enquiry(RECEIVED, council=council, assignee=council.officer, area=council.area,
                             acknowledge_at=at("03-03"))
    act(enquiry, "holding_reply", at("03-06"), council.officer, due_on="2026-03-20", reason="Waiting for the crew's report")
    run_sweep(at("03-10"))  # the old date is not overdue any more
    assert events(enquiry, ESCALATED_EVENT) == []
    run_sweep(at("03-23"))  # the new date (Fri 20 March) passed
    [escalated] = events(enquiry, ESCALATED_EVENT)
    assert escalated.data["due_on"] == "2026-03-20"


def test_without_a_service_area_manager_directors_are_the_senior_officers(council):
    member_enquiry(RECEIVED, council=council, assignee=council.officer, area=council.bare_area,
                   acknowledge_at=at("03-03"))
    run_sweep(at("03-10"))
    assert kinds_for(council.director) == ["enquiry_escalated"]
    assert kinds_for(council.manager) == []


def test_the_chain_applies_however_late_the_first_sweep(council):
    """Escalation is a rule, not a reminder: a scheduler down for weeks still escalates."""
    enquiry = member_enquiry(RECEIVED, council=council, assignee=council.officer, area=council.area,
                             acknowledge_at=at("03-03"))
    result = run_sweep(at("04-20"))
    assert result.escalated == [enquiry.reference] and result.flagged == [enquiry.reference]
    assert kinds_for(council.officer) == []  # the breach notice itself is too old to send
    assert [e.action for e in fetch_case_events(enquiry)][-2:] == [ESCALATED_EVENT, CHIEF_EXECUTIVE_EVENT]


def test_the_chief_executive_delay_is_configurable(council, app):
    app.config["CASEWORK_ENQUIRY_CHIEF_EXECUTIVE_DAYS"] = 2
    enquiry = member_enquiry(RECEIVED, council=council, assignee=council.officer, area=council.area,
                             acknowledge_at=at("03-03"))
    run_sweep(at("03-11"))
    assert events(enquiry, CHIEF_EXECUTIVE_EVENT) == []
    run_sweep(at("03-12"))  # Tue 10 + 2 working days
    assert len(events(enquiry, CHIEF_EXECUTIVE_EVENT)) == 1


def test_an_unacknowledged_enquiry_is_reminded_but_not_escalated(council):
    """Escalation follows the answer clock (001 §7.1); a missed acknowledgement is a breach."""
    enquiry = member_enquiry(RECEIVED, council=council, assignee=council.officer, area=council.area)
    run_sweep(at("03-05"))  # acknowledgement due Wed 4 March: breached
    kinds = kinds_for(council.officer)
    assert "deadline_breached" in kinds
    assert kinds_for(council.manager) == ["deadline_breached"]
    assert events(enquiry, ESCALATED_EVENT) == []
    db.session.rollback()
