"""The weekly MP and councillor enquiry monitoring page (004 Appendix C): hand-built weeks with known
answers, and the demo council's figures against an independent count."""
from __future__ import annotations

import csv
import io
import re
import shutil
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import text

from casework.extensions import db
from casework.models import Role
from casework.operations.cases import open_case, take_action
from casework.workdays import LONDON
from tests.factories import make_service_area, make_user
from tests.jobs.support import at
from tests.web.helpers import sign_in

WEEK = "2026-03-09"  # Monday 9 to Sunday 15 March 2026


def enquiry(received, *, kind="mp_enquiry", area=None, answered=None, withdrawn=None):
    case = open_case(kind=kind, procedure=kind, received_at=received, summary="Constituent asks about bins",
                     service_area=area)
    db.session.commit()
    officer = make_user(Role.SERVICE_RECOVERY)
    if answered is not None:
        take_action(case, "respond", {"summary": "Answered"}, actor=officer, at=answered)
    if withdrawn is not None:
        take_action(case, "withdraw", {"reason": "No longer needed"}, actor=officer, at=withdrawn)
    db.session.commit()
    return case


@pytest.fixture
def known_week(app):
    waste, parks = make_service_area("Waste and Recycling", "City Services"), make_service_area("Parks", "Streetpride")
    # MP enquiries: 10 working days to answer (mp_enquiry.toml).
    enquiry(at("03-09", 10), area=waste, answered=at("03-12"))  # received this week, answered on time
    enquiry(at("02-23", 10), area=waste, answered=at("03-17"))  # due Mon 9 March: open and overdue at the week's end
    enquiry(at("03-02", 10), area=waste, answered=at("03-18"))  # due Mon 16 March: open, not yet overdue
    enquiry(at("03-03", 10), area=waste, withdrawn=at("03-10"))  # withdrawn in the week: not open
    enquiry(at("03-02", 10), area=parks, answered=at("03-13"))  # due 16 March, answered in the week on time
    enquiry(at("02-16", 10), area=parks, answered=at("03-11"))  # due Mon 2 March, answered in the week late
    enquiry(at("02-02", 10), area=parks, answered=at("02-05"))  # long before: in no figure
    enquiry(at("03-10", 10))  # no service area: received, open, due Tue 24 March
    enquiry(at("03-16", 10), area=waste)  # the next week: in no figure of this one
    # A councillor enquiry (5 working days): received Wed 11, answered Fri 13 March.
    enquiry(at("03-11", 10), kind="member_enquiry", area=waste, answered=at("03-13"))


@pytest.fixture
def manager(client):
    return sign_in(client, make_user(Role.DIRECTOR))


def table_rows(html: str, table_id: str) -> dict[str, list[int]]:
    table = html[html.index(f'id="{table_id}"'):]
    table = table[:table.index("</table>")]
    rows = {}
    for area, cells in re.findall(r'<th scope="row" class="govuk-table__header">(.*?)</th>(.*?)</tr>', table, re.S):
        rows[area] = [int(n.replace(",", "")) for n in re.findall(r">\s*(?:<strong>)?([\d,]+)(?:</strong>)?\s*<", cells)]
    return rows


#                       received, open, due, overdue, on time, late
EXPECTED_MP = {
    "No service area recorded": [1, 1, 0, 0, 0, 0],
    "Parks": [0, 0, 0, 0, 1, 1],
    "Waste and Recycling": [1, 2, 1, 1, 1, 0],
    "Total": [2, 3, 1, 1, 2, 1],
}
EXPECTED_MEMBER = {"Waste and Recycling": [1, 0, 0, 0, 1, 0], "Total": [1, 0, 0, 0, 1, 0]}


def test_a_past_week_by_service_area_with_totals(client, manager, known_week):
    response = client.get(f"/enquiries/weekly?week={WEEK}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Week beginning 9 March 2026 (Monday to Sunday 15 March 2026)" in html
    assert "as of the end of 15 March 2026" in html
    assert table_rows(html, "mp_enquiry") == EXPECTED_MP
    assert table_rows(html, "member_enquiry") == EXPECTED_MEMBER
    # Any day of the week chooses that week.
    assert table_rows(client.get("/enquiries/weekly?week=2026-03-12").get_data(as_text=True), "mp_enquiry") == EXPECTED_MP


def test_csv_download_has_the_same_figures(client, manager, known_week):
    response = client.get(f"/enquiries/weekly?week={WEEK}&format=csv")
    assert response.mimetype == "text/csv"
    assert 'filename="enquiries-week-2026-03-09.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Week beginning", "Enquiries", "Service area", "Received", "Open", "Due this week", "Overdue",
                       "Answered on time", "Answered late"]
    mp = {r[2]: [int(x) for x in r[3:]] for r in rows[1:] if r[1] == "MP enquiries"}
    assert mp["All service areas"] == EXPECTED_MP["Total"]
    assert mp["Waste and Recycling"] == EXPECTED_MP["Waste and Recycling"] and mp["Parks"] == EXPECTED_MP["Parks"]
    member = {r[2]: [int(x) for x in r[3:]] for r in rows[1:] if r[1] == "Councillor (member) enquiries"}
    assert member == {"Waste and Recycling": [1, 0, 0, 0, 1, 0], "All service areas": [1, 0, 0, 0, 1, 0]}


def test_the_default_is_this_week_and_bad_weeks_are_refused(client, manager, known_week):
    page = client.get("/enquiries/weekly").get_data(as_text=True)
    assert "This week, beginning" in page and "as of today" in page
    for bad in ("2026-02-30", "next-week", "2999-01-04"):
        response = client.get(f"/enquiries/weekly?week={bad}")
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and "govuk-error-summary" in html and 'href="#week"' in html, bad
        assert client.get(f"/enquiries/weekly?week={bad}&format=csv").mimetype == "text/html"


