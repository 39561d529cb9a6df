"""The working_day_numbers table: working days as a join and a subtraction in SQL.

n(d) is the number of working days from the calendar's first day up to and including d, so
the working days after a and up to b are n(b) − n(a) — exactly Calendar.working_days_between,
"the day after receipt is day 1". One row per calendar day (about 15,000 for 2000–2036).

The table is derived data: it is rebuilt from casework.workdays.Calendar (bank holidays plus
the council's calendar_days) whenever their fingerprint changes. Reports call
ensure_working_day_numbers() first; it costs nothing while the app's cached calendar is the
one last checked, and one small query when the cache has been rebuilt.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import delete, insert, select, text

from ..extensions import db
from ..models import ReportSetting, WorkingDayNumber
from ..operations.calendar import fetch_calendar

FINGERPRINT_KEY = "working_day_numbers.fingerprint"
_CHECKED = "casework.reports.calendar_checked"


def _fingerprint(without, with_closures) -> str:
    parts = {
        "range": [without.first_day.isoformat(), without.last_day.isoformat()],
        "holidays": sorted(d.isoformat() for d in without.extra_holidays),
        "closures": sorted(d.isoformat() for d in without.closure_days),
        # Bank holidays come from the holidays package: a new version may add proclaimed days.
        "bank": sorted(d.isoformat() for d, _ in _bank_days(without)),
        "with": [with_closures.first_day.isoformat(), with_closures.last_day.isoformat()],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _bank_days(calendar):
    for year in range(calendar.first_year, calendar.last_year + 1):
        yield from calendar.holidays_in_year(year)


def working_day_rows(without, with_closures) -> list[dict]:
    """Every day of the calendar with its two running working-day counts."""
    rows = []
    n = m = 0
    day, last = without.first_day, without.last_day
    one = timedelta(days=1)
    while day <= last:
        if without.is_working_day(day):
            n += 1
        if with_closures.is_working_day(day):
            m += 1
        rows.append({"day": day, "n": n, "n_with_closures": m})
        day += one
    return rows


def refresh_working_day_numbers(force: bool = False) -> bool:
    """Rebuild the table if the calendar changed (or when forced); commits. True if rebuilt."""
    without, with_closures = fetch_calendar(False), fetch_calendar(True)
    fingerprint = _fingerprint(without, with_closures)
    if db.session.get_bind().dialect.name == "postgresql":
        # Two requests noticing the change at once rebuild one after the other.
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('working_day_numbers'))"))
    stored = db.session.get(ReportSetting, FINGERPRINT_KEY)
    if not force and stored is not None and stored.value == fingerprint:
        db.session.commit()
        return False
    db.session.execute(delete(WorkingDayNumber))
    rows = working_day_rows(without, with_closures)
    for i in range(0, len(rows), 5000):
        db.session.execute(insert(WorkingDayNumber), rows[i:i + 5000])
    if stored is None:
        db.session.add(ReportSetting(key=FINGERPRINT_KEY, value=fingerprint))
    else:
        stored.value = fingerprint
    db.session.commit()
    return True


def ensure_working_day_numbers() -> None:
    """Make sure the table matches the calendar before a report runs its queries.

    Call it before the report's first query (it may commit the session).
    """
    cache = current_app.extensions
    calendars = (fetch_calendar(False), fetch_calendar(True))
    checked = cache.get(_CHECKED)
    # The very objects (kept alive here), not their ids: a rebuilt calendar is checked again.
    if checked is not None and all(a is b for a, b in zip(checked, calendars)):
        return
    refresh_working_day_numbers()
    cache[_CHECKED] = calendars


# PostgreSQL settings for a report's transaction (SET LOCAL: they end with the request's
# transaction). Measured at a million cases (docs/reporting.md, "PostgreSQL settings"):
# * jit = off: the JIT compiler spent 3.8 s compiling a 2.4 s report query and gained nothing;
# * random_page_cost = 1.1: the default (4) assumes spinning disks and makes the planner hash
#   a whole table instead of probing an index for a year's cases (0.47 s → 0.1 s); a working
#   database is in memory or on SSD;
# * work_mem = 64MB: a year's cases are grouped in memory rather than spilled to disk.
REPORT_SETTINGS = (("jit", "off"), ("random_page_cost", "1.1"), ("work_mem", "64MB"))


def prepare_report_session() -> None:
    """Before a report's queries: the working-day table up to date, and on PostgreSQL the
    report settings above for this transaction."""
    ensure_working_day_numbers()
    if db.session.get_bind().dialect.name == "postgresql":
        # set_config(..., true) is SET LOCAL, all three in one round trip.
        db.session.execute(text("SELECT " + ", ".join(
            f"set_config('{name}', '{value}', true)" for name, value in REPORT_SETTINGS)))


def working_days_between_sql(a: date, b: date) -> int:
    """n(b) − n(a) from the table (for tests and the docs' worked example)."""
    n = {row.day: row.n for row in db.session.execute(
        select(WorkingDayNumber.day, WorkingDayNumber.n).where(WorkingDayNumber.day.in_([a, b]))
    )}
    return n[b] - n[a]
