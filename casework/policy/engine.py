"""The policy engine: given a policy, a case's state and clocks, an action, its time and a
working-day calendar, work out the new state, clock changes and effects — or refuse.

Pure and deterministic: no clock is read (the caller passes `at`), no database is
touched, nothing is mutated. The caller persists the Transition it gets back. A refusal
(ActionRefused) means nothing changed.

Counting conventions (API.md, STATUTE.md): the date of an action is its London date; a
clock of N working days started on day D (day 0) is due on the Nth working day after D;
clocks started when the case is received count from its deemed receipt date.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Mapping

from .errors import ActionRefused
from .fields import validate_fields
from .model import Action, Clock, Policy
from .vocabulary import OPEN

__all__ = [
    "Extension",
    "Pause",
    "ClockState",
    "CaseSnapshot",
    "Transition",
    "open_case",
    "apply_action",
    "switch_procedure",
    "available_actions",
    "explain_clock",
    "breached",
    "action_date",
]


# --- snapshots ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Extension:
    """A due date moved later: by an extension (`kind` "extension") or a holding reply."""

    on: date
    from_due: date
    to_due: date
    reason: str
    kind: str = "extension"


@dataclass(frozen=True)
class Pause:
    """Time the clock stood still. `end` is None while paused; `days` is the number of
    working days the due date moved on resume."""

    start: date
    end: date | None
    reason: str
    days: int = 0


@dataclass(frozen=True)
class ClockState:
    name: str
    started_on: date
    due_on: date
    original_due_on: date
    days: int
    met_on: date | None = None
    stopped_on: date | None = None
    paused_since: date | None = None
    extensions: tuple[Extension, ...] = ()
    pauses: tuple[Pause, ...] = ()
    kind: str = "deadline"
    started_by: str = ""  # "@open" or the action key that started it

    @property
    def is_running(self) -> bool:
        return self.met_on is None and self.stopped_on is None

    @property
    def is_paused(self) -> bool:
        return self.is_running and self.paused_since is not None

    @property
    def paused_days(self) -> int:
        """Working days added to the due date by finished pauses."""
        return sum(p.days for p in self.pauses if p.end is not None)

    def is_breached(self, today: date) -> bool:
        """A council deadline missed: met late, or still unmet after its due date.

        Windows (the complainant's time to escalate) are never breached. A clock is
        judged on the day it was met, stopped or paused, or else on `today`.
        """
        if self.kind != "deadline":
            return False
        judged_on = self.met_on or self.stopped_on or self.paused_since or today
        return judged_on > self.due_on


@dataclass(frozen=True)
class CaseSnapshot:
    state: str
    received_at: datetime
    deemed_received_on: date
    clocks: tuple[ClockState, ...] = ()
    paused_since: date | None = None

    def clock(self, name: str) -> ClockState | None:
        for c in self.clocks:
            if c.name == name:
                return c
        return None


@dataclass(frozen=True)
class Transition:
    """What an action does to a case; the caller stores it in one transaction.

    `clocks` is the case's full new set of clocks. `case_updates` are the fields the
    policy marks `store = "..."` (outcome, remedies, withdrawal reason...). `event_data`
    is for the audit event. `switch_to` is the new policy key after a procedure switch.
    """

    new_state: str
    clocks: tuple[ClockState, ...]
    effects: tuple[dict, ...] = ()
    case_updates: dict = field(default_factory=dict)
    event_data: dict = field(default_factory=dict)
    switch_to: str | None = None
    paused_since: date | None = None
    deemed_received_on: date | None = None
    action: str | None = None
    action_key: str | None = None
    from_state: str | None = None


# --- helpers ----------------------------------------------------------------------------------

def _aware(at: datetime, what: str = "at") -> datetime:
    if not isinstance(at, datetime):
        raise TypeError(f"{what} must be a datetime, got {type(at).__name__}")
    if at.tzinfo is None or at.tzinfo.utcoffset(at) is None:
        raise ValueError(f"{what} must be timezone-aware (naive times are ambiguous between GMT and BST)")
    return at


def action_date(at: datetime) -> date:
    """The London date of an instant: the day an action counts as taken."""
    from casework.workdays import london_date  # pure module; imported late to keep this light

    return london_date(_aware(at))


def _fmt(d: date) -> str:
    return f"{d:%a} {d.isoformat()}"


def _iso(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_iso(v) for v in value]
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    return value


_KEEP_CAPITAL = ("Stage", "LGSCO", "Ombudsman", "MP ", "Council", "Independent")


def _lower_first(text: str) -> str:
    """For a title inside a sentence: "Escalate to Stage 2" -> "escalate to Stage 2"."""
    if text.startswith(_KEEP_CAPITAL):
        return text
    return text[:1].lower() + text[1:]


class _Clocks:
    """The case's clocks while an action is worked out (one instance per name)."""

    def __init__(self, clocks: Iterable[ClockState]):
        self.by_name: dict[str, ClockState] = {}
        for c in clocks:
            self.by_name[c.name] = c
        self.changes: list[dict] = []

    def running(self) -> list[ClockState]:
        return [c for c in self.by_name.values() if c.is_running]

    def get(self, name: str) -> ClockState | None:
        return self.by_name.get(name)

    def put(self, clock: ClockState, change: str, **details: Any) -> None:
        self.by_name[clock.name] = clock
        entry = {"clock": clock.name, "change": change, "due_on": clock.due_on.isoformat()}
        entry.update({k: _iso(v) for k, v in details.items()})
        self.changes.append(entry)

    def as_tuple(self) -> tuple[ClockState, ...]:
        return tuple(self.by_name.values())


def _end_pause(clock: ClockState, on: date, calendar) -> ClockState:
    """Finish a clock's pause: its due date moves later by the working days paused."""
    if clock.paused_since is None:
        return clock
    days = max(0, calendar.working_days_between(clock.paused_since, on))
    pauses = list(clock.pauses)
    if pauses and pauses[-1].end is None:
        pauses[-1] = replace(pauses[-1], end=on, days=days)
    else:
        pauses.append(Pause(start=clock.paused_since, end=on, reason="", days=days))
    due = calendar.add_working_days(clock.due_on, days) if days else clock.due_on
    return replace(clock, paused_since=None, pauses=tuple(pauses), due_on=due)


def _start_clock(definition: Clock, on: date, started_by: str, calendar, due_on: date | None = None) -> ClockState:
    if due_on is not None:
        due = calendar.add_working_days(due_on, 0)
        days = max(0, calendar.working_days_between(on, due))
    else:
        due = calendar.add_working_days(on, definition.days)
        days = definition.days
    return ClockState(
        name=definition.name,
        started_on=on,
        due_on=due,
        original_due_on=due,
        days=days,
        kind=definition.kind,
        started_by=started_by,
    )


def _stop_all(clocks: _Clocks, on: date, calendar, why: str) -> None:
    for clock in clocks.running():
        clock = _end_pause(clock, on, calendar)
        clocks.put(replace(clock, stopped_on=on), "stopped", reason=why)


def _starts(policy: Policy, key: str, clocks: _Clocks, on: date, calendar, values: Mapping) -> None:
    for definition in policy.clocks_started_by(key):
        existing = clocks.get(definition.name)
        if existing is not None and (existing.is_running or not definition.restartable):
            continue
        due = values.get(definition.due_on_field) if definition.due_on_field else None
        clocks.put(_start_clock(definition, on, key, calendar, due), "started", started_on=on)


def _cap_limit(definition: Clock, clock: ClockState, calendar) -> date | None:
    if definition.extension_cap is None:
        return None
    return calendar.add_working_days(clock.started_on, definition.extension_cap + clock.paused_days)


# --- opening a case ---------------------------------------------------------------------------

def open_case(policy: Policy, received_at: datetime, calendar) -> Transition:
    """A new case: the initial state, its deemed receipt date, and the clocks started on receipt."""
    received_at = _aware(received_at, "received_at")
    deemed = calendar.deemed_receipt(
        received_at,
        cutoff=policy.counting.cutoff,
        roll_non_working=policy.counting.roll_non_working,
    )
    clocks = _Clocks(())
    for definition in policy.clocks.values():
        if definition.started_at_open:
            clocks.put(_start_clock(definition, deemed, OPEN, calendar), "started", started_on=deemed)
    return Transition(
        new_state=policy.initial_state.name,
        clocks=clocks.as_tuple(),
        deemed_received_on=deemed,
        event_data={"deemed_received_on": deemed.isoformat(), "clock_changes": clocks.changes},
        action="open",
    )


# --- choosing and checking an action ----------------------------------------------------------

def _variant(policy: Policy, case: CaseSnapshot, action: Any) -> Action:
    if not isinstance(action, str) or action not in policy.action_names:
        shown = action if isinstance(action, str) else type(action).__name__
        raise ActionRefused(
            "unknown_action",
            f"There is no action {str(shown)[:60]!r} in the {policy.title} procedure; "
            f"its actions are: {', '.join(policy.action_names)}",
            field="action",
        )
    state = policy.states.get(case.state)
    if state is None:
        raise ActionRefused(
            "not_allowed",
            f"The case is in state {case.state!r}, which the {policy.title} procedure does not have",
        )
    variant = policy.find_action(action, case.state)
    if variant is None:
        title = policy.variants(action)[0].title
        if state.final:
            message = f"The case has ended ({state.title}): “{title}” is no longer possible"
        else:
            possible = sorted({s for v in policy.variants(action) for s in v.from_states})
            places = ", ".join(policy.states[s].title for s in possible if s in policy.states)
            message = (
                f"“{title}” is not possible while the case is at “{state.title}”"
                + (f"; it is possible at: {places}" if places else "")
            )
        raise ActionRefused("not_allowed", message)
    return variant


def _check_roles(variant: Action, roles: Iterable[str]) -> None:
    if not set(roles or ()) & variant.roles:
        raise ActionRefused(
            "forbidden",
            f"Your role cannot {_lower_first(variant.title)}: it needs one of "
            f"{', '.join(sorted(variant.roles))}",
        )


def _allowed_while_paused(variant: Action) -> bool:
    return variant.operation == "resume_clocks" or variant.while_paused


def _check_paused(variant: Action, case: CaseSnapshot) -> None:
    paused = case.paused_since is not None
    if paused and (not _allowed_while_paused(variant) or "case_not_paused" in variant.guards):
        raise ActionRefused(
            "not_allowed",
            f"The case has been paused since {_fmt(case.paused_since)}: resume it before you "
            f"{_lower_first(variant.title)}",
        )
    if not paused and (variant.operation == "resume_clocks" or "case_paused" in variant.guards):
        raise ActionRefused("not_allowed", "The case is not paused, so there is nothing to resume")


def _target_clock(policy: Policy, variant: Action, clocks: _Clocks, values: Mapping, raw: Mapping) -> ClockState:
    """The running clock an extension or holding reply applies to."""
    candidates = [
        clocks.get(name)
        for name in variant.clocks
        if name in policy.clocks and clocks.get(name) is not None and clocks.get(name).is_running
    ]
    named = values.get("clock") or (raw.get("clock") if isinstance(raw.get("clock"), str) else None)
    if named:
        for clock in candidates:
            if clock.name == named:
                return clock
        raise ActionRefused(
            "invalid_field",
            f"{named!r} is not a running clock that “{variant.title}” can move"
            + (f"; running: {', '.join(c.name for c in candidates)}" if candidates else ""),
            field="clock",
        )
    if not candidates:
        titles = ", ".join(policy.clocks[n].title for n in variant.clocks if n in policy.clocks)
        raise ActionRefused(
            "not_allowed",
            f"There is no running deadline to {_lower_first(variant.title)}"
            + (f" (this applies to: {titles})" if titles else ""),
        )
    if len(candidates) > 1:
        raise ActionRefused(
            "invalid_field",
            f"Say which clock to move: {', '.join(c.name for c in candidates)}",
            field="clock",
        )
    return candidates[0]


def _check_guards(policy: Policy, variant: Action, case: CaseSnapshot, values: Mapping, on: date, clocks: _Clocks) -> None:
    for guard in variant.guards:
        if guard == "within_escalation_window":
            for clock in clocks.running():
                definition = policy.clocks.get(clock.name)
                if definition is None or definition.kind != "window" or variant.key not in definition.met_by:
                    continue
                if clock.due_on < on and not values.get("discretion_reason"):
                    raise ActionRefused(
                        "not_allowed",
                        f"The request is out of time: the {_lower_first(definition.title)} closed on "
                        f"{_fmt(clock.due_on)} ({definition.days} working days, {definition.cite}). "
                        "To accept it anyway, give a discretion_reason.",
                        field="discretion_reason",
                    )
        elif guard == "grounds_given":
            if not values.get("grounds"):
                raise _no_grounds(policy, variant)
        elif guard == "no_live_court_proceedings":
            if values.get("live_court_proceedings") is True:
                raise ActionRefused(
                    "not_allowed",
                    "The complaint cannot be investigated while court proceedings are live "
                    f"({variant.field('live_court_proceedings').cite or variant.cite}); decline it "
                    "(matters in legal action) or wait until the proceedings end",
                    field="live_court_proceedings",
                )
        elif guard == "clock_running":
            if not any(n in policy.clocks for n in variant.clocks):
                continue  # its clocks are switched off (enabled = false): nothing to wait for
            if not any(
                clocks.get(n) is not None and clocks.get(n).is_running
                for n in variant.clocks
                if n in policy.clocks
            ):
                raise ActionRefused(
                    "not_allowed",
                    f"There is no running clock to {_lower_first(variant.title)}",
                )
        # case_paused / case_not_paused are checked with the pause rule (_check_paused).


# --- operations ---------------------------------------------------------------------------------

def _extend(policy, variant, clocks, values, raw, on, calendar) -> None:
    clock = _target_clock(policy, variant, clocks, values, raw)
    definition = policy.clocks[clock.name]
    if "days" in values and "due_on" in values:
        raise ActionRefused("invalid_field", "Give either the new length in days or the new due date, not both", field="due_on")
    if "days" in values:
        which = "days"
        if values["days"] < 1:
            raise ActionRefused("invalid_field", "The number of days must be at least 1", field="days")
        new_due = calendar.add_working_days(clock.started_on, values["days"] + clock.paused_days)
    elif "due_on" in values:
        which = "due_on"
        new_due = values["due_on"]
        if not calendar.is_working_day(new_due):
            reason = calendar.non_working_reason(new_due)
            raise ActionRefused(
                "invalid_field",
                f"{_fmt(new_due)} is not a working day ({reason}): choose a working day",
                field="due_on",
            )
    else:
        raise ActionRefused(
            "invalid_field",
            "Give the new length of the deadline in working days from its start (days) or the new due date (due_on)",
            field="days",
        )
    if new_due <= clock.due_on:
        raise ActionRefused(
            "invalid_field",
            f"The new due date ({_fmt(new_due)}) must be later than the current one ({_fmt(clock.due_on)})",
            field=which,
        )
    _check_cap(definition, clock, new_due, calendar, which)
    extension = Extension(on=on, from_due=clock.due_on, to_due=new_due, reason=values.get("reason", ""))
    days = calendar.working_days_between(clock.started_on, new_due) - clock.paused_days
    clocks.put(
        replace(clock, due_on=new_due, days=days, extensions=clock.extensions + (extension,)),
        "extended", from_due=clock.due_on, reason=extension.reason,
    )


def _check_cap(definition: Clock, clock: ClockState, new_due: date, calendar, which: str) -> None:
    limit = _cap_limit(definition, clock, calendar)
    if limit is not None and new_due > limit:
        cite = definition.cap_cite or definition.cite
        paused = f" plus {clock.paused_days} working days paused" if clock.paused_days else ""
        raise ActionRefused(
            "cap_exceeded",
            f"The extension would make the {_lower_first(definition.title)} due on {_fmt(new_due)}, past the "
            f"policy's limit of {definition.extension_cap} working days from {_fmt(clock.started_on)}{paused} "
            f"(the latest allowed is {_fmt(limit)}; {cite})",
            field=which,
        )


def _holding_reply(policy, variant, clocks, values, raw, on, calendar) -> None:
    clock = _target_clock(policy, variant, clocks, values, raw)
    definition = policy.clocks[clock.name]
    new_due = values["due_on"]
    if not calendar.is_working_day(new_due):
        raise ActionRefused(
            "invalid_field",
            f"{_fmt(new_due)} is not a working day ({calendar.non_working_reason(new_due)}): choose a working day",
            field="due_on",
        )
    if new_due <= on:
        raise ActionRefused("invalid_field", f"The new date ({_fmt(new_due)}) must be after today ({_fmt(on)})", field="due_on")
    if new_due <= clock.due_on:
        raise ActionRefused(
            "invalid_field",
            f"The new date ({_fmt(new_due)}) must be later than the current due date ({_fmt(clock.due_on)})",
            field="due_on",
        )
    _check_cap(definition, clock, new_due, calendar, "due_on")
    reason = values.get("reason") or values.get("summary") or variant.title
    moved = Extension(on=on, from_due=clock.due_on, to_due=new_due, reason=reason, kind="holding_reply")
    days = calendar.working_days_between(clock.started_on, new_due) - clock.paused_days
    clocks.put(
        replace(clock, due_on=new_due, days=days, extensions=clock.extensions + (moved,)),
        "moved", from_due=clock.due_on, reason=reason,
    )


def _pause(policy, clocks: _Clocks, on: date, reason: str) -> None:
    for clock in clocks.running():
        definition = policy.clocks.get(clock.name)
        pausable = definition.pausable if definition is not None else True
        if pausable and clock.paused_since is None:
            clocks.put(
                replace(clock, paused_since=on, pauses=clock.pauses + (Pause(start=on, end=None, reason=reason),)),
                "paused", paused_since=on, reason=reason,
            )


def _resume(clocks: _Clocks, on: date, calendar) -> None:
    for clock in clocks.running():
        if clock.paused_since is not None:
            since = clock.paused_since
            resumed = _end_pause(clock, on, calendar)
            clocks.put(resumed, "resumed", paused_since=since, days_added=resumed.pauses[-1].days)


# --- applying an action -------------------------------------------------------------------------

def _effects(variant: Action, values: Mapping) -> tuple[dict, ...]:
    out = []
    for effect in variant.effects:
        effect = dict(effect)
        if effect.get("open_linked_case") is True:
            effect["open_linked_case"] = values.get("procedure")
        out.append(effect)
    return tuple(out)


def _case_updates(variant: Action, values: Mapping) -> dict:
    updates = {}
    for f in variant.fields:
        if f.store and f.name in values:
            updates[f.store] = values[f.name]
            if f.type == "choice" and not f.multiple:
                option = f.option(values[f.name])
                if option is not None and option.signpost:
                    updates[f"{f.store}_signpost"] = option.signpost
    return updates


def _event_fields(variant: Action, values: Mapping) -> dict:
    return {k: _iso(v) for k, v in values.items()}


def _prepare(policy, case, action, fields, at, roles):
    variant = _variant(policy, case, action)
    _check_roles(variant, roles)
    on = action_date(at)
    _check_paused(variant, case)
    raw = fields if isinstance(fields, Mapping) else {}
    if "grounds_given" in variant.guards and _blank(raw.get("grounds")):
        raise _no_grounds(policy, variant)
    values = validate_fields(variant, fields)
    return variant, on, raw, values


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return all(_blank(v) for v in value)
    return False


def _no_grounds(policy: Policy, variant: Action) -> ActionRefused:
    """004 §12.1: a review happens only on stated grounds; say which grounds there are."""
    f = variant.field("grounds")
    stage = policy.states[variant.to].title.split(":")[0] if variant.to else variant.title
    cite = f.cite if f is not None and f.cite else variant.cite
    choices = "; ".join(o.label[:1].lower() + o.label[1:] for o in f.options) if f is not None else ""
    return ActionRefused(
        "invalid_field",
        f"{stage} needs the grounds for review ({cite})" + (f": {choices}" if choices else ""),
        field="grounds",
    )


def apply_action(
    policy: Policy,
    case: CaseSnapshot,
    action: str,
    fields: Mapping | None,
    at: datetime,
    roles: Iterable[str],
    calendar,
    *,
    policies: Mapping[str, Policy] | None = None,
) -> Transition:
    """Perform `action` on `case` at instant `at` by someone with `roles`.

    Returns the Transition, or raises ActionRefused (codes: unknown_action, not_allowed,
    forbidden, invalid_field, cap_exceeded). A switch_procedure action needs `policies`
    (key -> Policy) to find the new procedure; without it, call switch_procedure().
    """
    variant, on, raw, values = _prepare(policy, case, action, fields, at, roles)
    if variant.operation == "switch_procedure":
        if policies is None:
            raise TypeError("a switch_procedure action needs policies=...; or call switch_procedure()")
        target = policies.get(values["procedure"])
        if target is None:
            raise ActionRefused("invalid_field", f"Unknown procedure {values['procedure']!r}", field="procedure")
        return switch_procedure(policy, target, case, action, fields, at, roles, calendar)

    clocks = _Clocks(case.clocks)
    _check_guards(policy, variant, case, values, on, clocks)
    paused_since = case.paused_since

    if variant.operation == "extend_clock":
        _extend(policy, variant, clocks, values, raw, on, calendar)
    elif variant.operation == "holding_reply":
        _holding_reply(policy, variant, clocks, values, raw, on, calendar)
    elif variant.operation == "pause_clocks":
        _pause(policy, clocks, on, values.get("reason", ""))
        paused_since = on
    elif variant.operation == "resume_clocks":
        if on < case.paused_since:
            raise ActionRefused(
                "invalid_field",
                f"The case cannot be resumed on {_fmt(on)}, before it was paused ({_fmt(case.paused_since)})",
                field="at",
            )
        _resume(clocks, on, calendar)
        paused_since = None

    for clock in clocks.running():
        definition = policy.clocks.get(clock.name)
        if definition is None:
            continue
        if variant.key in definition.met_by:
            clock = _end_pause(clock, on, calendar)
            clocks.put(replace(clock, met_on=on), "met", met_on=on)
        elif variant.key in definition.stopped_by:
            clock = _end_pause(clock, on, calendar)
            clocks.put(replace(clock, stopped_on=on), "stopped", reason=variant.name)
    _starts(policy, variant.key, clocks, on, calendar, values)

    new_state = variant.to or case.state
    if policy.states[new_state].final:
        _stop_all(clocks, on, calendar, f"case {_lower_first(policy.states[new_state].title)}")
        paused_since = None

    event_data = {"fields": _event_fields(variant, values), "clock_changes": clocks.changes}
    if "discretion_reason" in values:
        event_data["discretion_used"] = True
    return Transition(
        new_state=new_state,
        clocks=clocks.as_tuple(),
        effects=_effects(variant, values),
        case_updates=_case_updates(variant, values),
        event_data=event_data,
        paused_since=paused_since,
        action=variant.name,
        action_key=variant.key,
        from_state=case.state,
    )


# --- switching procedure ------------------------------------------------------------------------

def switch_procedure(
    old_policy: Policy,
    new_policy: Policy,
    case: CaseSnapshot,
    action: Any = "switch_procedure",
    fields: Any = None,
    at: Any = None,
    roles: Any = None,
    calendar: Any = None,
    *,
    entry_state: str | None = None,
) -> Transition:
    """Move a case to another procedure (004 §10.5): the old clocks stop, the case enters
    the new policy's `switch_entry` state (default: its initial state) and the clocks that
    entry starts begin on the switch date.

    Called as switch_procedure(old, new, case, action, fields, at, roles, calendar) it
    checks the old policy's switch action (roles, fields, state) first; called as
    switch_procedure(old, new, case, at, calendar[, entry_state]) it switches unchecked
    (for data migrations and tests).
    """
    if isinstance(action, datetime):  # the short, unchecked form
        at, calendar, entry_state = action, fields, (at if isinstance(at, str) else entry_state)
        variant, values, on = None, {}, action_date(at)
    else:
        variant, on, _raw, values = _prepare(old_policy, case, action, fields, at, roles)
        if variant.operation != "switch_procedure":
            raise ActionRefused("not_allowed", f"“{variant.title}” does not switch the procedure")
        chosen = values.get("procedure")
        if chosen != new_policy.key:
            raise ActionRefused(
                "invalid_field",
                f"The procedure chosen ({chosen!r}) is not the one being switched to ({new_policy.key!r})",
                field="procedure",
            )
        _check_guards(old_policy, variant, case, values, on, _Clocks(case.clocks))
    if new_policy.key == old_policy.key:
        raise ActionRefused("invalid_field", f"The case already follows the {old_policy.title} procedure", field="procedure")

    if entry_state:
        entry = entry_state
    elif case.state == old_policy.initial_state.name:
        entry = new_policy.initial_state.name  # still at the front door: start there again
    else:
        entry = new_policy.switch_entry or new_policy.initial_state.name
    if entry not in new_policy.states or new_policy.states[entry].final:
        raise ValueError(f"{entry!r} is not an open state of the {new_policy.key} policy")

    clocks = _Clocks(case.clocks)
    _stop_all(clocks, on, calendar, f"switched to {new_policy.key}")
    if entry == new_policy.initial_state.name:
        for definition in new_policy.clocks.values():
            if definition.started_at_open:
                clocks.put(_start_clock(definition, on, OPEN, calendar), "started", started_on=on)
    via = new_policy.switch_via
    if entry_state is not None and (via is None or new_policy.actions[via].to != entry):
        leading = [a.key for a in new_policy.actions.values() if a.to == entry]
        via = leading[0] if len(leading) == 1 else None
    if via is not None and new_policy.actions[via].to == entry:
        for definition in new_policy.clocks_started_by(via):
            existing = clocks.get(definition.name)
            if existing is not None and existing.is_running:
                continue
            clocks.put(_start_clock(definition, on, via, calendar), "started", started_on=on)

    event_data = {
        "fields": _event_fields(variant, values) if variant else {},
        "from_procedure": old_policy.key,
        "to_procedure": new_policy.key,
        "to_policy_version": new_policy.version,
        "entry_state": entry,
        "clock_changes": clocks.changes,
    }
    return Transition(
        new_state=entry,
        clocks=clocks.as_tuple(),
        effects=_effects(variant, values) if variant else (),
        case_updates=_case_updates(variant, values) if variant else {},
        event_data=event_data,
        switch_to=new_policy.key,
        paused_since=None,
        action=variant.name if variant else "switch_procedure",
        action_key=variant.key if variant else None,
        from_state=case.state,
    )


# --- what can be done now -----------------------------------------------------------------------

def available_actions(policy: Policy, case: CaseSnapshot, roles: Iterable[str]) -> list[str]:
    """The actions these roles may take on the case now, in the policy's order.

    Actions refused only until a field is given (an out-of-time escalation needs a
    discretion_reason) are listed; those that cannot succeed now are not (resume when
    not paused, extend with no running clock or no room left under its cap).
    """
    roles = set(roles or ())
    state = policy.states.get(case.state)
    if state is None or state.final:
        return []
    clocks = _Clocks(case.clocks)
    out = []
    for name in policy.action_names:
        variant = policy.find_action(name, case.state)
        if variant is None or not roles & variant.roles:
            continue
        try:
            _check_paused(variant, case)
        except ActionRefused:
            continue
        targets = [
            clocks.get(n) for n in variant.clocks
            if n in policy.clocks and clocks.get(n) is not None and clocks.get(n).is_running
        ]
        timed = any(n in policy.clocks for n in variant.clocks)
        if variant.operation in ("extend_clock", "holding_reply") or ("clock_running" in variant.guards and timed):
            if not targets:
                continue
            if variant.operation == "extend_clock" and all(
                policy.clocks[c.name].extension_cap is None or c.days >= policy.clocks[c.name].extension_cap
                for c in targets
            ):
                continue  # already at the cap: no extension can succeed
        out.append(name)
    return out


# --- explaining and judging clocks --------------------------------------------------------------

def breached(clock: ClockState, today: date) -> bool:
    """True when a council deadline was missed (see ClockState.is_breached)."""
    return clock.is_breached(today)


def explain_clock(clock: ClockState, calendar, case: CaseSnapshot | None = None, policy: Policy | None = None) -> list[dict]:
    """How a clock's due date was worked out, step by step, for people to read.

    Each step is {"step", "date", "text", ...}: receipt (when the clock started on
    receipt and the case is given), the start (day 0), the working days counted, every
    weekend, bank holiday or closure day skipped, every pause and extension, the due
    date, and when it was met or stopped.
    """
    definition = policy.clocks.get(clock.name) if policy is not None else None
    title = definition.title if definition is not None else clock.name
    steps: list[dict] = []
    if clock.started_by == OPEN and case is not None:
        received = case.received_at
        from casework.workdays import to_london

        local = to_london(received)
        text = f"Received {local:%a %d %b %Y %H:%M} (London time)"
        if case.deemed_received_on != local.date():
            text += f"; treated as received on {_fmt(case.deemed_received_on)}"
            if not calendar.is_working_day(local.date()):
                text += f" because {_fmt(local.date())} is not a working day ({calendar.non_working_reason(local.date())})"
            elif policy is not None:
                text += f" because it arrived after the {policy.counting.cutoff:%H:%M} cut-off"
            else:
                text += " (after the cut-off time)"
        steps.append({"step": "received", "date": local.date().isoformat(), "at": received.isoformat(), "text": text})
    starter = clock.started_by
    if policy is not None and starter in policy.actions:
        starter = policy.actions[starter].title
    started = "when the case was received" if clock.started_by == OPEN else (
        f"by “{starter}”" if starter else ""
    )
    steps.append({
        "step": "start",
        "date": clock.started_on.isoformat(),
        "text": f"{title} started {started} on {_fmt(clock.started_on)} (day 0)".replace("  ", " "),
    })
    original_days = clock.days
    if clock.extensions:
        original_days = calendar.working_days_between(clock.started_on, clock.original_due_on)
    steps.append({
        "step": "count",
        "days": original_days,
        "date": clock.original_due_on.isoformat(),
        "text": f"{original_days} working days counted from the day after: due {_fmt(clock.original_due_on)}"
        + (f" ({definition.cite})" if definition is not None else ""),
    })
    last = max([clock.due_on, clock.original_due_on])
    if last >= clock.started_on:
        for day, reason in calendar.skipped_days(clock.started_on, last):
            steps.append({
                "step": "skipped",
                "date": day.isoformat(),
                "reason": reason,
                "text": f"{_fmt(day)} not counted: {reason}",
            })
    for pause in clock.pauses:
        if pause.end is None:
            text = f"Paused since {_fmt(pause.start)}: {pause.reason or 'no reason given'}; the due date will move when it resumes"
        else:
            text = (
                f"Paused {_fmt(pause.start)} to {_fmt(pause.end)} ({pause.reason or 'no reason given'}): "
                f"due date moved {pause.days} working days later"
            )
        steps.append({
            "step": "pause",
            "date": pause.start.isoformat(),
            "end": pause.end.isoformat() if pause.end else None,
            "days": pause.days,
            "reason": pause.reason,
            "text": text,
        })
    for ext in clock.extensions:
        what = "Holding reply" if ext.kind == "holding_reply" else "Extended"
        steps.append({
            "step": "holding_reply" if ext.kind == "holding_reply" else "extension",
            "date": ext.on.isoformat(),
            "from_due": ext.from_due.isoformat(),
            "to_due": ext.to_due.isoformat(),
            "reason": ext.reason,
            "text": f"{what} on {_fmt(ext.on)}: due date moved from {_fmt(ext.from_due)} to {_fmt(ext.to_due)} ({ext.reason})",
        })
    steps.sort(key=lambda s: (s["step"] not in ("received", "start", "count"), s["date"]))
    steps.append({"step": "due", "date": clock.due_on.isoformat(), "text": f"Due on {_fmt(clock.due_on)}"})
    if clock.met_on:
        late = " (late)" if clock.met_on > clock.due_on and clock.kind == "deadline" else ""
        steps.append({"step": "met", "date": clock.met_on.isoformat(), "text": f"Met on {_fmt(clock.met_on)}{late}"})
    elif clock.stopped_on:
        steps.append({"step": "stopped", "date": clock.stopped_on.isoformat(), "text": f"Stopped on {_fmt(clock.stopped_on)}"})
    return steps
