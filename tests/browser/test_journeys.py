"""The staff journeys in a real browser (Debian's chromium), each page scanned with axe-core."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from casework.extensions import db
from casework.models import Case, Correspondence, Role
from casework.operations.calendar import fetch_calendar
from casework.workdays import LONDON, utc_now
from tests.browser.helpers import fill_date, go, sign_in, submit
from tests.factories import make_service_area, make_user
from tests.web.helpers import act, make_case

pytestmark = pytest.mark.browser


def _fresh(case) -> Case:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_sign_in_and_out(page, live_server, a11y):
    user = make_user(Role.INVESTIGATING_OFFICER, name="Olu Officer")
    sign_in(page, a11y, live_server, user)
    assert page.get_by_role("heading", name="Hello, Olu Officer").is_visible()
    assert page.get_by_role("table", name="Your queues").is_visible()
    page.get_by_role("link", name="Notifications").click()
    a11y.scan()
    assert page.get_by_role("heading", name="Notifications").is_visible()
    page.get_by_role("link", name="Accessibility statement").click()
    a11y.scan()
    assert page.get_by_role("heading", name=re.compile("Accessibility statement for")).is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in")
    a11y.scan()
    assert page.get_by_text("You have signed out").is_visible()


def test_wrong_password_error_summary_links_to_the_field(page, live_server, a11y):
    user = make_user()
    go(page, a11y, live_server.url + "/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill("wrong")
    submit(page, a11y, "Sign in")
    page.locator(".govuk-error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "email"


def test_log_a_complaint_with_a_representative(page, live_server, a11y):
    area = make_service_area("Waste and Recycling")
    sign_in(page, a11y, live_server, make_user(Role.RESIDENT_EXPERIENCE))
    page.get_by_role("link", name="Log a contact").first.click()
    a11y.scan()
    page.get_by_label("Name").fill("Jo Bloggs")
    submit(page, a11y, "Search")
    assert page.get_by_text("0 people found").is_visible()
    page.get_by_role("link", name="None of these: add a new person").click()
    a11y.scan()
    assert page.get_by_label("Full name").input_value() == "Jo Bloggs"
    page.get_by_label("Email address (optional)").fill("jo@example.com")
    page.get_by_label("Postcode (optional)").fill("CV1 2AB")
    submit(page, a11y)
    page.get_by_label("Someone acting for them (a representative)").check()
    submit(page, a11y)
    page.get_by_label("Representative's full name").fill("Sam Helper")
    page.get_by_label("Their relationship to the person").fill("Daughter")
    page.get_by_label("Evidence of the person's permission").fill("Signed consent form received by email")
    submit(page, a11y)
    page.get_by_label("Email", exact=True).check()
    yesterday = (utc_now() - timedelta(days=1)).astimezone(LONDON)
    fill_date(page, "Date received", str(yesterday.day), str(yesterday.month), str(yesterday.year))
    page.get_by_label("Time received").fill("11:30")
    submit(page, a11y)
    page.get_by_label("Summary").fill("Bin missed three weeks running")
    page.get_by_label("What happened (optional)").fill("Reported twice; nobody came.")
    page.get_by_label("Service area").select_option(label="Waste and Recycling")
    submit(page, a11y)
    page.get_by_label("Complaint", exact=True).check()
    submit(page, a11y)
    page.get_by_label("None of these: it can be considered as a complaint").check()
    submit(page, a11y)
    page.get_by_label("No, within the last 12 months").check()
    submit(page, a11y)
    page.get_by_label("Corporate complaints").check()
    submit(page, a11y)
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Large print").check()
    submit(page, a11y)
    page.get_by_label("No, they prefer not to").check()
    submit(page, a11y)
    assert page.get_by_role("heading", name="Check your answers before logging the contact").is_visible()
    submit(page, a11y, "Log the contact")
    banner = page.locator(".govuk-notification-banner").inner_text()
    reference = re.search(r"[A-Z]{3}-\d{4}-\d{6}", banner).group(0)
    assert page.get_by_role("heading", name=reference).is_visible()
    assert page.get_by_text("Sam Helper").first.is_visible()
    page.get_by_text("How this date was worked out").first.click()
    assert page.get_by_text("working days counted from the day after").first.is_visible()
    case = db.session.query(Case).filter_by(reference=reference).one()
    assert case.service_area_id == area.id and case.state == "informal"


def test_triage_a_complaint_out_of_scope_and_send_the_letter(page, live_server, a11y):
    case = make_case(summary="My child's school excluded him unfairly")
    sign_in(page, a11y, live_server, make_user(Role.RESIDENT_EXPERIENCE))
    go(page, a11y, f"{live_server.url}/cases/{case.reference}")
    page.get_by_role("link", name="Decline: outside the complaints policy").click()
    a11y.scan()
    submit(page, a11y, "Decline: outside the complaints policy")  # nothing chosen: an error, nothing saved
    assert page.locator(".govuk-error-summary").is_visible()
    assert _fresh(case).state == "informal"
    page.get_by_label("A school", exact=True).check()
    page.get_by_label("Details for the letter").fill("Please write to the head teacher.")
    submit(page, a11y, "Decline: outside the complaints policy")
    assert page.get_by_role("heading", name="Complaint cannot be considered (with signposting)").is_visible()
    body = page.get_by_label("Letter").input_value()
    assert "Schools have their own complaints procedures" in body
    page.get_by_label("Print and post").check()
    page.get_by_label("To", exact=True).fill("Pat Resident\n1 High Street\nCV1 2AB")
    submit(page, a11y, "Send and add to the timeline")
    assert page.get_by_text("Printed for posting").is_visible()
    assert _fresh(case).state == "declined"
    page.get_by_role("link", name=f"Back to {case.reference}").click()
    a11y.scan()
    assert page.get_by_text("Letter printed for posting").first.is_visible()


def test_stage1_through_to_a_stage2_outcome(page, live_server, a11y):
    manager = make_user(Role.SERVICE_RECOVERY)
    case = make_case(summary="Missed collections")
    sign_in(page, a11y, live_server, manager)
    go(page, a11y, f"{live_server.url}/cases/{case.reference}")

    def do(action, fill=None, letter=False):
        page.get_by_role("link", name=action, exact=True).click()
        a11y.scan()
        if fill:
            fill()
        submit(page, a11y, action)
        if letter:
            assert page.get_by_label("Letter").input_value()
            submit(page, a11y, "Send and add to the timeline")
        if "/letters/" in page.url:
            page.get_by_role("link", name=f"Back to {case.reference}").click()
            a11y.scan()

    page.get_by_role("button", name="Assign to me").click()
    a11y.scan()
    do("Log as a Stage 1 complaint", lambda: page.get_by_label("Could not be resolved informally").check())
    do("Acknowledge the complaint", lambda: page.get_by_label("Who is dealing with it, and how to contact them")
       .fill("Rhys Recovery, 024 7683 0000"), letter=True)
    assert "Letter sent" in page.locator("#timeline ~ ol").inner_text()

    def respond():
        page.get_by_label("Partially upheld").check()
        page.get_by_label("Summary of the response and the reasons for it").fill("We missed your bin twice.")
        page.get_by_label("Apology").check()
        page.get_by_label("Financial compensation (£)").fill("25.00")
    do("Send the Stage 1 response", respond, letter=True)
    assert _fresh(case).state == "stage1_responded"

    def escalate():
        page.get_by_label("Procedures have not been properly applied in managing the complaint").check()
    do("Escalate to Stage 2", escalate, letter=True)

    def respond2():
        page.get_by_label("Not upheld").check()
        page.get_by_label("Summary of the response and the reasons for it").fill("The review found the response was fair.")
    do("Send the Stage 2 response", respond2, letter=True)
    fresh = _fresh(case)
    assert fresh.state == "stage2_responded" and fresh.outcome == "not_upheld"
    assert db.session.query(Correspondence).filter_by(case_id=case.id).count() == 4
    assert page.get_by_text("Stage 2 response sent").first.is_visible()


def test_extend_a_childrens_stage1_within_the_statutory_cap(page, live_server, a11y):
    manager = make_user(Role.SERVICE_RECOVERY)
    case = make_case(procedure="childrens", summary="Social worker changed four times", actor=manager)
    act(case, "start_stage1", {}, manager)
    clock = next(c for c in case.clocks if c.name == "stage1.respond")
    sign_in(page, a11y, live_server, make_user(Role.INVESTIGATING_OFFICER))
    go(page, a11y, f"{live_server.url}/cases/{case.reference}")
    page.get_by_role("link", name="Extend the response deadline").click()
    a11y.scan()
    page.get_by_label("New length in working days, counted from the start of the stage").fill("25")
    page.get_by_label("Reason for the delay (told to the complainant)").fill("Several agencies involved")
    submit(page, a11y, "Extend the response deadline")
    assert page.locator("#days-error").is_visible()  # the engine's refusal, next to the field
    assert next(c for c in _fresh(case).clocks if c.name == "stage1.respond").days == 10
    page.get_by_label("New length in working days, counted from the start of the stage").fill("20")
    submit(page, a11y, "Extend the response deadline")
    assert "Representations Procedure" in page.get_by_label("Letter").input_value()
    submit(page, a11y, "Send and add to the timeline")
    expected = fetch_calendar().add_working_days(clock.started_on, 20)
    fresh = next(c for c in _fresh(case).clocks if c.name == "stage1.respond")
    assert fresh.due_on == expected
    page.get_by_text("How this date was worked out").nth(2).click()
    assert page.get_by_text("Extended on").first.is_visible()


def test_hostile_text_is_shown_and_never_run(page, live_server, a11y, dialogs):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    case = make_case(summary="Bins " + evil, description=evil)
    sign_in(page, a11y, live_server, make_user())
    go(page, a11y, f"{live_server.url}/cases/{case.reference}")
    go(page, a11y, f"{live_server.url}/cases?queue=all")
    go(page, a11y, f"{live_server.url}/search?q=bins")
    assert page.get_by_text("Bins " + evil).first.is_visible()
    assert dialogs == []
