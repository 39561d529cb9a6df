from datetime import datetime, timedelta, timezone

import pytest

from casework.workdays import LONDON, london_date, to_london, utc_now

from .conftest import day


def test_london_is_europe_london():
    assert LONDON.key == "Europe/London"


def test_utc_now_is_aware_utc():
    now = utc_now()
    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(timezone.utc)) < timedelta(seconds=5)


@pytest.mark.parametrize(
    "dt, expected_local, zone",
    [
        pytest.param(datetime(2026, 6, 17, 16, 0), datetime(2026, 6, 17, 17, 0), "BST", id="naive is UTC (June)"),
        pytest.param(datetime(2026, 11, 23, 16, 0), datetime(2026, 11, 23, 16, 0), "GMT", id="naive is UTC (November)"),
        pytest.param(
            datetime(2026, 6, 17, 16, 0, tzinfo=timezone.utc), datetime(2026, 6, 17, 17, 0), "BST", id="aware UTC"
        ),
        pytest.param(
            datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc), datetime(2026, 3, 29, 2, 0), "BST",
            id="Sun 2026-03-29 clocks go forward at 01:00Z",
        ),
        pytest.param(
            datetime(2026, 10, 25, 1, 0, tzinfo=timezone.utc), datetime(2026, 10, 25, 1, 0), "GMT",
            id="Sun 2026-10-25 clocks go back at 01:00Z",
        ),
    ],
)
def test_to_london(dt, expected_local, zone):
    local = to_london(dt)
    assert local.tzinfo is LONDON
    assert local.replace(tzinfo=None) == expected_local
    assert local.tzname() == zone


@pytest.mark.parametrize(
    "dt, expected",
    [
        pytest.param(datetime(2026, 6, 17, 23, 30, tzinfo=timezone.utc), day("2026-06-18"), id="23:30Z BST -> Thu 2026-06-18"),
        pytest.param(datetime(2026, 6, 17, 22, 59), day("2026-06-17"), id="naive 22:59 BST -> Wed 2026-06-17"),
        pytest.param(datetime(2026, 11, 23, 23, 30, tzinfo=timezone.utc), day("2026-11-23"), id="23:30Z GMT -> Mon 2026-11-23"),
    ],
)
def test_london_date(dt, expected):
    assert london_date(dt) == expected
