"""Working-day tables across England & Wales bank holidays (2022-2028)."""

from datetime import date, datetime, timedelta, timezone

import pytest

from casework.workdays import Calendar, CalendarRangeError, default_calendar

from .conftest import day, fmt


def working_case(iso, expected):
    d = day(iso)
    return pytest.param(d, expected, id=f"{fmt(d)} {'working' if expected else 'not working'}")


@pytest.mark.parametrize(
    "d, expected",
    [
        working_case("2026-04-02", True),   # Maundy Thursday
        working_case("2026-04-03", False),  # Good Friday
        working_case("2026-04-06", False),  # Easter Monday
        working_case("2026-04-07", True),
        working_case("2027-03-26", False),  # Good Friday
        working_case("2027-03-29", False),  # Easter Monday
        working_case("2026-05-04", False),  # Early May
        working_case("2026-08-31", False),  # Summer
        working_case("2026-12-24", True),   # Christmas Eve is not a bank holiday
        working_case("2026-12-25", False),
        working_case("2026-12-26", False),  # Saturday, Boxing Day
        working_case("2026-12-28", False),  # Boxing Day substitute
        working_case("2026-12-29", True),
        working_case("2027-12-27", False),  # Christmas Day substitute
        working_case("2027-12-28", False),  # Boxing Day substitute
        working_case("2027-12-29", True),
        working_case("2028-01-03", False),  # New Year's Day substitute
        working_case("2028-01-04", True),
        working_case("2022-06-02", False),  # Spring bank holiday moved for the Jubilee
        working_case("2022-06-03", False),  # Platinum Jubilee
        working_case("2022-05-30", True),   # usual last-Monday-of-May date, not in 2022
        working_case("2022-09-19", False),  # State Funeral
        working_case("2023-05-08", False),  # Coronation
        working_case("2026-11-23", True),
        working_case("2026-11-27", True),
        working_case("2026-11-28", False),  # Saturday
        working_case("2026-11-29", False),  # Sunday
    ],
)
def test_is_working_day(cal, d, expected):
    assert cal.is_working_day(d) is expected


def add_case(iso, n, expected_iso):
    d, expected = day(iso), day(expected_iso)
    return pytest.param(d, n, expected, id=f"{fmt(d)} {n:+d} -> {fmt(expected)}")


@pytest.mark.parametrize(
    "start, n, expected",
    [
        # n = 0: a working day stays put, anything else rolls forward.
        add_case("2026-11-23", 0, "2026-11-23"),
        add_case("2026-11-28", 0, "2026-11-30"),
        add_case("2026-11-29", 0, "2026-11-30"),
        add_case("2026-04-03", 0, "2026-04-07"),
        add_case("2026-12-25", 0, "2026-12-29"),
        # Forward over Easter, Christmas and New Year.
        add_case("2026-04-02", 1, "2026-04-07"),
        add_case("2026-04-02", 3, "2026-04-09"),
        add_case("2026-11-28", 1, "2026-11-30"),  # from a Saturday, Monday is day 1
        add_case("2026-12-23", 3, "2026-12-30"),
        add_case("2026-12-14", 10, "2026-12-30"),
        add_case("2027-12-20", 10, "2028-01-06"),
        add_case("2027-03-19", 10, "2027-04-06"),
        add_case("2026-11-23", 20, "2026-12-21"),
        add_case("2026-03-19", 20, "2026-04-20"),
        add_case("2026-12-24", 20, "2027-01-26"),
        add_case("2026-11-23", 25, "2026-12-30"),
        add_case("2026-11-02", 65, "2027-02-04"),
        add_case("2027-03-01", 65, "2027-06-04"),
        add_case("2022-05-27", 5, "2022-06-07"),  # Jubilee weekend, Thu and Fri off
        add_case("2022-09-16", 1, "2022-09-20"),  # State Funeral
        # Backwards.
        add_case("2026-11-24", -1, "2026-11-23"),
        add_case("2026-11-30", -1, "2026-11-27"),
        add_case("2026-11-28", -1, "2026-11-27"),
        add_case("2026-04-07", -1, "2026-04-02"),
        add_case("2026-04-03", -1, "2026-04-02"),
        add_case("2026-12-30", -3, "2026-12-23"),
        add_case("2026-12-30", -10, "2026-12-14"),
        add_case("2028-01-04", -3, "2027-12-29"),
    ],
)
def test_add_working_days(cal, start, n, expected):
    assert cal.add_working_days(start, n) == expected


def between_case(a_iso, b_iso, expected):
    a, b = day(a_iso), day(b_iso)
    return pytest.param(a, b, expected, id=f"{fmt(a)} .. {fmt(b)} = {expected}")


@pytest.mark.parametrize(
    "a, b, expected",
    [
        between_case("2026-04-02", "2026-04-02", 0),
        between_case("2026-04-02", "2026-04-03", 0),
        between_case("2026-04-02", "2026-04-07", 1),
        between_case("2026-11-27", "2026-11-29", 0),
        between_case("2026-11-28", "2026-11-30", 1),
        between_case("2026-11-23", "2026-12-21", 20),
        between_case("2026-12-14", "2026-12-30", 10),
        between_case("2026-12-30", "2026-12-14", -10),
        between_case("2027-12-20", "2028-01-06", 10),
        between_case("2026-11-02", "2027-02-04", 65),
    ],
)
def test_working_days_between(cal, a, b, expected):
    assert cal.working_days_between(a, b) == expected


