"""The OpenAPI document is valid, and no body or query ever gives a 500 or a stored change."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Case, Event, Person
from tests.factories import api_for

from .test_cases_api import COMPLAINT


def test_openapi_document_is_valid_and_covers_api_md(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    for path in ("/api/v1/cases", "/api/v1/cases/{reference}", "/api/v1/cases/{reference}/actions",
                 "/api/v1/cases/{reference}/events", "/api/v1/policies", "/api/v1/policies/{key}",
                 "/api/v1/calendar/add-working-days", "/api/v1/calendar/working-days-between"):
        assert path in document["paths"], path


def counts():
    return tuple(db.session.execute(select(func.count()).select_from(t)).scalar_one() for t in (Case, Event, Person))


HOSTILE_BODIES = [
    None, "", "null", "[]", "42", '"text"', "{", '{"kind": }', "\x00\xff",
    {}, [], 7, "just a string",
    {"kind": "complaint"},
    {"kind": "nonsense", "summary": "x"},
    {"kind": "complaint", "summary": ""},
    {"kind": "complaint", "summary": "x" * 301},
    {"kind": "complaint", "summary": "x", "received_at": "yesterday"},
    {"kind": "complaint", "summary": "x", "received_at": "2026-03-02T10:00:00"},
    {"kind": "complaint", "summary": "x", "received_at": "2999-03-02T10:00:00+00:00"},
    {"kind": "complaint", "summary": "x", "received_at": 12},
    {"kind": "complaint", "summary": "x", "procedure": "member_enquiry"},
    {"kind": "complaint", "summary": "x", "procedure": "../../etc/passwd"},
    {"kind": "complaint", "summary": "x", "channel": "carrier pigeon"},
    {"kind": "complaint", "summary": "x", "person": "Ada"},
    {"kind": "complaint", "summary": "x", "person": {"email": "no-name@example.test"}},
    {"kind": "complaint", "summary": "x", "person": {"name": "   "}},
    {"kind": "complaint", "summary": "x", "person": {"name": "A", "ward": {"$ne": 1}}},
    {"kind": "complaint", "summary": "x", "service_area": ["Waste"]},
    {"kind": "complaint", "summary": "x", "raised_by": "not-a-user@example.test"},
    {"kind": "complaint", "summary": "'; DROP TABLE cases; --", "procedure": "corporate' OR 1=1 --"},
    {"kind": ["complaint"], "summary": {"a": 1}},
    {"kind": "complaint", "summary": "nul \x00 byte"},
    {"kind": "complaint", "summary": "x", "person": {"name": "A\x00"}},
]


def _post_raw(api, path, body):
    if isinstance(body, (str, type(None))):
        return api.client.post(path, headers={**api.headers, "Content-Type": "application/json"}, data=body or "")
    return api.post(path, json=body)


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=range(len(HOSTILE_BODIES)))
def test_hostile_case_bodies_are_refused_cleanly(client, body):
    api, _ = api_for(client)
    before = counts()
    response = _post_raw(api, "/api/v1/cases", body)
    assert response.status_code in (400, 403, 422), response.get_data(as_text=True)
    error = response.get_json()
    assert set(error) == {"error", "message", "field"}
    assert counts() == before


HOSTILE_ACTIONS = [
    None, "{", "[]", {}, {"action": ""}, {"action": 5}, {"action": "teleport"}, {"action": None},
    {"action": "start_stage1", "version": "one"}, {"action": "start_stage1", "version": True},
    {"action": "start_stage1", "at": "soon"}, {"action": "start_stage1", "at": "2999-01-01T00:00:00+00:00"},
    {"action": "start_stage1", "at": "2020-01-01T00:00:00+00:00"},
    {"action": "extend", "days": "lots", "reason": "x"}, {"action": "extend", "days": -5, "reason": "x"},
    {"action": "respond", "outcome": "delighted", "summary": "x"},
    {"action": "respond", "outcome": None}, {"action": "escalate", "grounds": ["a", "b"]},
    {"action": "withdraw", "reason": "x" * 20000}, {"action": "holding_reply", "due_on": "tomorrow"},
    {"action": "decline", "reason": "because"}, {"action": "switch_procedure", "procedure": "nope"},
    {"action": "switch_procedure", "procedure": "member_enquiry"}, {"action": "resolve_informally", "summary": {"$gt": ""}},
    {"action": "close"}, {"action": "refer_to_lgsco"}, {"action": "pause"}, {"action": "resume", "reason": "x"},
]


@pytest.mark.parametrize("body", HOSTILE_ACTIONS, ids=range(len(HOSTILE_ACTIONS)))
def test_hostile_action_bodies_are_refused_cleanly(client, body):
    api, _ = api_for(client)
    ref = api.post("/api/v1/cases", json=COMPLAINT).get_json()["reference"]
    before = counts(), api.get(f"/api/v1/cases/{ref}").get_json()
    response = _post_raw(api, f"/api/v1/cases/{ref}/actions", body)
    assert response.status_code in (400, 403, 409, 422), response.get_data(as_text=True)
    assert set(response.get_json()) == {"error", "message", "field"}
    assert (counts(), api.get(f"/api/v1/cases/{ref}").get_json()) == before


@pytest.mark.parametrize("path", [
    "/api/v1/cases?page=-1", "/api/v1/cases?page=abc", "/api/v1/cases?overdue=maybe", "/api/v1/cases?due_before=1/2/3",
    "/api/v1/cases?per_page=100000", "/api/v1/calendar/add-working-days", "/api/v1/calendar/add-working-days?start=2026-01-01&days=99999999",
    "/api/v1/calendar/add-working-days?start=1066-10-14&days=1", "/api/v1/calendar/working-days-between?start=2026-01-01",
    "/api/v1/cases/%00", "/api/v1/cases/CMP-2026-000001/events", "/api/v1/policies/%2e%2e", "/api/v1/nowhere",
])
def test_hostile_queries_never_500(client, path):
    api, _ = api_for(client)
    response = api.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code)
    assert set(response.get_json()) == {"error", "message", "field"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.dictionaries(st.sampled_from(
    ["action", "at", "version", "days", "due_on", "reason", "outcome", "summary", "grounds", "procedure",
     "discretion_reason", "remedies", "compensation"]), json_values, max_size=6))
def test_fuzzed_actions_never_500(client, fields):
    api, _ = api_for(client, email=None)
    ref = api.post("/api/v1/cases", json=COMPLAINT).get_json()["reference"]
    response = api.post(f"/api/v1/cases/{ref}/actions", json=fields)
    assert response.status_code != 500, (fields, response.get_data(as_text=True))
