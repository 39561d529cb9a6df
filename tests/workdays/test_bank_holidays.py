"""The holiday data itself: checked against gov.uk and the statute notes."""

from datetime import date

import pytest

from casework.workdays import Calendar

from .conftest import day

# /work/shared/STATUTE.md "Bank holidays, England and Wales (weekday dates)".
STATUTE_TABLE = {
    2024: "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26",
    2025: "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26",
    2026: "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28",
    2027: "01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28",
    2028: "01-03 04-14 04-17 05-01 05-29 08-28 12-25 12-26",
}


def weekday_holidays(cal, year):
    return {d for d, _ in cal.holidays_in_year(year) if d.weekday() < 5}


@pytest.mark.parametrize("year", sorted(STATUTE_TABLE))
def test_weekday_bank_holidays_match_the_statute_notes(cal, year):
    expected = {day(f"{year}-{md}") for md in STATUTE_TABLE[year].split()}
    assert weekday_holidays(cal, year) == expected


@pytest.fixture(scope="module")
def govuk(monkeypatch_module):
    import requests
    from govuk_bank_holidays.bank_holidays import BankHolidays

    def no_network(*args, **kwargs):
        raise AssertionError("the gov.uk cross-check must not use the network")

    monkeypatch_module.setattr(requests, "get", no_network)
    bank_holidays = BankHolidays(use_cached_holidays=True)
    by_year: dict[int, set[date]] = {}
    for holiday in bank_holidays.get_holidays(division=BankHolidays.ENGLAND_AND_WALES):
        by_year.setdefault(holiday["date"].year, set()).add(holiday["date"])
    return by_year


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_govuk_list_is_bundled_and_substantial(govuk):
    assert len(govuk) >= 10
    assert all(len(dates) >= 8 for year, dates in govuk.items() if year != min(govuk))


def test_holidays_package_agrees_with_govuk_on_weekday_dates(cal, govuk):
    disagreements = {}
    for year, govuk_dates in sorted(govuk.items()):
        if not cal.first_year <= year <= cal.last_year:
            continue
        ours = weekday_holidays(cal, year)
        theirs = {d for d in govuk_dates if d.weekday() < 5}
        if ours != theirs:
            disagreements[year] = {"only holidays": sorted(ours - theirs), "only gov.uk": sorted(theirs - ours)}
    assert disagreements == {}


def test_next_year_has_bank_holidays():
    """Fails if the data (or the default table) stops covering next year.

    England & Wales always have 8 bank holidays on weekdays once substitute
    days are counted; one-off proclaimed days only add to that.
    """
    next_year = date.today().year + 1
    holidays = Calendar().holidays_in_year(next_year)
    weekday_dates = [d for d, _ in holidays if d.weekday() < 5]
    assert len(weekday_dates) >= 8, holidays
    names = {name for _, name in holidays}
    assert {"Good Friday", "Easter Monday", "Christmas Day"} <= names