@pytest.mark.parametrize(
    "d, reason",
    [
        pytest.param(day("2026-11-23"), None, id="Mon 2026-11-23 working"),
        pytest.param(day("2026-11-28"), "Saturday", id="Sat 2026-11-28"),
        pytest.param(day("2026-11-29"), "Sunday", id="Sun 2026-11-29"),
        pytest.param(day("2026-12-26"), "Saturday", id="Sat 2026-12-26 Boxing Day"),
        pytest.param(day("2026-04-03"), "Good Friday", id="Fri 2026-04-03"),
        pytest.param(day("2026-12-28"), "Boxing Day (observed)", id="Mon 2026-12-28"),
        pytest.param(day("2027-12-27"), "Christmas Day (observed)", id="Mon 2027-12-27"),
        pytest.param(day("2027-12-28"), "Boxing Day (observed)", id="Tue 2027-12-28"),
        pytest.param(day("2028-01-03"), "New Year's Day (observed)", id="Mon 2028-01-03"),
    ],
)
def test_non_working_reason(cal, d, reason):
    assert cal.non_working_reason(d) == reason


def test_skipped_days_explain_a_due_date_over_christmas(cal):
    start, due = day("2026-12-23"), day("2027-01-05")
    assert cal.skipped_days(start, due) == [
        (day("2026-12-25"), "Christmas Day"),
        (day("2026-12-26"), "Saturday"),
        (day("2026-12-27"), "Sunday"),
        (day("2026-12-28"), "Boxing Day (observed)"),
        (day("2027-01-01"), "New Year's Day"),
        (day("2027-01-02"), "Saturday"),
        (day("2027-01-03"), "Sunday"),
    ]
    assert cal.skipped_days(due, start) == cal.skipped_days(start, due)
    # The start day itself is day 0 and never listed.
    assert cal.skipped_days(day("2026-12-25"), day("2026-12-25")) == []
    assert cal.skipped_days(day("2026-12-24"), day("2026-12-25")) == [
        (day("2026-12-25"), "Christmas Day")
    ]


def test_holidays_in_year_lists_weekend_dated_holidays_and_substitutes(cal):
    assert cal.holidays_in_year(2027) == [
        (day("2027-01-01"), "New Year's Day"),
        (day("2027-03-26"), "Good Friday"),
        (day("2027-03-29"), "Easter Monday"),
        (day("2027-05-03"), "May Day"),
        (day("2027-05-31"), "Spring Bank Holiday"),
        (day("2027-08-30"), "Late Summer Bank Holiday"),
        (day("2027-12-25"), "Christmas Day"),
        (day("2027-12-26"), "Boxing Day"),
        (day("2027-12-27"), "Christmas Day (observed)"),
        (day("2027-12-28"), "Boxing Day (observed)"),
    ]


# -- council additions ---------------------------------------------------


def test_proclaimed_one_off_holiday_shifts_due_dates(cal):
    proclaimed = day("2027-06-07")
    start = day("2027-05-24")
    council = Calendar(
        extra_holidays=[(proclaimed, "Proclaimed bank holiday")],
        first_year=2010,
        last_year=2035,
    )
    assert cal.is_working_day(proclaimed)
    assert not council.is_working_day(proclaimed)
    assert cal.add_working_days(start, 10) == day("2027-06-08")
    assert council.add_working_days(start, 10) == day("2027-06-09")
    assert council.working_days_between(start, day("2027-06-09")) == 10
    assert council.non_working_reason(proclaimed) == "Council holiday: Proclaimed bank holiday"
    assert (proclaimed, "Council holiday: Proclaimed bank holiday") in council.holidays_in_year(2027)
    assert (proclaimed, "Council holiday: Proclaimed bank holiday") not in cal.holidays_in_year(2027)


def test_extra_holidays_accept_plain_dates_and_iso_strings():
    council = Calendar(extra_holidays=[day("2026-12-24"), "2026-12-31"], first_year=2026, last_year=2027)
    assert not council.is_working_day(day("2026-12-24"))
    assert not council.is_working_day(day("2026-12-31"))
    assert council.non_working_reason(day("2026-12-24")) == "Council holiday"
    # Wed 23rd + 1: 24 extra, 25 bank holiday, 26-27 weekend, 28 substitute -> 29.
    assert council.add_working_days(day("2026-12-23"), 1) == day("2026-12-29")


CHRISTMAS_CLOSURE = [
    (day("2026-12-29"), "Christmas closure"),
    (day("2026-12-30"), "Christmas closure"),
    day("2026-12-31"),
]


