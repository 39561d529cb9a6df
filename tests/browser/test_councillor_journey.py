"""The councillor's journey in a real browser (issue 5): raise an enquiry, follow it through a
holding reply to an answer with a notification at each step, follow up the answer, and see a
constituent's complaint with personal data exactly when 001 §7.2–7.3 allows. Every page is
scanned with axe-core."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, Person, PostcodeWard, Role
from casework.operations.cases import open_case, take_action
from casework.operations.councillors import record_consent
from casework.workdays import london_date, utc_now
from casework.web.helpers import format_date
from tests.browser.helpers import go, sign_in, submit
from tests.factories import make_service_area, make_user, make_ward

pytestmark = pytest.mark.browser


def _fresh(reference: str) -> Case:
    db.session.rollback()
    db.session.expire_all()
    return db.session.execute(select(Case).where(Case.reference == reference)).scalar_one()


def _staff(reference: str, action: str, actor, **fields) -> None:
    take_action(_fresh(reference), action, fields, actor=actor)
    db.session.commit()


def _next_working_day_after(days: int):
    day = london_date(utc_now()) + timedelta(days=days)
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day


def _constituent_enquiry(councillor, ward, name: str, email: str) -> Case:
    person = Person(name=name, email=email, postcode="CV6 5AA", ward_id=ward.id)
    db.session.add(person)
    case = open_case(kind="member_enquiry", procedure="member_enquiry", received_at=utc_now() - timedelta(hours=1),
                     summary="Missed bin collections", channel="councillor", person=person, raised_by=councillor,
                     actor=councillor, councillor_acts_for_person=True)
    db.session.commit()
    return case


def test_councillor_raises_an_enquiry_and_follows_it_to_the_answer(page, live_server, a11y):
    foleshill, earlsdon = make_ward("Foleshill"), make_ward("Earlsdon")
    db.session.add(PostcodeWard(postcode="CV6 5AA", ward_id=foleshill.id))
    db.session.commit()
    make_service_area("Waste and Recycling")
    councillor = make_user(Role.COUNCILLOR, name="Cllr Chloe Khan", email="chloe@council.test", wards=[foleshill])
    officer = make_user(Role.RESIDENT_EXPERIENCE, name="Rita Resident-Experience")
    recovery = make_user(Role.SERVICE_RECOVERY, name="Sam Recovery")

    sign_in(page, a11y, live_server, councillor)
    assert page.get_by_role("heading", name="Hello, Cllr Chloe Khan").is_visible()
    page.get_by_role("link", name="Raise an enquiry").first.click()
    a11y.scan()
    submit(page, a11y)  # nothing chosen: the error summary links to the question
    assert page.get_by_role("alert").get_by_text("Select who the enquiry is for").is_visible()
    page.get_by_label("A constituent (a resident or organisation)").check()
    submit(page, a11y)
    page.get_by_label("Full name").fill("Cara Constituent")
    page.get_by_label("Email address (optional)").fill("cara@example.test")
    page.get_by_label("Postcode").fill("cv6 5aa")
    page.get_by_label("Yes, I am acting for this person").check()
    submit(page, a11y)
    page.get_by_label("What is the enquiry about?").fill("Fly-tipping behind the shops")
    page.get_by_label("Service area (optional)").select_option(label="Waste and Recycling")
    submit(page, a11y)
    assert page.get_by_role("heading", name="Check your enquiry before sending it").is_visible()
    assert page.get_by_text("Foleshill").is_visible()  # the ward, from the postcode table
    submit(page, a11y, "Send the enquiry")
    reference = page.get_by_role("heading", level=1).inner_text()
    assert re.fullmatch(r"ENQ-\d{4}-\d{6}", reference)
    assert page.get_by_text(f"Enquiry sent: your reference is {reference}").is_visible()
    assert page.get_by_role("row", name=re.compile("^Answer")).is_visible()
    assert page.get_by_text("cara@example.test").is_visible()  # implied consent: their ward, acting, their enquiry
    case_url = page.url

    # An officer acknowledges it: the councillor sees it on the page and is notified.
    _staff(reference, "acknowledge", officer)
    go(page, a11y, case_url)
    assert page.get_by_role("heading", name="Acknowledge the enquiry").is_visible()
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    a11y.scan()
    assert page.get_by_text(f"Acknowledged: your enquiry {reference}").is_visible()

    # A holding reply with a new date.
    new_date = _next_working_day_after(14)
    _staff(reference, "holding_reply", officer, due_on=new_date.isoformat(), reason="Waiting for the contractor")
    go(page, a11y, case_url)
    assert page.get_by_text(f"a full answer will be sent by {format_date(new_date)}").is_visible()
    go(page, a11y, live_server.url + "/notifications")
    assert page.get_by_text(re.compile(f"Holding reply: {reference} answer now due")).is_visible()

    # The answer.
    _staff(reference, "respond", officer, summary="The rubbish was cleared this morning.")
    go(page, a11y, case_url)
    assert page.get_by_text("The rubbish was cleared this morning.").first.is_visible()
    go(page, a11y, live_server.url + "/notifications")
    assert page.get_by_text(f"Answered: your enquiry {reference}").is_visible()

    # A follow-up within the follow-up period.
    go(page, a11y, case_url)
    page.get_by_role("button", name="Follow up the answer").click()
    a11y.scan()
    submit(page, a11y, "Send the follow-up")
    page.locator(".govuk-error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "text"
    page.get_by_label("Your follow-up").fill("It is back again today.")
    submit(page, a11y, "Send the follow-up")
    assert page.get_by_text("Follow-up sent to the officer dealing with your enquiry").is_visible()
    assert page.get_by_text("It is back again today.").is_visible()

    # Constituents' complaints: one in their ward (shown), one outside it (withheld until consent).
    inside = _constituent_enquiry(councillor, foleshill, "Ivy Inside", "ivy@example.test")
    outside = _constituent_enquiry(councillor, earlsdon, "Otto Outside", "otto@example.test")
    outside.person.ward_id = earlsdon.id
    db.session.commit()
    for case in (inside, outside):
        _staff(case.reference, "convert", recovery, procedure="corporate")
    complaints = {c.person.name: c.reference for c in db.session.execute(
        select(Case).where(Case.kind == "complaint")).scalars()}

    page.get_by_role("link", name="My enquiries").first.click()
    a11y.scan()
    page.get_by_role("link", name="My constituents' cases").click()
    a11y.scan()
    page.get_by_role("link", name=complaints["Ivy Inside"]).click()
    a11y.scan()
    assert page.get_by_text("ivy@example.test").is_visible()
    assert page.get_by_text("Personal data withheld").count() == 0

    go(page, a11y, live_server.url + f"/councillor/cases/{complaints['Otto Outside']}")
    assert page.get_by_text("Personal data withheld").is_visible()
    assert page.get_by_text("you do not represent the ward this person lives in", exact=False).is_visible()
    assert page.get_by_text("Otto Outside").count() == 0 and page.get_by_text("otto@example.test").count() == 0

    record_consent(_fresh(complaints["Otto Outside"]), councillor=councillor, given_by="Otto Outside",
                   given_on=london_date(utc_now()), method="email", scope="His complaint", actor=officer)
    db.session.commit()
    go(page, a11y, live_server.url + f"/councillor/cases/{complaints['Otto Outside']}")
    assert page.get_by_text("otto@example.test").is_visible()
    assert page.get_by_text("Personal data withheld").count() == 0

    go(page, a11y, live_server.url + "/councillor/home")
    go(page, a11y, live_server.url + "/cases")  # staff pages stay closed
    assert page.get_by_role("heading", name="You cannot see this page").is_visible()


def test_weekly_mp_enquiry_monitoring_page(page, live_server, a11y):
    area = make_service_area("Highways")
    case = open_case(kind="mp_enquiry", procedure="mp_enquiry", received_at=utc_now() - timedelta(hours=2),
                     summary="MP asks about potholes", service_area=area)
    db.session.commit()
    sign_in(page, a11y, live_server, make_user(Role.DIRECTOR))
    page.get_by_role("link", name="MP enquiries").first.click()
    a11y.scan()
    mp = page.get_by_role("table", name="MP enquiries")
    assert mp.get_by_role("row", name=re.compile("^Highways 1 1")).is_visible()
    page.get_by_label("Week").select_option(index=1)
    submit(page, a11y, "Show figures")
    assert "week=" in page.url and case.reference not in page.content()
