"""The OpenAPI 3.1 document for /api/v1, built from the same schemas the views validate with."""
from __future__ import annotations

from copy import deepcopy

from .schemas import ACTION, CREATE_CASE, PERSON


def _nullable(schema_type: str) -> dict:
    return {"type": [schema_type, "null"]}


CLOCK = {
    "type": "object",
    "required": ["name", "started_on", "due_on", "met_on", "paused", "breached"],
    "properties": {
        "name": {"type": "string", "examples": ["stage1.respond"]},
        "kind": {"type": "string", "enum": ["deadline", "window"]},
        "days": {"type": "integer"},
        "started_on": {"type": "string", "format": "date"},
        "due_on": {"type": "string", "format": "date"},
        "original_due_on": {"type": "string", "format": "date"},
        "met_on": {"type": ["string", "null"], "format": "date"},
        "stopped_on": {"type": ["string", "null"], "format": "date"},
        "paused": {"type": "boolean"},
        "breached": {"type": "boolean"},
        "extensions": {"type": "array", "items": {"type": "object"}},
        "pauses": {"type": "array", "items": {"type": "object"}},
    },
}

CASE = {
    "type": "object",
    "required": ["reference", "kind", "procedure", "policy_version", "state", "version", "received_at",
                 "deemed_received_on", "clocks", "actions"],
    "properties": {
        "reference": {"type": "string", "examples": ["CMP-2026-000123"]},
        "kind": {"type": "string"},
        "procedure": {"type": "string"},
        "policy_version": {"type": "string"},
        "state": {"type": "string"},
        "stage": _nullable("string"),
        "is_open": {"type": "boolean"},
        "version": {"type": "integer"},
        "received_at": {"type": "string", "format": "date-time"},
        "deemed_received_on": {"type": "string", "format": "date"},
        "channel": _nullable("string"),
        "summary": {"type": "string"},
        "description": _nullable("string"),
        "service_area": _nullable("string"),
        "assignee": {"type": ["object", "null"]},
        "raised_by": _nullable("string"),
        "next_due_on": {"type": ["string", "null"], "format": "date"},
        "paused_since": {"type": ["string", "null"], "format": "date"},
        "outcome": _nullable("string"),
        "outcome_summary": _nullable("string"),
        "remedies": {"type": ["array", "null"]},
        "compensation": _nullable("string"),
        "lessons_learned": _nullable("string"),
        "closed_at": {"type": ["string", "null"], "format": "date-time"},
        "person": {"type": ["object", "null"]},
        "personal_data_withheld": {"type": "string"},
        "clocks": {"type": "array", "items": {"$ref": "#/components/schemas/Clock"}},
        "actions": {"type": "array", "items": {"type": "string"}},
    },
}

EVENT = {
    "type": "object",
    "required": ["at", "actor", "action", "from_state", "to_state", "data"],
    "properties": {
        "at": {"type": "string", "format": "date-time"},
        "actor": {"type": "string"},
        "action": {"type": "string"},
        "from_state": _nullable("string"),
        "to_state": _nullable("string"),
        "data": {"type": "object"},
    },
}

ERROR = {
    "type": "object",
    "required": ["error", "message", "field"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}, "field": _nullable("string")},
}

POLICY_SUMMARY = {
    "type": "object",
    "required": ["key", "version", "title"],
    "properties": {"key": {"type": "string"}, "version": {"type": "string"}, "title": {"type": "string"}},
}

POLICY = {
    "type": "object",
    "required": ["key", "version", "title", "states", "actions", "clocks"],
    "properties": {
        "key": {"type": "string"},
        "version": {"type": "string"},
        "title": {"type": "string"},
        "states": {"type": "array", "items": {"type": "object"}},
        "actions": {"type": "array", "items": {"type": "object"}},
        "clocks": {"type": "array", "items": {"type": "object"}},
    },
}


