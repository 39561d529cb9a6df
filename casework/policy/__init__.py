"""The council's procedures as data, and the pure engine that runs them.

PURE: no Flask, no SQLAlchemy, no database (a test imports it alone). Policies live in
`policies/*.toml`; `load_policies` checks them (schema + structure) and the engine
(`open_case`, `apply_action`, `switch_procedure`, `available_actions`, `explain_clock`)
interprets them over plain snapshots, given a working-day calendar.
"""

from .diagram import layout, to_mermaid
from .engine import (
    CaseSnapshot,
    ClockState,
    Extension,
    Pause,
    Transition,
    action_date,
    apply_action,
    available_actions,
    breached,
    explain_clock,
    open_case,
    switch_procedure,
)
from .errors import REFUSAL_STATUS, ActionRefused, PolicyError, Problem
from .loader import (
    SharedDefinitions,
    check_policies,
    load_policies,
    load_policy_file,
    load_policy_text,
    load_shared,
)
from .model import Action, Clock, Counting, Field, Option, Policy, State
from .vocabulary import GUARDS, OPERATIONS, ROLES

__all__ = [
    "Action",
    "ActionRefused",
    "CaseSnapshot",
    "Clock",
    "ClockState",
    "Counting",
    "Extension",
    "Field",
    "GUARDS",
    "OPERATIONS",
    "Option",
    "Pause",
    "Policy",
    "PolicyError",
    "Problem",
    "REFUSAL_STATUS",
    "ROLES",
    "SharedDefinitions",
    "State",
    "Transition",
    "action_date",
    "apply_action",
    "available_actions",
    "breached",
    "check_policies",
    "explain_clock",
    "layout",
    "load_policies",
    "load_policy_file",
    "load_policy_text",
    "load_shared",
    "open_case",
    "switch_procedure",
    "to_mermaid",
]
