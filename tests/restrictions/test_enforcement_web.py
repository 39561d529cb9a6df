"""Enforcement where staff work (issue 7): the log-a-contact journey follows the person's
restrictions once they are chosen, and the case, action and person pages show the banner first.
A new complaint is never blocked."""
from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, Event, Restriction, RestrictionEvent
from casework.workdays import LONDON, utc_now
from tests.restrictions.support import completed_complaint, considered, decide, open_complaint, spec, today, warned
from tests.web.helpers import error_links, sign_in

BASE = "/contacts/new"
ALL_DAYS = [0, 1, 2, 3, 4, 5, 6]


def _restrict(council, person, *specs):
    """Impose restrictions, then move their start back ten days so that a contact received in
    the last few days falls inside them (a real decision cannot be backdated)."""
    record = considered(person, council.recovery)
    warned(record, council.recovery)
    decide(record, council.recovery, list(specs))
    for row in record.active_restrictions:
        row.starts_on = today() - timedelta(days=10)
    db.session.commit()
    return record


def _received(days_ago=2, clock="10:15"):
    at = (utc_now() - timedelta(days=days_ago)).astimezone(LONDON)
    return {"received_on": [str(at.day), str(at.month), str(at.year)], "received_time": clock}


def post(client, step, data, expect_next=None):
    response = client.post(f"{BASE}/{step}", data=data)
    assert response.status_code == 302, (step, response.status_code, response.get_data(as_text=True)[-3000:])
    if expect_next:
        assert response.headers["Location"].endswith(f"{BASE}/{expect_next}"), response.headers["Location"]
    return response


def _to_kind(client, person, *, channel="telephone", clock="10:15", summary="Still unhappy about the roof"):
    client.get(f"{BASE}/")
    post(client, "find", {"person_id": str(person.id)}, "who")
    post(client, "who", {"who": "self"}, "received")
    post(client, "received", {"channel": channel, **_received(clock=clock)}, "about")
    post(client, "about", {"summary": summary, "service_area": ""}, "kind")


def _finish(client, step):
    """From `step` to the check page by the usual answers, then log it."""
    if step == "scope":
        post(client, "scope", {"reason": "none"}, "late")
        post(client, "late", {"late": "no"}, "procedure")
        post(client, "procedure", {"procedure": "corporate"}, "preferences")
        step = "preferences"
    if step == "preferences":
        post(client, "preferences", {}, "equality")
        post(client, "equality", {"answer": "not_asked"}, "check")
    page = client.get(f"{BASE}/check")
    assert page.status_code == 200
    return page, client.post(f"{BASE}/check", data={})


def _new_case(person, summary):
    return db.session.execute(select(Case).where(Case.person_id == person.id, Case.summary == summary)).scalar_one()


def _case_events(case, action):
    return list(db.session.execute(select(Event).where(Event.case_id == case.id, Event.action == action)).scalars())


def _record_events(record, action):
    return list(db.session.execute(
        select(RestrictionEvent).where(RestrictionEvent.record_id == record.id, RestrictionEvent.action == action)
    ).scalars())


def _banner(html: str) -> str:
    match = re.search(r'<div class="govuk-notification-banner casework-restriction-banner".*?\n</div>', html, re.S)
    return match.group(0) if match else ""


# --- the banner first on every step ---------------------------------------------------------------

def test_the_restrictions_are_shown_first_on_every_step_once_the_person_is_chosen(client, council, person):
    _restrict(council, person, spec("phone_times", phone_days=ALL_DAYS, phone_from=time(9), phone_until=time(10)))
    sign_in(client, council.front_door)
    _to_kind(client, person)
    for step in ("who", "received", "about", "kind"):
        html = client.get(f"{BASE}/{step}").get_data(as_text=True)
        banner = _banner(html)
        assert "Contact restrictions" in banner and "Phone calls only on" in banner and "9am to 10am" in banner, step
        # the banner comes before the question
        main = html[html.index("<main"):]
        assert main.index("casework-restriction-banner") < main.index('<form method="post"'), step


def test_a_person_with_nothing_in_force_sees_no_banner_and_no_extra_step(client, council, person):
    sign_in(client, council.front_door)
    _to_kind(client, person)
    assert "casework-restriction-banner" not in client.get(f"{BASE}/about").get_data(as_text=True)
    post(client, "kind", {"kind": "service_request"}, "preferences")


def test_the_pvp_flag_shows_only_the_safety_information(client, council, person):
    _restrict(council, person, spec("pvp_register", safety_note="Do not meet alone; meet in the reception interview room."))
    sign_in(client, council.front_door)
    _to_kind(client, person)
    banner = _banner(client.get(f"{BASE}/about").get_data(as_text=True))
    assert "Potentially Violent People register" in banner
    assert "Do not meet alone" in banner
    # the behaviours and evidence on the record stay there
    assert "Forty calls" not in banner and "abusive" not in banner


