"""The working-day calendar: which days count, and arithmetic over them.

Every statutory and policy deadline in Casework ("20 working days from
receipt") is computed here, so the rules live in one pure object that can be
injected into operations and jobs and tested as tables.

Design notes (why, not what):

* The non-working days are England & Wales bank holidays from the ``holidays``
  package, plus dates the council adds.  One-off holidays are proclaimed at
  short notice (2022-06-03, 2022-09-19, 2023-05-08), so the calendar must take
  them as data (``extra_holidays``) rather than trust a formula alone.
* Council closure ("privilege") days count as working days under FOI but many
  councils exclude them from complaint deadlines: that is a policy choice
  (``count_closure_days``), never a hard-coded one.
* The working days in the table are precomputed once, as a sorted list of
  ordinals; every query is a ``bisect`` — no walking day by day, so a due date
  costs well under a microsecond.
* Dates outside the table raise ``CalendarRangeError`` rather than silently
  guessing: a deadline computed without holiday data would be wrong.
"""

from __future__ import annotations

import functools
import operator
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date, datetime, time
from itertools import compress
from types import MappingProxyType

from casework.workdays.timezones import LONDON

__all__ = ["Calendar", "CalendarRangeError", "default_calendar"]

_SATURDAY = 5
_SUNDAY = 6
_CLOSURE_REASON = "Council closure day"
_COUNCIL_HOLIDAY_REASON = "Council holiday"


class CalendarRangeError(ValueError):
    """A date, or the answer to a question, lies outside the calendar's table."""


@functools.lru_cache(maxsize=8)
def _bank_holidays(first_year: int, last_year: int) -> dict[int, str]:
    """England & Wales bank holidays keyed by date ordinal.

    Cached because the ``holidays`` package takes tens of milliseconds to build
    a few decades; every Calendar over the same years shares the result.
    Imported lazily so that importing casework.workdays stays cheap.
    """
    import holidays  # noqa: PLC0415 - deliberate lazy import

    table = holidays.country_holidays(
        "GB", subdiv="ENG", years=range(first_year, last_year + 1)
    )
    # The package lists weekend-dated holidays and "(observed)" substitutes;
    # every date it lists is non-working.
    return {d.toordinal(): name for d, name in table.items()}


def _check_date(d: object) -> date:
    if isinstance(d, datetime) or not isinstance(d, date):
        # A datetime would be truncated to its own (probably UTC) date, which
        # is the wrong day in London for late-evening BST instants.
        raise TypeError(
            f"expected a date, got {type(d).__name__}; "
            "use london_date() to turn an instant into a London date"
        )
    return d


def _normalise_days(items: Iterable, what: str) -> dict[date, str | None]:
    """Accept dates, ISO strings or (date, name) pairs; keep the first name given."""
    days: dict[date, str | None] = {}
    for item in items:
        name: str | None = None
        if isinstance(item, (tuple, list)):
            if len(item) != 2:
                raise ValueError(f"{what}: expected (date, name), got {item!r}")
            item, name = item
            name = (str(name).strip() or None) if name is not None else None
        if isinstance(item, str):
            item = date.fromisoformat(item)
        try:
            item = _check_date(item)
        except TypeError as exc:
            raise TypeError(f"{what}: {exc}") from None
        if item not in days or days[item] is None:
            days[item] = name
    return days


