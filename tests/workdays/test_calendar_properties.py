"""Properties that must hold for every date, checked with hypothesis."""

from datetime import date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from casework.workdays import london_date

from .conftest import FIRST_YEAR, LAST_YEAR

# Keep well inside the table so that no answer runs off its ends.
dates = st.dates(min_value=date(FIRST_YEAR + 2, 1, 1), max_value=date(LAST_YEAR - 2, 12, 31))
offsets = st.integers(min_value=0, max_value=300)
signed_offsets = st.integers(min_value=-300, max_value=300)


def walk(cal, d, n):
    """The obvious day-by-day definition, as an oracle for the bisect version."""
    if n == 0:
        while not cal.is_working_day(d):
            d += timedelta(days=1)
        return d
    step = 1 if n > 0 else -1
    counted = 0
    while counted != n:
        d += timedelta(days=step)
        if cal.is_working_day(d):
            counted += step
    return d


@given(d=dates, n=offsets)
def test_result_is_a_working_day(cal, d, n):
    assert cal.is_working_day(cal.add_working_days(d, n))


@given(d=dates, n=signed_offsets)
def test_matches_day_by_day_walk(cal, d, n):
    assert cal.add_working_days(d, n) == walk(cal, d, n)


@given(d=dates, n=offsets)
def test_working_days_between_inverts_add(cal, d, n):
    result = cal.add_working_days(d, n)
    if cal.is_working_day(d) or n > 0:
        assert cal.working_days_between(d, result) == n
    else:
        # n = 0 from a non-working day rolls forward one working day.
        assert cal.working_days_between(d, result) == 1


@given(d=dates, n=st.integers(min_value=1, max_value=300))
def test_going_back_undoes_going_forward(cal, d, n):
    start = cal.add_working_days(d, 0)
    assert cal.add_working_days(cal.add_working_days(start, n), -n) == start


@given(d1=dates, d2=dates, n=signed_offsets)
def test_monotonic_in_start_date(cal, d1, d2, n):
    d1, d2 = min(d1, d2), max(d1, d2)
    assert cal.add_working_days(d1, n) <= cal.add_working_days(d2, n)


@given(d=dates, n1=signed_offsets, n2=signed_offsets)
def test_monotonic_in_offset(cal, d, n1, n2):
    n1, n2 = min(n1, n2), max(n1, n2)
    assert cal.add_working_days(d, n1) <= cal.add_working_days(d, n2)
    if n1 < n2 and (n1 > 0 or n2 < 0 or cal.is_working_day(d)):
        assert cal.add_working_days(d, n1) < cal.add_working_days(d, n2)


@given(a=dates, b=dates)
def test_working_days_between_is_antisymmetric(cal, a, b):
    assert cal.working_days_between(a, b) == -cal.working_days_between(b, a)


@given(a=dates, b=dates)
def test_working_and_skipped_days_partition_the_interval(cal, a, b):
    a, b = min(a, b), max(a, b)
    skipped = cal.skipped_days(a, b)
    assert cal.working_days_between(a, b) + len(skipped) == (b - a).days
    assert all(a < d <= b and reason for d, reason in skipped)
    assert all(not cal.is_working_day(d) and cal.non_working_reason(d) == r for d, r in skipped)


@given(at=st.datetimes(
    min_value=datetime(FIRST_YEAR + 1, 1, 1), max_value=datetime(LAST_YEAR - 1, 12, 31),
    timezones=st.just(timezone.utc),
))
def test_deemed_receipt_is_a_working_day_on_or_after_the_london_date(cal, at):
    received = cal.deemed_receipt(at)
    assert cal.is_working_day(received)
    assert london_date(at) <= received
    assert cal.working_days_between(london_date(at), received) <= 1
