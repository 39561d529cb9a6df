"""Every reports page in a real browser, each scanned with axe-core (the `a11y` fixture fails
on serious or critical violations, and on any page reached but not scanned): the dashboard,
the figures page and each figures table on its own, the annual report and its letter form,
satisfaction (results, a sample, a returned form with its voluntary equality questions, and
the form's error state) and the committee's issues."""
from __future__ import annotations

from datetime import date

import pytest

from casework.extensions import db
from casework.reports.figures import SECTIONS
from casework.reports.records import record_survey_answers, sample_for_survey, save_committee_issue
from tests.browser.helpers import go, sign_in
from tests.reports.conftest import YEAR, act, at, council, year_of_complaints  # noqa: F401  (fixtures)

QUERY = "year=2025&as_of=2026-04-10"


@pytest.fixture
def reports_data(year_of_complaints):  # noqa: F811
    c = year_of_complaints
    act(c.cases["B"], "close", at(2025, 7, 1), c.recovery)
    act(c.cases["D"], "close", at(2025, 7, 1), c.recovery)
    sample_for_survey(YEAR, size=3, seed=7, label="2025-26 sample", actor=c.recovery)
    from casework.models import SatisfactionSurvey

    first = db.session.query(SatisfactionSurvey).order_by(SatisfactionSurvey.case_id).first()
    record_survey_answers(first, {"overall": "4", "accessible": "5", "eq_section": "answered", "eq_sex": "female"},
                          returned_on=date(2025, 8, 1), actor=c.recovery)
    save_committee_issue({"committee": "Scrutiny Co-ordination Committee", "raised_on": date(2025, 10, 15),
                          "subject": "Stage 2 delays in Housing", "due_meeting": date(2026, 1, 21)})
    db.session.commit()
    return c


def test_every_reports_page_passes_axe(page, live_server, a11y, reports_data):
    server = live_server
    sign_in(page, a11y, server, reports_data.recovery)
    page.get_by_role("link", name="Reports").click()
    page.wait_for_load_state("load")
    a11y.scan()  # the dashboard
    assert page.get_by_role("heading", name="Complaints dashboard").count() == 1
    assert page.locator("svg.casework-chart[role=img]").count() == 3

    go(page, a11y, f"{server.url}/reports/?{QUERY}")
    go(page, a11y, f"{server.url}/reports/?{QUERY}&by=service_area")  # with its charts
    assert page.locator("svg.casework-chart[role=img]").count() >= 2
    go(page, a11y, f"{server.url}/reports/?{QUERY}&by=month&stage=stage1&channel=email")
    for key in SECTIONS:
        go(page, a11y, f"{server.url}/reports/figures/{key}?{QUERY}&by=directorate")
        assert page.locator("h1").count() == 1

    go(page, a11y, f"{server.url}/reports/annual?year=2025")
    assert page.get_by_role("heading", name="11. Self-assessment against the Complaint Handling Code").count() == 1
    go(page, a11y, f"{server.url}/reports/annual/letter?year=2025")

    go(page, a11y, f"{server.url}/reports/satisfaction?{QUERY}")
    assert page.locator("#table-satisfaction_equality").count() == 1
    page.get_by_role("link", name="2025-26 sample").click()
    page.wait_for_load_state("load")
    a11y.scan()  # the sample's complaints
    page.locator("a[href*='/reports/satisfaction/surveys/']").first.click()
    page.wait_for_load_state("load")
    a11y.scan()  # a form to record, with the voluntary equality section
    assert page.get_by_role("heading", name="Equality monitoring (voluntary)").count() == 1
    page.get_by_label("Date the form came back").fill("2025-08-02")
    page.get_by_label("They answered some or all of the equality questions").check()
    page.get_by_role("button", name="Save the answers").click()
    page.wait_for_load_state("load")
    a11y.scan()  # the error summary: "answered" but nothing chosen
    summary = page.locator(".govuk-error-summary")
    assert summary.count() == 1
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "eq_section"
    page.get_by_role("group", name="Sex").get_by_label("Male", exact=True).check()
    page.get_by_label("Religion or belief").select_option("No religion")
    page.get_by_role("group", name="Satisfied overall").get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Save the answers").click()
    page.wait_for_load_state("load")
    a11y.scan()  # back on the sample, with the answers saved
    assert "The answers are saved." in page.content()
    from casework.models.reports import SurveyEquality

    db.session.expire_all()
    assert [(e.sex, e.religion) for e in db.session.query(SurveyEquality).filter_by(sex="male")] == [("male", "No religion")]

    go(page, a11y, f"{server.url}/reports/committee")
    go(page, a11y, f"{server.url}/reports/committee?all=1")
    page.get_by_role("link", name="Stage 2 delays in Housing").click()
    page.wait_for_load_state("load")
    a11y.scan()  # an issue to update
    go(page, a11y, f"{server.url}/reports/committee/new")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("load")
    a11y.scan()  # its error summary
    assert page.locator(".govuk-error-summary").count() == 1
