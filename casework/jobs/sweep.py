"""The deadline sweep (the reminders and escalations arrive with the scheduler issue).

For now it reports, as of a given time, which running deadlines are due and which are breached,
with indexed queries; it changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import Clock
from ..workdays import london_date


@dataclass
class SweepResult:
    as_of: date
    due_today: int
    breached: int

    def describe(self) -> str:
        return f"Sweep as of {self.as_of.isoformat()}: {self.due_today} deadline(s) due today, {self.breached} breached."


def run_sweep(at: datetime) -> SweepResult:
    today = london_date(at)
    running = (Clock.met_on.is_(None), Clock.stopped_on.is_(None), Clock.kind == "deadline")
    due_today = db.session.execute(select(func.count()).where(*running, Clock.due_on == today)).scalar_one()
    breached = db.session.execute(select(func.count()).where(*running, Clock.due_on < today)).scalar_one()
    return SweepResult(today, due_today, breached)
