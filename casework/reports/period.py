"""Report periods: London dates in, UTC instants out (received_at is stored in UTC)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..workdays import LONDON, UTC


def london_midnight_utc(day: date) -> datetime:
    """The UTC instant at which a London date begins (00:00 GMT or BST)."""
    return datetime.combine(day, time(0, 0), tzinfo=LONDON).astimezone(UTC)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both London dates and both included."""

    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"The period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def financial_year(cls, year: int) -> "Period":
        """1 April `year` to 31 March the year after: "2025" is 2025/26."""
        return cls(date(year, 4, 1), date(year + 1, 3, 31))

    @classmethod
    def last_months(cls, today: date, months: int = 12) -> "Period":
        """The last `months` calendar months, this one (to today) included."""
        return cls(add_months(today, -(months - 1)), today)

    @property
    def utc_start(self) -> datetime:
        return london_midnight_utc(self.start)

    @property
    def utc_end(self) -> datetime:
        """The first instant after the period (exclusive bound)."""
        return london_midnight_utc(self.end + timedelta(days=1))

    def months(self) -> list[date]:
        """The first day of every month the period touches."""
        out, month = [], month_start(self.start)
        while month <= self.end:
            out.append(month)
            month = add_months(month, 1)
        return out

    def previous_year(self) -> "Period":
        def back(d: date) -> date:
            try:
                return d.replace(year=d.year - 1)
            except ValueError:  # 29 February
                return d.replace(year=d.year - 1, day=28)

        return Period(back(self.start), back(self.end))

    @property
    def whole_financial_year(self) -> int | None:
        """2025 if the period is exactly 1 April 2025 to 31 March 2026, else None."""
        if self.start.month == 4 and self.start.day == 1 and self.end == date(self.start.year + 1, 3, 31):
            return self.start.year
        return None

    @property
    def label(self) -> str:
        if self.whole_financial_year is not None:
            return f"{self.start.year}/{str(self.start.year + 1)[2:]}"
        return f"{_long(self.start)} to {_long(self.end)}"


def _long(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def month_label(month: date | str) -> str:
    if isinstance(month, str):
        month = date.fromisoformat(month + "-01" if len(month) == 7 else month)
    return f"{month:%b %Y}"
