"""`flask casework run-job NAME [--at ISO]`: run any scheduled job once, as of a given time.

The deadline sweep has its own command (`flask casework sweep`, API.md); this one replays the
others too — a morning's digests, Monday's enquiry monitoring — for support staff and tests.
"""
from __future__ import annotations

from datetime import datetime

import click

from . import JOB_NAMES, run_job


def parse_at(at: str | None) -> datetime | None:
    if not at:
        return None
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        raise click.ClickException("--at must be an ISO 8601 date-time, e.g. 2026-03-20T09:00:00+00:00") from None
    if when.tzinfo is None:
        from ..workdays import LONDON

        when = when.replace(tzinfo=LONDON)
    return when


@click.command("run-job")
@click.argument("name", type=click.Choice(JOB_NAMES))
@click.option("--at", "at", default=None, help="Run as if it were this ISO date-time (default: now).")
def run_job_command(name, at):
    """Run one scheduled job once (sweep, daily-digests, weekly-enquiry-digest, review-reminders, holiday-check, restriction-lapses)."""
    result = run_job(name, parse_at(at))
    click.echo(result.describe())
