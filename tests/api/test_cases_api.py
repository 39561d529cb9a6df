"""The API.md examples, end to end through HTTP, on the real migrations."""
from __future__ import annotations

import re

import pytest

from casework.models import Role
from tests.factories import Api, api_for, make_service_area, make_token, make_user, make_ward

COMPLAINT = {
    "kind": "complaint",
    "procedure": "corporate",
    "received_at": "2026-03-02T10:15:00+00:00",
    "channel": "email",
    "summary": "Bin not collected for three weeks",
    "person": {"name": "Ada Resident", "email": "ada@example.test", "postcode": "CV1 2AB"},
    "service_area": None,
    "raised_by": None,
}


@pytest.fixture
def api(client) -> Api:
    return api_for(client, Role.SERVICE_RECOVERY)[0]


def create(api: Api, **overrides) -> dict:
    body = {**COMPLAINT, **overrides}
    response = api.post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def act(api: Api, reference: str, action: str, expect: int = 200, **fields) -> dict:
    response = api.post(f"/api/v1/cases/{reference}/actions", json={"action": action, **fields})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def clock(case: dict, name: str) -> dict:
    return next(c for c in case["clocks"] if c["name"] == name)


def events(api: Api, reference: str) -> list[dict]:
    response = api.get(f"/api/v1/cases/{reference}/events")
    assert response.status_code == 200
    return response.get_json()


def test_create_a_corporate_complaint_as_in_api_md(api):
    case = create(api)
    assert re.fullmatch(r"CMP-2026-\d{6}", case["reference"])
    assert case["kind"] == "complaint" and case["procedure"] == "corporate"
    assert case["state"] == "informal"
    assert case["deemed_received_on"] == "2026-03-02"
    informal = clock(case, "informal.resolve")
    assert informal["started_on"] == "2026-03-02"
    assert informal["due_on"] == "2026-03-05"  # Mon + 3 working days (004 §10.1)
    assert informal["met_on"] is None and informal["paused"] is False
    assert {"resolve_informally", "start_stage1", "withdraw"} <= set(case["actions"])
    assert case["policy_version"] and case["version"] >= 1
    fetched = api.get(f"/api/v1/cases/{case['reference']}").get_json()
    assert fetched["reference"] == case["reference"] and fetched["clocks"] == case["clocks"]


def test_references_count_up_without_gaps(api):
    first = create(api)["reference"]
    second = create(api)["reference"]
    assert int(second[-6:]) == int(first[-6:]) + 1
    assert first.startswith("CMP-2026-")


@pytest.mark.parametrize(
    "received_at, deemed",
    [
        ("2026-03-02T16:59:00+00:00", "2026-03-02"),  # Mon 16:59 GMT: on time
        ("2026-03-02T17:01:00+00:00", "2026-03-03"),  # Mon 17:01 GMT: next working day
        ("2026-06-01T15:59:00+00:00", "2026-06-01"),  # Mon 16:59 BST
        ("2026-06-01T16:01:00+00:00", "2026-06-02"),  # Mon 17:01 BST
        ("2026-03-07T10:00:00+00:00", "2026-03-09"),  # Sat -> Mon
        ("2026-04-02T16:30:00+00:00", "2026-04-07"),  # Thu 17:30 BST, Easter -> Tue
    ],
    ids=["Mon 16:59 GMT", "Mon 17:01 GMT", "Mon 16:59 BST", "Mon 17:01 BST", "Sat", "Thu before Easter late"],
)
def test_deemed_receipt(api, received_at, deemed):
    case = create(api, received_at=received_at)
    assert case["deemed_received_on"] == deemed
    assert clock(case, "informal.resolve")["started_on"] == deemed


def test_stage1_clocks_acknowledge_and_respond(api):
    ref = create(api)["reference"]
    case = act(api, ref, "start_stage1", at="2026-03-03T09:00:00+00:00")
    assert case["state"] != "informal"
    assert clock(case, "stage1.acknowledge")["due_on"] == "2026-03-06"  # 3 wd (004 §14.1)
    assert clock(case, "stage1.respond")["due_on"] == "2026-03-17"  # 10 wd (004 §11.2)
    case = act(api, ref, "acknowledge", at="2026-03-04T09:00:00+00:00")
    assert clock(case, "stage1.acknowledge")["met_on"] == "2026-03-04"
    assert clock(case, "stage1.respond")["met_on"] is None


