"""Load policy files: TOML -> JSON Schema -> structure checks -> Policy.

Every problem found is collected (not just the first), with the file and the key path
(`actions.escalate.guards[0]`), so `flask casework policies check` can report them all at
once and the app can refuse to start on an invalid policy.

Shared lists: `policies/shared/*.toml` may define option lists (`[lists.NAME]`, used with
`options_from = "NAME"`) and field sets (`[[field_sets.NAME]]`, used with
`field_sets = ["NAME"]`) that several procedures reuse. A policy that uses one gets the
shared file's text appended to its own text, so Policy.text stays self-contained: a stored
version loads again with load_policy_text alone, whatever has since changed in shared/.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from collections import deque
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable

from jsonschema import Draft202012Validator

from .errors import PolicyError, Problem
from .model import Action, Clock, Counting, Field, Option, Policy, State
from .schema import POLICY_SCHEMA, SHARED_SCHEMA
from .vocabulary import (
    ANY_STATE,
    GUARDS,
    OPEN,
    OPERATIONS,
    RESERVED_FIELD_NAMES,
    ROLES,
)

__all__ = [
    "load_policy_text",
    "load_policy_file",
    "load_policies",
    "check_policies",
    "load_shared",
    "SharedDefinitions",
    "format_path",
]

_POLICY_VALIDATOR = Draft202012Validator(POLICY_SCHEMA)
_SHARED_VALIDATOR = Draft202012Validator(SHARED_SCHEMA)
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


# --- key paths ------------------------------------------------------------------------------

def format_path(parts: Iterable[Any]) -> str:
    """`["actions", "escalate", "guards", 0]` -> `actions.escalate.guards[0]`;
    keys that are not bare TOML keys are quoted: `clocks."stage1.respond".days`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        part = str(part)
        text = part if _BARE_KEY.match(part) else '"' + part.replace('"', '\\"') + '"'
        out += ("." if out else "") + text
    return out


def _p(*parts: Any) -> str:
    return format_path(parts)


# --- shared definitions ---------------------------------------------------------------------

@dataclass(frozen=True)
class SharedFile:
    name: str  # e.g. "shared/lists.toml": stable across machines (it goes into policy texts)
    text: str
    data: dict


@dataclass(frozen=True)
class SharedDefinitions:
    files: tuple[SharedFile, ...] = ()

    def find(self, section: str, name: str) -> SharedFile | None:
        for f in self.files:
            if name in f.data.get(section, {}):
                return f
        return None


def load_shared(directory: str | Path) -> tuple[SharedDefinitions, list[Problem]]:
    """Read `directory/*.toml` as shared lists and field sets (missing directory: none)."""
    directory = Path(directory)
    problems: list[Problem] = []
    files: list[SharedFile] = []
    if not directory.is_dir():
        return SharedDefinitions(), problems
    seen: dict[tuple[str, str], str] = {}
    for path in sorted(directory.glob("*.toml")):
        label = str(path)
        name = f"{directory.name}/{path.name}"
        text = path.read_text(encoding="utf-8")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            problems.append(Problem(label, "", f"not valid TOML: {error}"))
            continue
        errors = _schema_problems(_SHARED_VALIDATOR, data, label)
        if errors:
            problems.extend(errors)
            continue
        if not _starts_with_table(text):
            problems.append(Problem(
                label, "",
                "must begin with a [lists.NAME] or [[field_sets.NAME]] header (comments may come "
                "first), because it is appended to the policies that use it",
            ))
            continue
        for section in ("lists", "field_sets"):
            for item in data.get(section, {}):
                if (section, item) in seen:
                    problems.append(Problem(
                        label, _p(section, item), f"is also defined in {seen[(section, item)]}"
                    ))
                seen[(section, item)] = label
        files.append(SharedFile(name, text, data))
    return SharedDefinitions(tuple(files)), problems


def _starts_with_table(text: str) -> bool:
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return stripped.startswith("[")
    return True


# --- schema ---------------------------------------------------------------------------------

