"""The working-day calendar the app uses: bank holidays plus the council's own dates."""
from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import CalendarDay, CalendarDayKind
from ..workdays import Calendar

_CACHE_SECONDS = 60.0


def fetch_calendar(count_closure_days: bool = False) -> Calendar:
    """A calendar with the council's proclaimed holidays and closure days, cached briefly.

    Policies decide whether closure days count as working days (STATUTE.md, counting
    conventions), so there is one cached calendar per choice.
    """
    cache = current_app.extensions.setdefault("casework.calendars", {})
    hit = cache.get(count_closure_days)
    if hit and time.monotonic() - hit[0] < _CACHE_SECONDS:
        return hit[1]
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)).all()
    holidays = [(r.day, r.name) for r in rows if r.kind == CalendarDayKind.HOLIDAY]
    closures = [(r.day, r.name) for r in rows if r.kind == CalendarDayKind.CLOSURE]
    calendar = Calendar(extra_holidays=holidays, closure_days=closures, count_closure_days=count_closure_days)
    cache[count_closure_days] = (time.monotonic(), calendar)
    return calendar


def forget_calendars() -> None:
    """Call after the council's dates change so the next use rebuilds the table."""
    current_app.extensions.pop("casework.calendars", None)


def calendar_for_policy(policy) -> Calendar:
    return fetch_calendar(bool(policy.counting.closure_days_count))
