"""A councillor's own pages (issue 5): raise an enquiry, my enquiries, my constituents' cases, a case
with its progress and replies, personal data only under 001 §7.2–7.3, and nothing else."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from casework.extensions import db
from casework.jobs.sweep import run_sweep
from casework.models import Case, Correspondence, Event, Person, PostcodeWard, Role
from casework.models.notifications import Notification, NotificationDelivery
from casework.operations.cases import open_case, take_action
from casework.operations.councillors import record_consent
from casework.workdays import london_date, utc_now
from tests.factories import make_service_area, make_user, make_ward
from tests.jobs.support import at
from tests.web.helpers import error_links, recent, sign_in

BASE = "/councillor/enquiries/new"


@pytest.fixture
def wards(app):
    foleshill, earlsdon = make_ward("Foleshill"), make_ward("Earlsdon")
    db.session.add_all([PostcodeWard(postcode="CV6 5AA", ward_id=foleshill.id),
                        PostcodeWard(postcode="CV5 6AB", ward_id=earlsdon.id)])
    db.session.commit()
    return foleshill, earlsdon


@pytest.fixture
def councillor(wards):
    return make_user(Role.COUNCILLOR, name="Cllr Chloe Khan", email="chloe@council.test", wards=[wards[0]])


@pytest.fixture
def officer(app):
    return make_user(Role.INVESTIGATING_OFFICER, name="Olu Officer", email="olu@council.test")


def enquiry(councillor, *, ward=None, acts=True, summary="Fly-tipping behind the shops", received=None, assignee=None,
            person_name="Cara Constituent", area=None) -> Case:
    person = None
    if ward is not None:
        person = Person(name=person_name, email=f"{person_name.split()[0].lower()}@example.test", phone="07700 900123",
                        postcode="CV6 5AA", ward_id=ward.id)
        db.session.add(person)
    case = open_case(kind="member_enquiry", procedure="member_enquiry", received_at=received or recent(1), summary=summary,
                     channel="councillor", person=person, raised_by=councillor, actor=councillor, assignee=assignee,
                     councillor_acts_for_person=acts and person is not None, service_area=area)
    db.session.commit()
    return case


def act(case, action, actor, **fields):
    take_action(case, action, fields, actor=actor)
    db.session.commit()
    return case


def views_of(case) -> list[Event]:
    return list(db.session.execute(
        select(Event).where(Event.case_id == case.id, Event.action == "personal_data_viewed").order_by(Event.id)
    ).scalars())


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


# --- home and the staff pages they may not reach -------------------------------------------------

def test_a_councillor_lands_on_their_own_home(client, councillor):
    sign_in(client, councillor)
    response = client.get("/home")
    assert response.status_code == 302 and response.headers["Location"].endswith("/councillor/home")
    page = client.get("/councillor/home").get_data(as_text=True)
    assert "Hello, Cllr Chloe Khan" in page and "You represent Foleshill." in page
    assert "My enquiries" in page and "Raise an enquiry" in page
    assert 'href="/cases"' not in page and "Log a contact" not in page  # no staff navigation


@pytest.mark.parametrize("url", ["/cases", "/contacts/new/find", "/search?q=bins", "/reports/", "/enquiries/weekly",
                                 "/restrictions"])
def test_staff_pages_stay_forbidden_to_councillors(client, councillor, url):
    sign_in(client, councillor)
    response = client.get(url)
    assert response.status_code in (403, 404) and response.status_code != 200
    if url != "/restrictions":
        assert response.status_code == 403


def test_a_link_to_the_staff_case_page_takes_a_councillor_to_their_own(client, councillor, wards):
    mine = enquiry(councillor)
    other = enquiry(make_user(Role.COUNCILLOR, wards=[wards[0]]))
    sign_in(client, councillor)
    response = client.get(f"/cases/{mine.reference}")  # e.g. the escalation e-mail's link
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/councillor/cases/{mine.reference}")
    assert client.get(f"/cases/{mine.reference}", follow_redirects=True).status_code == 200
    assert client.get(f"/cases/{other.reference}", follow_redirects=True).status_code == 404
    assert client.get(f"/cases/{mine.reference}/actions/respond").status_code == 403  # staff pages stay closed


def test_staff_cannot_use_the_councillor_pages(client, officer, councillor):
    case = enquiry(councillor)
    sign_in(client, officer)
    for url in ("/councillor/home", "/councillor/enquiries", "/councillor/cases", f"/councillor/cases/{case.reference}",
                f"{BASE}/for_whom"):
        assert client.get(url).status_code == 403, url


def test_signed_out_users_are_sent_to_sign_in(client):
    response = client.get("/councillor/home")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


# --- raising an enquiry -----------------------------------------------------------------------------

def test_raise_an_enquiry_for_a_constituent(client, councillor, wards):
    make_service_area("Waste and Recycling")
    sign_in(client, councillor)
    assert client.get(BASE).status_code == 302
    assert client.post(f"{BASE}/for_whom", data={"for_whom": "constituent"}).headers["Location"].endswith("/constituent")
    response = client.post(f"{BASE}/constituent", data={
        "name": "Cara Constituent", "email": "cara@example.test", "phone": "", "address": "1 High Street",
        "postcode": "cv6 5aa", "acting": "yes"})
    assert response.headers["Location"].endswith("/about")
    assert client.post(f"{BASE}/about", data={"summary": "Fly-tipping behind the shops", "description": "Since May",
                                             "service_area": "Waste and Recycling"}).headers["Location"].endswith("/check")
    check = client.get(f"{BASE}/check").get_data(as_text=True)
    assert "Cara Constituent" in check and "CV6 5AA" in check and "Foleshill" in check  # ward from the postcode table
    assert count(Case) == 0  # nothing stored before the last page
    done = client.post(f"{BASE}/check", data={})
    case = db.session.execute(select(Case)).scalar_one()
    assert done.headers["Location"].endswith(f"/councillor/cases/{case.reference}")
    assert (case.kind, case.procedure, case.channel) == ("member_enquiry", "member_enquiry", "councillor")
    assert case.raised_by_id == councillor.id and case.councillor_acts_for_person
    assert case.person.ward.name == "Foleshill" and case.service_area.name == "Waste and Recycling"
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert f"Enquiry sent: your reference is {case.reference}" in page
    assert "Acknowledgement" in page and "Answer" in page  # the deadlines
    clocks = {c.name: c.due_on for c in case.clocks}
    from casework.web.helpers import format_date

    assert format_date(clocks["enquiry.respond"]) in page
    # Their ward, acting for them, their own enquiry: shown on implied consent, and the view is recorded.
    assert "cara@example.test" in page and "Personal data withheld" not in page
    [view] = views_of(case)
    assert view.actor_id == councillor.id and view.data["basis"] == "implicit"
    assert client.get(f"{BASE}/check").status_code == 302  # the answers are gone from the session


def test_raise_an_enquiry_on_a_ward_matter(client, councillor):
    sign_in(client, councillor)
    assert client.post(f"{BASE}/for_whom", data={"for_whom": "ward"}).headers["Location"].endswith("/about")
    client.post(f"{BASE}/about", data={"summary": "Street lights out on Station Road"})
    client.post(f"{BASE}/check", data={})
    case = db.session.execute(select(Case)).scalar_one()
    assert case.person_id is None and not case.councillor_acts_for_person
    page = client.get(f"/councillor/cases/{case.reference}").get_data(as_text=True)
    assert "A ward matter: no person is named." in page and "Street lights out on Station Road" in page


def test_invalid_answers_show_an_error_summary_and_store_nothing(client, councillor):
    sign_in(client, councillor)
    people = count(Person)
    bad = client.post(f"{BASE}/for_whom", data={})
    assert bad.status_code == 400 and error_links(bad.get_data(as_text=True)) == ["#for_whom"]
    client.post(f"{BASE}/for_whom", data={"for_whom": "constituent"})
    bad = client.post(f"{BASE}/constituent", data={"name": "   ", "email": "not-an-email", "postcode": "nowhere"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and error_links(html) == ["#name", "#email", "#postcode", "#acting"]
    assert "Enter the constituent&#39;s full name" in html and "Enter a real postcode, like CV1 2AB" in html
    assert "<title>Error: " in html
    client.post(f"{BASE}/constituent", data={"name": "Cara", "postcode": "CV6 5AA", "acting": "no"})
    bad = client.post(f"{BASE}/about", data={"summary": "x" * 301})
    assert bad.status_code == 400 and error_links(bad.get_data(as_text=True)) == ["#summary"]
    assert client.get(f"{BASE}/check").status_code == 302  # not answered yet: back to the question
    bad = client.post(f"{BASE}/about", data={"summary": "Bins", "service_area": "No such area"})
    assert bad.status_code == 400 and error_links(bad.get_data(as_text=True)) == ["#service_area"]
    assert count(Case) == 0 and count(Person) == people and count(Event) == 0


def test_check_answers_change_links_return_to_check(client, councillor):
    sign_in(client, councillor)
    client.post(f"{BASE}/for_whom", data={"for_whom": "ward"})
    client.post(f"{BASE}/about", data={"summary": "Potholes"})
    client.get(f"{BASE}/about?change=1")
    assert client.post(f"{BASE}/about", data={"summary": "Potholes on Elm Road"}).headers["Location"].endswith("/check")
    assert "Potholes on Elm Road" in client.get(f"{BASE}/check").get_data(as_text=True)


# --- lists ------------------------------------------------------------------------------------------

def test_my_enquiries_lists_only_theirs_with_state_deadline_officer_and_pages(client, councillor, officer):
    other = make_user(Role.COUNCILLOR, name="Cllr Other")
    mine = [enquiry(councillor, summary=f"Mine number {n}", assignee=officer if n == 0 else None) for n in range(23)]
    enquiry(other, summary="Someone else's enquiry")
    sign_in(client, councillor)
    first = client.get("/councillor/enquiries").get_data(as_text=True)
    assert "23 open of 23." in first
    assert first.count('href="/councillor/cases/ENQ-') == 20 and "Someone else" not in first
    assert "Not yet assigned" in first and "Open" in first
    assert "govuk-tag" in first  # RAG status of the next deadline
    assert 'href="/councillor/enquiries?page=2"' in first
    second = client.get("/councillor/enquiries?page=2").get_data(as_text=True)
    assert second.count('href="/councillor/cases/ENQ-') == 3
    assert "Olu Officer" in first + second  # the officer handling it
    shown = {c.reference for c in mine if c.reference in first + second}
    assert shown == {c.reference for c in mine}
    assert client.get("/councillor/enquiries?page=0").status_code == 404
    assert client.get("/councillor/enquiries?page=abc").status_code == 404


def test_constituents_cases_are_those_opened_from_their_enquiries(client, councillor, officer, wards):
    recovery = make_user(Role.SERVICE_RECOVERY)
    case = enquiry(councillor, ward=wards[0])
    act(case, "convert", recovery, procedure="corporate")
    complaint = db.session.execute(select(Case).where(Case.linked_case_id == case.id)).scalar_one()
    unrelated = open_case(kind="complaint", procedure="corporate", received_at=recent(1), summary="Not theirs")
    db.session.commit()
    sign_in(client, councillor)
    page = client.get("/councillor/cases").get_data(as_text=True)
    assert complaint.reference in page and unrelated.reference not in page and case.reference not in page
    home = client.get("/councillor/home").get_data(as_text=True)
    assert complaint.reference in home and case.reference in home
    enquiry_page = client.get(f"/councillor/cases/{case.reference}").get_data(as_text=True)
    assert "Passed on as" in enquiry_page and complaint.reference in enquiry_page
    complaint_page = client.get(f"/councillor/cases/{complaint.reference}").get_data(as_text=True)
    assert "opened from your enquiry" in complaint_page and "Cara Constituent" in complaint_page


# --- the case page: visibility, disclosure, replies -------------------------------------------------

def test_cases_outside_the_rule_are_not_found(client, councillor, wards):
    other = make_user(Role.COUNCILLOR, wards=[wards[0]])
    theirs = enquiry(other, ward=wards[0])
    staff_case = open_case(kind="complaint", procedure="corporate", received_at=recent(1), summary="A complaint")
    db.session.commit()
    sign_in(client, councillor)
    for reference in (theirs.reference, staff_case.reference, "ENQ-2026-999999"):
        assert client.get(f"/councillor/cases/{reference}").status_code == 404
        assert client.post(f"/councillor/cases/{reference}/follow-up", data={"text": "Hello"}).status_code == 404
    assert views_of(theirs) == []


def test_withheld_note_when_the_rule_does_not_allow(client, councillor, wards):
    outside = enquiry(councillor, ward=wards[1], person_name="Ed Earlsdon")  # not their ward
    not_acting = enquiry(councillor, ward=wards[0], acts=False, person_name="Nia Notacting")
    sign_in(client, councillor)
    page = client.get(f"/councillor/cases/{outside.reference}").get_data(as_text=True)
    assert "Personal data withheld" in page and "you do not represent the ward this person lives in" in page
    assert "Ed Earlsdon" not in page and "ed@example.test" not in page and "07700 900123" not in page
    page = client.get(f"/councillor/cases/{not_acting.reference}").get_data(as_text=True)
    assert "you have not said you are acting for this person" in page and "Nia Notacting" not in page
    assert views_of(outside) == [] and views_of(not_acting) == []
    assert outside.state == "open" and "Fly-tipping behind the shops" in page  # progress is still shown


def test_explicit_consent_discloses_and_each_view_is_an_audit_event(client, councillor, wards, officer):
    case = enquiry(councillor, ward=wards[1], person_name="Ed Earlsdon")
    record_consent(case, councillor=councillor, given_by="Ed Earlsdon", given_on=london_date(utc_now()),
                   method="email", scope="This enquiry", actor=officer)
    db.session.commit()
    sign_in(client, councillor)
    for _ in range(2):
        page = client.get(f"/councillor/cases/{case.reference}").get_data(as_text=True)
        assert "Ed Earlsdon" in page and "ed@example.test" in page and "explicit consent" in page
    views = views_of(case)
    assert len(views) == 2 and {v.data["basis"] for v in views} == {"explicit"}
    assert {v.data["where"] for v in views} == {"web:councillor_case"}
    assert "The person&#39;s consent to share their details with you was recorded" in page


def test_progress_holding_reply_answer_and_follow_up(client, councillor, wards, officer):
    case = enquiry(councillor, ward=wards[0], assignee=officer, received=recent(2))
    act(case, "acknowledge", officer)
    new_date = (utc_now() + timedelta(days=14)).date()
    while new_date.weekday() > 4:
        new_date += timedelta(days=1)
    act(case, "holding_reply", officer, due_on=new_date.isoformat(), reason="Waiting for the contractor's report")
    sign_in(client, councillor)
    from casework.web.helpers import format_date

    page = client.get(f"/councillor/cases/{case.reference}").get_data(as_text=True)
    assert "Olu Officer" in page
    assert f"a full answer will be sent by {format_date(new_date)}" in page
    assert "Waiting for the contractor&#39;s report" in page and "Acknowledge the enquiry" in page
    assert "Follow up the answer" not in page
    assert client.get(f"/councillor/cases/{case.reference}/follow-up").status_code == 302  # not answered yet

    act(case, "respond", officer, summary="The rubbish was cleared on Monday.")
    page = client.get(f"/councillor/cases/{case.reference}").get_data(as_text=True)
    assert "The rubbish was cleared on Monday." in page and "Answered" in page
    assert "Follow up the answer" in page
    bad = client.post(f"/councillor/cases/{case.reference}/follow-up", data={"text": "  "})
    assert bad.status_code == 400 and error_links(bad.get_data(as_text=True)) == ["#text"]
    assert count(Correspondence) == 0
    events_before = db.session.execute(select(func.count()).select_from(Event).where(Event.case_id == case.id)).scalar_one()
    sent = client.post(f"/councillor/cases/{case.reference}/follow-up", data={"text": "It is back again <b>today</b>."})
    assert sent.status_code == 302
    letter = db.session.execute(select(Correspondence)).scalar_one()
    assert (letter.direction, letter.status, letter.body) == ("in", "received", "It is back again <b>today</b>.")
    follow = db.session.execute(
        select(Event).where(Event.case_id == case.id, Event.action == "councillor_follow_up")).scalar_one()
    assert follow.actor_id == councillor.id
    told = db.session.execute(
        select(NotificationDelivery.user_id).join(Notification).where(Notification.kind == "councillor_follow_up")
    ).scalars().all()
    assert told == [officer.id]
    page = client.get(f"/councillor/cases/{case.reference}").get_data(as_text=True)
    assert "Your follow-up" in page and "It is back again &lt;b&gt;today&lt;/b&gt;." in page
    assert db.session.execute(select(func.count()).select_from(Event).where(Event.case_id == case.id)).scalar_one() \
        == events_before + 1 + 1  # the follow-up and one recorded view of personal data


def test_ruled_inappropriate_reasons_and_escalation_are_visible(client, councillor, officer, wards):
    director = make_user(Role.DIRECTOR)
    ruled = enquiry(councillor)
    act(ruled, "rule_inappropriate", director, reason="This is a planning objection: use the planning portal.")
    late = open_case(kind="member_enquiry", procedure="member_enquiry", received_at=at("03-02", 10),
                     summary="Overdue enquiry", raised_by=councillor, assignee=officer)
    db.session.commit()
    run_sweep(at("03-10"))
    sign_in(client, councillor)
    page = client.get(f"/councillor/cases/{ruled.reference}").get_data(as_text=True)
    assert "A senior officer ruled this enquiry inappropriate" in page
    assert "This is a planning objection: use the planning portal." in page
    page = client.get(f"/councillor/cases/{late.reference}").get_data(as_text=True)
    assert "Overdue: escalated to the responsible senior officer (001 §7.1)" in page
    assert "govuk-warning-text" in page


def test_a_complaint_response_is_withheld_without_a_basis(client, councillor, wards):
    recovery = make_user(Role.SERVICE_RECOVERY)
    case = enquiry(councillor, ward=wards[1], person_name="Ed Earlsdon")  # not their ward: no implied consent
    act(case, "convert", recovery, procedure="corporate")
    complaint = db.session.execute(select(Case).where(Case.linked_case_id == case.id)).scalar_one()
    act(complaint, "resolve_informally", recovery, summary="Ed's bin was replaced; he was given a refund")
    sign_in(client, councillor)
    page = client.get(f"/councillor/cases/{complaint.reference}").get_data(as_text=True)
    assert "Personal data withheld" in page and "Ed Earlsdon" not in page
    assert "refund" not in page and "Details withheld" in page


def test_text_is_escaped(client, councillor, wards):
    case = enquiry(councillor, summary='<script>alert("x")</script>')
    sign_in(client, councillor)
    for url in ("/councillor/home", "/councillor/enquiries", f"/councillor/cases/{case.reference}"):
        page = client.get(url).get_data(as_text=True)
        assert '<script>alert("x")</script>' not in page and "&lt;script&gt;" in page, url
