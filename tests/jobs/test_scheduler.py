"""Scheduler wiring and the command line: which jobs, how they misfire, who starts them."""
from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from casework.jobs import JOB_NAMES, build_scheduler, init_scheduler
from tests.jobs.support import at, complaint, make_council, outbox_for


def test_every_job_is_scheduled_with_coalesce_and_a_misfire_grace_time(app):
    scheduler = build_scheduler(app, BackgroundScheduler)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == set(JOB_NAMES)
    for job in jobs.values():
        assert job.coalesce is True and job.misfire_grace_time >= 300 and job.max_instances == 1
    assert isinstance(jobs["sweep"].trigger, IntervalTrigger)
    assert jobs["sweep"].trigger.interval.total_seconds() == 300
    for name in ("daily-digests", "weekly-enquiry-digest", "review-reminders", "holiday-check"):
        assert isinstance(jobs[name].trigger, CronTrigger)
    assert str(jobs["weekly-enquiry-digest"].trigger.fields[4]) == "mon"  # day_of_week


def test_web_workers_never_start_a_scheduler(app):
    assert app.config["CASEWORK_SCHEDULER"] is False
    init_scheduler(app)
    assert "casework.scheduler" not in app.extensions


def test_development_starts_one_in_process(app, monkeypatch):
    started = []
    monkeypatch.setattr(BackgroundScheduler, "start", lambda self, *a, **k: started.append(self))
    app.config["CASEWORK_SCHEDULER"] = True
    init_scheduler(app)
    assert started and app.extensions["casework.scheduler"] is started[0]


def test_sweep_command_replays_a_day_and_says_what_was_sent(app):
    council = make_council()
    case = complaint(at("03-02", 10), assignee=council.officer, area=council.area)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["casework", "sweep", "--at", "2026-03-06T09:00:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "0 deadline(s) due today, 1 breached" in result.output
    assert "1 breach notice" in result.output
    assert f"to manager@council.test: Overdue: {case.reference} Informal resolution was due Thu 5 March" in result.output
    again = runner.invoke(args=["casework", "sweep", "--at", "2026-03-06T10:00:00"])
    assert "No new notifications" in again.output
    assert len(outbox_for(council.officer)) == 1


def test_run_job_command(app):
    council = make_council()
    complaint(at("03-02", 10), assignee=council.officer, area=council.area)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["casework", "run-job", "daily-digests", "--at", "2026-03-06T07:00:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "2 new digest(s) for 2 recipient(s)" in result.output
    weekend = runner.invoke(args=["casework", "run-job", "daily-digests", "--at", "2026-03-07T07:00:00"])
    assert "skipped (not a working day)" in weekend.output
    assert runner.invoke(args=["casework", "run-job", "holiday-check"]).exit_code == 0
    assert runner.invoke(args=["casework", "run-job", "nonsense"]).exit_code != 0
    assert runner.invoke(args=["casework", "run-job", "sweep", "--at", "yesterday"]).exit_code != 0
