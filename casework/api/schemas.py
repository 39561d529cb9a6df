"""JSON Schemas for request bodies; the OpenAPI document reuses them."""
from __future__ import annotations

from ..models import CaseKind, Channel

NULLABLE_STRING = {"type": ["string", "null"]}

PERSON = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "email": {"type": ["string", "null"], "maxLength": 254},
        "phone": {"type": ["string", "null"], "maxLength": 40},
        "address": {"type": ["string", "null"], "maxLength": 2000},
        "postcode": {"type": ["string", "null"], "maxLength": 10},
        "ward": {"type": ["string", "null"], "maxLength": 120},
        "preferred_contact_method": {"type": ["string", "null"], "enum": ["email", "telephone", "letter", "text_message", None]},
        "preferred_format": {"type": ["string", "null"], "maxLength": 40},
        "accessibility_needs": {"type": ["string", "null"], "maxLength": 2000},
        "language": {"type": ["string", "null"], "maxLength": 60},
        "interpreter_needed": {"type": "boolean"},
    },
}

CREATE_CASE = {
    "type": "object",
    "required": ["kind", "summary"],
    "properties": {
        "kind": {"type": "string", "enum": [k.value for k in CaseKind]},
        "procedure": {"type": ["string", "null"], "maxLength": 60},
        "received_at": {"type": ["string", "null"], "format": "date-time", "maxLength": 40},
        "channel": {"type": ["string", "null"], "enum": [c.value for c in Channel] + [None]},
        "summary": {"type": "string", "minLength": 1, "maxLength": 300},
        "description": {"type": ["string", "null"], "maxLength": 20000},
        "person": {"oneOf": [PERSON, {"type": "null"}]},
        "service_area": {"type": ["string", "null"], "maxLength": 160},
        "raised_by": {"type": ["string", "null"], "maxLength": 254},
        "assignee": {"type": ["string", "null"], "maxLength": 254},
        "acts_for_person": {"type": ["boolean", "null"]},
    },
}

CONSENT = {
    "type": "object",
    "required": ["councillor", "given_by", "given_on", "method", "scope"],
    "properties": {
        "councillor": {"type": "string", "minLength": 3, "maxLength": 254},
        "given_by": {"type": "string", "minLength": 1, "maxLength": 200},
        "given_on": {"type": "string", "format": "date", "maxLength": 10},
        "method": {"type": "string", "enum": ["in_writing", "email", "telephone", "in_person", "web_form"]},
        "scope": {"type": "string", "minLength": 1, "maxLength": 2000},
    },
}

ACTION = {
    "type": "object",
    "required": ["action"],
    "properties": {
        "action": {"type": "string", "minLength": 1, "maxLength": 60},
        "at": {"type": ["string", "null"], "format": "date-time", "maxLength": 40},
        "version": {"type": ["integer", "null"]},
    },
    "additionalProperties": True,
}