# --- phone only on set days and times ---------------------------------------------------------------

def test_a_call_outside_the_permitted_times_is_flagged_and_recorded_on_the_case(client, council, person):
    record = _restrict(council, person, spec("phone_times", phone_days=ALL_DAYS, phone_from=time(9), phone_until=time(10)))
    sign_in(client, council.front_door)
    _to_kind(client, person, clock="20:30", summary="Rang about the bins")
    html = client.get(f"{BASE}/kind").get_data(as_text=True)
    assert "This call is outside the times they may phone" in _banner(html)
    post(client, "kind", {"kind": "service_request"}, "restriction")
    post(client, "restriction", {"officer": ""}, "preferences")
    page, logged = _finish(client, "preferences")
    assert "Call outside their permitted times" in page.get_data(as_text=True)
    assert logged.status_code == 302
    case = _new_case(person, "Rang about the bins")
    [event] = _case_events(case, "contact_restrictions")
    assert "phone_outside_permitted_times" in event.data["flags"]
    [handled] = _record_events(record, "contact_handled")
    assert handled.data["case"] == case.reference and "phone_outside_permitted_times" in handled.data["flags"]
    timeline = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Contact restrictions followed" in timeline and "outside the times they may phone" in timeline


def test_a_call_inside_the_permitted_times_is_not_flagged(client, council, person):
    _restrict(council, person, spec("phone_times", phone_days=ALL_DAYS, phone_from=time(9), phone_until=time(10)))
    sign_in(client, council.front_door)
    _to_kind(client, person, clock="09:30", summary="Rang in time")
    assert "outside the times" not in client.get(f"{BASE}/kind").get_data(as_text=True)
    post(client, "kind", {"kind": "service_request"}, "restriction")
    post(client, "restriction", {"officer": ""}, "preferences")
    _finish(client, "preferences")
    case = _new_case(person, "Rang in time")
    [event] = _case_events(case, "contact_restrictions")
    assert "phone_outside_permitted_times" not in event.data["flags"]


# --- officers -------------------------------------------------------------------------------------

def test_a_contact_for_an_officer_they_may_not_contact_goes_to_the_named_officer(client, council, person):
    record = _restrict(council, person, spec("no_contact_officers", officer_ids=[council.officer.id],
                                             officer_id=council.other_officer.id))
    sign_in(client, council.front_door)
    _to_kind(client, person, channel="email", summary="For Ola about the repairs")
    post(client, "kind", {"kind": "service_request"}, "restriction")
    post(client, "restriction", {"officer": str(council.officer.id)}, "preferences")
    page, logged = _finish(client, "preferences")
    text = page.get_data(as_text=True)
    assert "They may not contact Ola Officer" in text and "pass this contact to Nia Named" in text
    assert "Nia Named: the new case is assigned to them" in text
    case = _new_case(person, "For Ola about the repairs")
    assert case.assignee_id == council.other_officer.id
    [event] = _case_events(case, "contact_restrictions")
    assert event.data["route_to"] == "Nia Named" and "officer_not_permitted" in event.data["flags"]
    assert _case_events(case, "assign")
    assert _record_events(record, "contact_handled")[0].data["route_to_officer_id"] == council.other_officer.id
    shown = client.get(logged.headers["Location"]).get_data(as_text=True)
    assert "Assigned to Nia Named, as their contact restrictions say" in shown


def test_a_contact_for_another_officer_is_not_rerouted(client, council, person):
    _restrict(council, person, spec("no_contact_officers", officer_ids=[council.officer.id],
                                    officer_id=council.other_officer.id))
    sign_in(client, council.front_door)
    _to_kind(client, person, channel="email", summary="For the manager")
    post(client, "kind", {"kind": "service_request"}, "restriction")
    post(client, "restriction", {"officer": str(council.manager.id)}, "preferences")
    _finish(client, "preferences")
    assert _new_case(person, "For the manager").assignee_id is None


def test_with_a_single_point_of_contact_every_contact_goes_to_them(client, council, person):
    _restrict(council, person, spec("named_officer", officer_id=council.other_officer.id))
    sign_in(client, council.front_door)
    _to_kind(client, person, channel="letter", summary="A letter about parking")
    post(client, "kind", {"kind": "comment"}, "restriction")
    post(client, "restriction", {"officer": ""}, "preferences")
    _finish(client, "preferences")
    assert _new_case(person, "A letter about parking").assignee_id == council.other_officer.id


