"""What reporting records: satisfaction samples, the working-day table, the dashboard's trend cache."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import CalendarDay, SatisfactionSurvey, WorkingDayNumber
from casework.operations.calendar import forget_calendars
from casework.operations.cases import open_case
from casework.operations.errors import InvalidField
from casework.reports.dashboard import fetch_dashboard, forget_dashboard_trends
from casework.reports.records import (
    count_eligible_for_survey,
    mark_sample_sent,
    record_survey_answers,
    sample_for_survey,
)
from casework.reports.workdays import ensure_working_day_numbers, working_days_between_sql
from tests.reports.conftest import YEAR, act, at, complaint, filters, person, respond, stage1


def closed_complaints(council, n: int) -> list:
    cases = []
    for i in range(n):
        case = complaint(council, at(2025, 6, 2 + i % 3))
        act(case, "resolve_informally", at(2025, 6, 6), council.recovery, summary="Sorted")
        cases.append(case)
    return cases


def test_only_closed_complaints_that_never_went_to_the_ombudsman_are_sampled(council):
    c = council
    closed_complaints(c, 3)
    referred = complaint(c, at(2025, 6, 2))
    stage1(c, referred, at(2025, 6, 2, 10))
    respond(c, referred, at(2025, 6, 10), "not_upheld")
    act(referred, "refer_to_lgsco", at(2025, 6, 20), c.recovery)
    ombudsman = open_case(kind="complaint", procedure="lgsco", received_at=at(2025, 6, 2), summary="LGSCO",
                          person=person(), actor=c.recovery)
    db.session.commit()
    act(ombudsman, "final_decision", at(2025, 7, 1), c.recovery, outcome="not_upheld")
    act(ombudsman, "close", at(2025, 7, 2), c.recovery)
    declined = complaint(c, at(2025, 6, 2))
    act(declined, "decline", at(2025, 6, 3), c.recovery, reason="schools")
    complaint(c, at(2025, 6, 2))  # still open
    assert count_eligible_for_survey(YEAR) == 3
    result = sample_for_survey(YEAR, size=10, seed=3, actor=c.recovery)
    db.session.commit()
    assert (result.eligible, result.sampled) == (3, 3)
    assert count_eligible_for_survey(YEAR) == 0  # never sampled twice


def test_a_sample_is_reproducible_from_its_seed_and_can_be_a_percentage(council):
    closed_complaints(council, 10)
    first = sample_for_survey(YEAR, size=4, seed=42, label="first")
    chosen = set(db.session.execute(select(SatisfactionSurvey.case_id).where(SatisfactionSurvey.sample == "first")).scalars())
    db.session.rollback()
    again = sample_for_survey(YEAR, size=4, seed=42, label="first")
    assert chosen == set(db.session.execute(select(SatisfactionSurvey.case_id)).scalars())
    assert first.sampled == again.sampled == 4
    db.session.rollback()
    half = sample_for_survey(YEAR, percent=50, seed=1, label="half")
    assert half.sampled == 5
    with pytest.raises(InvalidField):
        sample_for_survey(YEAR, size=1, seed=2, label="half")  # the name is taken
    with pytest.raises(InvalidField):
        sample_for_survey(YEAR, seed=2)  # neither size nor percentage


def test_answers_are_scores_from_one_to_five(council):
    closed_complaints(council, 1)
    sample_for_survey(YEAR, size=1, seed=1, label="s")
    assert mark_sample_sent("s", date(2025, 7, 1)) == 1
    survey = db.session.execute(select(SatisfactionSurvey)).scalar_one()
    with pytest.raises(InvalidField):
        record_survey_answers(survey, {"overall": "6"}, returned_on=date(2025, 7, 10), actor=None)
    with pytest.raises(InvalidField):
        record_survey_answers(survey, {"overall": "4"}, returned_on=date(2025, 6, 30), actor=None)  # before it was sent
    record_survey_answers(survey, {"overall": "4", "handling": "", "comments": " Fine "}, returned_on=date(2025, 7, 10), actor=None)
    assert (survey.overall, survey.handling, survey.comments) == (4, None, "Fine")


def test_the_working_day_table_is_rebuilt_when_the_council_adds_a_closure_day(app):
    ensure_working_day_numbers()
    rows = db.session.execute(select(func.count()).select_from(WorkingDayNumber)).scalar_one()
    assert rows > 10_000
    assert working_days_between_sql(date(2025, 12, 22), date(2025, 12, 31)) == 5  # 23, 24, 29, 30, 31 December
    db.session.add(CalendarDay(day=date(2025, 12, 29), kind="closure", name="Christmas closure"))
    db.session.commit()
    forget_calendars()
    ensure_working_day_numbers()
    assert working_days_between_sql(date(2025, 12, 22), date(2025, 12, 31)) == 4
    with_closures = db.session.execute(
        select(WorkingDayNumber.n_with_closures).where(WorkingDayNumber.day.in_([date(2025, 12, 22), date(2025, 12, 31)]))
        .order_by(WorkingDayNumber.day)).scalars().all()
    assert with_closures[1] - with_closures[0] == 5  # where closure days count as working days


def test_the_dashboard_gives_the_same_figures_from_its_cache_as_live(year_of_complaints):
    today = date(2026, 4, 10)
    forget_dashboard_trends()
    live = fetch_dashboard(filters(), today)
    cached = fetch_dashboard(filters(), today)
    assert live.received.rows == cached.received.rows
    assert live.timeliness.rows == cached.timeliness.rows
    june = next(r for r in live.received.rows if r["month_key"] == "2025-06")
    assert june["complaint"] == 7
    stage1_june = next(r for r in live.timeliness.rows if r["month_key"] == "2025-06")
    assert stage1_june["Stage 1 responses|due"] == 4 and stage1_june["Stage 1 responses"] == 50.0
    assert live.totals["overdue"] >= 2  # C and I (and A's Stage 2)
