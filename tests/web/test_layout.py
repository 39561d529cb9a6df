"""The frame every page shares: the council's own header and footer (not GOV.UK's brand), the
notifications link with its unread count, the accessibility statement, and system events on the
timeline in plain words."""
from __future__ import annotations

import re

from casework.jobs.sweep import run_sweep
from casework.models import Role
from tests.factories import make_user
from tests.jobs.support import at, complaint, make_council, member_enquiry
from tests.web.helpers import sign_in


def test_header_and_footer_carry_the_councils_name_not_the_govuk_brand(app, client):
    user = make_user(Role.SERVICE_RECOVERY)
    sign_in(client, user)
    html = client.get("/home").get_data(as_text=True)
    council = app.config["CASEWORK_COUNCIL_NAME"]
    assert f'<span class="casework-header__council">{council}</span>' in html
    assert '<header class="govuk-template__header">' in html and '<footer class="govuk-template__footer">' in html
    # The crown, the GOV.UK logotype, Crown copyright and the OGL mark are for GOV.UK only.
    for brand in ("govuk-logo", "govuk-header__logotype", "Crown copyright", "Open Government Licence",
                  "govuk-footer__crown", 'aria-label="GOV.UK"'):
        assert brand not in html, brand
    assert f"© {council}" in html and 'href="/accessibility"' in html


def test_the_council_name_is_configurable(app, client):
    app.config["CASEWORK_COUNCIL_NAME"] = "Borsetshire County Council"
    html = client.get("/sign-in").get_data(as_text=True)
    assert "Borsetshire County Council</span>" in html and "© Borsetshire County Council" in html


def test_accessibility_statement_is_public(client):
    response = client.get("/accessibility")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Accessibility statement for" in html and "WCAG" in html and "Enforcement procedure" in html


def test_header_links_to_notifications_with_the_unread_count(app, client):
    council = make_council()
    complaint(at("03-02", 10), assignee=council.officer, area=council.area)
    sign_in(client, council.officer)
    html = client.get("/home").get_data(as_text=True)
    assert 'href="/notifications">Notifications</a>' in html  # nothing unread: no count
    run_sweep(at("03-06"))  # the informal clock is overdue: one notice for the officer
    html = client.get("/home").get_data(as_text=True)
    assert '>1<span class="govuk-visually-hidden"> unread</span>' in html
    client.post("/notifications/read")
    assert 'href="/notifications">Notifications</a>' in client.get("/home").get_data(as_text=True)


def test_escalation_of_an_overdue_enquiry_is_titled_on_the_timeline(app, client):
    council = make_council()
    enquiry = member_enquiry(at("03-02", 10), council=council, assignee=council.officer, area=council.area,
                             acknowledge_at=at("03-03"))
    run_sweep(at("03-10"))  # answer was due Mon 9 March: escalated to the senior officer (001 §7.1)
    sign_in(client, council.manager)
    html = client.get(f"/cases/{enquiry.reference}").get_data(as_text=True)
    assert "Overdue: escalated to the responsible senior officer (001 §7.1)" in html
    assert "Was due" in html and "9 March 2026" in html
    assert "Escalated to senior officer" not in html  # not the raw event name


def _summary_rows(html: str) -> dict[str, list[str]]:
    """{queue: [open, overdue, due today, due this week]} as shown (visually hidden words dropped)."""
    table = html.split('casework-queue-summary', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r'href="/cases\?queue=(\w+)">.*?</th>(.*?)</tr>', table, re.S):
        cells = re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">(.*?)</td>', row[1], re.S)
        rows[row[0]] = [re.sub(r"<span class=\"govuk-visually-hidden\">.*?</span>|<[^>]+>", "", c).strip() for c in cells]
    return rows


def test_home_summarises_each_queue_with_links_to_the_filtered_lists(app, client, monkeypatch):
    council = make_council()
    complaint(at("03-02", 10), assignee=council.officer, area=council.area)  # informal: due Thu 5 March
    complaint(at("03-04", 10), assignee=council.officer, area=council.area)  # due Mon 9 March
    complaint(at("03-06", 8), assignee=None, area=council.area)  # due Wed 11 March
    from casework.web import views

    monkeypatch.setattr(views, "utc_now", lambda: at("03-09", 9))  # Monday 9 March
    sign_in(client, council.officer)
    html = client.get("/home").get_data(as_text=True)
    rows = _summary_rows(html)
    assert rows["mine"] == ["2", "1", "1", "1"]  # one overdue, one due today (so also this week)
    assert rows["team"] == ["3", "1", "1", "2"]  # the officer's area: all three
    assert rows["unassigned"] == ["1", "0", "0", "1"]
    assert 'href="/cases?queue=mine&amp;due=overdue"' in html and 'href="/cases?queue=team&amp;due=week"' in html
    assert 'href="/cases?queue=unassigned&amp;due=overdue"' not in html  # nothing to link to


def test_staff_without_a_team_see_all_open_cases_on_home(app, client, monkeypatch):
    council = make_council()
    complaint(at("03-02", 10), assignee=council.officer, area=council.area)
    from casework.web import views

    monkeypatch.setattr(views, "utc_now", lambda: at("03-09", 9))
    recovery = make_user(Role.SERVICE_RECOVERY)
    sign_in(client, recovery)
    rows = _summary_rows(client.get("/home").get_data(as_text=True))
    assert rows["mine"] == ["0", "0", "0", "0"] and rows["all"] == ["1", "1", "0", "0"] and "team" not in rows
