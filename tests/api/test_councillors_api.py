"""Councillors through the API: their own enquiries, the ward data-protection rule, consent, conversion."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.models import Event, Role
from tests.factories import Api, api_for, make_token, make_user, make_ward

ENQUIRY = {"kind": "member_enquiry", "summary": "Fly-tipping behind the shops",
           "received_at": "2026-03-02T10:00:00+00:00"}


@pytest.fixture
def wards():
    return make_ward("Foleshill"), make_ward("Earlsdon")


@pytest.fixture
def officer(client):
    return api_for(client, Role.SERVICE_RECOVERY)[0]


def councillor_api(client, *wards) -> tuple[Api, object]:
    user = make_user(Role.COUNCILLOR, wards=list(wards))
    return Api(client, make_token(user)), user


def raise_enquiry(api: Api, ward: str | None, **extra) -> dict:
    body = {**ENQUIRY, **extra}
    if ward is not None:
        body["person"] = {"name": "Cara Constituent", "email": "cara@example.test", "ward": ward}
    response = api.post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def views(reference: str) -> int:
    return len(db.session.execute(select(Event).where(Event.action == "personal_data_viewed")).all())


def test_constituent_in_their_ward_is_shown_on_implied_consent(client, wards):
    capi, _ = councillor_api(client, wards[0])
    case = raise_enquiry(capi, "Foleshill")
    assert case["person"]["name"] == "Cara Constituent"
    assert "personal_data_withheld" not in case
    before = views(case["reference"])
    fetched = capi.get(f"/api/v1/cases/{case['reference']}").get_json()
    assert fetched["person"]["email"] == "cara@example.test"
    assert views(case["reference"]) == before + 1  # every view is an audit event


def test_person_outside_their_wards_is_withheld_with_a_reason(client, wards):
    capi, _ = councillor_api(client, wards[0])
    case = raise_enquiry(capi, "Earlsdon")
    assert case["person"] is None
    assert "do not represent the ward" in case["personal_data_withheld"]
    assert case["state"] and case["clocks"]  # progress still shown
    trail = capi.get(f"/api/v1/cases/{case['reference']}/events").get_json()
    assert trail[0]["data"] == {"withheld": "Details withheld (001 §7.2–7.3)"}


def test_not_acting_for_the_person_withholds(client, wards):
    capi, _ = councillor_api(client, wards[0])
    case = raise_enquiry(capi, "Foleshill", acts_for_person=False)
    assert case["person"] is None and "not said you are acting" in case["personal_data_withheld"]


def test_explicit_consent_recorded_by_an_officer_discloses(client, officer, wards):
    capi, councillor = councillor_api(client, wards[0])
    case = raise_enquiry(capi, "Earlsdon")
    assert case["person"] is None
    response = officer.post(f"/api/v1/cases/{case['reference']}/consents", json={
        "councillor": councillor.email, "given_by": "Cara Constituent", "given_on": "2026-03-03",
        "method": "email", "scope": "Everything about this enquiry"})
    assert response.status_code == 201, response.get_json()
    assert capi.get(f"/api/v1/cases/{case['reference']}").get_json()["person"]["name"] == "Cara Constituent"
    trail = officer.get(f"/api/v1/cases/{case['reference']}/events").get_json()
    assert "consent_recorded" in [e["action"] for e in trail]


def test_consent_validation_and_councillors_cannot_record_it(client, officer, wards):
    capi, councillor = councillor_api(client, wards[0])
    ref = raise_enquiry(capi, "Earlsdon")["reference"]
    bad = officer.post(f"/api/v1/cases/{ref}/consents", json={
        "councillor": councillor.email, "given_by": "C", "given_on": "2026-03-03", "method": "telepathy", "scope": "x"})
    assert bad.status_code == 422 and bad.get_json()["field"] == "method"
    self_made = capi.post(f"/api/v1/cases/{ref}/consents", json={
        "councillor": councillor.email, "given_by": "C", "given_on": "2026-03-03", "method": "email", "scope": "x"})
    assert self_made.status_code == 403


def test_other_councillors_cannot_see_the_case(client, wards):
    capi, _ = councillor_api(client, wards[0])
    ref = raise_enquiry(capi, "Foleshill")["reference"]
    other, _ = councillor_api(client, wards[0])
    assert other.get(f"/api/v1/cases/{ref}").status_code == 404
    assert other.get("/api/v1/cases").get_json()["items"] == []


def test_councillor_may_not_act_as_an_officer(client, wards):
    capi, _ = councillor_api(client, wards[0])
    ref = raise_enquiry(capi, "Foleshill")["reference"]
    response = capi.post(f"/api/v1/cases/{ref}/actions", json={"action": "acknowledge"})
    assert response.status_code == 403


def test_holding_reply_then_answer(client, officer, wards):
    capi, _ = councillor_api(client, wards[0])
    ref = raise_enquiry(capi, "Foleshill")["reference"]
    act = lambda action, **f: officer.post(f"/api/v1/cases/{ref}/actions", json={"action": action, **f})  # noqa: E731
    assert act("acknowledge", at="2026-03-03T09:00:00+00:00").status_code == 200
    held = act("holding_reply", at="2026-03-06T09:00:00+00:00", due_on="2026-03-13", reason="Waiting for the contractor")
    assert held.status_code == 200, held.get_json()
    respond = next(c for c in held.get_json()["clocks"] if c["name"] == "enquiry.respond")
    assert respond["due_on"] == "2026-03-13" and respond["met_on"] is None  # 001 §7.1: a new date, not an answer
    answered = act("respond", at="2026-03-12T09:00:00+00:00", summary="Cleared on 11 March")
    assert answered.status_code == 200, answered.get_json()
    seen = capi.get(f"/api/v1/cases/{ref}").get_json()
    assert seen["state"] == "replied" and seen["outcome_summary"] == "Cleared on 11 March"


def test_enquiry_converted_to_a_complaint_keeps_the_councillor_linked(client, officer, wards):
    capi, councillor = councillor_api(client, wards[0])
    ref = raise_enquiry(capi, "Foleshill")["reference"]
    converted = officer.post(f"/api/v1/cases/{ref}/actions", json={"action": "convert", "procedure": "corporate",
                                                                  "at": "2026-03-03T09:00:00+00:00"})
    assert converted.status_code == 200, converted.get_json()
    assert converted.get_json()["state"] == "converted"
    trail = officer.get(f"/api/v1/cases/{ref}/events").get_json()
    new_ref = trail[-1]["data"]["linked_case"]
    assert new_ref.startswith("CMP-")
    complaint = capi.get(f"/api/v1/cases/{new_ref}").get_json()  # the councillor can follow it
    assert complaint["kind"] == "complaint" and complaint["raised_by"] == councillor.email
    assert complaint["person"]["name"] == "Cara Constituent"  # same person, no re-keying
    assert complaint["state"] == "informal" and complaint["deemed_received_on"] == "2026-03-03"


def test_ward_comes_from_the_postcode_table(app, client, wards):
    runner = app.test_cli_runner()
    csv_path = app.instance_path + "/postcodes.csv"
    with open(csv_path, "w") as f:
        f.write("postcode,ward\ncv6 5aa,Foleshill\nCV5 6AB,Earlsdon\n")
    result = runner.invoke(args=["casework", "wards", "load-postcodes", csv_path])
    assert result.exit_code == 0 and "Loaded 2" in result.output
    capi, _ = councillor_api(client, wards[0])
    case = capi.post("/api/v1/cases", json={**ENQUIRY, "person": {"name": "Dev", "postcode": "CV6 5AA"}}).get_json()
    assert case["person"]["ward"] == "Foleshill"
    with open(csv_path, "w") as f:
        f.write("postcode,ward\nnot a postcode,Foleshill\n")
    bad = runner.invoke(args=["casework", "wards", "load-postcodes", csv_path])
    assert bad.exit_code != 0 and "Line 2" in bad.output
