"""Letters: from templates/letters/, filled from the case, editable, sent or printed, on the timeline."""
from __future__ import annotations

from pathlib import Path

import pytest

from casework.extensions import db
from casework.models import Correspondence, Person, Role
from casework.web.letters import LETTERS
from tests.factories import make_user
from tests.web.helpers import act, error_links, event_count, make_case, sign_in

ROOT = Path(__file__).resolve().parents[2]


def test_every_letter_has_a_template():
    for key in LETTERS:
        assert (ROOT / "templates" / "letters" / f"{key}.txt").exists(), key


def _stage1(procedure="corporate"):
    manager = make_user(Role.SERVICE_RECOVERY)
    person = Person(name="Jo Bloggs", email="jo@example.com", preferred_contact_method="email")
    db.session.add(person)
    case = make_case(procedure=procedure, person=person, actor=manager)
    act(case, "start_stage1", {"reason": "not_resolved"} if procedure == "corporate" else {}, manager)
    return case, manager


def test_acknowledgement_is_filled_from_the_case_edited_and_sent_by_email(client):
    case, manager = _stage1()
    sign_in(client, manager)
    html = client.get(f"/cases/{case.reference}/letters/new?template=acknowledgement").get_data(as_text=True)
    due = next(c for c in case.clocks if c.name == "stage1.respond").due_on
    assert case.reference in html and "Dear Jo Bloggs" in html and f"{due.day} {due:%B %Y}" in html
    assert 'value="jo@example.com"' in html or ">jo@example.com<" in html
    before = event_count(case)
    response = client.post(f"/cases/{case.reference}/letters/new", data={
        "template": "acknowledgement", "delivery": "email", "recipient": "jo@example.com",
        "subject": "We have your complaint", "body": "Dear Jo\n\nEdited by hand.\n",
    })
    assert response.status_code == 302
    letter = db.session.query(Correspondence).filter_by(case_id=case.id).one()
    assert letter.status == "sent" and letter.body.startswith("Dear Jo") and "Edited by hand." in letter.body
    assert letter.template == "acknowledgement" and letter.direction == "out"
    assert event_count(case) == before + 1
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Letter sent: We have your complaint" in page and f"/letters/{letter.id}" in page
    from casework.models.notifications import OutboxMessage

    assert db.session.query(OutboxMessage).filter_by(to_address="jo@example.com").count() == 1


def test_printed_letter_is_recorded_as_printed_and_shown_for_printing(client):
    case, manager = _stage1()
    sign_in(client, manager)
    response = client.post(f"/cases/{case.reference}/letters/new", data={
        "template": "general", "delivery": "print", "recipient": "Jo Bloggs\n1 High Street\nCV1 2AB",
        "subject": "A letter", "body": "Dear Jo\n",
    })
    letter = db.session.query(Correspondence).filter_by(case_id=case.id).one()
    assert letter.status == "printed"
    assert response.headers["Location"].endswith(f"/letters/{letter.id}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Printed for posting" in html and "Print this letter" in html


def test_invalid_letter_shows_errors_and_saves_nothing(client):
    case, manager = _stage1()
    sign_in(client, manager)
    before = event_count(case)
    response = client.post(f"/cases/{case.reference}/letters/new", data={
        "template": "acknowledgement", "delivery": "email", "recipient": "not an address", "subject": "", "body": ""})
    assert response.status_code == 400
    assert error_links(response.get_data(as_text=True)) == ["#recipient", "#subject", "#body"]
    assert db.session.query(Correspondence).count() == 0 and event_count(case) == before


def test_stage_outcome_letters_state_the_next_right(client):
    case, manager = _stage1()
    act(case, "respond", {"outcome": "upheld", "summary": "We got it wrong.", "remedies": ["apology"]}, manager)
    sign_in(client, manager)
    html = client.get(f"/cases/{case.reference}/letters/new?template=stage1_response").get_data(as_text=True)
    assert "Stage 2 review within 20 working days" in html and "We got it wrong." in html and "Apology" in html
    act(case, "escalate", {"grounds": ["procedures_not_applied"]}, manager)
    act(case, "respond", {"outcome": "not_upheld", "summary": "Reviewed."}, manager)
    html = client.get(f"/cases/{case.reference}/letters/new?template=stage2_response").get_data(as_text=True)
    assert "Local Government and Social Care Ombudsman" in html and "0300 061 0614" in html


def test_statutory_variants_are_used_for_social_care(client):
    case, manager = _stage1(procedure="childrens")
    act(case, "extend", {"days": 20, "reason": "Complex: several agencies involved"}, manager)
    sign_in(client, manager)
    html = client.get(f"/cases/{case.reference}/letters/new?template=extension").get_data(as_text=True)
    assert "Representations Procedure (England) Regulations 2006" in html
    assert "Complex: several agencies involved" in html and "Ombudsman" in html


def test_an_action_with_a_letter_leads_to_it(client):
    case, manager = _stage1()
    sign_in(client, manager)
    response = client.post(f"/cases/{case.reference}/actions/withdraw", data={"version": case.version,
                                                                            "reason": "Sorted out by phone"})
    assert response.headers["Location"].endswith("template=withdrawal_acknowledgement")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "withdraw your complaint" in html


def test_choose_a_letter_when_none_is_named(client):
    case, manager = _stage1()
    sign_in(client, manager)
    html = client.get(f"/cases/{case.reference}/letters/new").get_data(as_text=True)
    assert "Which letter?" in html and "Representative refused" in html


@pytest.mark.parametrize("procedure", ["corporate", "childrens", "adults"])
def test_every_letter_renders_for_each_complaint_procedure(app, procedure):
    from flask_login import login_user

    from casework.web.letters import render_letter

    manager = make_user(Role.SERVICE_RECOVERY, name="Rhys Recovery")
    case = make_case(procedure=procedure, actor=manager)
    act(case, "start_stage1", {"reason": "not_resolved"} if procedure == "corporate" else {}, manager)
    act(case, "respond", {"outcome": "upheld", "summary": "We got it wrong.", "remedies": ["apology"]}, manager)
    with app.test_request_context():
        login_user(manager)
        for key in LETTERS:
            subject, body = render_letter(key, case)
            assert case.reference in subject, key
            assert body.startswith("Dear Pat Resident") and body.rstrip().endswith("Casework City Council"), key
            assert "{{" not in body and "{%" not in body and "\n\n\n" not in body, key
            assert "Rhys Recovery" in body, key