def test_an_unknown_officer_is_refused_and_nothing_is_kept(client, council, person):
    _restrict(council, person, spec("named_officer", officer_id=council.other_officer.id))
    sign_in(client, council.front_door)
    _to_kind(client, person, channel="letter")
    post(client, "kind", {"kind": "comment"}, "restriction")
    response = client.post(f"{BASE}/restriction", data={"officer": "999999"})
    assert response.status_code == 400
    assert "Choose an officer from the list" in response.get_data(as_text=True)
    assert client.get(f"{BASE}/check").headers["Location"].endswith(f"{BASE}/restriction")


# --- file without reply ----------------------------------------------------------------------------

@pytest.fixture
def filed_case(council, person):
    case = completed_complaint(person, council.recovery)
    record = _restrict(council, person, spec("file_without_reply", case_id=case.id))
    return case, record


def test_correspondence_about_the_completed_complaint_is_checked_and_filed(client, council, person, filed_case):
    completed, record = filed_case
    sign_in(client, council.front_door)
    _to_kind(client, person, channel="email", summary="More about the roof decision")
    post(client, "kind", {"kind": "comment"}, "restriction")
    form = client.get(f"{BASE}/restriction").get_data(as_text=True)
    assert "Does it contain new information?" in form and completed.reference in form
    post(client, "restriction", {"officer": "", "about_completed": "yes", "new_information": "no",
                                 "safeguarding": "no"}, "check")
    page = client.get(f"{BASE}/check").get_data(as_text=True)
    assert "File without reply" in page and "Equality monitoring" not in page
    cases_before = db.session.scalar(select(db.func.count(Case.id)))
    response = client.post(f"{BASE}/check", data={})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{completed.reference}")
    assert db.session.scalar(select(db.func.count(Case.id))) == cases_before  # no new case, no reply
    [check] = _record_events(record, "file_without_reply_check")
    assert check.data["outcome"] == "filed" and check.data["new_information"] is False
    assert check.data["safeguarding_concern"] is False
    [on_case] = _case_events(completed, "restriction_file_check")
    assert on_case.data["outcome"] == "filed"
    assert _record_events(record, "contact_handled")
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Filed without reply" in shown


def test_with_new_information_it_is_handled_normally(client, council, person, filed_case):
    completed, record = filed_case
    sign_in(client, council.front_door)
    _to_kind(client, person, channel="email", summary="New photos of the roof")
    post(client, "kind", {"kind": "comment"}, "restriction")
    post(client, "restriction", {"officer": "", "about_completed": "yes", "new_information": "yes",
                                 "safeguarding": "no", "details": "Photos showing the leak has returned"}, "preferences")
    _finish(client, "preferences")
    case = _new_case(person, "New photos of the roof")
    assert case.is_open
    [check] = _record_events(record, "file_without_reply_check")
    assert check.data["outcome"] == "reply" and check.data["new_information_details"] == "Photos showing the leak has returned"
    assert _case_events(completed, "restriction_file_check")[0].data["outcome"] == "reply"


def test_a_safeguarding_concern_is_handled_normally(client, council, person, filed_case):
    _completed, record = filed_case
    sign_in(client, council.front_door)
    _to_kind(client, person, channel="email", summary="Says they cannot cope")
    post(client, "kind", {"kind": "comment"}, "restriction")
    post(client, "restriction", {"officer": "", "about_completed": "yes", "new_information": "no",
                                 "safeguarding": "yes", "details": "Told the adult safeguarding team"}, "preferences")
    _finish(client, "preferences")
    assert _new_case(person, "Says they cannot cope").is_open
    [check] = _record_events(record, "file_without_reply_check")
    assert check.data["safeguarding_concern"] is True


