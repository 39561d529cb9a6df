"""The holiday data check: warn administrators before deadlines are counted on missing data.

Two problems, each told to administrators at most once a month while it lasts:
* next year's bank holidays are missing from the working-day calendar (fewer than the
  eight England and Wales normally has, or the year is outside the calendar);
* a policy's longest clock (with its extension cap), started today, could end past the last
  year the calendar has holiday data for.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ..extensions import db
from ..models import Role
from ..notifications import NotificationDraft, create_notifications, deliver_pending
from ..operations.calendar import calendar_for_policy, fetch_calendar
from ..operations.policies import current_policies
from ..workdays import CalendarRangeError, london_date
from .digests import DigestResult
from .recipients import Directory
from .settings import app_link

# England and Wales: New Year's Day, Good Friday, Easter Monday, early May, spring and summer
# bank holidays, Christmas Day and Boxing Day.
EXPECTED_BANK_HOLIDAYS = 8


@dataclass
class HolidayCheckResult(DigestResult):
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"Holiday data check as of {self.as_of.isoformat()}: "
                 + ("; ".join(self.problems) if self.problems else "the calendar covers next year and every policy's clocks.")]
        lines.append(f"{self.decided} new warning(s) for {self.recipients} recipient(s).")
        if self.delivery is not None:
            lines.append(self.delivery.describe())
        return "\n".join(lines)


def holidays_found(calendar, year: int) -> int:
    try:
        return len(calendar.holidays_in_year(year))
    except CalendarRangeError:
        return 0


def last_year_with_data(calendar, from_year: int) -> int:
    """The last year, counting on from `from_year`, up to which every year has its holidays."""
    year = from_year
    while year + 1 <= calendar.last_year and holidays_found(calendar, year + 1) >= EXPECTED_BANK_HOLIDAYS:
        year += 1
    return year


def longest_clock(policy):
    """(clock, working days) of the policy clock that can run longest, extensions included."""
    best = None
    for clock in policy.clocks.values():
        reach = max(clock.days, clock.extension_cap or 0)
        if best is None or reach > best[1]:
            best = (clock, reach)
    return best


def run_holiday_data_check(at: datetime, *, calendar=None, deliver: bool = True) -> HolidayCheckResult:
    """`calendar` replaces the app's calendar (tests); by default each policy's own is used."""
    today = london_date(at)
    result = HolidayCheckResult("Holiday data check", today)
    base = calendar or fetch_calendar()
    month = f"{today:%Y-%m}"
    reason = "You are an administrator: the working-day calendar needs attention."
    admins = Directory().role(Role.ADMIN, reason)
    drafts = []

    next_year = today.year + 1
    found = holidays_found(base, next_year)
    if found < EXPECTED_BANK_HOLIDAYS:
        result.problems.append(f"only {found} bank holiday(s) for {next_year}")
        drafts.append(NotificationDraft(
            key=f"calendar:holidays-missing:{next_year}:{month}", kind="holiday_data_missing", recipients=admins,
            context={"year": next_year, "found": found, "expected": EXPECTED_BANK_HOLIDAYS, "for_date": today},
            for_date=today, link=app_link("/notifications"), data={"year": next_year, "found": found},
        ))

    for policy in sorted(current_policies().values(), key=lambda p: p.key):
        longest = longest_clock(policy)
        if longest is None:
            continue
        clock, reach = longest
        policy_calendar = calendar or calendar_for_policy(policy)
        covered_to = date(min(last_year_with_data(policy_calendar, today.year), policy_calendar.last_year), 12, 31)
        try:
            reach_day = policy_calendar.add_working_days(today, reach)
        except CalendarRangeError:
            reach_day = None
        if reach_day is not None and reach_day <= covered_to:
            continue
        result.problems.append(f"{policy.key}: {clock.name} could end past {covered_to.isoformat()}")
        drafts.append(NotificationDraft(
            key=f"calendar:policy-beyond:{policy.key}:{month}", kind="policy_beyond_calendar", recipients=admins,
            context={
                "policy_title": policy.title, "clock_title": clock.title, "reach_days": reach,
                "reach_day": reach_day, "last_day": covered_to, "for_date": today,
            },
            for_date=today, link=app_link("/notifications"),
            data={"policy": policy.key, "clock": clock.name, "last_day": covered_to.isoformat()},
        ))

    won = create_notifications(drafts)
    db.session.commit()
    result.decided = len(won)
    result.recipients = sum(len({r.user_id for r in d.recipients}) for d in won)
    if deliver:
        result.delivery = deliver_pending()
    return result
