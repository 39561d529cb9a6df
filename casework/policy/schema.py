"""The JSON Schema every policy file (and every shared-lists file) must satisfy.

The schema catches shape mistakes — a typo'd key, a string where a number belongs — with
the key path of each; loader.py then runs the structure checks a schema cannot express
(reachability, dead ends, clocks that never stop, references between sections).
Every table is closed (`additionalProperties: false`) so that a misspelt key is an error
rather than a setting silently ignored.
"""

from __future__ import annotations

from .vocabulary import CLOCK_KINDS, FIELD_TYPES, KINDS, NOTIFY_TARGETS, RECEIPT_RULES

__all__ = ["POLICY_SCHEMA", "SHARED_SCHEMA"]

_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
_CLOCK_NAME_PATTERN = "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$"
_TEXT = {"type": "string", "minLength": 1}
_CITE = {"type": "string", "minLength": 2}
_NAME_LIST = {"type": "array", "items": _NAME}

_OPTION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["value", "label"],
    "properties": {
        "value": _NAME,
        "label": _TEXT,
        "signpost": _TEXT,
        "aliases": {"type": "array", "items": _TEXT},
        "hint": _TEXT,
        "cite": _CITE,
    },
}

_FIELD = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "type", "label"],
    "properties": {
        "name": _NAME,
        "type": {"enum": list(FIELD_TYPES)},
        "required": {"type": "boolean"},
        "label": _TEXT,
        "hint": _TEXT,
        "options": {"type": "array", "items": _OPTION, "minItems": 1},
        "options_from": _NAME,
        "multiple": {"type": "boolean"},
        "min": {"type": "number"},
        "max": {"type": "number"},
        "store": _NAME,
        "cite": _CITE,
    },
}

_FIELDS = {"type": "array", "items": _FIELD}

_EFFECT = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "maxProperties": 1,
    "properties": {
        "letter": _NAME,
        "notify": {"enum": list(NOTIFY_TARGETS)},
        "open_linked_case": {"type": ["string", "boolean"]},
    },
}

_STATE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "cite"],
    "properties": {
        "title": _TEXT,
        "description": _TEXT,
        "initial": {"type": "boolean"},
        "final": {"type": "boolean"},
        "stage": _NAME,
        "cite": _CITE,
    },
}

_ACTION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "from", "roles", "cite"],
    "properties": {
        "name": _NAME,
        "title": _TEXT,
        "description": _TEXT,
        "from": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        "to": _NAME,
        "roles": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "fields": _FIELDS,
        "field_sets": _NAME_LIST,
        "guards": {"type": "array", "items": {"type": "string"}},
        "operation": {"type": "string"},
        "effects": {"type": "array", "items": _EFFECT},
        "clocks": {"type": "array", "items": {"type": "string", "pattern": _CLOCK_NAME_PATTERN}},
        "while_paused": {"type": "boolean"},
        "cite": _CITE,
    },
}

_CLOCK = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "days", "started_by", "cite"],
    "properties": {
        "title": _TEXT,
        "description": _TEXT,
        "days": {"type": "integer", "minimum": 1, "maximum": 400},
        "started_by": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "met_by": {"type": "array", "items": {"type": "string"}},
        "stopped_by": {"type": "array", "items": {"type": "string"}},
        "extension_cap": {"type": "integer", "minimum": 1, "maximum": 400},
        "cap_cite": _CITE,
        "pausable": {"type": "boolean"},
        "kind": {"enum": list(CLOCK_KINDS)},
        "remind_before": {"type": "array", "items": {"type": "integer", "minimum": 0}},
        "restartable": {"type": "boolean"},
        "due_on_field": _NAME,
        "enabled": {"type": "boolean"},
        "cite": _CITE,
    },
}

_LIST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "options", "cite"],
    "properties": {
        "title": _TEXT,
        "description": _TEXT,
        "options": {"type": "array", "items": _OPTION, "minItems": 1},
        "cite": _CITE,
    },
}

_LISTS = {"type": "object", "propertyNames": _NAME, "additionalProperties": _LIST}
_FIELD_SETS = {"type": "object", "propertyNames": _NAME, "additionalProperties": _FIELDS}

POLICY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Casework procedure policy",
    "type": "object",
    "additionalProperties": False,
    "required": [
        "key", "title", "kinds", "reference_prefix", "description", "cite",
        "counting", "states", "actions",
    ],
    "properties": {
        "key": _NAME,
        "title": _TEXT,
        "kinds": {"type": "array", "items": {"enum": list(KINDS)}, "minItems": 1, "uniqueItems": True},
        "reference_prefix": {"type": "string", "pattern": "^[A-Z]{2,5}$"},
        "description": _TEXT,
        "cite": _CITE,
        "switch_entry": _NAME,
        "switch_via": _NAME,
        "counting": {
            "type": "object",
            "additionalProperties": False,
            "required": ["cutoff", "non_working_day_receipt", "closure_days_count", "cite"],
            "properties": {
                "cutoff": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"},
                "non_working_day_receipt": {"enum": list(RECEIPT_RULES)},
                "closure_days_count": {"type": "boolean"},
                "cite": _CITE,
            },
        },
        "states": {
            "type": "object",
            "propertyNames": _NAME,
            "minProperties": 1,
            "additionalProperties": _STATE,
        },
        "actions": {"type": "object", "propertyNames": _NAME, "additionalProperties": _ACTION},
        "clocks": {
            "type": "object",
            "propertyNames": {"pattern": _CLOCK_NAME_PATTERN},
            "additionalProperties": _CLOCK,
        },
        "lists": _LISTS,
        "field_sets": _FIELD_SETS,
    },
}

SHARED_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Casework shared option lists and field sets",
    "type": "object",
    "additionalProperties": False,
    "properties": {"lists": _LISTS, "field_sets": _FIELD_SETS},
}