def test_respond_then_escalate_needs_grounds_and_window(api):
    ref = create(api)["reference"]
    act(api, ref, "start_stage1", at="2026-03-03T09:00:00+00:00")
    act(api, ref, "acknowledge", at="2026-03-04T09:00:00+00:00")
    case = act(api, ref, "respond", at="2026-03-10T09:00:00+00:00", outcome="not_upheld", summary="We collected on time")
    assert clock(case, "stage1.respond")["met_on"] == "2026-03-10"
    assert case["outcome"] == "not_upheld"
    window = clock(case, "stage1.escalation_window")
    assert window["started_on"] == "2026-03-10" and window["due_on"] == "2026-04-09"  # 20 wd over Easter (004 §12.4)
    # Stage 2 needs grounds (004 §12.1)
    error = act(api, ref, "escalate", expect=422, at="2026-03-12T09:00:00+00:00")
    assert error["error"] and error["field"] == "grounds"
    case = act(api, ref, "escalate", at="2026-03-12T09:00:00+00:00", grounds="relevant_information_not_considered")
    assert clock(case, "stage2.respond")["due_on"] == "2026-04-13"  # 20 wd over Easter (004 §12.2)


def test_escalation_after_the_window_needs_a_discretion_reason(api):
    ref = create(api)["reference"]
    act(api, ref, "start_stage1", at="2026-03-03T09:00:00+00:00")
    act(api, ref, "respond", at="2026-03-10T09:00:00+00:00", outcome="upheld", summary="Sorry")
    late = "2026-05-01T09:00:00+00:00"  # after 2026-04-09 (004 §12.4)
    error = act(api, ref, "escalate", expect=409, at=late, grounds="procedures_not_properly_applied")
    assert error["error"]
    case = act(api, ref, "escalate", at=late, grounds="procedures_not_properly_applied",
               discretion_reason="Complainant was in hospital")
    assert clock(case, "stage2.respond")["started_on"] == "2026-05-01"


def test_childrens_extension_cap(api):
    ref = create(api, procedure="childrens")["reference"]
    case = act(api, ref, "start_stage1", at="2026-03-02T12:00:00+00:00")
    assert clock(case, "stage1.respond")["due_on"] == "2026-03-16"
    # 21 working days would pass the 20-day cap (004 App 1 ¶6a; SI 2006/1738 reg 14)
    error = act(api, ref, "extend", expect=422, days=21, reason="Complex")
    assert error["error"]
    case = act(api, ref, "extend", days=20, reason="Complex, needs records from health")
    respond = clock(case, "stage1.respond")
    assert respond["due_on"] == "2026-03-30"
    assert respond["original_due_on"] == "2026-03-16"
    error = act(api, ref, "extend", expect=422, due_on="2026-04-01", reason="More")
    assert error["error"]


def test_pause_moves_due_dates_by_working_days_paused(api):
    ref = create(api)["reference"]
    act(api, ref, "start_stage1", at="2026-03-02T12:00:00+00:00")
    case = act(api, ref, "pause", at="2026-03-04T12:00:00+00:00", reason="Waiting for consent")
    assert clock(case, "stage1.respond")["paused"] is True
    case = act(api, ref, "resume", at="2026-03-11T12:00:00+00:00", reason="Consent received")
    # 5 working days between Wed 4 and Wed 11 March: 16 March + 5 = 23 March
    assert clock(case, "stage1.respond")["due_on"] == "2026-03-23"
    assert clock(case, "stage1.respond")["paused"] is False


def test_action_not_allowed_in_state_is_409_and_changes_nothing(api):
    case = create(api)
    ref = case["reference"]
    before = events(api, ref)
    error = act(api, ref, "escalate", expect=409, grounds="procedures_not_properly_applied")
    assert set(error) == {"error", "message", "field"}
    assert events(api, ref) == before
    assert api.get(f"/api/v1/cases/{ref}").get_json()["version"] == case["version"]


def test_stale_version_is_409(api):
    case = create(api)
    ref = case["reference"]
    act(api, ref, "start_stage1", version=case["version"])
    error = act(api, ref, "acknowledge", expect=409, version=case["version"])
    assert error["field"] == "version"


def test_future_action_time_is_refused(api):
    ref = create(api)["reference"]
    error = act(api, ref, "start_stage1", expect=422, at="2099-01-01T09:00:00+00:00")
    assert error["field"] == "at"


def test_events_oldest_first_with_shape(api):
    ref = create(api)["reference"]
    act(api, ref, "start_stage1", at="2026-03-03T09:00:00+00:00")
    trail = events(api, ref)
    assert [e["action"] for e in trail] == ["open", "start_stage1"]
    assert set(trail[0]) == {"at", "actor", "action", "from_state", "to_state", "data"}
    assert trail[1]["from_state"] == "informal" and trail[1]["to_state"] == trail[1]["to_state"]
    assert trail[1]["actor"].endswith("@example.test")


def test_unknown_service_area_and_ward_are_422(api):
    response = api.post("/api/v1/cases", json={**COMPLAINT, "service_area": "Nowhere"})
    assert response.status_code == 422 and response.get_json()["field"] == "service_area"
    response = api.post("/api/v1/cases", json={**COMPLAINT, "person": {"name": "A", "ward": "Atlantis"}})
    assert response.status_code == 422 and response.get_json()["field"] == "person.ward"


