"""Time-zone helpers: store UTC, convert to Europe/London only at the edges.

Kept in one module so that nothing else in Casework needs to know how naive
datetimes are interpreted (they are always UTC here, as stored in the database).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

__all__ = ["LONDON", "UTC", "utc_now", "to_london", "london_date"]

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc


def utc_now() -> datetime:
    """The current instant as an aware UTC datetime (never naive, never local)."""
    return datetime.now(UTC)


def to_london(dt: datetime) -> datetime:
    """Convert to London wall-clock time; a naive datetime is taken to be UTC,
    because that is how Casework stores instants."""
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(LONDON)


def london_date(dt: datetime) -> date:
    """The calendar date in London of an instant (aware, or naive meaning UTC).

    23:30Z on a summer evening is already the next day in London (BST)."""
    return to_london(dt).date()
