"""The pages: who may see them, the GOV.UK forms (errors linked to their fields, nothing saved
when invalid), the journey through them, and the banner for other pages to include."""
from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import func, select

from casework.extensions import db
from casework.models.restrictions import (
    Restriction,
    RestrictionEvent,
    RestrictionLetter,
    RestrictionRecord,
    RestrictionReviewRequest,
)
from casework.operations import restrictions as ops
from tests.restrictions.support import completed_complaint, considered, decide, spec, today, warned
from tests.web.helpers import error_links, sign_in


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def date_fields(name, day) -> dict:
    return {name: [str(day.day), str(day.month), str(day.year)]}


@pytest.fixture
def restricted(council, person):
    record = considered(person, council.recovery, service_area=council.area)
    warned(record, council.recovery)
    roof = completed_complaint(person, council.front_door)
    decide(record, council.recovery, [spec("pvp_register", safety_note="Do not meet alone."),
                                      spec("file_without_reply", case_id=roof.id),
                                      spec("phone_times", phone_days=[1], phone_from=time(10), phone_until=time(12))])
    return record


@pytest.mark.parametrize("role, status", [
    ("recovery", 200), ("director", 200), ("admin", 200),
    ("front_door", 403), ("officer", 403), ("manager", 403), ("councillor", 403),
])
def test_the_register_is_need_to_know(client, council, restricted, role, status):
    sign_in(client, getattr(council, role))
    response = client.get("/restrictions")
    assert response.status_code == status
    if status == 200:
        html = response.get_data(as_text=True)
        assert "Perry Persistent" in html and "Contact restrictions register" in html
        assert ops.record_reference(restricted) in html


@pytest.mark.parametrize("role, status", [
    ("recovery", 200), ("director", 200), ("admin", 200), ("manager", 200),  # manages the service concerned
    ("front_door", 403), ("officer", 403), ("councillor", 403),
])
def test_the_record_is_need_to_know(client, council, restricted, role, status):
    sign_in(client, getattr(council, role))
    assert client.get(f"/restrictions/records/{restricted.id}").status_code == status


def test_signed_out_users_are_sent_to_sign_in(client, restricted):
    response = client.get("/restrictions")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_record_page_shows_the_policy_and_the_history(client, council, restricted):
    sign_in(client, council.recovery)
    html = client.get(f"/restrictions/records/{restricted.id}").get_data(as_text=True)
    assert "Repeatedly contacts the council" in html  # a 004 §18.3 behaviour
    assert "Phone calls only on Tuesdays, 10am to 12pm" in html
    assert "Restrictions decided" in html and "004 §19.1" in html


def test_consider_form_errors_are_linked_and_nothing_is_saved(client, council, person):
    sign_in(client, council.recovery)
    response = client.post(f"/restrictions/people/{person.id}/consider", data={"behaviour_details": ""})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert error_links(html) == ["#behaviours", "#behaviour_details"]
    assert "<title>Error:" in html
    assert count(RestrictionRecord) == 0 and count(RestrictionEvent) == 0


def test_decide_form_refuses_a_restriction_without_an_end_date(client, council, person):
    record = considered(person, council.recovery)
    warned(record, council.recovery)
    sign_in(client, council.recovery)
    response = client.post(f"/restrictions/records/{record.id}/decide", data={
        "kinds": ["time_limits"], "minutes": "15", **date_fields("starts_on", today()),
        "reasons": "Long calls", "balance": "Balanced", "equality_considerations": "None known",
        "reasonable_adjustments": "None needed", "version": str(record.version),
    })
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "#ends_on-day" in error_links(html)
    assert "never permanent (004 GH20)" in html
    assert count(Restriction) == 0


def test_decide_form_asks_for_the_terms_of_each_restriction(client, council, person):
    record = considered(person, council.recovery)
    warned(record, council.recovery)
    sign_in(client, council.recovery)
    response = client.post(f"/restrictions/records/{record.id}/decide", data={
        "kinds": ["phone_times", "named_officer"], **date_fields("starts_on", today()),
        **date_fields("ends_on", today() + timedelta(days=60)), "reasons": "r", "balance": "b",
        "equality_considerations": "e", "reasonable_adjustments": "a",
    })
    assert response.status_code == 400
    assert error_links(response.get_data(as_text=True)) == ["#named_officer", "#phone_days", "#phone_from", "#phone_until"]
    assert count(Restriction) == 0