def test_closure_days_excluded_by_default():
    council = Calendar(closure_days=CHRISTMAS_CLOSURE, first_year=2026, last_year=2027)
    assert not council.is_working_day(day("2026-12-29"))
    assert council.add_working_days(day("2026-12-24"), 1) == day("2027-01-04")
    assert council.working_days_between(day("2026-12-24"), day("2027-01-04")) == 1
    assert council.non_working_reason(day("2026-12-29")) == "Council closure day: Christmas closure"
    assert council.non_working_reason(day("2026-12-31")) == "Council closure day"
    # Closure days are not holidays.
    assert all(d.month != 12 or d.day < 29 for d, _ in council.holidays_in_year(2026))


def test_closure_days_count_as_working_days_under_the_foi_convention():
    council = Calendar(
        closure_days=CHRISTMAS_CLOSURE, count_closure_days=True, first_year=2026, last_year=2027
    )
    assert council.is_working_day(day("2026-12-29"))
    assert council.non_working_reason(day("2026-12-29")) is None
    assert council.add_working_days(day("2026-12-24"), 1) == day("2026-12-29")
    assert council.add_working_days(day("2026-12-24"), 4) == day("2027-01-04")


def test_bad_extra_holiday_is_rejected():
    with pytest.raises(TypeError):
        Calendar(extra_holidays=[datetime(2026, 12, 24, tzinfo=timezone.utc)], first_year=2026, last_year=2027)
    with pytest.raises(ValueError):
        Calendar(extra_holidays=[(day("2026-12-24"), "a", "b")], first_year=2026, last_year=2027)


# -- bounds ----------------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    return Calendar(first_year=2020, last_year=2030)


def test_table_bounds(small):
    assert small.first_day == day("2020-01-01")
    assert small.last_day == day("2030-12-31")


def test_default_last_year_is_ten_years_ahead():
    assert Calendar().last_day == date(date.today().year + 10, 12, 31)
    assert Calendar().first_day == date(2000, 1, 1)
    assert default_calendar() is default_calendar()


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c: c.is_working_day(day("2031-01-01")), id="is_working_day after table"),
        pytest.param(lambda c: c.is_working_day(day("2019-12-31")), id="is_working_day before table"),
        pytest.param(lambda c: c.add_working_days(day("2030-12-30"), 5), id="add runs off the end"),
        pytest.param(lambda c: c.add_working_days(day("2030-12-31"), 1), id="Tue 2030-12-31 +1 runs off the end"),
        pytest.param(lambda c: c.add_working_days(day("2020-01-02"), -1), id="Thu 2020-01-02 -1 runs off the start"),
        pytest.param(lambda c: c.add_working_days(day("2020-01-03"), -3), id="add runs off the start"),
        pytest.param(lambda c: c.add_working_days(day("2031-01-02"), -5), id="add from outside"),
        pytest.param(lambda c: c.working_days_between(day("2020-01-02"), day("2031-01-02")), id="between"),
        pytest.param(lambda c: c.non_working_reason(day("2031-01-04")), id="reason"),
        pytest.param(lambda c: c.skipped_days(day("2030-12-01"), day("2031-01-04")), id="skipped_days"),
        pytest.param(lambda c: c.holidays_in_year(2031), id="holidays_in_year"),
        pytest.param(
            lambda c: c.deemed_receipt(datetime(2030, 12, 31, 18, 0, tzinfo=timezone.utc)),
            id="deemed_receipt late on the last day",
        ),
    ],
)
def test_outside_the_table_raises(small, call):
    with pytest.raises(CalendarRangeError):
        call(small)


def test_range_error_is_a_value_error():
    assert issubclass(CalendarRangeError, ValueError)


def test_first_and_last_working_days_of_the_table_are_reachable(small):
    # Thu 2020-01-02 (1st is New Year's Day) and Tue 2030-12-31 are the ends.
    assert small.add_working_days(day("2030-12-31"), 0) == day("2030-12-31")
    assert small.add_working_days(day("2030-12-30"), 1) == day("2030-12-31")
    assert small.add_working_days(day("2020-01-01"), 0) == day("2020-01-02")
    assert small.add_working_days(day("2020-01-03"), -1) == day("2020-01-02")
    every_day = (small.first_day + timedelta(days=i) for i in range(1, (small.last_day - small.first_day).days + 1))
    assert small.working_days_between(small.first_day, small.last_day) == sum(map(small.is_working_day, every_day))


def test_datetimes_are_refused_where_a_date_is_expected(cal):
    with pytest.raises(TypeError, match="london_date"):
        cal.is_working_day(datetime(2026, 6, 17, 23, 30, tzinfo=timezone.utc))
    with pytest.raises(TypeError, match="london_date"):
        cal.add_working_days(datetime(2026, 6, 17, 23, 30, tzinfo=timezone.utc), 1)


def test_fractional_working_days_are_refused(cal):
    with pytest.raises(TypeError):
        cal.add_working_days(day("2026-11-23"), 2.5)


def test_council_days_cannot_be_changed_after_construction():
    council = Calendar(extra_holidays=[day("2026-12-24")], first_year=2026, last_year=2027)
    with pytest.raises(TypeError):
        council.extra_holidays[day("2026-12-31")] = "New Year's Eve"
