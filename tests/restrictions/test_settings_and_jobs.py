"""The restriction settings come from the environment, checked; the scheduler lapses restrictions
daily and `flask casework run-job restriction-lapses` does it on demand (issue 7, 004 GH20)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from casework import create_app
from casework.config import ConfigError
from casework.extensions import db
from casework.jobs import JOB_NAMES, build_scheduler
from casework.models import RestrictionEvent, RestrictionLetter
from casework.operations import restrictions as ops
from tests.restrictions.support import considered, decide, spec, today, warned


def test_the_restriction_settings_default_to_the_documented_values(monkeypatch):
    monkeypatch.delenv("CASEWORK_RESTRICTION_MAX_MONTHS", raising=False)
    monkeypatch.delenv("CASEWORK_RESTRICTION_REMINDER_DAYS", raising=False)
    app = create_app()
    assert app.config["CASEWORK_RESTRICTION_MAX_MONTHS"] == 12
    assert app.config["CASEWORK_RESTRICTION_REMINDER_DAYS"] == 5


def test_the_restriction_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CASEWORK_RESTRICTION_MAX_MONTHS", "6")
    monkeypatch.setenv("CASEWORK_RESTRICTION_REMINDER_DAYS", " 10 ")
    app = create_app()
    assert app.config["CASEWORK_RESTRICTION_MAX_MONTHS"] == 6
    assert app.config["CASEWORK_RESTRICTION_REMINDER_DAYS"] == 10
    with app.app_context():
        assert ops.max_months() == 6 and ops.reminder_working_days() == 10


@pytest.mark.parametrize("name, value", [
    ("CASEWORK_RESTRICTION_MAX_MONTHS", "twelve"),
    ("CASEWORK_RESTRICTION_MAX_MONTHS", "0"),
    ("CASEWORK_RESTRICTION_MAX_MONTHS", "120"),
    ("CASEWORK_RESTRICTION_REMINDER_DAYS", "-1"),
    ("CASEWORK_RESTRICTION_REMINDER_DAYS", "2.5"),
])
def test_a_bad_restriction_setting_stops_the_app(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        create_app()


def test_a_shorter_maximum_is_enforced_on_decisions(app, council, person):
    app.config["CASEWORK_RESTRICTION_MAX_MONTHS"] = 2
    record = considered(person, council.recovery)
    warned(record, council.recovery)
    with pytest.raises(ops.InvalidField, match="no more than 2 months"):
        decide(record, council.recovery, [spec("time_limits", minutes=10, months=3)])


def test_the_scheduler_lapses_restrictions_every_day(app):
    assert "restriction-lapses" in JOB_NAMES
    jobs = {job.id: job for job in build_scheduler(app, BackgroundScheduler).get_jobs()}
    job = jobs["restriction-lapses"]
    assert isinstance(job.trigger, CronTrigger)
    assert str(job.trigger.fields[4]) == "*"  # day_of_week: weekends too
    assert job.coalesce is True and job.misfire_grace_time >= 300


def test_run_job_lapses_a_restriction_and_tells_the_person(app, council, person):
    record = considered(person, council.recovery)
    warned(record, council.recovery)
    decide(record, council.recovery, [spec("time_limits", minutes=10, months=1)])
    ends = record.active_restrictions[0].ends_on
    runner = app.test_cli_runner()
    before = runner.invoke(args=["casework", "run-job", "restriction-lapses",
                                 "--at", (ends - timedelta(days=1)).isoformat() + "T06:00:00+00:00"])
    assert before.exit_code == 0, before.output
    assert "0 restriction(s)" in before.output
    result = runner.invoke(args=["casework", "run-job", "restriction-lapses", "--at", ends.isoformat() + "T06:00:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "1 restriction(s), 1 record(s) closed, 1 letter(s) prepared" in result.output
    db.session.expire_all()
    assert record.status == "closed" and record.active_restrictions == []
    [event] = db.session.execute(db.select(RestrictionEvent).where(
        RestrictionEvent.record_id == record.id, RestrictionEvent.action == "restrictions_lapsed")).scalars()
    assert event.actor == "system" or event.actor_id is None
    letters = db.session.execute(db.select(RestrictionLetter).where(RestrictionLetter.record_id == record.id)).scalars().all()
    lapsed = [letter for letter in letters if letter.id == event.data["letter_id"]]
    assert lapsed and "ended" in (lapsed[0].subject + lapsed[0].body).lower()
    again = runner.invoke(args=["casework", "run-job", "restriction-lapses", "--at", ends.isoformat() + "T07:00:00+00:00"])
    assert "0 restriction(s)" in again.output  # idempotent


def test_review_reminders_are_part_of_the_daily_review_job(app, council, person):
    record = considered(person, council.recovery)
    warned(record, council.recovery)
    decide(record, council.recovery, [spec("time_limits", minutes=10, months=1, review_on=today() + timedelta(days=1))])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["casework", "run-job", "review-reminders",
                                 "--at", datetime.now(timezone.utc).isoformat()])
    assert result.exit_code == 0, result.output
    assert "Review reminders" in result.output
    from casework.models import Notification
    keys = [n.key for n in db.session.execute(db.select(Notification)).scalars()]
    assert any(k.startswith(f"review:restrictions:{record.id}:") for k in keys)
