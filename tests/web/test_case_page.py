"""The case page and its action pages, generated from the policy's declared fields."""
from __future__ import annotations

import pytest

from casework.extensions import db
from casework.models import Event, Person, Representation, Role
from casework.operations.policies import current_policies
from casework.web.action_forms import build_action_form, field_params, form_name
from tests.factories import make_user
from tests.web.helpers import act, error_links, event_count, make_case, sign_in


def test_case_page_shows_summary_person_deadlines_and_timeline(client):
    user = make_user(Role.SERVICE_RECOVERY)
    case = make_case(summary="Bins missed again", description="Third time this month")
    rep = Person(name="Robin Rep", email="robin@example.com")
    case.representations.append(Representation(representative=rep, relationship_to_person="Son",
                                               consent_evidence="Signed form by email", decision="pending"))
    db.session.commit()
    sign_in(client, user)
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert case.reference in html and "Bins missed again" in html
    assert '<div class="casework-text">Third time this month</div>' in html and "&lt;div" not in html and "&lt;a" not in html
    assert "Pat Resident" in html and "CV1 2AB" in html
    assert "Robin Rep" in html and "Signed form by email" in html and "Accept this representative?" in html
    assert "Informal resolution" in html and "How this date was worked out" in html
    assert "working days counted from the day after" in html and "govuk-details" in html
    assert "Case opened" in html  # the timeline
    for title in ("Resolve informally", "Log as a Stage 1 complaint", "Withdraw the complaint"):
        assert title in html


def test_actions_listed_are_those_the_policy_allows_this_role(client):
    case = make_case()
    officer = make_user(Role.INVESTIGATING_OFFICER)
    sign_in(client, officer)
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Log as a Stage 1 complaint" not in html  # not the officer's action at the front door
    assert client.get(f"/cases/{case.reference}/actions/start_stage1").status_code == 403
    assert client.get(f"/cases/{case.reference}/actions/no_such_action").status_code == 404


def test_assign_and_reassign_are_on_the_timeline(client):
    manager = make_user(Role.SERVICE_RECOVERY)
    officer = make_user(Role.INVESTIGATING_OFFICER, name="Olu Officer")
    case = make_case()
    sign_in(client, manager)
    response = client.post(f"/cases/{case.reference}/assign", data={"assignee": str(officer.id), "version": case.version})
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.assignee_id == officer.id
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Assigned to Olu Officer" in html
    stale = client.post(f"/cases/{case.reference}/assign", data={"assignee": "", "version": "1"}, follow_redirects=True)
    assert "changed since you loaded it" in stale.get_data(as_text=True)
    db.session.refresh(case)
    assert case.assignee_id == officer.id
    client.post(f"/cases/{case.reference}/assign", data={"assignee": "", "version": case.version})
    db.session.refresh(case)
    assert case.assignee_id is None


def _all_actions():
    from casework import create_app
    from tests.conftest import TEST_CONFIG

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        return [(p.key, a.key) for p in current_policies().values() for a in p.actions.values()]


@pytest.fixture(scope="module")
def policy_app():
    """An app for building forms only: no database needed (keeps 90 cases fast on PostgreSQL)."""
    from casework import create_app
    from tests.conftest import TEST_CONFIG

    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize("policy_key,action_key", _all_actions())
def test_every_action_form_asks_exactly_the_policys_fields(policy_app, policy_key, action_key):
    with policy_app.test_request_context():
        action = current_policies()[policy_key].actions[action_key]
        form = build_action_form(action, formdata=None)
        for policy_field in action.fields:  # every field renders, with its label as label or legend
            html = form[form_name(policy_field.name)](params=field_params(form, policy_field))
            assert policy_field.label.replace("'", "&#39;") in html, policy_field.name
    names = {name for name in form._fields if name not in ("version", "submit", "csrf_token")}
    assert names == {form_name(f.name) for f in action.fields}
    for policy_field in action.fields:
        field = form[form_name(policy_field.name)]
        widget = type(field.widget).__name__
        expected = {"choice": "CheckboxesInput" if policy_field.multiple else "RadioInput", "boolean": "RadioInput",
                    "date": "DateInput", "text": "GovTextArea", "integer": "GovTextInput", "money": "GovTextInput"}
        assert widget == expected[policy_field.type], (policy_field.name, widget)
        assert field.label.text == policy_field.label
        if policy_field.type == "choice":
            assert [c.value for c in field.choices] == [o.value for o in policy_field.options]


def _stage1(client, role=Role.INVESTIGATING_OFFICER):
    manager = make_user(Role.SERVICE_RECOVERY)
    case = make_case(actor=manager)
    act(case, "start_stage1", {"reason": "not_resolved"}, manager)
    user = make_user(role)
    sign_in(client, user)
    return case, user


