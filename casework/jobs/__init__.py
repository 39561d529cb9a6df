"""The scheduler: registration of the periodic jobs (sweep, digests...)."""
from __future__ import annotations

import logging
import os

from flask import Flask

log = logging.getLogger("casework.jobs")


def _sweep_job(app: Flask) -> None:
    from ..extensions import db
    from ..workdays import utc_now
    from .sweep import run_sweep

    with app.app_context():
        try:
            run_sweep(utc_now())
            db.session.commit()
        except Exception:  # a failed sweep is retried by the next one
            db.session.rollback()
            log.exception("Deadline sweep failed")


def build_scheduler(app: Flask, scheduler_class):
    scheduler = scheduler_class(timezone="Europe/London", job_defaults={"coalesce": True, "misfire_grace_time": 300, "max_instances": 1})
    minutes = int(app.config.get("CASEWORK_SWEEP_MINUTES", 5))
    scheduler.add_job(_sweep_job, "interval", minutes=minutes, args=[app], id="deadline-sweep", replace_existing=True)
    return scheduler


def init_scheduler(app: Flask) -> None:
    """In development (CASEWORK_SCHEDULER=1) the scheduler runs inside the web process.

    With the Werkzeug reloader only the child process starts it. In production it is off here
    and runs in its own process (`flask casework scheduler`).
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

    scheduler = build_scheduler(app, BlockingScheduler)
    log.info("Scheduler process starting")
    scheduler.start()
