"""The fixed words a policy file may use, defined in code.

Policies are data that a council edits, so anything that needs behaviour — a guard, an
operation, a field type — is a name from these closed vocabularies. An unknown name is a
load error, never a silent no-op (STYLE.md practice 6: guards are names, never code).
"""

from __future__ import annotations

__all__ = [
    "ROLES",
    "KINDS",
    "FIELD_TYPES",
    "OPERATIONS",
    "GUARDS",
    "NOTIFY_TARGETS",
    "CLOCK_KINDS",
    "RECEIPT_RULES",
    "RESERVED_FIELD_NAMES",
    "OPEN",
    "ANY_STATE",
]

ROLES = (
    "admin",
    "resident_experience",
    "service_recovery",
    "investigating_officer",
    "director",
    "councillor",
)

# Case kinds (API.md "Creating a case").
KINDS = ("complaint", "comment", "compliment", "service_request", "member_enquiry", "mp_enquiry")

FIELD_TYPES = ("text", "date", "integer", "money", "choice", "boolean")

# What an action does besides moving between states.
OPERATIONS = {
    "transition": "Move to `to` (or stay, if there is no `to`), meeting, stopping and starting clocks.",
    "record": "Record something (a letter sent, a note) without changing state.",
    "extend_clock": "Move a running clock's due date later, within its extension_cap (`days` from its start, or `due_on`).",
    "holding_reply": "Send a holding (interim) reply: the clock is not met, its due date moves to `due_on`.",
    "pause_clocks": "Pause every running pausable clock (waiting for the complainant, consent, information).",
    "resume_clocks": "Resume: each paused clock's due date moves later by the working days paused.",
    "switch_procedure": "Move the case to another procedure's policy (004 §10.5); its clocks start afresh.",
}

# Guards: name -> what it checks. How each refuses is in engine.py (_GUARD_CHECKS).
GUARDS = {
    "within_escalation_window": (
        "Refused once the complainant's escalation window (a `window` clock this action meets) "
        "has passed, unless a `discretion_reason` is given."
    ),
    "grounds_given": "The `grounds` field must name at least one ground for review (004 §12.1).",
    "case_paused": "Only while the case is paused.",
    "case_not_paused": "Only while the case is not paused (the default for every action but resume).",
    "clock_running": "One of the action's `clocks` must be running.",
    "no_live_court_proceedings": (
        "Refused when `live_court_proceedings` is true: social-care complaints cannot be "
        "investigated while court proceedings are live (004 App 1 ¶1, App 2 ¶2)."
    ),
}

NOTIFY_TARGETS = ("assignee", "complainant", "raised_by", "team_manager", "service")

CLOCK_KINDS = ("deadline", "window")

RECEIPT_RULES = ("next_working_day", "same_day")

# Never taken from a request's fields into an event or the case.
RESERVED_FIELD_NAMES = ("action", "at", "version", "clock_changes")

OPEN = "@open"  # started_by: when the case is received (from the deemed receipt date)
ANY_STATE = "*"  # from: any state that is not final