def _schema_problems(validator: Draft202012Validator, data: Any, label: str) -> list[Problem]:
    problems = []
    for error in validator.iter_errors(data):
        parts = list(error.absolute_path)
        message = error.message
        if error.validator == "required":
            missing = re.findall(r"'([^']+)' is a required property", error.message)
            name = missing[0] if missing else "?"
            parts.append(name)
            message = (
                'a citation is required: the clause this comes from, e.g. cite = "004 §12.4"'
                if name == "cite"
                else f"is required"
            )
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = list((error.schema.get("properties") or {}).keys())
            unexpected = [k for k in error.instance if k not in allowed]
            for key in unexpected:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(Problem(label, format_path(parts + [key]), f"unknown key{hint}"))
            continue
        elif error.validator == "propertyNames":
            message = f"{error.instance!r} is not a valid name: use lower-case letters, digits and _"
            parts.append(str(error.instance))
        elif error.validator == "enum":
            message = f"{error.instance!r} is not one of {', '.join(map(repr, error.validator_value))}"
        elif error.validator == "type":
            message = f"{error.instance!r} should be of type {error.validator_value}"
        problems.append(Problem(label, format_path(parts), message))
    return problems


# --- building and checking one policy -------------------------------------------------------

class _Checker:
    """Turns validated data into a Policy, collecting every structural problem."""

    def __init__(self, data: dict, label: str, lists: dict, field_sets: dict):
        self.data = data
        self.label = label
        self.lists = lists  # name -> raw list table
        self.field_sets = field_sets  # name -> raw array of field tables
        self.problems: list[Problem] = []
        self.broken_edges = False  # an unknown state in from/to: the graph checks would only add noise

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.label, path, message))

    # states ------------------------------------------------------------------------------

    def states(self) -> dict[str, State]:
        states = {}
        for name, raw in self.data["states"].items():
            states[name] = State(
                name=name,
                title=raw["title"],
                cite=raw["cite"],
                initial=raw.get("initial", False),
                final=raw.get("final", False),
                stage=raw.get("stage"),
                description=raw.get("description"),
            )
        initial = [s.name for s in states.values() if s.initial]
        if not initial:
            self.problem("states", "no state is marked initial = true: exactly one must be")
        for extra in initial[1:]:
            self.problem(
                _p("states", extra, "initial"),
                f"more than one initial state ({', '.join(initial)}): exactly one may be",
            )
        for name in initial:
            if states[name].final:
                self.problem(_p("states", name, "final"), "the initial state cannot be final")
        return states

    # fields ------------------------------------------------------------------------------

    def options(self, raw_options: list) -> tuple[Option, ...]:
        return tuple(
            Option(
                value=o["value"],
                label=o["label"],
                signpost=o.get("signpost"),
                aliases=tuple(o.get("aliases", ())),
                hint=o.get("hint"),
                cite=o.get("cite"),
            )
            for o in raw_options
        )

    def field(self, raw: dict, path: str) -> Field:
        ftype = raw["type"]
        options: tuple[Option, ...] = ()
        if ftype == "choice":
            if ("options" in raw) == ("options_from" in raw):
                self.problem(path, "a choice field needs exactly one of options or options_from")
            elif "options" in raw:
                options = self.options(raw["options"])
            else:
                listed = self.lists.get(raw["options_from"])
                if listed is None:
                    self.problem(
                        path + ".options_from",
                        f"unknown list {raw['options_from']!r}: define it in [lists.{raw['options_from']}] "
                        "here or in policies/shared/",
                    )
                else:
                    options = self.options(listed["options"])
            values = [o.value for o in options]
            for dup in sorted({v for v in values if values.count(v) > 1}):
                self.problem(path, f"option value {dup!r} appears more than once")
        else:
            for key in ("options", "options_from", "multiple"):
                if key in raw:
                    self.problem(f"{path}.{key}", f"only a choice field may have {key}")
        if ("min" in raw or "max" in raw) and ftype not in ("integer", "money", "text"):
            self.problem(path, "min/max apply only to integer, money and text fields")
        if ("min" in raw or "max" in raw) and "cite" not in raw:
            self.problem(f"{path}.cite", "a field with a limit (min/max) needs a citation for it")
        if raw["name"] in RESERVED_FIELD_NAMES:
            self.problem(f"{path}.name", f"{raw['name']!r} is reserved by the API; choose another name")
        return Field(
            name=raw["name"],
            type=ftype,
            label=raw["label"],
            required=raw.get("required", False),
            hint=raw.get("hint"),
            options=options,
            options_from=raw.get("options_from"),
            multiple=raw.get("multiple", False),
            min=raw.get("min"),
            max=raw.get("max"),
            store=raw.get("store"),
            cite=raw.get("cite"),
        )

    # actions -----------------------------------------------------------------------------

    def actions(self, states: dict[str, State]) -> dict[str, Action]:
        actions = {}
        for key, raw in self.data["actions"].items():
            base = _p("actions", key)
            from_states = tuple(raw["from"])
            if ANY_STATE in from_states and len(from_states) > 1:
                self.problem(f"{base}.from", 'use either ["*"] (any state that is not final) or a list of states')
            for i, state in enumerate(from_states):
                if state == ANY_STATE:
                    continue
                if state not in states:
                    self.broken_edges = True
                    self.problem(f"{base}.from[{i}]", self._unknown("state", state, states))
                elif states[state].final:
                    self.problem(
                        f"{base}.from[{i}]",
                        f"{state!r} is a final state: no action may start from a final state",
                    )
            to = raw.get("to")
            if to is not None and to not in states:
                self.broken_edges = True
                self.problem(f"{base}.to", self._unknown("state", to, states))
            for i, role in enumerate(raw["roles"]):
                if role not in ROLES:
                    self.problem(f"{base}.roles[{i}]", f"unknown role {role!r}; the roles are: {', '.join(ROLES)}")
            guards = tuple(raw.get("guards", ()))
            for i, guard in enumerate(guards):
                if guard not in GUARDS:
                    close = difflib.get_close_matches(guard, list(GUARDS), n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    self.problem(
                        f"{base}.guards[{i}]",
                        f"unknown guard {guard!r}{hint}; the guards are: {', '.join(GUARDS)}",
                    )
            operation = raw.get("operation", "transition")
            if operation not in OPERATIONS:
                self.problem(
                    f"{base}.operation",
                    f"unknown operation {operation!r}; the operations are: {', '.join(OPERATIONS)}",
                )
            raw_fields: list[tuple[dict, str]] = []
            for i, set_name in enumerate(raw.get("field_sets", ())):
                if set_name not in self.field_sets:
                    self.problem(
                        f"{base}.field_sets[{i}]",
                        f"unknown field set {set_name!r}: define it in [[field_sets.{set_name}]] here "
                        "or in policies/shared/",
                    )
                    continue
                raw_fields += [
                    (f, _p("field_sets", set_name, j)) for j, f in enumerate(self.field_sets[set_name])
                ]
            raw_fields += [(f, f"{base}.fields[{j}]") for j, f in enumerate(raw.get("fields", ()))]
            fields = tuple(self.field(f, path) for f, path in raw_fields)
            names = [f.name for f in fields]
            for dup in sorted({n for n in names if names.count(n) > 1}):
                self.problem(f"{base}.fields", f"field {dup!r} is defined more than once")
            actions[key] = Action(
                key=key,
                name=raw.get("name", key),
                title=raw["title"],
                from_states=from_states,
                to=to,
                roles=frozenset(raw["roles"]),
                cite=raw["cite"],
                fields=fields,
                guards=guards,
                operation=operation,
                effects=tuple(MappingProxyType(dict(e)) for e in raw.get("effects", ())),
                clocks=tuple(raw.get("clocks", ())),
                while_paused=raw.get("while_paused", False),
                description=raw.get("description"),
            )
        self.check_variants(actions, states)
        return actions

    def check_variants(self, actions: dict[str, Action], states: dict[str, State]) -> None:
        by_name: dict[str, list[Action]] = {}
        for action in actions.values():
            by_name.setdefault(action.name, []).append(action)
        for name, group in by_name.items():
            if len(group) < 2:
                continue
            for action in group:
                if action.key == name:
                    self.problem(
                        _p("actions", action.key),
                        f"other actions are also named {name!r}: give each its own key "
                        f'(e.g. [actions.{name}_stage1]) with name = "{name}"',
                    )
                if action.from_any:
                    self.problem(
                        _p("actions", action.key, "from"),
                        f'an action that applies from ["*"] cannot share its name {name!r} with others',
                    )
            seen: dict[str, str] = {}
            for action in group:
                for state in action.from_states:
                    if state in seen and state != ANY_STATE:
                        self.problem(
                            _p("actions", action.key, "from"),
                            f"{name!r} from {state!r} is ambiguous: both {seen[state]!r} and "
                            f"{action.key!r} apply there",
                        )
                    seen[state] = action.key

    # references to actions ---------------------------------------------------------------

    def resolve(self, ref: str, actions: dict[str, Action], path: str, allow_open: bool = False) -> tuple[str, ...]:
        if ref == OPEN:
            if allow_open:
                return (OPEN,)
            self.problem(path, f"{OPEN} may only be used in started_by")
            return ()
        found = tuple(a.key for a in actions.values() if a.key == ref or a.name == ref)
        if not found:
            self.problem(path, self._unknown("action", ref, actions))
        return found

    # clocks ------------------------------------------------------------------------------

    def clocks(self, actions: dict[str, Action]) -> tuple[dict[str, Clock], tuple[str, ...], set[str]]:
        clocks: dict[str, Clock] = {}
        disabled: list[str] = []
        declared = set(self.data.get("clocks", {}))
        for name, raw in self.data.get("clocks", {}).items():
            base = _p("clocks", name)

            def refs(key: str, allow_open: bool = False) -> tuple[str, ...]:
                out: list[str] = []
                for i, ref in enumerate(raw.get(key, ())):
                    out += self.resolve(ref, actions, f"{base}.{key}[{i}]", allow_open)
                return tuple(dict.fromkeys(out))

            started_by = refs("started_by", allow_open=True)
            met_by = refs("met_by")
            stopped_by = refs("stopped_by")
            cap = raw.get("extension_cap")
            if cap is not None and cap < raw["days"]:
                self.problem(
                    f"{base}.extension_cap",
                    f"is {cap}, less than the clock's {raw['days']} days: it must be at least days",
                )
            for i, before in enumerate(raw.get("remind_before", ())):
                if before >= raw["days"]:
                    self.problem(f"{base}.remind_before[{i}]", f"must be fewer than the clock's {raw['days']} days")
            due_field = raw.get("due_on_field")
            if due_field:
                for key in started_by:
                    if key == OPEN:
                        self.problem(f"{base}.due_on_field", f"cannot be used with {OPEN}")
                        continue
                    f = actions[key].field(due_field)
                    if f is None or f.type != "date":
                        self.problem(
                            f"{base}.due_on_field",
                            f"action {key!r} starts this clock but has no date field {due_field!r}",
                        )
            clock = Clock(
                name=name,
                title=raw["title"],
                days=raw["days"],
                started_by=started_by,
                cite=raw["cite"],
                met_by=met_by,
                stopped_by=stopped_by,
                extension_cap=cap,
                cap_cite=raw.get("cap_cite"),
                pausable=raw.get("pausable", True),
                kind=raw.get("kind", "deadline"),
                remind_before=tuple(raw.get("remind_before", ())),
                restartable=raw.get("restartable", False),
                due_on_field=due_field,
                description=raw.get("description"),
            )
            if raw.get("enabled", True):
                clocks[name] = clock
            else:
                disabled.append(name)
        return clocks, tuple(disabled), declared

    # checks across sections ----------------------------------------------------------------

    def check_action_clocks(self, actions: dict[str, Action], clocks: dict[str, Clock], declared: set[str]) -> None:
        for action in actions.values():
            base = _p("actions", action.key)
            for i, name in enumerate(action.clocks):
                if name not in declared:
                    self.problem(f"{base}.clocks[{i}]", self._unknown("clock", name, declared))
                elif (
                    action.operation == "extend_clock"
                    and name in clocks
                    and clocks[name].extension_cap is None
                ):
                    self.problem(
                        f"{base}.clocks[{i}]",
                        f"clock {name!r} has no extension_cap, so it cannot be extended",
                    )
            op = action.operation
            if op in ("extend_clock", "holding_reply", "pause_clocks", "resume_clocks", "switch_procedure", "record"):
                if action.to is not None:
                    self.problem(f"{base}.to", f"a {op} action stays in its state: remove `to`")
            if op in ("extend_clock", "holding_reply") and not action.clocks:
                self.problem(f"{base}.clocks", f"a {op} action must list the clocks it may move")
            if op == "extend_clock":
                days, due_on = action.field("days"), action.field("due_on")
                if not (days and days.type == "integer") and not (due_on and due_on.type == "date"):
                    self.problem(f"{base}.fields", "an extend_clock action needs an integer field `days` or a date field `due_on`")
                if action.field("reason") is None:
                    self.problem(f"{base}.fields", "an extend_clock action needs a `reason` field")
            if op == "holding_reply":
                due_on = action.field("due_on")
                if not (due_on and due_on.type == "date" and due_on.required):
                    self.problem(f"{base}.fields", "a holding_reply action needs a required date field `due_on`")
            if op == "switch_procedure":
                f = action.field("procedure")
                if not (f and f.type == "choice" and f.required):
                    self.problem(f"{base}.fields", "a switch_procedure action needs a required choice field `procedure`")
            for i, effect in enumerate(action.effects):
                if effect.get("open_linked_case") is True:
                    f = action.field("procedure")
                    if not (f and f.type == "choice"):
                        self.problem(
                            f"{base}.effects[{i}]",
                            "open_linked_case = true takes the procedure from a choice field `procedure`, which this action lacks",
                        )
            for guard in action.guards:
                need = {
                    "within_escalation_window": ("discretion_reason", "text"),
                    "grounds_given": ("grounds", None),
                    "no_live_court_proceedings": ("live_court_proceedings", "boolean"),
                }.get(guard)
                if need:
                    f = action.field(need[0])
                    if f is None or (need[1] and f.type != need[1]):
                        kind = f" {need[1]}" if need[1] else ""
                        self.problem(
                            f"{base}.guards[{action.guards.index(guard)}]",
                            f"guard {guard!r} needs the action to have a{kind} field {need[0]!r}",
                        )
                if guard == "within_escalation_window" and not any(
                    c.kind == "window" and action.key in c.met_by for c in clocks.values()
                ):
                    self.problem(
                        f"{base}.guards[{action.guards.index(guard)}]",
                        "guard 'within_escalation_window' needs a window clock that this action meets (met_by)",
                    )
                if guard == "clock_running" and not action.clocks:
                    self.problem(
                        f"{base}.guards[{action.guards.index(guard)}]",
                        "guard 'clock_running' needs the action to list its clocks",
                    )

    def transitions(self, states: dict[str, State], actions: dict[str, Action]) -> dict[str, set[str]]:
        """state -> states reachable in one action (including via from = ["*"])."""
        graph: dict[str, set[str]] = {name: set() for name in states}
        for action in actions.values():
            if action.to is None or action.to not in states:
                continue
            for state in states.values():
                if action.applies_in(state):
                    graph[state.name].add(action.to)
        return graph

    @staticmethod
    def closure(graph: dict[str, set[str]], roots: Iterable[str]) -> set[str]:
        seen = set()
        queue = deque(r for r in roots if r in graph)
        while queue:
            state = queue.popleft()
            if state in seen:
                continue
            seen.add(state)
            queue.extend(graph[state] - seen)
        return seen

    def check_graph(self, states: dict[str, State], actions: dict[str, Action], switch_entry: str | None) -> dict[str, set[str]]:
        graph = self.transitions(states, actions)
        initial = [s.name for s in states.values() if s.initial]
        roots = initial[:1] + ([switch_entry] if switch_entry else [])
        reachable = self.closure(graph, roots)
        if initial:
            for name in states:
                if name not in reachable:
                    self.problem(
                        _p("states", name),
                        f"cannot be reached: no sequence of actions leads to it from the initial state {initial[0]!r}",
                    )
        for state in states.values():
            if state.final:
                continue
            if not (graph[state.name] - {state.name}):
                self.problem(
                    _p("states", state.name),
                    "is a dead end: no action leads out of it, and it is not final (final = true)",
                )
        return graph

    def check_clock_ends(
        self,
        states: dict[str, State],
        actions: dict[str, Action],
        clocks: dict[str, Clock],
        graph: dict[str, set[str]],
    ) -> None:
        initial = [s.name for s in states.values() if s.initial]
        for clock in clocks.values():
            base = _p("clocks", clock.name)
            starts: set[str] = set()
            for key in clock.started_by:
                if key == OPEN:
                    starts.update(initial[:1])
                    continue
                action = actions[key]
                if action.to:
                    starts.add(action.to)
                else:
                    starts.update(s.name for s in states.values() if action.applies_in(s))
            open_graph = {s: {t for t in ts if not states[t].final} for s, ts in graph.items()}
            running = {s for s in self.closure(open_graph, starts) if not states[s].final}
            if not running:
                continue  # started only on the way into a final state: stops at once

            def usable(key: str) -> bool:
                return any(actions[key].applies_in(states[s]) for s in running)

            for field_name in ("met_by", "stopped_by"):
                for i, key in enumerate(getattr(clock, field_name)):
                    if not usable(key):
                        self.problem(
                            f"{base}.{field_name}",
                            f"{key!r} can never be taken while this clock runs "
                            f"(it runs in: {', '.join(sorted(running))})",
                        )
            if clock.kind == "deadline" and not clock.met_by:
                self.problem(
                    f"{base}.met_by",
                    "a deadline must be met by some action: name the action that answers it",
                )
            ends = [k for k in clock.met_by + clock.stopped_by if usable(k)]
            to_final = any(
                a.to and states[a.to].final and a.applies_in(states[s])
                for a in actions.values()
                if a.to in states
                for s in running
            )
            if not ends and not to_final:
                self.problem(
                    base,
                    "is never met or stopped: no action meets or stops it, and no action leads to a "
                    f"final state from where it runs ({', '.join(sorted(running))})",
                )

    def check_switch(self, states: dict[str, State], actions: dict[str, Action]) -> tuple[str | None, str | None]:
        entry = self.data.get("switch_entry")
        via = self.data.get("switch_via")
        if entry is not None:
            if entry not in states:
                self.problem("switch_entry", self._unknown("state", entry, states))
                entry = None
            elif states[entry].final:
                self.problem("switch_entry", f"{entry!r} is final: a switched case must enter an open state")
        if via is not None:
            if via not in actions:
                self.problem("switch_via", self._unknown("action", via, actions))
                via = None
            elif entry is not None and actions[via].to != entry:
                self.problem("switch_via", f"action {via!r} does not lead to the switch_entry state {entry!r}")
        if via is not None and entry is None:
            self.problem("switch_via", "needs switch_entry")
        return entry, via

    @staticmethod
    def _unknown(what: str, name: str, known: Iterable[str]) -> str:
        known = list(known)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown {what} {name!r}{hint}"

    # everything --------------------------------------------------------------------------

    def build(self, text: str, source: str) -> Policy | None:
        states = self.states()
        actions = self.actions(states)
        clocks, disabled, declared = self.clocks(actions)
        self.check_action_clocks(actions, clocks, declared)
        entry, via = self.check_switch(states, actions)
        if not self.broken_edges:
            graph = self.check_graph(states, actions, entry)
            self.check_clock_ends(states, actions, clocks, graph)
        if self.problems:
            return None
        counting = self.data["counting"]
        hours, minutes = (int(x) for x in counting["cutoff"].split(":"))
        return Policy(
            key=self.data["key"],
            title=self.data["title"],
            kinds=tuple(self.data["kinds"]),
            reference_prefix=self.data["reference_prefix"],
            description=self.data["description"],
            cite=self.data["cite"],
            counting=Counting(
                cutoff=time(hours, minutes),
                non_working_day_receipt=counting["non_working_day_receipt"],
                closure_days_count=counting["closure_days_count"],
                cite=counting["cite"],
            ),
            states=MappingProxyType(states),
            actions=MappingProxyType(actions),
            clocks=MappingProxyType(clocks),
            text=text,
            version=hashlib.sha256(text.encode("utf-8")).hexdigest()[:12],
            source=source,
            switch_entry=entry,
            switch_via=via,
            disabled_clocks=disabled,
            lists=MappingProxyType({
                name: self.options(raw["options"]) for name, raw in self.lists.items()
            }),
        )


def _used_names(data: dict) -> tuple[set[str], set[str]]:
    """The list and field-set names a policy's data refers to."""
    lists, sets = set(), set()
    fields: list = []
    for action in (data.get("actions") or {}).values():
        if isinstance(action, dict):
            sets.update(n for n in action.get("field_sets", ()) if isinstance(n, str))
            fields += list(action.get("fields", ()))
    for field_set in (data.get("field_sets") or {}).values():
        fields += list(field_set) if isinstance(field_set, list) else []
    for f in fields:
        if isinstance(f, dict) and isinstance(f.get("options_from"), str):
            lists.add(f["options_from"])
    return lists, sets


def _with_shared(text: str, data: dict, source: str, shared: SharedDefinitions | None) -> tuple[str, dict, list[Problem]]:
    """Append the shared files this policy needs (and does not define itself) to its text."""
    if not shared or not shared.files:
        return text, data, []
    lists, sets = _used_names(data)
    # Field sets can bring in further lists: look at the shared field sets too.
    for name in sets:
        f = shared.find("field_sets", name)
        if f and name not in (data.get("field_sets") or {}):
            for field_def in f.data["field_sets"][name]:
                if field_def.get("options_from"):
                    lists.add(field_def["options_from"])
    needed: list[SharedFile] = []
    for section, names in (("lists", lists), ("field_sets", sets)):
        local = data.get(section) or {}
        for name in sorted(names):
            if name in local:
                continue
            f = shared.find(section, name)
            if f is not None and f not in needed:
                needed.append(f)
    if not needed:
        return text, data, []
    problems = []
    for f in needed:
        for section in ("lists", "field_sets"):
            for name in f.data.get(section, {}):
                if name in (data.get(section) or {}):
                    problems.append(Problem(
                        source, _p(section, name),
                        f"is also defined in {f.name}, which this policy uses: rename one of them",
                    ))
    if problems:
        return text, data, problems
    combined = text.rstrip("\n") + "\n"
    for f in needed:
        combined += (
            f"\n# ---- appended from {f.name} (shared lists this policy uses; "
            "kept with the policy so each stored version is self-contained) ----\n"
        )
        combined += f.text.rstrip("\n") + "\n"
    try:
        merged = tomllib.loads(combined)
    except tomllib.TOMLDecodeError as error:
        return text, data, [Problem(source, "", f"cannot be combined with the shared lists it uses: {error}")]
    return combined, merged, []


def _load(text: str, source: str, shared: SharedDefinitions | None) -> tuple[Policy | None, list[Problem]]:
    if not isinstance(text, str):
        return None, [Problem(source, "", "policy text must be a string")]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return None, [Problem(source, "", f"not valid TOML: {error}")]
    problems = _schema_problems(_POLICY_VALIDATOR, data, source)
    if problems:
        return None, problems
    text, data, problems = _with_shared(text, data, source, shared)
    if problems:
        return None, problems
    problems = _schema_problems(_POLICY_VALIDATOR, data, source)
    if problems:
        return None, problems
    checker = _Checker(data, source, dict(data.get("lists", {})), dict(data.get("field_sets", {})))
    policy = checker.build(text, source)
    return policy, checker.problems


def load_policy_text(text: str, source: str = "<text>", shared: SharedDefinitions | None = None) -> Policy:
    """Load one policy from its text; raises PolicyError listing every problem.

    A text stored from Policy.text needs no `shared`: it already carries its lists."""
    policy, problems = _load(text, source, shared)
    if problems or policy is None:
        raise PolicyError(problems)
    return policy


def _file_problems(path: Path, shared: SharedDefinitions | None) -> tuple[Policy | None, list[Problem]]:
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(label, "", f"cannot be read: {error}")]
    policy, problems = _load(text, label, shared)
    if policy is not None and policy.key != path.stem:
        problems = problems + [Problem(label, "key", f"is {policy.key!r} but the file is {path.name}: they must match")]
        policy = None
    return policy, problems


