"""A loaded policy: plain, immutable values the engine interprets.

Built only by loader.py, after the schema and structure checks have passed, so the
engine can trust every reference in it (states, actions, clocks, lists exist).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from types import MappingProxyType
from typing import Mapping

from .vocabulary import ANY_STATE, OPEN

__all__ = ["Option", "Field", "State", "Action", "Clock", "Counting", "Policy"]


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    signpost: str | None = None
    aliases: tuple[str, ...] = ()
    hint: str | None = None
    cite: str | None = None

    def summary(self) -> dict:
        out = {"value": self.value, "label": self.label}
        if self.signpost:
            out["signpost"] = self.signpost
        if self.hint:
            out["hint"] = self.hint
        return out


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str
    required: bool = False
    hint: str | None = None
    options: tuple[Option, ...] = ()
    options_from: str | None = None
    multiple: bool = False
    min: float | None = None
    max: float | None = None
    store: str | None = None
    cite: str | None = None

    def option(self, value: str) -> Option | None:
        for option in self.options:
            if option.value == value:
                return option
        return None

    def summary(self) -> dict:
        out = {"name": self.name, "type": self.type, "required": self.required, "label": self.label}
        for key in ("hint", "min", "max", "cite", "store"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.type == "choice":
            out["options"] = [o.summary() for o in self.options]
            out["multiple"] = self.multiple
        return out


@dataclass(frozen=True)
class State:
    name: str
    title: str
    cite: str
    initial: bool = False
    final: bool = False
    stage: str | None = None
    description: str | None = None

    def summary(self) -> dict:
        out = {
            "name": self.name,
            "title": self.title,
            "initial": self.initial,
            "final": self.final,
            "cite": self.cite,
        }
        if self.stage:
            out["stage"] = self.stage
        return out


@dataclass(frozen=True)
class Action:
    """One way of performing a named action.

    `key` is unique in the file; `name` is what the API calls it. Several keys may share
    a name when the same action does different things in different states (Stage 1
    `respond` starts the Stage 2 window; Stage 2 `respond` the LGSCO one); their `from`
    states never overlap, so the case's state picks exactly one.
    """

    key: str
    name: str
    title: str
    from_states: tuple[str, ...]
    to: str | None
    roles: frozenset[str]
    cite: str
    fields: tuple[Field, ...] = ()
    guards: tuple[str, ...] = ()
    operation: str = "transition"
    effects: tuple[Mapping, ...] = ()
    clocks: tuple[str, ...] = ()
    while_paused: bool = False
    description: str | None = None

    @property
    def from_any(self) -> bool:
        return ANY_STATE in self.from_states

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def applies_in(self, state: "State") -> bool:
        if self.from_any:
            return not state.final
        return state.name in self.from_states

    def summary(self) -> dict:
        return {
            "name": self.name,
            "key": self.key,
            "title": self.title,
            "from": list(self.from_states),
            "to": self.to,
            "roles": sorted(self.roles),
            "fields": [f.summary() for f in self.fields],
            "guards": list(self.guards),
            "operation": self.operation,
            "effects": [dict(e) for e in self.effects],
            "clocks": list(self.clocks),
            "cite": self.cite,
        }


@dataclass(frozen=True)
class Clock:
    name: str
    title: str
    days: int
    started_by: tuple[str, ...]  # action keys, or "@open"
    cite: str
    met_by: tuple[str, ...] = ()  # action keys
    stopped_by: tuple[str, ...] = ()  # action keys
    extension_cap: int | None = None
    cap_cite: str | None = None
    pausable: bool = True
    kind: str = "deadline"
    remind_before: tuple[int, ...] = ()
    restartable: bool = False
    due_on_field: str | None = None
    description: str | None = None

    @property
    def started_at_open(self) -> bool:
        return OPEN in self.started_by

    def summary(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "days": self.days,
            "started_by": list(self.started_by),
            "met_by": list(self.met_by),
            "stopped_by": list(self.stopped_by),
            "extension_cap": self.extension_cap,
            "pausable": self.pausable,
            "kind": self.kind,
            "remind_before": list(self.remind_before),
            "cite": self.cite,
        }


@dataclass(frozen=True)
class Counting:
    cutoff: time = time(17, 0)
    non_working_day_receipt: str = "next_working_day"
    closure_days_count: bool = False
    cite: str = ""

    @property
    def roll_non_working(self) -> bool:
        return self.non_working_day_receipt == "next_working_day"

    def summary(self) -> dict:
        return {
            "cutoff": self.cutoff.strftime("%H:%M"),
            "non_working_day_receipt": self.non_working_day_receipt,
            "closure_days_count": self.closure_days_count,
            "cite": self.cite,
        }


@dataclass(frozen=True, eq=False)
class Policy:
    """One procedure, as loaded from its file.

    `text` is self-contained (the file, plus any shared lists it uses appended), so the
    app can store it when a case is pinned to this version and load it again later with
    load_policy_text alone; `version` is the first 12 hex digits of its sha256.
    """

    key: str
    title: str
    kinds: tuple[str, ...]
    reference_prefix: str
    description: str
    cite: str
    counting: Counting
    states: Mapping[str, State]
    actions: Mapping[str, Action]  # by key, in file order
    clocks: Mapping[str, Clock]  # enabled clocks only, in file order
    text: str
    version: str
    source: str = "<text>"
    switch_entry: str | None = None
    switch_via: str | None = None
    disabled_clocks: tuple[str, ...] = ()
    lists: Mapping[str, tuple[Option, ...]] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def initial_state(self) -> State:
        return next(s for s in self.states.values() if s.initial)

    @property
    def final_states(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states.values() if s.final)

    @property
    def action_names(self) -> tuple[str, ...]:
        """The API names of the actions, in file order, each once."""
        return tuple(dict.fromkeys(a.name for a in self.actions.values()))

    def variants(self, name: str) -> tuple[Action, ...]:
        return tuple(a for a in self.actions.values() if a.name == name)

    def find_action(self, name: str, state: str) -> Action | None:
        """The action `name` as it applies in `state`, or None if it does not."""
        current = self.states.get(state)
        if current is None:
            return None
        for action in self.variants(name):
            if action.applies_in(current):
                return action
        return None

    def operation_of(self, name: str, state: str | None = None) -> str | None:
        """The operation of action `name` (in `state`, when variants differ)."""
        if state is not None:
            action = self.find_action(name, state)
            if action is not None:
                return action.operation
        variants = self.variants(name)
        return variants[0].operation if variants else None

    def clocks_started_by(self, key: str) -> tuple[Clock, ...]:
        return tuple(c for c in self.clocks.values() if key in c.started_by)

    def summary(self) -> dict:
        """What GET /api/v1/policies/{key} returns (API.md)."""
        return {
            "key": self.key,
            "version": self.version,
            "title": self.title,
            "description": self.description,
            "kinds": list(self.kinds),
            "reference_prefix": self.reference_prefix,
            "cite": self.cite,
            "counting": self.counting.summary(),
            "states": [s.summary() for s in self.states.values()],
            "actions": [a.summary() for a in self.actions.values()],
            "clocks": [c.summary() for c in self.clocks.values()],
        }

    def __repr__(self) -> str:
        return f"<Policy {self.key}@{self.version}>"
