"""The satisfaction form's equality monitoring questions (004 §16.2): voluntary, stored apart
from the scores, reported by characteristic with counts under 5 hidden."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import SatisfactionSurvey
from casework.models.reports import SurveyEquality
from casework.operations.errors import InvalidField
from casework.reports.figures import fetch_satisfaction_equality
from casework.reports.records import EQUALITY_QUESTIONS, record_survey_answers, sample_for_survey
from casework.reports.tables import SUPPRESSED
from casework.reports.workdays import ensure_working_day_numbers
from tests.reports.conftest import YEAR, act, at, complaint, filters
from tests.web.helpers import sign_in


@pytest.fixture(autouse=True)
def _calendar_table(app):
    ensure_working_day_numbers()


def closed(council, n: int, *, when=None, area=None) -> list:
    cases = []
    for _ in range(n):
        case = complaint(council, when or at(2025, 6, 2), area=area)
        act(case, "resolve_informally", at(2025, 6, 6) if when is None else when, council.recovery, summary="Sorted")
        cases.append(case)
    return cases


def surveys(label: str = "s") -> list[SatisfactionSurvey]:
    return list(db.session.execute(
        select(SatisfactionSurvey).where(SatisfactionSurvey.sample == label).order_by(SatisfactionSurvey.case_id)
    ).scalars())


def test_the_questions_are_the_front_doors_equality_questions():
    from casework.web.forms import EqualityForm

    form_fields = {name: [(c.value, c.label) if hasattr(c, "value") else tuple(c[:2]) for c in field.kwargs["choices"]]
                   for name, field in vars(EqualityForm).items() if hasattr(field, "kwargs") and "choices" in field.kwargs}
    for column, _, choices in EQUALITY_QUESTIONS:
        assert [c for c in form_fields[column] if c[0]] == list(choices), column


def test_answers_are_voluntary_checked_and_kept_apart(council):
    closed(council, 3)
    sample_for_survey(YEAR, size=3, seed=1, label="s")
    answered, declined, left_out = surveys()
    record_survey_answers(answered, {"overall": "4", "eq_section": "answered", "eq_sex": "female", "eq_age_band": "25 to 34"},
                          returned_on=date(2025, 7, 10), actor=None)
    record_survey_answers(declined, {"overall": "2", "eq_section": "declined", "eq_sex": "male"},
                          returned_on=date(2025, 7, 10), actor=None)
    record_survey_answers(left_out, {"overall": "5"}, returned_on=date(2025, 7, 10), actor=None)
    db.session.commit()
    row = db.session.get(SurveyEquality, answered.id)
    assert (row.declined, row.sex, row.age_band, row.ethnicity) == (False, "female", "25 to 34", None)
    row = db.session.get(SurveyEquality, declined.id)
    assert (row.declined, row.sex) == (True, None)  # "prefer not to answer" keeps nothing else
    assert db.session.get(SurveyEquality, left_out.id) is None  # left out: nothing stored at all

    with pytest.raises(InvalidField) as error:
        record_survey_answers(left_out, {"overall": "5", "eq_section": "answered", "eq_sex": "robot"},
                              returned_on=date(2025, 7, 10), actor=None)
    assert error.value.field == "eq_sex"
    db.session.rollback()
    with pytest.raises(InvalidField) as error:
        record_survey_answers(left_out, {"overall": "5", "eq_section": "answered"}, returned_on=date(2025, 7, 10), actor=None)
    assert error.value.field == "eq_section"
    db.session.rollback()
    assert db.session.get(SurveyEquality, left_out.id) is None
    # Changing one's mind: the section left out now removes the earlier answers.
    record_survey_answers(answered, {"overall": "4", "eq_section": ""}, returned_on=date(2025, 7, 10), actor=None)
    db.session.commit()
    assert db.session.execute(select(func.count()).select_from(SurveyEquality)).scalar_one() == 1


def test_results_by_characteristic_hide_counts_under_five(council):
    """14 returned forms for complaints closed in 2025/26:
    8 women aged 35 to 44 (overall 5, 5, 5, 4, 4, 2, 1, blank; all found it easy to complain; 5 disabled, 3 not),
    2 men (overall 5, 5), 1 who preferred not to answer (overall 3), 3 who left the questions out (overall 4, 4, 4).
    Not counted: a form sent but not returned, and a returned form for a complaint closed in 2024/25."""
    closed(council, 15)
    sample_for_survey(YEAR, size=15, seed=5, label="s")
    forms = surveys()
    assert len(forms) == 15
    women, men, declined, left_out, unreturned = forms[:8], forms[8:10], forms[10], forms[11:14], forms[14]
    for form, overall, disabled in zip(women, ["5", "5", "5", "4", "4", "2", "1", ""], ["yes"] * 5 + ["no"] * 3):
        record_survey_answers(form, {"overall": overall, "accessible": "4", "eq_section": "answered", "eq_sex": "female",
                                     "eq_age_band": "35 to 44", "eq_disability": disabled},
                              returned_on=date(2025, 7, 10), actor=None)
    for form in men:
        record_survey_answers(form, {"overall": "5", "accessible": "2", "eq_section": "answered", "eq_sex": "male"},
                              returned_on=date(2025, 7, 10), actor=None)
    record_survey_answers(declined, {"overall": "3", "eq_section": "declined"}, returned_on=date(2025, 7, 10), actor=None)
    for form in left_out:
        record_survey_answers(form, {"overall": "4"}, returned_on=date(2025, 7, 10), actor=None)
    unreturned.sent_on = date(2025, 7, 1)
    old = closed(council, 1, when=at(2025, 3, 3))[0]
    sample_for_survey(YEAR.previous_year(), size=1, seed=1, label="old")
    record_survey_answers(surveys("old")[0], {"overall": "1", "eq_section": "answered", "eq_sex": "female"},
                          returned_on=date(2025, 4, 1), actor=None)
    assert old.closed_at.year == 2025
    db.session.commit()

    table = fetch_satisfaction_equality(filters())
    sex = {r["value"]: r for r in table.rows if r["characteristic"] == "Sex"}
    assert set(sex) == {"Female", "Male", "Prefer not to say (declined)", "Equality questions left out"}
    female = sex["Female"]
    assert (female["returned"], female["overall_satisfied"], female["overall_rate"]) == (8, 5, 71.4)  # 5 of the 7 who answered
    assert (female["accessible_satisfied"], female["accessible_rate"]) == (8, 100.0)
    assert sex["Male"]["returned"] == SUPPRESSED and sex["Male"]["overall_rate"] == SUPPRESSED
    assert sex["Prefer not to say (declined)"]["returned"] == SUPPRESSED
    assert sex["Prefer not to say (declined)"]["overall_satisfied"] == 0  # nought identifies no one
    assert sex["Equality questions left out"]["overall_satisfied"] == SUPPRESSED
    age = {r["value"]: r["returned"] for r in table.rows if r["characteristic"] == "Age"}
    assert age == {"35 to 44": 8, "Not given": SUPPRESSED, "Prefer not to say (declined)": SUPPRESSED,
                   "Equality questions left out": SUPPRESSED}
    disability = {r["value"]: r["returned"] for r in table.rows if r["characteristic"] == "Disability"}
    assert disability["Yes"] == 5 and disability["No"] == SUPPRESSED
    assert table.suppressed
    for r in table.rows:
        for key in ("returned", "overall_satisfied", "accessible_satisfied"):
            assert not (isinstance(r[key], int) and 0 < r[key] < 5), r

    # The page filters apply: none of these complaints was about Housing.
    assert fetch_satisfaction_equality(filters(service_area_id=council.housing.id)).rows == []


def test_the_form_page_records_the_voluntary_section_and_the_results_show(client, council):
    closed(council, 1)
    sample_for_survey(YEAR, size=1, seed=1, label="page sample")
    db.session.commit()
    form = surveys("page sample")[0]
    sign_in(client, council.recovery)
    html = client.get(f"/reports/satisfaction/surveys/{form.id}").get_data(as_text=True)
    assert "Equality monitoring (voluntary)" in html and "These questions are optional" in html
    assert 'id="eq_sex"' in html and 'name="eq_ethnicity"' in html

    bad = client.post(f"/reports/satisfaction/surveys/{form.id}", data={
        "returned_on": "2025-07-10", "overall": "4", "eq_section": "answered", "eq_sex": "not-a-choice"})
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert 'href="#eq_sex"' in text and "govuk-error-summary" in text
    db.session.expire_all()
    assert db.session.get(SatisfactionSurvey, form.id).returned_on is None  # nothing stored when the form is invalid
    assert db.session.get(SurveyEquality, form.id) is None

    ok = client.post(f"/reports/satisfaction/surveys/{form.id}", data={
        "returned_on": "2025-07-10", "overall": "4", "eq_section": "answered", "eq_sex": "female", "eq_religion": "Sikh"})
    assert ok.status_code == 302
    db.session.expire_all()
    stored = db.session.get(SurveyEquality, form.id)
    assert (stored.sex, stored.religion) == ("female", "Sikh")
    again = client.get(f"/reports/satisfaction/surveys/{form.id}").get_data(as_text=True)
    assert 'value="female" checked' in again and '<option value="Sikh" selected>' in again

    page = client.get(f"/reports/satisfaction?from={YEAR.start}&to={YEAR.end}").get_data(as_text=True)
    results = page[page.index('id="table-satisfaction_equality"'):]
    assert "Female" in results and "&lt;5" in results  # one form: hidden
    csv = client.get(f"/reports/export/satisfaction_equality.csv?from={YEAR.start}&to={YEAR.end}").get_data(as_text=True)
    assert "Female,<5" in csv