def load_policy_file(path: str | Path, shared: SharedDefinitions | None = None) -> Policy:
    """Load one policy file; shared lists come from `shared/` beside it unless given."""
    path = Path(path)
    shared_problems: list[Problem] = []
    if shared is None:
        shared, shared_problems = load_shared(path.parent / "shared")
    policy, problems = _file_problems(path, shared)
    if shared_problems or problems or policy is None:
        raise PolicyError(shared_problems + problems)
    return policy


def _check_directory(directory: str | Path) -> tuple[dict[str, Policy], list[Problem]]:
    directory = Path(directory)
    if not directory.is_dir():
        return {}, [Problem(str(directory), "", "is not a directory of policy files")]
    shared, problems = load_shared(directory / "shared")
    policies: dict[str, Policy] = {}
    files = sorted(directory.glob("*.toml"))
    if not files:
        problems.append(Problem(str(directory), "", "contains no policy files (*.toml)"))
    for path in files:
        policy, file_problems = _file_problems(path, shared)
        problems += file_problems
        if policy is None:
            continue
        if policy.key in policies:
            problems.append(Problem(str(path), "key", f"{policy.key!r} is also the key of {policies[policy.key].source}"))
            continue
        policies[policy.key] = policy
    problems += _cross_checks(policies)
    return policies, problems