def test_respond_page_uses_govuk_components_for_each_field_type(client):
    case, _ = _stage1(client)
    html = client.get(f"/cases/{case.reference}/actions/respond").get_data(as_text=True)
    assert 'class="govuk-radios__input" id="outcome" name="outcome" type="radio" value="upheld"' in html
    assert 'type="checkbox" value="apology"' in html
    assert 'id="remedy_due_on-day"' in html and 'id="remedy_due_on-year"' in html
    assert 'govuk-input__prefix' in html and "£" in html
    assert '<textarea class="govuk-textarea' in html and 'name="summary"' in html
    assert "The council was at fault" in html  # the option hints come from the policy


def test_invalid_action_shows_linked_errors_and_saves_nothing(client):
    case, _ = _stage1(client)
    before = (case.state, case.version, event_count(case))
    response = client.post(f"/cases/{case.reference}/actions/respond",
                           data={"version": case.version, "remedy_due_on": ["31", "2", "2026"], "compensation": "lots"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html.count("govuk-error-summary") and "Error: " in html
    links = error_links(html)
    assert "#outcome" in links and "#summary" in links and "#remedy_due_on-day" in links and "#compensation" in links
    assert "must be a real date" in html and "must be an amount of money" in html
    db.session.refresh(case)
    assert (case.state, case.version, event_count(case)) == before


def test_respond_records_outcome_remedies_and_offers_the_letter(client):
    case, _ = _stage1(client)
    response = client.post(f"/cases/{case.reference}/actions/respond", data={
        "version": case.version, "outcome": "partially_upheld", "summary": "We missed your bin twice.",
        "remedies": ["apology", "financial"], "compensation": "50.00", "lessons_learned": "Crew briefing",
        "remedy_due_on": ["", "", ""],
    })
    assert response.status_code == 302
    assert "/letters/new?template=stage1_response" in response.headers["Location"]
    db.session.refresh(case)
    assert case.state == "stage1_responded" and case.outcome == "partially_upheld"
    assert case.remedies == ["apology", "financial"] and str(case.compensation) == "50.00"
    assert case.lessons_learned == "Crew briefing"
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Send the Stage 1 response" in html and "Partially upheld" in html


def test_engine_refusal_is_shown_next_to_its_field(client):
    case, _ = _stage1(client)
    before = (case.version, event_count(case))
    response = client.post(f"/cases/{case.reference}/actions/extend",
                           data={"version": case.version, "days": "60", "reason": "Complex"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "#days" in error_links(html)
    assert 'id="days-error"' in html and "past the policy" in html
    db.session.refresh(case)
    assert (case.version, event_count(case)) == before


def test_stale_version_is_refused(client):
    case, _ = _stage1(client)
    response = client.post(f"/cases/{case.reference}/actions/acknowledge", data={"version": "1"})
    assert response.status_code == 409
    assert "changed since you loaded it" in response.get_data(as_text=True)


def test_boolean_fields_are_yes_no_radios(client):
    manager = make_user(Role.SERVICE_RECOVERY)
    case = make_case(procedure="childrens", actor=manager)
    sign_in(client, manager)
    html = client.get(f"/cases/{case.reference}/actions/start_stage1").get_data(as_text=True)
    assert 'name="live_court_proceedings" type="radio" value="yes"' in html
    response = client.post(f"/cases/{case.reference}/actions/start_stage1",
                           data={"version": case.version, "live_court_proceedings": "yes"})
    assert response.status_code in (409, 422)
    assert "court" in response.get_data(as_text=True).lower()
    db.session.refresh(case)
    assert case.state == "informal"
    response = client.post(f"/cases/{case.reference}/actions/start_stage1",
                           data={"version": case.version, "live_court_proceedings": "no", "consent_obtained": "yes"})
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.state == "stage1" and case.details.get("consent_obtained") is True


def test_representative_refusal_needs_a_reason_and_leads_to_the_letter(client):
    case = make_case()
    rep = Person(name="Robin Rep")
    case.representations.append(Representation(representative=rep, relationship_to_person="Neighbour", decision="pending"))
    db.session.commit()
    representation = case.representations[0]
    sign_in(client, make_user(Role.SERVICE_RECOVERY))
    url = f"/cases/{case.reference}/representatives/{representation.id}"
    response = client.post(url, data={"decision": "refused", "reason": ""}, follow_redirects=True)
    assert "Enter why the representative is refused" in response.get_data(as_text=True)
    response = client.post(url, data={"decision": "refused", "reason": "The complainant says they did not agree"})
    assert "template=representative_refused" in response.headers["Location"]
    db.session.refresh(representation)
    assert representation.decision == "refused"
    assert db.session.query(Event).filter_by(case_id=case.id, action="representative_refused").count() == 1