def test_known_service_area_and_ward_are_accepted(api):
    make_service_area("Waste")
    make_ward("St Michael's")
    case = create(api, service_area="Waste", person={"name": "B", "ward": "St Michael's"})
    assert case["service_area"] == "Waste"
    assert case["person"]["ward"] == "St Michael's"


def test_unknown_case_is_404_and_no_token_is_401(client, api):
    assert api.get("/api/v1/cases/CMP-2026-999999").status_code == 404
    response = client.get("/api/v1/cases")
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    response = client.get("/api/v1/cases", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401


def test_councillor_sees_only_their_own_cases(client, api):
    other = create(api)["reference"]
    councillor = make_user(Role.COUNCILLOR, wards=[make_ward("Foleshill")])
    capi = Api(client, make_token(councillor))
    assert capi.get(f"/api/v1/cases/{other}").status_code == 404
    mine = capi.post("/api/v1/cases", json={"kind": "member_enquiry", "summary": "Streetlight out on Foleshill Road",
                                            "received_at": "2026-03-02T10:00:00+00:00",
                                            "person": {"name": "C Constituent", "ward": "Foleshill"}})
    assert mine.status_code == 201, mine.get_json()
    body = mine.get_json()
    assert body["raised_by"] == councillor.email and body["reference"].startswith("ENQ-")
    assert {c["name"] for c in body["clocks"]} >= {"enquiry.acknowledge", "enquiry.respond"}
    assert clock(body, "enquiry.respond")["due_on"] == "2026-03-09"  # 5 wd (001 §7.1)
    assert clock(body, "enquiry.acknowledge")["due_on"] == "2026-03-04"  # 2 wd (003 §4.7)
    listed = capi.get("/api/v1/cases").get_json()["items"]
    assert [c["reference"] for c in listed] == [body["reference"]]
    assert capi.post(f"/api/v1/cases/{body['reference']}/actions", json={"action": "acknowledge"}).status_code == 403


def test_staff_raise_a_member_enquiry_for_a_councillor(client, api):
    councillor = make_user(Role.COUNCILLOR)
    body = create(api, kind="member_enquiry", procedure=None, raised_by=councillor.email)
    assert body["raised_by"] == councillor.email
    response = api.post("/api/v1/cases", json={**COMPLAINT, "raised_by": "nobody@example.test"})
    assert response.status_code == 422 and response.get_json()["field"] == "raised_by"


def test_list_filters_and_paging(api):
    for _ in range(3):
        create(api)
    create(api, procedure="adults")
    page = api.get("/api/v1/cases?procedure=corporate&per_page=2").get_json()
    assert len(page["items"]) == 2 and page["next"]
    assert all(c["procedure"] == "corporate" for c in page["items"])
    rest = api.get(page["next"].replace("http://localhost", "")).get_json()
    assert len(rest["items"]) == 1 and rest["next"] is None
    overdue = api.get("/api/v1/cases?overdue=true").get_json()["items"]
    assert len(overdue) == 4  # all were due in March 2026
    assert api.get("/api/v1/cases?due_before=2026-03-01").get_json()["items"] == []
    assert api.get("/api/v1/cases?state=informal&procedure=adults").get_json()["items"][0]["procedure"] == "adults"
    assert api.get("/api/v1/cases?page=0").status_code == 422
    assert api.get("/api/v1/cases?due_before=yesterday").status_code == 422


def test_clock_explanation(api):
    ref = create(api, received_at="2026-04-02T16:30:00+00:00")["reference"]
    body = api.get(f"/api/v1/cases/{ref}/clocks/informal.resolve").get_json()
    assert body["due_on"] == "2026-04-10"
    text = str(body["explanation"])
    assert "Good Friday" in text and "Easter Monday" in text


def test_policies_endpoints(api):
    listed = api.get("/api/v1/policies").get_json()
    keys = {p["key"] for p in listed}
    assert {"corporate", "childrens", "adults", "lgsco", "member_enquiry", "mp_enquiry"} <= keys
    detail = api.get("/api/v1/policies/corporate").get_json()
    assert set(detail) >= {"key", "version", "title", "states", "actions", "clocks"}
    assert api.get("/api/v1/policies/nope").status_code == 404


def test_calendar_endpoints(api):
    body = api.get("/api/v1/calendar/add-working-days?start=2026-12-24&days=1").get_json()
    assert body == {"start": "2026-12-24", "days": 1, "date": "2026-12-29"}
    body = api.get("/api/v1/calendar/add-working-days?start=2026-12-26&days=0").get_json()
    assert body["date"] == "2026-12-29"
    assert api.get("/api/v1/calendar/working-days-between?start=2026-12-24&end=2027-01-04").get_json()["days"] == 4
    assert api.get("/api/v1/calendar/add-working-days?start=nope&days=1").status_code == 422
    assert api.get("/api/v1/calendar/add-working-days?start=2026-01-01&days=x").status_code == 422
