"""Working days, bank holidays and London time for Casework.

PURE: imports neither Flask nor the database, so policies, jobs and tests can
use it alone.  A test checks this.
"""

from casework.workdays.calendar import (
    Calendar,
    CalendarRangeError,
    default_calendar,
)
from casework.workdays.timezones import LONDON, UTC, london_date, to_london, utc_now

__all__ = [
    "Calendar",
    "CalendarRangeError",
    "default_calendar",
    "LONDON",
    "UTC",
    "london_date",
    "to_london",
    "utc_now",
]