def test_the_check_needs_every_answer_and_keeps_nothing_until_it_has_them(client, council, person, filed_case):
    sign_in(client, council.front_door)
    _to_kind(client, person, channel="email")
    post(client, "kind", {"kind": "comment"}, "restriction")
    response = client.post(f"{BASE}/restriction", data={"officer": "", "about_completed": "yes", "safeguarding": "yes"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    links = error_links(html)
    assert "#new_information" in links and "#details" in links
    assert "Select whether it contains new information" in html
    assert "Enter the new information or safeguarding concern" in html
    assert client.get(f"{BASE}/check").headers["Location"].endswith(f"{BASE}/restriction")
    missing = client.post(f"{BASE}/restriction", data={"officer": ""})
    assert missing.status_code == 400
    assert "#about_completed" in error_links(missing.get_data(as_text=True))
    assert "Select whether it is about their completed complaint" in missing.get_data(as_text=True)


def test_correspondence_about_something_else_is_handled_normally(client, council, person, filed_case):
    _completed, record = filed_case
    sign_in(client, council.front_door)
    _to_kind(client, person, channel="email", summary="Streetlight out")
    post(client, "kind", {"kind": "service_request"}, "restriction")
    post(client, "restriction", {"officer": "", "about_completed": "no"}, "preferences")
    _finish(client, "preferences")
    assert _new_case(person, "Streetlight out").is_open
    assert _record_events(record, "file_without_reply_check") == []


# --- a new complaint is never blocked ---------------------------------------------------------------

def test_a_new_complaint_is_never_blocked(client, council, person):
    completed = completed_complaint(person, council.recovery)
    record = _restrict(
        council, person,
        spec("file_without_reply", case_id=completed.id),
        spec("phone_times", phone_days=[0], phone_from=time(9), phone_until=time(10)),
        spec("contact_form", channels=["letter"]),
        spec("named_officer", officer_id=council.other_officer.id),
        spec("social_media_block", social_media="Facebook"),
        spec("pvp_register", safety_note="Do not meet alone."),
    )
    sign_in(client, council.front_door)
    _to_kind(client, person, channel="telephone", clock="21:45", summary="A new complaint about the roof repair")
    post(client, "kind", {"kind": "complaint"}, "restriction")
    form = client.get(f"{BASE}/restriction").get_data(as_text=True)
    assert "Does it contain new information?" not in form  # a new complaint is never filed without reply
    assert "A new complaint is never blocked" in _banner(form)
    post(client, "restriction", {"officer": ""}, "scope")
    page, logged = _finish(client, "scope")
    assert "Log the contact" in page.get_data(as_text=True)
    assert logged.status_code == 302
    case = _new_case(person, "A new complaint about the roof repair")
    assert case.kind == "complaint" and case.is_open and case.procedure == "corporate"
    assert case.assignee_id == council.other_officer.id  # the restriction governs only how contact happens
    [event] = _case_events(case, "contact_restrictions")
    assert "new_complaint" in event.data["flags"] and "file_without_reply" not in event.data["flags"]
    assert _record_events(record, "file_without_reply_check") == []


# --- the case, action and person pages --------------------------------------------------------------

def test_the_case_page_shows_the_restrictions_first(client, council, person):
    case = open_complaint(person, council.recovery)
    _restrict(council, person, spec("time_limits", minutes=15), spec("pvp_register", safety_note="Meet in pairs."))
    sign_in(client, council.front_door)
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    banner = _banner(html)
    assert "15 minutes" in banner and "Meet in pairs." in banner
    assert html.index("casework-restriction-banner") < html.index("<h1")


def test_acting_on_a_case_shows_the_restrictions(client, council, person):
    case = open_complaint(person, council.recovery)
    _restrict(council, person, spec("contact_form", channels=["letter"]))
    sign_in(client, council.recovery)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    action = re.search(r'href="(/cases/[^"]+/actions/[^"]+)"', page).group(1)
    html = client.get(action).get_data(as_text=True)
    assert "Contact only by letter" in _banner(html)
    main = html[html.index("<main"):]
    assert main.index("casework-restriction-banner") < main.index("<form")


def test_the_person_page_shows_the_restrictions_first(client, council, person):
    _restrict(council, person, spec("pvp_register", safety_note="Two officers at any visit."))
    sign_in(client, council.front_door)
    html = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Two officers at any visit." in _banner(html)
    assert html.index("casework-restriction-banner") < html.index("<h1")


def test_no_banner_once_the_restrictions_have_ended(client, council, person):
    case = open_complaint(person, council.recovery)
    record = _restrict(council, person, spec("time_limits", minutes=15))
    for row in db.session.execute(select(Restriction).where(Restriction.record_id == record.id)).scalars():
        row.ends_on = row.review_on = today()
    db.session.commit()
    sign_in(client, council.front_door)
    assert "casework-restriction-banner" not in client.get(f"/cases/{case.reference}").get_data(as_text=True)


def test_the_review_page_shows_what_they_said_escaped_once(client, council, person):
    record = _restrict(council, person, spec("time_limits", minutes=15))
    from casework.operations import restrictions as ops
    ops.request_review(record, received_on=today(), grounds="Tom & Jerry <b>shouted</b>", actor=council.recovery)
    db.session.commit()
    sign_in(client, council.director)
    html = client.get(f"/restrictions/records/{record.id}/review").get_data(as_text=True)
    assert "Tom &amp; Jerry &lt;b&gt;shouted&lt;/b&gt;" in html and "&amp;amp;" not in html
    assert "<title>Review the restrictions – RST-" in html