def _errors(*codes: int) -> dict:
    words = {400: "Bad request", 401: "No or bad token", 403: "Not allowed for this user",
             404: "Unknown or not visible", 409: "Not allowed in this state, or stale version",
             422: "Invalid field"}
    return {
        str(code): {"description": words[code],
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for code in codes
    }


def _ok(schema: dict, description: str = "OK", status: str = "200") -> dict:
    return {status: {"description": description, "content": {"application/json": {"schema": schema}}}}


def _query(name: str, schema: dict, required: bool = False, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


REFERENCE = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}
SECURED = [{"bearer": []}]


def openapi_document() -> dict:
    case_ref = {"$ref": "#/components/schemas/Case"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Casework API",
            "version": "1.0.0",
            "description": "Complaints and casework for English local councils. Errors are JSON "
                           "{error, message, field}; bad input never changes stored data.",
        },
        "servers": [{"url": "/"}],
        "security": SECURED,
        "paths": {
            "/api/v1/openapi.json": {"get": {"summary": "This document", "security": [],
                                             "responses": _ok({"type": "object"})}},
            "/api/v1/calendar/add-working-days": {"get": {
                "summary": "The Nth working day after start (start is day 0; N = 0 rolls forward)",
                "parameters": [_query("start", {"type": "string", "format": "date"}, True),
                               _query("days", {"type": "integer"}, True)],
                "responses": {**_ok({"type": "object", "required": ["start", "days", "date"],
                                     "properties": {"start": {"type": "string", "format": "date"},
                                                    "days": {"type": "integer"},
                                                    "date": {"type": "string", "format": "date"}}}),
                              **_errors(401, 422)}}},
            "/api/v1/calendar/working-days-between": {"get": {
                "summary": "Working days after start up to and including end",
                "parameters": [_query("start", {"type": "string", "format": "date"}, True),
                               _query("end", {"type": "string", "format": "date"}, True)],
                "responses": {**_ok({"type": "object", "required": ["days"],
                                     "properties": {"days": {"type": "integer"}}}), **_errors(401, 422)}}},
            "/api/v1/policies": {"get": {
                "summary": "The policies in force",
                "responses": {**_ok({"type": "array", "items": {"$ref": "#/components/schemas/PolicySummary"}}),
                              **_errors(401)}}},
            "/api/v1/policies/{key}": {"get": {
                "summary": "One policy: states, actions and clocks",
                "parameters": [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {**_ok({"$ref": "#/components/schemas/Policy"}), **_errors(401, 404)}}},
            "/api/v1/cases": {
                "post": {
                    "summary": "Log a contact: open a case and start its clocks",
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/CreateCase"}}}},
                    "responses": {**_ok(case_ref, "Created", "201"), **_errors(400, 401, 403, 422)}},
                "get": {
                    "summary": "Cases visible to this user, soonest due first, 50 a page",
                    "parameters": [
                        _query("procedure", {"type": "string"}), _query("state", {"type": "string"}),
                        _query("kind", {"type": "string"}),
                        _query("overdue", {"type": "string", "enum": ["true", "false"]}),
                        _query("due_before", {"type": "string", "format": "date"}),
                        _query("open", {"type": "string", "enum": ["true", "false"]}),
                        _query("page", {"type": "integer", "minimum": 1}),
                        _query("per_page", {"type": "integer", "minimum": 1, "maximum": 200})],
                    "responses": {**_ok({"type": "object", "required": ["items", "next"], "properties": {
                        "items": {"type": "array", "items": case_ref},
                        "next": {"type": ["string", "null"]}, "page": {"type": "integer"}}}),
                        **_errors(401, 422)}},
            },
            "/api/v1/cases/{reference}": {"get": {
                "summary": "One case", "parameters": [REFERENCE],
                "responses": {**_ok(case_ref), **_errors(401, 404)}}},
            "/api/v1/cases/{reference}/actions": {"post": {
                "summary": "Perform a policy action (fields as the policy requires)",
                "parameters": [REFERENCE],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Action"}}}},
                "responses": {**_ok(case_ref), **_errors(400, 401, 403, 404, 409, 422)}}},
            "/api/v1/cases/{reference}/events": {"get": {
                "summary": "The audit trail, oldest first", "parameters": [REFERENCE],
                "responses": {**_ok({"type": "array", "items": {"$ref": "#/components/schemas/Event"}}),
                              **_errors(401, 404)}}},
            "/api/v1/cases/{reference}/clocks/{name}": {"get": {
                "summary": "A clock and how its due date was worked out",
                "parameters": [REFERENCE, {"name": "name", "in": "path", "required": True,
                                           "schema": {"type": "string"}}],
                "responses": {**_ok({"allOf": [{"$ref": "#/components/schemas/Clock"}, {
                    "type": "object", "properties": {"explanation": {"type": "array",
                                                                     "items": {"type": "object"}}}}]}),
                    **_errors(401, 404)}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "flask casework issue-token EMAIL"}},
            "schemas": {
                "Case": CASE, "Clock": CLOCK, "Event": EVENT, "Error": ERROR,
                "Policy": POLICY, "PolicySummary": POLICY_SUMMARY,
                "CreateCase": deepcopy(CREATE_CASE), "Person": deepcopy(PERSON), "Action": deepcopy(ACTION),
            },
        },
    }