class Calendar:
    """Working days for one council: weekends, bank holidays, council additions.

    Immutable once built (so one instance can be shared between threads and
    cached); build a new one when the council's data changes.
    """

    def __init__(
        self,
        extra_holidays: Iterable = (),
        closure_days: Iterable = (),
        count_closure_days: bool = False,
        first_year: int = 2000,
        last_year: int | None = None,
    ) -> None:
        if last_year is None:
            last_year = date.today().year + 10
        if not (1 <= first_year <= last_year <= 9998):
            raise ValueError(
                f"need 1 <= first_year <= last_year <= 9998, "
                f"got first_year={first_year}, last_year={last_year}"
            )
        self.first_year = first_year
        self.last_year = last_year
        self.first_day = date(first_year, 1, 1)
        self.last_day = date(last_year, 12, 31)
        self.count_closure_days = bool(count_closure_days)
        # Read-only views: changing them after construction would not change the table.
        self.extra_holidays = MappingProxyType(_normalise_days(extra_holidays, "extra_holidays"))
        self.closure_days = MappingProxyType(_normalise_days(closure_days, "closure_days"))

        first = self._first_ord = self.first_day.toordinal()
        last = self._last_ord = self.last_day.toordinal()
        span = last - first + 1

        self._bank = {
            o: n for o, n in _bank_holidays(first_year, last_year).items()
            if first <= o <= last
        }

        # flags[i] == 1 when first + i is a working day.
        flags = bytearray(b"\x01") * span
        for weekday in (_SATURDAY, _SUNDAY):
            start = (weekday - (first - 1) % 7) % 7  # ordinal 1 is a Monday
            flags[start::7] = bytes(len(range(start, span, 7)))
        closed = list(self._bank)
        closed += [d.toordinal() for d in self.extra_holidays]
        if not self.count_closure_days:
            closed += [d.toordinal() for d in self.closure_days]
        for o in closed:
            if first <= o <= last:
                flags[o - first] = 0
        self._flags = bytes(flags)
        self._working = list(compress(range(first, last + 1), flags))
        # The same days as date objects, so answers need no date.fromordinal.
        self._working_dates = list(map(date.fromordinal, self._working))
        self._non_working = list(
            compress(range(first, last + 1), (not f for f in flags))
        )

    def __repr__(self) -> str:
        return (
            f"Calendar({self.first_day}..{self.last_day}, "
            f"extra_holidays={len(self.extra_holidays)}, "
            f"closure_days={len(self.closure_days)}, "
            f"count_closure_days={self.count_closure_days})"
        )

    # -- helpers ---------------------------------------------------------

    def _ordinal(self, d: date) -> int:
        # type() first: the common case costs one comparison, not two isinstance calls.
        o = (d if type(d) is date else _check_date(d)).toordinal()
        if not self._first_ord <= o <= self._last_ord:
            raise self._outside(d)
        return o

    def _outside(self, d: date) -> CalendarRangeError:
        return CalendarRangeError(
            f"{d.isoformat()} is outside the working-day calendar "
            f"({self.first_day.isoformat()} to {self.last_day.isoformat()})"
        )

    # -- questions -------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        return bool(self._flags[self._ordinal(d) - self._first_ord])

    def add_working_days(self, d: date, n: int) -> date:
        """The nth working day after d (d is day 0).

        n = 0 gives d itself if it is a working day, else the next working day
        (a receipt on a Saturday is dealt with on Monday).  Negative n counts
        back: n = -1 is the last working day before d.
        """
        o = (d if type(d) is date else _check_date(d)).toordinal()
        if not self._first_ord <= o <= self._last_ord:
            raise self._outside(d)
        if type(n) is not int:
            n = operator.index(n)  # refuses floats: 2.5 working days is a bug
        working = self._working
        if n > 0:
            # working[bisect_right(...)] is the first working day after d: day 1.
            index = bisect_right(working, o) + n - 1
        else:
            # n = 0: d itself or the next working day; n < 0: working days
            # strictly before d are working[:bisect_left(...)].
            index = bisect_left(working, o) + n
        if 0 <= index < len(working):
            return self._working_dates[index]
        raise CalendarRangeError(
            f"{n} working days from {d.isoformat()} falls outside the "
            f"working-day calendar ({self.first_day.isoformat()} to "
            f"{self.last_day.isoformat()})"
        )

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after a, up to and including b (negative if b < a).

        So working_days_between(d, add_working_days(d, n)) == n for a working
        day d — the "day after receipt is day 1" convention.
        """
        oa, ob = self._ordinal(a), self._ordinal(b)
        return bisect_right(self._working, ob) - bisect_right(self._working, oa)

    def deemed_receipt(
        self,
        at: datetime,
        cutoff: time = time(17, 0),
        roll_non_working: bool = True,
    ) -> date:
        """The London date on which something arriving at instant ``at`` is
        treated as received.

        Late means strictly after ``cutoff`` in London wall-clock time:
        17:00:00 exactly is on time, 17:00:00.000001 is late.  A late receipt,
        or (with roll_non_working) one on a non-working day, is deemed received
        on the next working day after its London date.
        """
        if not isinstance(at, datetime):
            raise TypeError(f"expected an aware datetime, got {type(at).__name__}")
        if at.tzinfo is None or at.tzinfo.utcoffset(at) is None:
            raise ValueError(
                "deemed_receipt needs a timezone-aware datetime; "
                "naive times are ambiguous between GMT and BST"
            )
        local = at.astimezone(LONDON)
        day = local.date()
        late = local.time() > cutoff.replace(tzinfo=None)
        if late or (roll_non_working and not self.is_working_day(day)):
            return self.add_working_days(day, 1)
        self._ordinal(day)  # range check even when no arithmetic is needed
        return day

    def non_working_reason(self, d: date) -> str | None:
        """Why d is not a working day, in words for a letter or audit trail;
        None if it is a working day.

        Weekends are named as such even when a bank holiday falls on them
        (the substitute weekday carries the "(observed)" name).
        """
        o = self._ordinal(d)
        if self._flags[o - self._first_ord]:
            return None
        weekday = (o - 1) % 7
        if weekday == _SATURDAY:
            return "Saturday"
        if weekday == _SUNDAY:
            return "Sunday"
        if o in self._bank:
            return self._bank[o]
        if d in self.extra_holidays:
            name = self.extra_holidays[d]
            return f"{_COUNCIL_HOLIDAY_REASON}: {name}" if name else _COUNCIL_HOLIDAY_REASON
        name = self.closure_days.get(d)
        return f"{_CLOSURE_REASON}: {name}" if name else _CLOSURE_REASON

    def skipped_days(self, a: date, b: date) -> list[tuple[date, str]]:
        """Non-working days after a up to and including b, with reasons — to
        show how a due date was worked out.  If b < a, the days after b up to
        and including a."""
        oa, ob = self._ordinal(a), self._ordinal(b)
        if ob < oa:
            oa, ob = ob, oa
        lo = bisect_right(self._non_working, oa)
        hi = bisect_right(self._non_working, ob)
        result = []
        for o in self._non_working[lo:hi]:
            d = date.fromordinal(o)
            result.append((d, self.non_working_reason(d)))
        return result

    def holidays_in_year(self, year: int) -> list[tuple[date, str]]:
        """Bank holidays and the council's extra holidays in a year (weekend-
        dated ones included), sorted; closure days are not holidays."""
        if not self.first_year <= year <= self.last_year:
            raise CalendarRangeError(
                f"{year} is outside the working-day calendar "
                f"({self.first_year} to {self.last_year})"
            )
        found = [
            (date.fromordinal(o), name)
            for o, name in self._bank.items()
            if date.fromordinal(o).year == year
        ]
        found += [
            (d, f"{_COUNCIL_HOLIDAY_REASON}: {name}" if name else _COUNCIL_HOLIDAY_REASON)
            for d, name in self.extra_holidays.items()
            if d.year == year
        ]
        return sorted(found)


@functools.lru_cache(maxsize=1)
def default_calendar() -> Calendar:
    """England & Wales bank holidays only; for code with no council settings."""
    return Calendar()
