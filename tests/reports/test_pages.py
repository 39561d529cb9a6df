"""The report pages: who may see them, that they render with their charts and tables, and the
CSV / XLSX exports (streamed for the row-level one)."""
from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from casework.extensions import db
from casework.models import CommitteeIssue, Role, SatisfactionSurvey
from tests.factories import make_user
from tests.reports.conftest import YEAR
from tests.web.helpers import sign_in

QUERY = f"from={YEAR.start}&to={YEAR.end}&as_of=2026-04-10"
PAGES = ["/reports/", "/reports/dashboard", "/reports/annual?year=2025", "/reports/satisfaction",
         "/reports/committee", "/reports/figures/timeliness", "/reports/annual/letter"]


class _Checker(HTMLParser):
    """Collects ids (duplicates are an accessibility failure) and images without a name."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.svgs: list[dict] = []
        self.titles = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "svg" and "casework-chart" in (attrs.get("class") or ""):
            self.svgs.append(attrs)


def check_html(html: str) -> _Checker:
    checker = _Checker()
    checker.feed(html)
    duplicates = {i for i in checker.ids if checker.ids.count(i) > 1}
    assert not duplicates, f"duplicate ids: {duplicates}"
    for svg in checker.svgs:
        assert svg.get("role") == "img" and svg.get("aria-labelledby"), svg
        for ref in svg["aria-labelledby"].split():
            assert ref in checker.ids, f"chart names {ref}, which is not on the page"
    assert "<h1" in html and html.count("<h1") == 1
    return checker


@pytest.fixture
def manager(client, year_of_complaints):
    return sign_in(client, year_of_complaints.recovery)


@pytest.mark.parametrize("role", [Role.SERVICE_RECOVERY, Role.DIRECTOR, Role.ADMIN])
def test_managers_see_every_report_page(client, council, role):
    sign_in(client, make_user(role))
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        check_html(response.get_data(as_text=True))


@pytest.mark.parametrize("role", [Role.INVESTIGATING_OFFICER, Role.RESIDENT_EXPERIENCE, Role.COUNCILLOR])
def test_other_roles_are_refused(client, council, role):
    sign_in(client, make_user(role))
    for url in PAGES + ["/reports/export/contacts.csv", "/reports/export/cases.csv"]:
        assert client.get(url).status_code == 403, (role, url)
    assert "Reports" not in client.get("/home").get_data(as_text=True).split("<main")[0]


def test_signed_out_users_are_sent_to_sign_in(client, council):
    for url in PAGES + ["/reports/export/cases.csv"]:
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url


def test_figures_page_shows_every_section_with_the_known_numbers(client, manager):
    html = client.get(f"/reports/?{QUERY}").get_data(as_text=True)
    check_html(html)
    for title in ("Contacts received, by kind", "Timeliness: acknowledgements and responses",
                  "Equality monitoring", "The Ombudsman (LGSCO)", "Councillor and MP enquiries"):
        assert title in html
    timeliness = html[html.index('id="table-timeliness"'):]
    stage1 = timeliness[timeliness.index("Stage 1 response"):]
    stage1 = stage1[:stage1.index("</tr>")]
    cells = re.findall(r">([^<>]+)</t[dh]>", stage1)
    assert cells[:5] == ["10", "4", "2", "50.0%", "25.0%"], cells


def test_breakdown_page_has_an_accessible_chart_and_its_table(client, manager):
    html = client.get(f"/reports/?{QUERY}&by=service_area").get_data(as_text=True)
    checker = check_html(html)
    assert len(checker.svgs) >= 2
    assert '<desc id="chart-contacts-desc">' in html and 'href="#table-contacts"' in html
    assert "Waste and Recycling" in html and "Housing" in html


def test_dashboard_has_overdue_figures_and_twelve_month_trends(client, manager):
    html = client.get("/reports/dashboard").get_data(as_text=True)
    checker = check_html(html)
    assert "open cases overdue" in html and "Most overdue" in html
    assert len(checker.svgs) == 3
    assert 'id="table-received_by_month"' in html and 'id="table-timeliness_by_month"' in html
    # C and I are overdue today (their Stage 1 clocks ran out long ago); A's Stage 2 too.
    assert year_ref(manager, "C") in html


def year_ref(_manager, letter):
    from casework.models import Case

    return db.session.query(Case).order_by(Case.id).all()["ABCDEFGIX".index(letter)].reference


def test_annual_report_is_printable_with_self_assessment_and_letter(client, manager):
    html = client.get("/reports/annual?year=2025").get_data(as_text=True)
    check_html(html)
    assert "Annual complaints report 2025/26" in html
    assert "Self-assessment against the Complaint Handling Code" in html
    assert "@media print" in html and "casework-print-section" in html
    assert "The Ombudsman's annual letter for 2025/26" in html
    assert "Not met" in html  # the corporate procedure has an informal stage (Code 5.1–5.2)


def test_recording_the_letter_figures_shows_them_in_the_report(client, manager):
    response = client.post("/reports/annual/letter", data={"year": "2025", "complaints_received": "12", "decisions": "10",
                                                          "upheld": "7", "upheld_rate": "70", "compliance_rate": "100"})
    assert response.status_code == 302
    html = client.get("/reports/annual?year=2025").get_data(as_text=True)
    letter = html[html.index('id="table-letter"'):]
    assert "70.0%" in letter and "100.0%" in letter
    bad = client.post("/reports/annual/letter", data={"year": "2025", "upheld_rate": "170"})
    assert bad.status_code == 400 and "Enter a number from 0 to 100" in bad.get_data(as_text=True)


def test_table_exports_as_csv_and_xlsx(client, manager):
    response = client.get(f"/reports/export/timeliness.csv?{QUERY}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Measure", "Standard (working days)", "Due (met, late or overdue)"]
    stage1 = next(r for r in rows if r[0] == "Stage 1 response")
    assert stage1[2:5] == ["4", "2", "50.0"]
    response = client.get(f"/reports/export/outcomes.xlsx?{QUERY}&by=service_area")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Service area"
    assert ["Total", 3] == values[3][:2]


def test_equality_export_keeps_small_numbers_suppressed(client, manager):
    text = client.get(f"/reports/export/equality.csv?{QUERY}").get_data(as_text=True)
    for row in list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]:
        for value in row[2:]:
            assert value not in ("1", "2", "3", "4"), row


def test_case_export_streams_every_case_without_personal_details(client, manager):
    response = client.get(f"/reports/export/cases.csv?{QUERY}")
    assert response.status_code == 200 and response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Reference" and len(rows) == 1 + 8
    assert not any("@example.com" in value or "Resident" in value for row in rows for value in row)
    xlsx = client.get(f"/reports/export/cases.xlsx?{QUERY}")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 9


def test_text_that_looks_like_a_formula_is_neutralised():
    from casework.reports.exports import cell

    assert cell("=HYPERLINK(\"http://evil\")").startswith("'=")
    assert cell("-2 days") == "'-2 days"
    assert cell(-2) == -2


def test_satisfaction_sample_answers_and_results_through_the_pages(client, manager, year_of_complaints):
    c = year_of_complaints
    from tests.reports.conftest import act, at

    act(c.cases["B"], "close", at(2025, 7, 1), c.recovery)
    act(c.cases["D"], "close", at(2025, 7, 1), c.recovery)
    response = client.post(f"/reports/satisfaction/samples?{QUERY}", data={"size": "5", "seed": "7", "label": "2025/26 sample"})
    assert response.status_code == 302
    surveys = db.session.query(SatisfactionSurvey).all()
    # B, D (closed) and E (resolved informally); not F (declined), G (withdrawn) or open cases.
    assert sorted(s.case.reference for s in surveys) == sorted(c.cases[k].reference for k in "BDE")
    assert client.get("/reports/satisfaction/samples/2025/26 sample").status_code == 200
    survey = surveys[0]
    response = client.post(f"/reports/satisfaction/surveys/{survey.id}",
                           data={"returned_on": "2025-08-01", "accessible": "5", "easy_to_use": "4", "handling": "2",
                                 "remedy": "", "overall": "4", "comments": "Quick"})
    assert response.status_code == 302, response.get_data(as_text=True)
    bad = client.post(f"/reports/satisfaction/surveys/{survey.id}", data={"returned_on": "2025-08-01", "overall": "9"})
    assert bad.status_code == 400
    html = client.get(f"/reports/satisfaction?{QUERY}").get_data(as_text=True)
    check_html(html)
    results = html[html.index('id="table-satisfaction"'):]
    assert ">3<" in results and "100.0%" in results  # 3 sampled; the one returned form agrees overall


def test_committee_issues_can_be_added_and_appear_in_the_annual_report(client, manager):
    response = client.post("/reports/committee/new", data={
        "committee": "Scrutiny Co-ordination Committee", "raised_on": "2025-10-15",
        "subject": "Report back on Stage 2 delays in Housing", "due_meeting": "2026-01-21", "status": "outstanding"})
    assert response.status_code == 302
    assert db.session.query(CommitteeIssue).count() == 1
    assert "Stage 2 delays in Housing" in client.get("/reports/annual?year=2025").get_data(as_text=True)
    bad = client.post("/reports/committee/new", data={"committee": "", "raised_on": "2025-10-15", "subject": "x"})
    assert bad.status_code == 400 and "Enter the committee" in bad.get_data(as_text=True)


@pytest.mark.skipif(not __import__("casework.reports.pdf", fromlist=["find_chromium"]).find_chromium(),
                    reason="needs chromium to print the PDF")
def test_annual_report_pdf(client, manager):
    response = client.get("/reports/annual.pdf?year=2025")
    assert response.status_code == 200, response.headers
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert "complaints-annual-report-2025-26.pdf" in response.headers["Content-Disposition"]
