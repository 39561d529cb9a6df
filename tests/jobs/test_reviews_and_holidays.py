"""The review reminder hook (restrictions, issue 7, will provide) and the holiday data check."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from casework.jobs.holidays import run_holiday_data_check
from casework.jobs.reviews import (
    ReviewReminder,
    register_review_provider,
    review_providers,
    review_reminder_provider,
    run_review_reminders,
    unregister_review_provider,
)
from casework.models.notifications import Notification
from casework.notifications import Recipient
from casework.workdays import Calendar
from tests.jobs.support import at, count, kinds_for, make_council, outbox_for


@pytest.fixture
def council(app):
    return make_council()


@pytest.fixture
def fake_restrictions(council):
    """A provider like the one the restrictions work will register: reviews due within 5 days."""
    reviews = [
        {"id": 1, "review_on": date(2026, 3, 10), "officer": council.manager},
        {"id": 2, "review_on": date(2026, 4, 30), "officer": council.manager},
    ]
    asked = []

    @review_reminder_provider("fake_restrictions")
    def provider(today):
        asked.append(today)
        for review in reviews:
            if today <= review["review_on"] <= today + timedelta(days=5):
                yield ReviewReminder(
                    key=f"{review['id']}:{review['review_on'].isoformat()}",
                    review_on=review["review_on"],
                    title="Contact restriction review",
                    reference=f"RST-{review['id']:04d}",
                    recipients=[Recipient(review["officer"].id, "You made this restriction decision (004 §19.3).")],
                    lines=["The Service Manager reviews whether the restriction is still needed (004 §19.4)."],
                    link="http://127.0.0.1:5000/restrictions/1",
                )

    yield asked, reviews
    unregister_review_provider("fake_restrictions")


def test_review_reminders_from_a_registered_provider_once(council, fake_restrictions):
    asked, reviews = fake_restrictions
    assert "fake_restrictions" in review_providers()
    assert run_review_reminders(at("03-02")).decided == 0  # 8 days ahead: not yet
    result = run_review_reminders(at("03-05"))
    assert result.decided == 1 and asked == [date(2026, 3, 2), date(2026, 3, 5)]
    run_review_reminders(at("03-06"))
    assert kinds_for(council.manager) == ["review_reminder"]
    [message] = outbox_for(council.manager)
    assert message.subject == "Review due: RST-0001 Contact restriction review on Tue 10 March"
    assert "004 §19.4" in message.body_text and "/restrictions/1" in message.body_text
    reviews[0]["review_on"] = date(2026, 3, 11)  # a new review date is a new reminder
    run_review_reminders(at("03-06"))
    assert kinds_for(council.manager) == ["review_reminder", "review_reminder"]


def test_a_failing_provider_does_not_stop_the_others(council, fake_restrictions):
    def broken(today):
        raise RuntimeError("restrictions table missing")

    register_review_provider("broken", broken)
    try:
        assert run_review_reminders(at("03-05")).decided == 1
    finally:
        unregister_review_provider("broken")


def test_holiday_check_is_quiet_when_the_data_is_there(council):
    result = run_holiday_data_check(at("11-23"))
    assert result.problems == [] and count(Notification) == 0
    assert "covers next year" in result.describe()


def test_holiday_check_warns_admins_when_next_year_is_missing(council):
    short = Calendar(first_year=2020, last_year=2026)  # no 2027 data
    result = run_holiday_data_check(at("12-01"), calendar=short)
    assert "only 0 bank holiday(s) for 2027" in result.problems
    assert kinds_for(council.admin)[0] == "holiday_data_missing"
    assert "policy_beyond_calendar" in kinds_for(council.admin)  # 20+ working days from 1 December
    assert kinds_for(council.director) == [] and kinds_for(council.officer) == []
    [missing] = [m for m in outbox_for(council.admin) if "2027" in m.subject]
    assert missing.subject == "Calendar: bank holidays for 2027 are missing"
    # Once a month while it lasts.
    run_holiday_data_check(at("12-02"), calendar=short)
    assert kinds_for(council.admin).count("holiday_data_missing") == 1


def test_holiday_check_warns_when_clocks_reach_past_the_data(council):
    # Data to the end of 2026 only; on 1 June nothing reaches it, on 1 December the longer clocks do.
    short = Calendar(first_year=2020, last_year=2026)
    june = run_holiday_data_check(at("06-01"), calendar=short)
    assert [p for p in june.problems if "could end past" in p] == []
    december = run_holiday_data_check(at("12-01"), calendar=short)
    beyond = [p for p in december.problems if "could end past 2026-12-31" in p]
    assert beyond and any(p.startswith("childrens:") for p in beyond)
