"""Every table on the report pages downloads as CSV and as XLSX, with the same columns the page
shows; every chart is followed by a link to a table on the same page."""
from __future__ import annotations

import csv
import html as htmllib
import io
import re

import pytest
from openpyxl import load_workbook

from casework.reports.figures import SECTIONS
from tests.reports.conftest import YEAR, act, at
from tests.web.helpers import sign_in

QUERY = f"from={YEAR.start}&to={YEAR.end}&as_of=2026-04-10"
# Lists to work through rather than figures: the samples drawn (on the satisfaction page).
NOT_FIGURES = ("Samples drawn",)


def tables_with_links(page: str) -> list[tuple[str, list[str], str | None, str | None]]:
    """(caption, column headings, CSV link, XLSX link) for each table, the links being the ones
    between it and the next table."""
    out = []
    starts = [m.start() for m in re.finditer(r"<table\b", page)] + [len(page)]
    for start, following in zip(starts, starts[1:]):
        chunk = page[start:following]
        end = chunk.index("</table>")
        caption = re.sub(r"<[^>]+>", "", re.search(r"<caption[^>]*>(.*?)</caption>", chunk, re.S).group(1)).strip()
        head = chunk[:chunk.index("</thead>")] if "</thead>" in chunk else ""
        columns = [htmllib.unescape(re.sub(r"<[^>]+>", "", h).strip())
                   for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', head, re.S)]
        after = chunk[end:]
        csv_link = re.search(r'href="([^"]+\.csv[^"]*)"', after)
        xlsx_link = re.search(r'href="([^"]+\.xlsx[^"]*)"', after)
        out.append((htmllib.unescape(caption), columns,
                    htmllib.unescape(csv_link.group(1)) if csv_link else None,
                    htmllib.unescape(xlsx_link.group(1)) if xlsx_link else None))
    return out


@pytest.fixture
def manager(client, year_of_complaints):
    c = year_of_complaints
    act(c.cases["B"], "close", at(2025, 7, 1), c.recovery)
    signed_in = sign_in(client, c.recovery)
    assert client.post(f"/reports/satisfaction/samples?{QUERY}", data={"size": "5", "seed": "1", "label": "sample"}).status_code == 302
    assert client.post("/reports/committee/new", data={
        "committee": "Scrutiny Co-ordination Committee", "raised_on": "2025-10-15", "subject": "Stage 2 delays",
        "status": "outstanding"}).status_code == 302
    return signed_in


PAGES = ["/reports/dashboard", f"/reports/?{QUERY}", f"/reports/?{QUERY}&by=service_area", "/reports/annual?year=2025",
         f"/reports/satisfaction?{QUERY}", "/reports/committee", "/reports/committee?all=1", *[f"/reports/figures/{key}?{QUERY}" for key in SECTIONS]]


@pytest.mark.parametrize("url", PAGES)
def test_every_table_on_the_page_downloads_as_csv_and_xlsx(client, manager, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    found = tables_with_links(page)
    assert found, url
    for caption, columns, csv_url, xlsx_url in found:
        if caption in NOT_FIGURES:
            continue
        assert csv_url and xlsx_url, f"{url}: “{caption}” has no download"
        got = client.get(csv_url)
        assert got.status_code == 200 and got.mimetype == "text/csv", (caption, csv_url)
        rows = list(csv.reader(io.StringIO(got.get_data(as_text=True).lstrip("\ufeff"))))
        assert rows[0] == columns, (caption, rows[0], columns)
        sheet = load_workbook(io.BytesIO(client.get(xlsx_url).data)).active
        assert [c.value for c in next(sheet.iter_rows())] == columns, caption
        firsts = [r[0].value for r in sheet.iter_rows()]
        # The same rows (the notes follow a blank row in the workbook).
        assert [str(v) if v is not None else "" for v in firsts[:len(rows)]] == [r[0] for r in rows], caption
        assert len(firsts) == len(rows) or firsts[len(rows)] is None, caption


@pytest.mark.parametrize("url", PAGES)
def test_every_chart_links_to_its_table_on_the_page(client, manager, url):
    page = client.get(url).get_data(as_text=True)
    for figure in re.findall(r'<figure class="casework-chart-figure">(.*?)</figure>', page, re.S):
        target = re.search(r'href="#(table-[^"]+)"', figure)
        assert target, figure[-300:]
        assert f'id="{target.group(1)}"' in page, target.group(1)


def test_the_annual_reports_own_tables_download_with_the_known_figures(client, manager):
    rows = list(csv.reader(io.StringIO(client.get("/reports/export/annual/summary.csv?year=2025").get_data(as_text=True).lstrip("\ufeff"))))
    received = next(r for r in rows if r[0] == "Complaints received")
    assert received[1:] == ["8", "1", "up 700.0%"]  # X was the only complaint of 2024/25
    assessment = client.get("/reports/export/annual/self_assessment.csv?year=2025").get_data(as_text=True)
    assert "Not met" in assessment and "6.2–6.5" in assessment
    issues = client.get("/reports/export/annual/issues.csv?year=2025").get_data(as_text=True)
    assert "Stage 2 delays" in issues
    overdue = list(csv.reader(io.StringIO(client.get("/reports/export/dashboard/most_overdue.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert overdue[0] == ["Case", "Summary", "Service area", "Was due", "Working days late"]
    assert manager_case(manager, "C") in {r[0] for r in overdue[1:]}
    assert client.get("/reports/export/annual/nothing.csv?year=2025").status_code == 404
    assert client.get("/reports/export/dashboard/due.pdf").status_code == 404


def manager_case(_client, letter: str) -> str:
    from casework.extensions import db
    from casework.models import Case

    return db.session.query(Case).order_by(Case.id).all()["ABCDEFGIX".index(letter)].reference


def test_the_pdf_is_the_printable_report_with_self_assessment_and_letter(client, manager, monkeypatch):
    """What goes to the PDF printer: the whole report, self-assessment and the Ombudsman's letter
    figures included, styles inlined, and none of the page's links to download or record things."""
    import casework.reports.pdf as pdf

    printed = []
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, **_: printed.append(html) or b"%PDF-1.4 test")
    assert client.post("/reports/annual/letter", data={"year": "2025", "decisions": "10", "upheld_rate": "70"}).status_code == 302
    response = client.get("/reports/annual.pdf?year=2025")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    html = printed[0]
    assert "11. Self-assessment against the Complaint Handling Code" in html and "5.1–5.2" in html
    letter = html[html.index('id="table-letter"'):]
    letter = letter[:letter.index("</table>")]
    assert "70.0%" in letter and ">10<" in letter
    assert "Download" not in html and "record them" not in html and "Show the report" not in html
    assert '<link rel="stylesheet"' not in html  # inlined: the printer is offline
