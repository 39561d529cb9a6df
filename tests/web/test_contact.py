"""Log a contact: the front-door journey (POLICY.md §1–3), answers kept in the session until
the check-answers page logs it in one use case."""
from __future__ import annotations

from datetime import timedelta

from casework.extensions import db
from casework.models import Case, EqualityMonitoring, Person, Role
from casework.workdays import LONDON, utc_now
from tests.factories import make_service_area, make_user, make_ward
from tests.web.helpers import error_links, make_case, sign_in

BASE = "/contacts/new"


def _when(days_ago=2):
    at = (utc_now() - timedelta(days=days_ago)).astimezone(LONDON)
    return {"received_on": [str(at.day), str(at.month), str(at.year)], "received_time": "10:15"}


def post(client, step, data, expect_next=None):
    response = client.post(f"{BASE}/{step}", data=data)
    assert response.status_code == 302, (step, response.status_code, response.get_data(as_text=True)[-2500:])
    if expect_next:
        assert response.headers["Location"].endswith(f"{BASE}/{expect_next}"), response.headers["Location"]
    return response


def _new_person_to_kind(client, *, representative=False, name="Jo Bloggs", email="jo@example.com"):
    client.get(f"{BASE}/")
    post(client, "person", {"name": name, "email": email, "phone": "024 7683 3333", "postcode": "cv1 2ab", "ward": ""}, "who")
    if representative:
        post(client, "who", {"who": "representative"}, "representative")
        post(client, "representative", {"name": "Sam Helper", "relationship": "Daughter", "email": "sam@example.com",
                                        "consent_evidence": "Signed consent form by email",
                                        "consent_received_on": ["", "", ""]}, "received")
    else:
        post(client, "who", {"who": "self"}, "received")
    post(client, "received", {"channel": "telephone", **_when()}, "about")


def _finish(client, equality="declined"):
    post(client, "preferences", {"preferred_contact_method": "letter", "preferred_format": "large_print",
                                 "needs": ["sign_language"], "language": "", "interpreter": "yes"}, "equality")
    post(client, "equality", {"answer": equality})
    if equality == "yes":
        post(client, "equality_questions", {"age_band": "35 to 44", "sex": "prefer_not_to_say", "ethnicity": "White"}, "check")
    check = client.get(f"{BASE}/check")
    assert check.status_code == 200
    response = client.post(f"{BASE}/check")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    reference = response.headers["Location"].rsplit("/", 1)[-1]
    return db.session.query(Case).filter_by(reference=reference).one(), check.get_data(as_text=True)


def test_log_a_complaint_end_to_end_with_a_representative(client):
    area = make_service_area("Waste")
    sign_in(client, make_user(Role.RESIDENT_EXPERIENCE))
    _new_person_to_kind(client, representative=True)
    post(client, "about", {"summary": "Bin missed three weeks running", "description": "Reported twice",
                           "service_area": str(area.id)}, "kind")
    post(client, "kind", {"kind": "complaint"}, "scope")
    post(client, "scope", {"reason": "none"}, "late")
    post(client, "late", {"late": "no"}, "procedure")
    post(client, "procedure", {"procedure": "corporate"}, "preferences")
    case, check = _finish(client, equality="yes")
    assert "Check your answers" in check and "Sam Helper (Daughter)" in check and "Change" in check
    assert case.kind == "complaint" and case.procedure == "corporate" and case.state == "informal"
    assert case.service_area_id == area.id and case.channel == "telephone"
    person = case.person
    assert person.name == "Jo Bloggs" and person.postcode == "CV1 2AB"
    assert person.preferred_contact_method == "letter" and person.preferred_format == "large_print"
    assert "Sign language" in person.accessibility_needs and person.interpreter_needed
    rep = case.representations[0]
    assert rep.representative.name == "Sam Helper" and rep.consent_evidence == "Signed consent form by email"
    equality = db.session.get(EqualityMonitoring, person.id)
    assert equality.age_band == "35 to 44" and equality.ethnicity == "White" and not equality.declined
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert f"Contact logged: reference {case.reference}" in page
    assert "Informal resolution" in page and "How this date was worked out" in page
    assert client.get(f"{BASE}/check").status_code == 302  # the session's answers are gone


def test_find_an_existing_person_first_and_see_their_open_cases(client):
    existing = Person(name="Jo Bloggs", email="jo@example.com", phone="024 7683 3333", postcode="CV1 2AB")
    db.session.add(existing)
    db.session.commit()
    open_case = make_case(person=existing, summary="Earlier complaint about potholes")
    sign_in(client, make_user(Role.RESIDENT_EXPERIENCE))
    client.get(f"{BASE}/")
    for query in ("name=bloggs", "email=JO@example.com", "phone=02476833333", "postcode=cv12ab"):
        html = client.get(f"{BASE}/find?{query}").get_data(as_text=True)
        assert "Jo Bloggs" in html and open_case.reference in html, query
    bad = client.get(f"{BASE}/find?email=not-an-email")
    assert bad.status_code == 400 and "#email" in error_links(bad.get_data(as_text=True))
    post(client, "find", {"person_id": str(existing.id)}, "who")
    post(client, "who", {"who": "self"}, "received")
    post(client, "received", {"channel": "email", **_when()}, "about")
    post(client, "about", {"summary": "Bins again", "service_area": ""}, "kind")
    post(client, "kind", {"kind": "service_request"}, "preferences")
    case, check = _finish(client, equality="not_asked")
    assert "(existing record)" in check
    assert case.person_id == existing.id and case.procedure == "service_request"
    assert db.session.query(Person).count() == 1


