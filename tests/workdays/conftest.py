from datetime import date

import pytest

from casework.workdays import Calendar

# Fixed bounds so that results do not depend on today's date.
FIRST_YEAR = 2010
LAST_YEAR = 2035


@pytest.fixture(scope="session")
def cal():
    return Calendar(first_year=FIRST_YEAR, last_year=LAST_YEAR)


def day(iso: str) -> date:
    return date.fromisoformat(iso)


def fmt(d: date) -> str:
    """'Thu 2026-04-02' — weekday names make date tables readable."""
    return d.strftime("%a %Y-%m-%d")
