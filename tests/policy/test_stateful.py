"""Random action sequences, for every shipped policy (hypothesis stateful testing).

Whatever is tried — any action, by any roles, with valid, missing or junk fields, at
advancing times — the engine must never reach a state the policy does not declare,
never change a clock once met or stopped, only ever give working days as due dates,
stop every clock in a final state, and leave the snapshot untouched when it refuses.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from casework.policy import (
    REFUSAL_STATUS,
    ROLES,
    ActionRefused,
    CaseSnapshot,
    apply_action,
    available_actions,
    load_policies,
    open_case,
)
from casework.workdays import london_date

from .conftest import CALENDAR, POLICY_DIR

POLICIES = load_policies(POLICY_DIR)
UTC = timezone.utc

ROLE_SETS = st.one_of(
    st.just(frozenset({"admin"})),
    st.just(frozenset({"admin"})),
    st.just(frozenset({"service_recovery"})),
    st.just(frozenset({"investigating_officer", "director"})),
    st.frozensets(st.sampled_from(ROLES), max_size=2),
)
JUNK = st.sampled_from([None, "", "   ", "??", -1, 3.5, [], {"a": 1}, True, "2026-02-30", "x" * 10_001])


def valid_value(field, today):
    if field.type == "text":
        return st.sampled_from(["Because.", "A reason", "Details for the file"])
    if field.type == "date":
        return st.integers(-3, 70).map(lambda n: (today + timedelta(days=n)).isoformat())
    if field.type == "integer":
        return st.integers(0, 140)
    if field.type == "money":
        return st.sampled_from(["0", "12.50", "200", 75])
    if field.type == "boolean":
        return st.booleans()
    values = [o.value for o in field.options]
    if field.multiple:
        return st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True)
    return st.sampled_from(values)


def fields_for(variant, today):
    def value(f):
        good = valid_value(f, today)
        return st.one_of(good, good, good, good, good, JUNK)

    required = {f.name: value(f) for f in variant.fields if f.required}
    optional = {f.name: value(f) for f in variant.fields if not f.required}
    optional["version"] = st.integers()
    optional["unexpected"] = st.text(max_size=5)
    return st.fixed_dictionaries(required, optional=optional)


class PolicyMachine(RuleBasedStateMachine):
    key: str = ""

    @initialize(
        received=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))
    )
    def open(self, received):
        self.policy = POLICIES[self.key]
        t = open_case(self.policy, received, CALENDAR)
        assert t.new_state == self.policy.initial_state.name
        self.case = CaseSnapshot(t.new_state, received, t.deemed_received_on, t.clocks, t.paused_since)
        self.now = received
        self.check_clocks(t.clocks, self.policy, t.new_state, t.paused_since)

    @rule(data=st.data(), hours=st.integers(0, 24 * 12), roles=ROLE_SETS)
    def act(self, data, hours, roles):
        """Anything at all: any action name, any roles, fields valid or not."""
        listed = available_actions(self.policy, self.case, roles)
        name = data.draw(
            st.one_of(st.sampled_from(self.policy.action_names), st.sampled_from(listed or ["no_such_action"]))
        )
        variant = self.policy.find_action(name, self.case.state) or (self.policy.variants(name) or [None])[0]
        at = self.now + timedelta(hours=hours)
        fields = data.draw(fields_for(variant, london_date(at))) if variant else {}
        self.attempt(name, variant, fields, at, roles, listed)

    @rule(data=st.data(), hours=st.integers(0, 24 * 8))
    def progress(self, data, hours):
        """Move on to a later open state, with valid fields, so deep stages get explored."""
        roles = frozenset({"admin"})
        listed = available_actions(self.policy, self.case, roles)
        forward = [
            n for n in listed
            if (v := self.policy.find_action(n, self.case.state)).to
            and v.to != self.case.state
            and not self.policy.states[v.to].final
            and v.operation == "transition"
        ]
        if not forward:
            return
        name = data.draw(st.sampled_from(forward))
        variant = self.policy.find_action(name, self.case.state)
        at = self.now + timedelta(hours=hours)
        today = london_date(at)
        fields = data.draw(st.fixed_dictionaries({f.name: valid_value(f, today) for f in variant.fields if f.required}))
        self.attempt(name, variant, fields, at, roles, listed)

    def attempt(self, name, variant, fields, at, roles, listed):
        before = copy.deepcopy(self.case)
        try:
            t = apply_action(self.policy, self.case, name, fields, at, roles, CALENDAR, policies=POLICIES)
        except ActionRefused as refusal:
            assert refusal.code in REFUSAL_STATUS
            assert refusal.message
            assert self.case == before
            return
        assert name in listed, f"{name} succeeded but was not offered by available_actions"
        new_policy = POLICIES[t.switch_to] if t.switch_to else self.policy
        assert t.new_state in new_policy.states, t.new_state
        if not t.switch_to:
            old = {c.name: c for c in self.case.clocks}
            for clock in t.clocks:
                previous = old.get(clock.name)
                definition = self.policy.clocks.get(clock.name)
                if previous is not None and not previous.is_running and not (definition and definition.restartable):
                    assert clock == previous, f"{clock.name} changed after it was met or stopped"
            assert {c.name for c in self.case.clocks} <= {c.name for c in t.clocks}
        self.check_clocks(t.clocks, new_policy, t.new_state, t.paused_since)
        self.policy = new_policy
        self.case = CaseSnapshot(
            t.new_state, self.case.received_at, self.case.deemed_received_on, t.clocks, t.paused_since
        )
        self.now = at

    def check_clocks(self, clocks, policy, state, paused_since):
        names = [c.name for c in clocks]
        assert len(names) == len(set(names))
        for clock in clocks:
            assert CALENDAR.is_working_day(clock.due_on), (clock.name, clock.due_on)
            assert clock.due_on >= clock.original_due_on
            assert clock.met_on is None or clock.stopped_on is None
        if policy.states[state].final:
            assert not any(c.is_running for c in clocks)
            assert paused_since is None
        if paused_since is None:
            assert not any(c.is_paused for c in clocks)

    @invariant()
    def listed_actions_apply_here(self):
        if not hasattr(self, "case"):
            return
        for roles in ({"admin"}, {"resident_experience"}, {"councillor"}):
            for name in available_actions(self.policy, self.case, roles):
                variant = self.policy.find_action(name, self.case.state)
                assert variant is not None and roles & variant.roles
        if self.policy.states[self.case.state].final:
            assert available_actions(self.policy, self.case, set(ROLES)) == []


SETTINGS = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _machine_test(key: str):
    machine = type(f"{key.title().replace('_', '')}Machine", (PolicyMachine,), {"key": key})
    test = machine.TestCase
    test.settings = SETTINGS
    return test


for _key in sorted(POLICIES):
    globals()[f"TestRandomActions_{_key}"] = _machine_test(_key)
del _key