def test_out_of_scope_complaint_is_recorded_and_declined_with_signposting(client):
    sign_in(client, make_user(Role.RESIDENT_EXPERIENCE))
    _new_person_to_kind(client)
    post(client, "about", {"summary": "Unhappy with my school's head teacher", "service_area": ""}, "kind")
    post(client, "kind", {"kind": "complaint"}, "scope")
    post(client, "scope", {"reason": "schools"}, "decline")
    html = client.get(f"{BASE}/decline").get_data(as_text=True)
    assert "Schools have their own complaints procedures" in html
    post(client, "decline", {"details": "Please contact the school directly."}, "preferences")
    case, check = _finish(client)
    assert "recorded and declined" in check
    assert case.state == "declined" and not case.is_open and case.details["decline_reason"] == "schools"
    assert db.session.get(EqualityMonitoring, case.person_id).declined


def test_twelve_month_rule_needs_a_reason_to_accept_late(client):
    sign_in(client, make_user(Role.RESIDENT_EXPERIENCE))
    _new_person_to_kind(client)
    post(client, "about", {"summary": "Housing repair from 2024", "service_area": ""}, "kind")
    post(client, "kind", {"kind": "complaint"}, "scope")
    post(client, "scope", {"reason": "none"}, "late")
    response = client.post(f"{BASE}/late", data={"late": "accept", "late_reason": ""})
    assert response.status_code == 400 and "#late_reason" in error_links(response.get_data(as_text=True))
    post(client, "late", {"late": "accept", "late_reason": "They were in hospital for most of the year"}, "procedure")
    post(client, "procedure", {"procedure": "adults"}, "preferences")
    case, _ = _finish(client)
    assert case.procedure == "adults" and case.is_open
    assert case.details["events_over_12_months"] is True
    assert case.details["late_acceptance_reason"] == "They were in hospital for most of the year"


def test_twelve_month_rule_decline(client):
    sign_in(client, make_user(Role.RESIDENT_EXPERIENCE))
    _new_person_to_kind(client)
    post(client, "about", {"summary": "Something from 2019", "service_area": ""}, "kind")
    post(client, "kind", {"kind": "complaint"}, "scope")
    post(client, "scope", {"reason": "none"}, "late")
    post(client, "late", {"late": "decline"}, "preferences")
    case, _ = _finish(client)
    assert case.state == "declined" and case.details["decline_reason"] == "out_of_time"


def test_councillor_enquiry_names_the_councillor(client):
    ward = make_ward("Foleshill")
    councillor = make_user(Role.COUNCILLOR, name="Cllr Chloe", wards=[ward])
    sign_in(client, make_user(Role.RESIDENT_EXPERIENCE))
    _new_person_to_kind(client)
    post(client, "about", {"summary": "Street light out", "service_area": ""}, "kind")
    post(client, "kind", {"kind": "member_enquiry"}, "councillor")
    response = client.post(f"{BASE}/councillor", data={"raised_by": ""})
    assert response.status_code == 400
    post(client, "councillor", {"raised_by": str(councillor.id)}, "preferences")
    case, _ = _finish(client)
    assert case.kind == "member_enquiry" and case.raised_by_id == councillor.id
    assert {c.name for c in case.clocks} >= {"enquiry.respond"}


def test_the_kind_page_uses_the_policys_wording(client):
    sign_in(client, make_user(Role.RESIDENT_EXPERIENCE))
    _new_person_to_kind(client)
    post(client, "about", {"summary": "x", "service_area": ""}, "kind")
    html = client.get(f"{BASE}/kind").get_data(as_text=True)
    assert "Any expression of dissatisfaction" in html and "004 §3.1" in html and "004 §8.1" in html


def test_received_in_the_future_is_refused_and_nothing_is_saved(client):
    sign_in(client, make_user(Role.RESIDENT_EXPERIENCE))
    client.get(f"{BASE}/")
    post(client, "person", {"name": "Jo", "ward": ""}, "who")
    post(client, "who", {"who": "self"}, "received")
    tomorrow = (utc_now() + timedelta(days=2)).astimezone(LONDON)
    response = client.post(f"{BASE}/received", data={"channel": "email", "received_time": "10:00",
                                                    "received_on": [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]})
    assert response.status_code == 400 and "#received_on-day" in error_links(response.get_data(as_text=True))
    response = client.post(f"{BASE}/received", data={"received_time": "25:99", "received_on": ["", "", ""]})
    links = error_links(response.get_data(as_text=True))
    assert links == ["#channel", "#received_on-day", "#received_time"]
    assert db.session.query(Case).count() == 0 and db.session.query(Person).count() == 0


def test_change_from_check_answers_returns_to_check_answers(client):
    sign_in(client, make_user(Role.RESIDENT_EXPERIENCE))
    _new_person_to_kind(client)
    post(client, "about", {"summary": "Noise", "service_area": ""}, "kind")
    post(client, "kind", {"kind": "comment"}, "preferences")
    post(client, "preferences", {}, "equality")
    post(client, "equality", {"answer": "not_asked"}, "check")
    assert client.get(f"{BASE}/check").status_code == 200
    client.get(f"{BASE}/about?change=1")
    post(client, "about", {"summary": "Noise at night", "service_area": ""}, "check")
    # changing the kind to a complaint asks the new questions, then returns to check answers
    post(client, "kind", {"kind": "complaint"}, "scope")
    post(client, "scope", {"reason": "none"}, "late")
    post(client, "late", {"late": "no"}, "procedure")
    post(client, "procedure", {"procedure": "corporate"}, "check")


def test_only_the_front_door_logs_contacts(client):
    sign_in(client, make_user(Role.INVESTIGATING_OFFICER))
    assert client.get(f"{BASE}/").status_code == 403