def _cross_checks(policies: dict[str, Policy]) -> list[Problem]:
    """References between procedures: switch and linked-case targets must exist."""
    problems = []
    for policy in policies.values():
        for action in policy.actions.values():
            base = _p("actions", action.key)
            procedure = action.field("procedure")
            if action.operation == "switch_procedure" or any(e.get("open_linked_case") is True for e in action.effects):
                for option in procedure.options if procedure else ():
                    target = policies.get(option.value)
                    if target is None:
                        problems.append(Problem(policy.source, f"{base}.fields", f"procedure option {option.value!r} is not a policy in this directory"))
                    elif action.operation == "switch_procedure":
                        if option.value == policy.key:
                            problems.append(Problem(policy.source, f"{base}.fields", f"procedure option {option.value!r} is this policy itself"))
                        elif not set(target.kinds) & set(policy.kinds):
                            problems.append(Problem(policy.source, f"{base}.fields", f"procedure {option.value!r} handles none of this policy's kinds"))
            for i, effect in enumerate(action.effects):
                target = effect.get("open_linked_case")
                if isinstance(target, str) and target not in policies:
                    problems.append(Problem(policy.source, f"{base}.effects[{i}]", f"{target!r} is not a policy in this directory"))
    return problems


def check_policies(directory: str | Path) -> list[Problem]:
    """Every problem in every policy file of `directory` (and its shared/); [] if all is well."""
    return sorted(_check_directory(directory)[1])


def load_policies(directory: str | Path) -> dict[str, Policy]:
    """All policies in `directory`, by key; raises PolicyError listing every problem in every file."""
    policies, problems = _check_directory(directory)
    if problems:
        raise PolicyError(problems)
    return dict(sorted(policies.items()))
