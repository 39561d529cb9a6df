"""The scheduler: the periodic jobs and the two ways of running them.

* Development (`flask run` with CASEWORK_SCHEDULER=1, as scripts/run.sh does): a
  BackgroundScheduler inside the web process.
* Production: exactly one `flask casework scheduler` process (a BlockingScheduler) beside the
  gunicorn web workers, which never start one (docs/deployment.md).

Every job is idempotent anyway — each notification has a unique key — so a second scheduler
(or a manual `flask casework sweep`) running at the same time sends nothing twice
(../shared/TOOLCHAIN.md: two processes sharing a job store run every job twice).
Jobs are `fn(at) -> result with .describe()`; `run_job` gives each its app context, commits,
and logs a failure without stopping the scheduler (the next run retries).
"""
from __future__ import annotations

import logging
import os
import signal
import sys
from datetime import datetime
from typing import Callable

from flask import Flask

log = logging.getLogger("casework.jobs")


def _jobs() -> dict[str, Callable]:
    from .digests import run_daily_digests, run_weekly_enquiry_digest
    from ..operations.restrictions import run_restriction_lapses
    from .holidays import run_holiday_data_check
    from .reviews import run_review_reminders
    from .sweep import run_sweep

    return {
        "sweep": run_sweep,
        "daily-digests": run_daily_digests,
        "weekly-enquiry-digest": run_weekly_enquiry_digest,
        "review-reminders": run_review_reminders,
        "holiday-check": run_holiday_data_check,
        # Contact restrictions end on their end dates (004 GH20) and the person is told.
        "restriction-lapses": run_restriction_lapses,
    }


JOB_NAMES = ("sweep", "daily-digests", "weekly-enquiry-digest", "review-reminders", "holiday-check", "restriction-lapses")


def run_job(name: str, at: datetime | None = None):
    """Run one job now (or as of `at`) in the current app context; returns its result."""
    from ..extensions import db
    from ..workdays import utc_now

    result = _jobs()[name](at or utc_now())
    db.session.commit()
    return result


def _scheduled(app: Flask, name: str) -> None:
    from ..extensions import db

    with app.app_context():
        try:
            result = run_job(name)
            log.info("%s", result.describe())
        except Exception:  # a failed run is retried by the next one
            db.session.rollback()
            log.exception("Scheduled job %s failed", name)
        finally:
            db.session.remove()


def build_scheduler(app: Flask, scheduler_class):
    from .settings import JobSettings

    with app.app_context():
        settings = JobSettings.from_config()
    timezone = app.config.get("CASEWORK_TIMEZONE", "Europe/London")
    scheduler = scheduler_class(
        timezone=timezone,
        # coalesce: runs missed while the process was down become one run; a run may start up
        # to misfire_grace_time late (the default of 1 s reports it "missed" instead).
        job_defaults={"coalesce": True, "misfire_grace_time": 300, "max_instances": 1},
    )
    hour = settings.digest_hour

    def add(name: str, trigger: str, grace: int, **trigger_args) -> None:
        scheduler.add_job(
            _scheduled, trigger, args=[app, name], id=name, name=name, replace_existing=True,
            coalesce=True, misfire_grace_time=grace, max_instances=1, **trigger_args,
        )

    # The sweep also runs at start-up, so a restarted scheduler catches up at once.
    add("sweep", "interval", 300, minutes=settings.sweep_minutes, next_run_time=datetime.now().astimezone())
    add("daily-digests", "cron", 4 * 3600, day_of_week="mon-fri", hour=hour, minute=0)
    add("weekly-enquiry-digest", "cron", 12 * 3600, day_of_week="mon", hour=hour, minute=15)
    add("review-reminders", "cron", 4 * 3600, day_of_week="mon-fri", hour=hour, minute=30)
    add("holiday-check", "cron", 12 * 3600, day_of_week="mon-fri", hour=max(hour - 1, 0), minute=45)
    # Every day, weekends too: a restriction ends on its end date whatever day that is.
    add("restriction-lapses", "cron", 12 * 3600, hour=max(hour - 1, 0), minute=15)
    return scheduler


def init_scheduler(app: Flask) -> None:
    """In development (CASEWORK_SCHEDULER=1) the scheduler runs inside the web process.

    With the Werkzeug reloader only the child process starts it. In production it is off here
    and runs in its own process (`flask casework scheduler`); web workers never start it.
    """
    if not app.config.get("CASEWORK_SCHEDULER"):
        return
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start()
    app.extensions["casework.scheduler"] = scheduler
    log.info("Scheduler started in-process")


def run_scheduler_forever(app: Flask) -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    scheduler = build_scheduler(app, BlockingScheduler)
    log.info("Scheduler process starting: %s", ", ".join(job.id for job in scheduler.get_jobs()))
    # systemd stops services with SIGTERM: finish the jobs in progress (each commits or rolls
    # back as a whole), then exit.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("Scheduler process stopping; waiting for running jobs")
        if scheduler.running:
            scheduler.shutdown(wait=True)
