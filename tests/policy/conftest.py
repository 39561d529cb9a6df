"""Shared helpers for the policy engine tests: the real calendar, the shipped policies, and
a small driver that opens a case and applies actions to its snapshot."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from casework.policy import (
    CaseSnapshot,
    apply_action,
    load_policies,
    load_policy_text,
    load_shared,
    open_case,
)
from casework.workdays import Calendar

POLICY_DIR = Path(__file__).resolve().parents[2] / "policies"
UTC = timezone.utc
CALENDAR = Calendar(first_year=2010, last_year=2035)


@pytest.fixture(scope="session")
def cal():
    return CALENDAR


@pytest.fixture(scope="session")
def policies():
    return load_policies(POLICY_DIR)


def load_variant(name: str, old: str, new: str):
    """A shipped policy with one setting changed (the way a council would edit it)."""
    text = (POLICY_DIR / f"{name}.toml").read_text(encoding="utf-8")
    assert old in text, old
    shared, problems = load_shared(POLICY_DIR / "shared")
    assert problems == []
    return load_policy_text(text.replace(old, new), f"{name} (variant)", shared)


def utc(text: str) -> datetime:
    """'2026-03-02 10:15' -> an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def day(text: str) -> date:
    return date.fromisoformat(text)


def fmt(d: date) -> str:
    return d.strftime("%a %Y-%m-%d")


def filled(policy, state: str, action: str, fields: dict) -> dict:
    """`fields` plus a plausible value for every required field not given."""
    out = dict(fields)
    variant = policy.find_action(action, state)
    if variant is None:
        return out
    for f in variant.fields:
        if f.name in out or not f.required:
            continue
        if f.type == "text":
            out[f.name] = f"{f.label} (test)"
        elif f.type == "choice":
            out[f.name] = [f.options[0].value] if f.multiple else f.options[0].value
        elif f.type == "boolean":
            out[f.name] = False
        elif f.type == "integer":
            out[f.name] = 1
        elif f.type == "money":
            out[f.name] = "0.00"
        elif f.type == "date":
            raise AssertionError(f"give {action}'s date field {f.name} explicitly")
    return out


class Driver:
    """One case under one policy: open it, then apply actions as a caseworker would."""

    def __init__(self, policy, received_at: datetime, calendar=CALENDAR, policies=None):
        self.policy = policy
        self.calendar = calendar
        self.policies = policies
        t = open_case(policy, received_at, calendar)
        self.case = CaseSnapshot(t.new_state, received_at, t.deemed_received_on, t.clocks, t.paused_since)
        self.transitions = [t]

    def do(self, action: str, when: datetime | str, roles=("admin",), fill=True, **fields):
        at = utc(when) if isinstance(when, str) else when
        if fill:
            fields = filled(self.policy, self.case.state, action, fields)
        t = apply_action(
            self.policy, self.case, action, fields, at, set(roles), self.calendar, policies=self.policies
        )
        if t.switch_to:
            self.policy = self.policies[t.switch_to]
        self.case = CaseSnapshot(
            t.new_state, self.case.received_at, self.case.deemed_received_on, t.clocks, t.paused_since
        )
        self.transitions.append(t)
        return t

    def clock(self, name: str):
        found = self.case.clock(name)
        assert found is not None, f"no clock {name}; clocks: {[c.name for c in self.case.clocks]}"
        return found

    @property
    def state(self) -> str:
        return self.case.state
