"""When is something deemed received?  Cut-off 17:00 Europe/London by default.

Instants are given in UTC, as stored, so that BST is really exercised:
16:59 BST is 15:59Z.  Each case also states the London zone it means to test.
"""

from datetime import datetime, time, timezone

import pytest

from casework.workdays import LONDON, to_london

from .conftest import day, fmt


def utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=timezone.utc)


def receipt_case(at, zone, expected_iso, **kwargs):
    local = to_london(at)
    expected = day(expected_iso)
    extra = "".join(f" [{k}={v}]" for k, v in kwargs.items())
    label = f"{local:%a %Y-%m-%d %H:%M:%S} {local.tzname()}{extra} -> {fmt(expected)}"
    return pytest.param(at, zone, kwargs, expected, id=label)


@pytest.mark.parametrize(
    "at, zone, kwargs, expected",
    [
        # GMT, November and January weekdays.
        receipt_case(utc("2026-11-23T16:59:00"), "GMT", "2026-11-23"),
        receipt_case(utc("2026-11-23T17:00:00"), "GMT", "2026-11-23"),
        receipt_case(utc("2026-11-23T17:00:01"), "GMT", "2026-11-24"),
        receipt_case(utc("2026-11-23T17:01:00"), "GMT", "2026-11-24"),
        receipt_case(utc("2027-01-14T16:59:00"), "GMT", "2027-01-14"),
        receipt_case(utc("2027-01-14T17:01:00"), "GMT", "2027-01-15"),
        receipt_case(utc("2026-11-23T00:00:00"), "GMT", "2026-11-23"),
        receipt_case(utc("2026-11-23T23:59:59"), "GMT", "2026-11-24"),
        # BST, June: 17:00 London is 16:00Z.
        receipt_case(utc("2026-06-17T15:59:00"), "BST", "2026-06-17"),
        receipt_case(utc("2026-06-17T16:00:00"), "BST", "2026-06-17"),
        receipt_case(utc("2026-06-17T16:00:01"), "BST", "2026-06-18"),
        receipt_case(utc("2026-06-17T16:01:00"), "BST", "2026-06-18"),
        receipt_case(utc("2026-06-17T16:30:00"), "BST", "2026-06-18"),
        # 23:30Z on Wednesday is already 00:30 on Thursday in London.
        receipt_case(utc("2026-06-17T23:30:00"), "BST", "2026-06-18"),
        # Friday evening -> Monday.
        receipt_case(utc("2026-11-27T18:00:00"), "GMT", "2026-11-30"),
        receipt_case(utc("2026-06-19T16:01:00"), "BST", "2026-06-22"),
        # Easter: Thursday evening -> Tuesday after Easter Monday.
        receipt_case(utc("2026-04-02T15:30:00"), "BST", "2026-04-02"),
        receipt_case(utc("2026-04-02T16:30:00"), "BST", "2026-04-07"),
        receipt_case(utc("2026-04-03T09:00:00"), "BST", "2026-04-07"),
        # Christmas Eve late -> after the Boxing Day substitute.
        receipt_case(utc("2026-12-24T16:59:00"), "GMT", "2026-12-24"),
        receipt_case(utc("2026-12-24T17:30:00"), "GMT", "2026-12-29"),
        # Weekends.
        receipt_case(utc("2026-11-28T10:00:00"), "GMT", "2026-11-30"),
        receipt_case(utc("2026-11-29T20:00:00"), "GMT", "2026-11-30"),
        # Custom cut-off.
        receipt_case(utc("2026-11-23T16:00:00"), "GMT", "2026-11-23", cutoff=time(16, 0)),
        receipt_case(utc("2026-11-23T16:01:00"), "GMT", "2026-11-24", cutoff=time(16, 0)),
        receipt_case(utc("2026-06-17T11:30:00"), "BST", "2026-06-17", cutoff=time(12, 30)),
        receipt_case(utc("2026-06-17T11:31:00"), "BST", "2026-06-18", cutoff=time(12, 30)),
        # Actual date convention: a weekend receipt keeps its date unless late.
        receipt_case(utc("2026-11-28T10:00:00"), "GMT", "2026-11-28", roll_non_working=False),
        receipt_case(utc("2026-04-03T09:00:00"), "BST", "2026-04-03", roll_non_working=False),
        receipt_case(utc("2026-11-28T18:00:00"), "GMT", "2026-11-30", roll_non_working=False),
        receipt_case(utc("2026-11-23T17:01:00"), "GMT", "2026-11-24", roll_non_working=False),
    ],
)
def test_deemed_receipt(cal, at, zone, kwargs, expected):
    assert to_london(at).tzname() == zone
    assert cal.deemed_receipt(at, **kwargs) == expected


def test_any_aware_datetime_is_converted_to_london(cal):
    # 17:30 in Paris (CET, winter) is 16:30 in London: on time.
    from zoneinfo import ZoneInfo

    paris = datetime(2026, 11, 23, 17, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert cal.deemed_receipt(paris) == day("2026-11-23")
    # 17:00:01 London wall clock, given in London time directly.
    assert cal.deemed_receipt(datetime(2026, 6, 17, 17, 0, 1, tzinfo=LONDON)) == day("2026-06-18")
    # Strictly after: a microsecond past the cut-off is late.
    assert cal.deemed_receipt(utc("2026-11-23T17:00:00.000001")) == day("2026-11-24")


def test_naive_datetime_is_refused(cal):
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.deemed_receipt(datetime(2026, 11, 23, 16, 0))


def test_a_date_is_refused(cal):
    with pytest.raises(TypeError):
        cal.deemed_receipt(day("2026-11-23"))