def test_an_operation_refusal_is_linked_to_its_field(client, council, person):
    """Checks only the use case makes (here: more than the maximum period) come back by the field."""
    record = considered(person, council.recovery)
    warned(record, council.recovery)
    sign_in(client, council.recovery)
    response = client.post(f"/restrictions/records/{record.id}/decide", data={
        "kinds": ["time_limits"], "minutes": "15", **date_fields("starts_on", today()),
        **date_fields("ends_on", today() + timedelta(days=500)), "reasons": "r", "balance": "b",
        "equality_considerations": "e", "reasonable_adjustments": "a",
    })
    assert response.status_code == 400
    assert error_links(response.get_data(as_text=True)) == ["#ends_on-day"]
    assert count(Restriction) == 0 and count(RestrictionLetter) == 1  # only the warning letter


def test_the_journey_through_the_pages(client, council, person):
    roof = completed_complaint(person, council.front_door)
    sign_in(client, council.recovery)
    assert client.get(f"/restrictions/people/{person.id}").status_code == 200
    form = client.get(f"/restrictions/people/{person.id}/consider").get_data(as_text=True)
    assert "004 §18.3" in form and roof.reference in form
    response = client.post(f"/restrictions/people/{person.id}/consider", data={
        "behaviours": ["repeated_contact", "abuse_harassment"], "behaviour_details": "Forty calls in March.",
        "cases": [str(roof.id)], "incident_description": "Swore at reception",
        **date_fields("incident_on", today() - timedelta(days=3)),
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    record = db.session.execute(select(RestrictionRecord)).scalar_one()
    assert len(record.evidence) == 2

    response = client.post(f"/restrictions/records/{record.id}/warn", data={
        "kind": "written", **date_fields("warned_on", today()), "summary": "Please stop calling every hour.",
        "version": str(record.version)})
    assert response.status_code == 302 and "/restrictions/letters/" in response.headers["Location"]
    letter_url = response.headers["Location"]
    page = client.get(letter_url).get_data(as_text=True)
    assert "Please stop calling every hour." in page
    response = client.post(letter_url, data={"delivery": "print", "recipient": "Perry Persistent\n1 High Street",
                                             "subject": "Your contact with us: a warning", "body": "Dear Perry\n\nWarning."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.execute(select(RestrictionLetter)).scalar_one().status == "printed"

    record = db.session.get(RestrictionRecord, record.id)
    ends = today() + timedelta(days=90)
    decide_page = client.get(f"/restrictions/records/{record.id}/decide").get_data(as_text=True)
    assert "govuk-checkboxes__conditional" in decide_page
    response = client.post(f"/restrictions/records/{record.id}/decide", data={
        "kinds": ["phone_times", "no_contact_officers", "file_without_reply"],
        "phone_days": ["1", "3"], "phone_from": "10:00", "phone_until": "12:00",
        "officer_ids": [str(council.officer.id)], "route_to_officer": str(council.other_officer.id),
        "case_id": str(roof.id), **date_fields("starts_on", today()), **date_fields("ends_on", ends),
        "reasons": "Calls every hour after a warning.", "balance": "Complaints still answered in writing.",
        "equality_considerations": "No known disability; asked on 3 March.", "reasonable_adjustments": "Named officer offered.",
        "version": str(record.version),
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    letter_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You may telephone us only on Tuesdays and Thursdays, between 10am and 12pm." in letter_page
    assert "How to ask for a review" in letter_page
    db.session.expire_all()
    assert count(Restriction) == 3

    record = db.session.get(RestrictionRecord, record.id)
    response = client.post(f"/restrictions/records/{record.id}/review-request", data={
        **date_fields("received_on", today()), "channel": "letter", "grounds": "It is unfair.",
        "version": str(record.version)})
    assert response.status_code == 302
    assert client.get(f"/restrictions/records/{record.id}/review").status_code == 403  # not a Director

    client.post("/sign-out")
    sign_in(client, council.director)
    record = db.session.get(RestrictionRecord, record.id)
    phone = next(r for r in record.active_restrictions if r.kind == "phone_times")
    review_page = client.get(f"/restrictions/records/{record.id}/review").get_data(as_text=True)
    assert "It is unfair." in review_page
    response = client.post(f"/restrictions/records/{record.id}/review", data={
        "outcome": "varied", "lift": [str(phone.id)], "reasons": "The calls have stopped.",
        "version": str(record.version)})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.execute(select(RestrictionReviewRequest)).scalar_one().status == "decided"
    assert {r.kind for r in db.session.get(RestrictionRecord, record.id).active_restrictions} == \
        {"no_contact_officers", "file_without_reply"}
    register = client.get("/restrictions").get_data(as_text=True)
    assert "Perry Persistent" in register and "Letters to check and send" in register


def test_a_review_form_needs_an_outcome_and_reasons(client, council, restricted):
    sign_in(client, council.director)
    response = client.post(f"/restrictions/records/{restricted.id}/review", data={"version": str(restricted.version)})
    assert response.status_code == 400
    assert error_links(response.get_data(as_text=True)) == ["#outcome", "#reasons"]


def test_any_member_of_staff_records_the_file_check(client, council, restricted):
    fwr = next(r for r in restricted.active_restrictions if r.kind == "file_without_reply")
    sign_in(client, council.front_door)
    page = client.get(f"/restrictions/{fwr.id}/file-check").get_data(as_text=True)
    assert "new information" in page and "Repeatedly contacts" not in page
    response = client.post(f"/restrictions/{fwr.id}/file-check", data={
        **date_fields("received_on", today()), "summary": "Asks again about the roof",
        "new_information": "yes", "safeguarding": "no"})
    assert response.status_code == 400
    assert error_links(response.get_data(as_text=True)) == ["#new_information_details"]
    response = client.post(f"/restrictions/{fwr.id}/file-check", data={
        **date_fields("received_on", today()), "summary": "Asks again about the roof",
        "new_information": "no", "safeguarding": "no"})
    assert response.status_code == 302
    [check] = db.session.execute(select(RestrictionEvent).where(RestrictionEvent.action == "file_without_reply_check")).scalars()
    assert check.data["outcome"] == "filed" and check.actor == council.front_door.email


def test_a_councillor_cannot_record_a_file_check(client, council, restricted):
    fwr = next(r for r in restricted.active_restrictions if r.kind == "file_without_reply")
    sign_in(client, council.councillor)
    assert client.get(f"/restrictions/{fwr.id}/file-check").status_code == 403


BANNER = '{% include "restrictions/_banner.html" %}'


def render_banner(app, user, **context) -> str:
    with app.test_request_context("/"):
        if user is not None:
            login_user(user)
        return render_template_string(BANNER, **context)


def test_the_banner_shows_staff_what_to_do_and_only_the_safety_information(app, council, restricted, person):
    html = render_banner(app, council.front_door, person=person)
    assert "Contact restrictions" in html
    assert "Potentially Violent People register" in html and "Do not meet alone." in html
    assert "Phone calls only on Tuesdays, 10am to 12pm" in html
    assert "A new complaint is never blocked" in html
    assert f"/restrictions/{next(r.id for r in restricted.active_restrictions if r.kind == 'file_without_reply')}/file-check" in html
    # Not the behaviours, the evidence or a link to the record: those are need-to-know.
    assert "Repeatedly contacts" not in html and "Forty calls" not in html and "/restrictions/records/" not in html


def test_the_banner_links_the_record_for_those_who_manage_it(app, council, restricted, person):
    html = render_banner(app, council.recovery, person=person.id)
    assert f"/restrictions/records/{restricted.id}" in html


def test_the_banner_is_empty_for_councillors_and_unrestricted_people(app, council, restricted, person):
    assert render_banner(app, council.councillor, person=person).strip() == ""
    assert render_banner(app, None, person=person).strip() == ""
    from tests.restrictions.support import make_person
    other = make_person("Nora Normal", "nora@example.com")
    assert render_banner(app, council.front_door, person=other).strip() == ""
    assert render_banner(app, council.front_door).strip() == ""  # no person in the context


def test_the_banner_shows_an_assessment_for_the_contact_being_logged(app, council, restricted, person):
    from datetime import datetime, timezone
    wednesday = today() + timedelta(days=(2 - today().weekday()) % 7 or 7)
    at = datetime(wednesday.year, wednesday.month, wednesday.day, 11, tzinfo=timezone.utc)
    assessment = ops.assess_person_contact(person, "telephone", at, new_complaint=True)
    html = render_banner(app, council.front_door, person=person, restriction_assessment=assessment)
    assert "For this contact" in html and "outside the times they may phone" in html
    assert re.search(r'data-restriction-flags="[^"]*new_complaint', html)


def test_if_the_check_fails_the_banner_says_so(app, council, restricted, person, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ops, "fetch_restriction_banner", broken)
    html = render_banner(app, council.front_door, person=person)
    assert "We could not check this person's contact restrictions" in html
    assert render_banner(app, council.councillor, person=person).strip() == ""


@pytest.mark.parametrize("role, visible", [("recovery", True), ("director", True), ("front_door", False), ("officer", False)])
def test_a_template_can_ask_whether_to_link_the_register(app, council, role, visible):
    with app.test_request_context("/"):
        login_user(getattr(council, role))
        assert render_template_string("{{ can_see_restriction_register() }}") == str(visible)


@pytest.mark.parametrize("role, sees", [("recovery", True), ("director", True), ("front_door", False), ("officer", False)])
def test_the_register_and_a_persons_records_are_linked_for_those_who_may_see_them(client, council, person, role, sees):
    sign_in(client, getattr(council, role))
    home = client.get("/home").get_data(as_text=True)
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert ('href="/restrictions"' in home) is sees  # the service navigation
    assert (f'href="/restrictions/people/{person.id}"' in page) is sees
    assert (f'href="/restrictions/people/{person.id}/consider"' in page) is sees