@pytest.mark.parametrize("role,status", [(Role.DIRECTOR, 200), (Role.SERVICE_RECOVERY, 200), (Role.ADMIN, 200),
                                         (Role.INVESTIGATING_OFFICER, 403), (Role.RESIDENT_EXPERIENCE, 403),
                                         (Role.COUNCILLOR, 403)])
def test_only_managers_see_it(client, role, status):
    sign_in(client, make_user(role))
    assert client.get("/enquiries/weekly").status_code == status
    assert client.get("/enquiries/weekly?format=csv").status_code == status


def test_the_digest_and_the_page_share_one_query(known_week):
    """The Monday digest (jobs.digests) counts the same enquiries with its own window."""
    from casework.jobs.digests import fetch_enquiry_monitoring

    figures = fetch_enquiry_monitoring(date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23))
    waste = next(f for f in figures["mp_enquiry"] if f.area == "Waste and Recycling")
    # As of Monday 16 March: the enquiry due that day is open and "due"; received this week: one.
    assert (waste.received, waste.open, waste.overdue, waste.answered_on_time) == (1, 3, 1, 1)


# --- the demo council ---------------------------------------------------------------------------------

DEMO_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def demo_app(database_template, tmp_path_factory):
    """A demo council of 2,000 cases (as `flask casework demo --cases 2000` loads it)."""
    from casework import create_app
    from casework.demo import load_demo
    from tests.conftest import TEST_CONFIG, truncate_all

    if isinstance(database_template, str):  # PostgreSQL
        truncate_all(database_template)
        uri = database_template
    else:
        copy = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
        shutil.copyfile(database_template, copy)
        uri = "sqlite:///" + str(copy)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        load_demo(2000, seed=2026, now=DEMO_NOW, echo=lambda message: None)
        yield app
        db.session.remove()
        db.engine.dispose()


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(timezone.utc)


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    return date.fromisoformat(str(value)[:10])


def _as_instant(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def independent_count(week_start: date, as_of: date) -> dict:
    """Counted in Python from the raw rows: one plain SQL query, none of the app's code."""
    week_end = week_start + timedelta(days=6)
    rows = db.session.execute(text(
        "SELECT c.kind, COALESCE(s.name, 'No service area recorded') AS area, c.received_at, c.closed_at, "
        "k.due_on, k.met_on, k.stopped_on FROM cases c "
        "LEFT JOIN service_areas s ON s.id = c.service_area_id "
        "LEFT JOIN clocks k ON k.case_id = c.id AND k.name = 'enquiry.respond' "
        "WHERE c.kind IN ('mp_enquiry', 'member_enquiry')"
    )).all()
    counts: dict = {}
    end = _start(as_of + timedelta(days=1))
    for kind, area, received_at, closed_at, due_on, met_on, stopped_on in rows:
        received_at, closed_at = _as_instant(received_at), _as_instant(closed_at)
        due_on, met_on, stopped_on = _as_date(due_on), _as_date(met_on), _as_date(stopped_on)
        c = counts.setdefault(kind, {}).setdefault(area, Counter())
        if _start(week_start) <= received_at < _start(week_end + timedelta(days=1)):
            c["received"] += 1
        waiting = (received_at < end and (closed_at is None or closed_at >= end)
                   and (met_on is None or met_on > as_of) and (stopped_on is None or stopped_on > as_of))
        if waiting:
            c["open"] += 1
            if due_on is not None and week_start <= due_on <= week_end:
                c["due"] += 1
            if due_on is not None and due_on < as_of:
                c["overdue"] += 1
        if met_on is not None and week_start <= met_on <= week_end:
            c["answered_on_time" if met_on <= due_on else "answered_late"] += 1
    names = ("received", "open", "due", "overdue", "answered_on_time", "answered_late")
    return {kind: {area: [c[n] for n in names] for area, c in areas.items() if any(c[n] for n in names)}
            for kind, areas in counts.items()}


def test_demo_figures_match_an_independent_count(demo_app):
    from casework.demo import DEMO_PASSWORD

    client = demo_app.test_client()
    response = client.post("/sign-in", data={"email": "director@demo.casework.test", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    today = datetime.now(timezone.utc).astimezone(LONDON).date()
    monday = DEMO_NOW.date() - timedelta(days=DEMO_NOW.weekday())
    nonzero = Counter()
    for weeks_back in range(0, 12):
        week_start = monday - timedelta(weeks=weeks_back)
        as_of = min(today, week_start + timedelta(days=6))
        body = client.get(f"/enquiries/weekly?week={week_start.isoformat()}&format=csv").get_data(as_text=True)
        rows = list(csv.reader(io.StringIO(body)))[1:]
        page = {}
        for _, title, area, *numbers in rows:
            if area == "All service areas":
                continue
            kind = "mp_enquiry" if title == "MP enquiries" else "member_enquiry"
            page.setdefault(kind, {})[area] = [int(n) for n in numbers]
        expected = independent_count(week_start, as_of)
        assert page == {k: v for k, v in expected.items() if v}, week_start
        for areas in page.values():
            for numbers in areas.values():
                nonzero.update(name for name, n in zip(("received", "open", "due", "overdue", "on_time", "late"), numbers) if n)
    # The demo exercises every column, so the comparison can fail.
    assert set(nonzero) == {"received", "open", "due", "overdue", "on_time", "late"}, nonzero
