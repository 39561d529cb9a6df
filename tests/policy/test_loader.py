"""Loading policies: the schema and structure checks, with a broken policy for each check,
and the shipped policies passing all of them."""

from __future__ import annotations

import hashlib
import textwrap

import pytest

from casework.policy import (
    Policy,
    PolicyError,
    Problem,
    check_policies,
    load_policies,
    load_policy_file,
    load_policy_text,
)

from .conftest import POLICY_DIR

MINI = textwrap.dedent('''
    key = "mini"
    title = "Mini"
    kinds = ["complaint"]
    reference_prefix = "CMP"
    description = "A small valid procedure to break in tests."
    cite = "004 §10"

    [counting]
    cutoff = "17:00"
    non_working_day_receipt = "next_working_day"
    closure_days_count = false
    cite = "STATUTE.md Counting conventions"

    [states.open]
    title = "Open"
    initial = true
    cite = "004 §10.1"

    [states.done]
    title = "Done"
    final = true
    cite = "004 §11.3"

    [actions.respond]
    title = "Respond"
    from = ["open"]
    to = "done"
    roles = ["admin"]
    cite = "004 §11.2"

    [clocks."stage1.respond"]
    title = "Response"
    days = 10
    started_by = ["@open"]
    met_by = ["respond"]
    cite = "004 §11.2"
''')


def problems_of(text: str, source: str = "mini.toml") -> list[Problem]:
    with pytest.raises(PolicyError) as error:
        load_policy_text(text, source)
    return error.value.problems


def variant(*, replace: dict | None = None, append: str = "") -> str:
    text = MINI
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text + textwrap.dedent(append)


def test_the_mini_policy_is_valid():
    policy = load_policy_text(MINI, "mini.toml")
    assert isinstance(policy, Policy) and policy.initial_state.name == "open"


BROKEN = [
    pytest.param(
        variant(append='''
            [states.other]
            title = "Other"
            initial = true
            cite = "004 §10.2"

            [actions.finish]
            title = "Finish"
            from = ["other"]
            to = "done"
            roles = ["admin"]
            cite = "004 §10.2"
        '''),
        "states.other.initial", "more than one initial state (open, other): exactly one may be",
        id="two initial states",
    ),
    pytest.param(
        variant(replace={"initial = true\n": ""}),
        "states", "no state is marked initial = true: exactly one must be",
        id="no initial state",
    ),
    pytest.param(
        variant(append='''
            [states.limbo]
            title = "Limbo"
            cite = "004 §10.3"

            [actions.leave_limbo]
            title = "Leave limbo"
            from = ["limbo"]
            to = "done"
            roles = ["admin"]
            cite = "004 §10.3"
        '''),
        "states.limbo", "cannot be reached: no sequence of actions leads to it from the initial state 'open'",
        id="unreachable state",
    ),
    pytest.param(
        variant(replace={'to = "done"': 'to = "waiting"'}, append='''
            [states.waiting]
            title = "Waiting"
            cite = "004 §11.1"

            [actions.close]
            title = "Close"
            from = ["open"]
            to = "done"
            roles = ["admin"]
            cite = "004 §12.4"
        '''),
        "states.waiting", "is a dead end: no action leads out of it, and it is not final (final = true)",
        id="dead end",
    ),
    pytest.param(
        variant(append='''
            [states.a]
            title = "A"
            cite = "004 §12.1"

            [states.b]
            title = "B"
            cite = "004 §12.2"

            [actions.go]
            title = "Go"
            from = ["open"]
            to = "a"
            roles = ["admin"]
            cite = "004 §12.1"

            [actions.there]
            title = "There"
            from = ["a"]
            to = "b"
            roles = ["admin"]
            cite = "004 §12.1"

            [actions.back_again]
            title = "Back again"
            from = ["b"]
            to = "a"
            roles = ["admin"]
            cite = "004 §12.1"

            [clocks."loop.window"]
            title = "Loop window"
            kind = "window"
            days = 20
            started_by = ["go"]
            cite = "004 §12.4"
        '''),
        'clocks."loop.window"',
        "is never met or stopped: no action meets or stops it, and no action leads to a final state from where it runs (a, b)",
        id="clock never met or stopped",
    ),
    pytest.param(
        variant(replace={'met_by = ["respond"]': 'met_by = []'}),
        'clocks."stage1.respond".met_by',
        "a deadline must be met by some action: name the action that answers it",
        id="deadline never met",
    ),
    pytest.param(
        variant(replace={'cite = "004 §10.1"\n': ""}),
        "states.open.cite", 'a citation is required: the clause this comes from, e.g. cite = "004 §12.4"',
        id="missing citation on a state",
    ),
    pytest.param(
        variant(replace={'roles = ["admin"]\ncite = "004 §11.2"': 'roles = ["admin"]'}),
        "actions.respond.cite", 'a citation is required: the clause this comes from, e.g. cite = "004 §12.4"',
        id="missing citation on an action",
    ),
    pytest.param(
        variant(replace={'cite = "STATUTE.md Counting conventions"\n': ""}),
        "counting.cite", 'a citation is required: the clause this comes from, e.g. cite = "004 §12.4"',
        id="missing citation on counting",
    ),
    pytest.param(
        variant(replace={'met_by = ["respond"]\ncite = "004 §11.2"': 'met_by = ["respond"]'}),
        'clocks."stage1.respond".cite', 'a citation is required: the clause this comes from, e.g. cite = "004 §12.4"',
        id="missing citation on a clock",
    ),
    pytest.param(
        variant(replace={'roles = ["admin"]': 'roles = ["admin"]\nguards = ["within_the_window"]'}),
        "actions.respond.guards[0]",
        "unknown guard 'within_the_window' (did you mean 'within_escalation_window'?); the guards are: "
        "within_escalation_window, grounds_given, case_paused, case_not_paused, clock_running, no_live_court_proceedings",
        id="unknown guard",
    ),
    pytest.param(
        variant(replace={'roles = ["admin"]': 'roles = ["admin"]\noperation = "teleport"'}),
        "actions.respond.operation",
        "unknown operation 'teleport'; the operations are: transition, record, extend_clock, holding_reply, "
        "pause_clocks, resume_clocks, switch_procedure",
        id="unknown operation",
    ),
    pytest.param(
        variant(replace={'to = "done"': 'to = "finished"'}),
        "actions.respond.to", "unknown state 'finished'",
        id="unknown state in to",
    ),
    pytest.param(
        variant(replace={'from = ["open"]': 'from = ["opened"]'}),
        "actions.respond.from[0]", "unknown state 'opened' (did you mean 'open'?)",
        id="unknown state in from",
    ),
    pytest.param(
        variant(replace={'met_by = ["respond"]': 'met_by = ["reply"]'}),
        'clocks."stage1.respond".met_by[0]', "unknown action 'reply'",
        id="unknown action in met_by",
    ),
    pytest.param(
        variant(replace={'roles = ["admin"]': 'roles = ["admin", "mayor"]'}),
        "actions.respond.roles[1]",
        "unknown role 'mayor'; the roles are: admin, resident_experience, service_recovery, "
        "investigating_officer, director, councillor",
        id="unknown role",
    ),
    pytest.param(
        variant(replace={"days = 10": 'days = "ten"'}),
        'clocks."stage1.respond".days', "'ten' should be of type integer",
        id="schema type error",
    ),
    pytest.param(
        variant(replace={"days = 10": "days = 0"}),
        'clocks."stage1.respond".days', "0 is less than the minimum of 1",
        id="days not positive",
    ),
    pytest.param(
        variant(replace={'title = "Open"': 'titel = "Open"'}),
        "states.open.titel", "unknown key (did you mean 'title'?)",
        id="misspelt key",
    ),
    pytest.param(
        variant(replace={"days = 10": "days = 10\nextension_cap = 5"}),
        'clocks."stage1.respond".extension_cap', "is 5, less than the clock's 10 days: it must be at least days",
        id="extension cap below days",
    ),
    pytest.param(
        variant(replace={'roles = ["admin"]': 'roles = ["admin"]\nfields = [{ name = "reason", type = "choice", options_from = "excuses", label = "Reason" }]'}),
        "actions.respond.fields[0].options_from",
        "unknown list 'excuses': define it in [lists.excuses] here or in policies/shared/",
        id="unknown shared list",
    ),
    pytest.param(
        variant(append='''
            [actions.reopen]
            title = "Reopen"
            from = ["done"]
            to = "open"
            roles = ["admin"]
            cite = "004 §6.1"
        '''),
        "actions.reopen.from[0]", "'done' is a final state: no action may start from a final state",
        id="final state with an outgoing action",
    ),
    pytest.param(
        variant(append='''
            [actions.extend]
            title = "Extend"
            from = ["open"]
            roles = ["admin"]
            operation = "extend_clock"
            clocks = ["stage1.respond"]
            fields = [{ name = "days", type = "integer", label = "Days" }, { name = "reason", type = "text", label = "Reason" }]
            cite = "004 §11.2"
        '''),
        "actions.extend.clocks[0]", "clock 'stage1.respond' has no extension_cap, so it cannot be extended",
        id="extending a clock with no cap",
    ),
    pytest.param(
        variant(append='''
            [actions.respond_again]
            name = "respond"
            title = "Respond again"
            from = ["open"]
            to = "done"
            roles = ["admin"]
            cite = "004 §11.2"
        '''),
        "actions.respond_again.from", "'respond' from 'open' is ambiguous: both 'respond' and 'respond_again' apply there",
        id="ambiguous action variants",
    ),
    pytest.param(
        variant(replace={'roles = ["admin"]': 'roles = ["admin"]\nfields = [{ name = "amount", type = "money", label = "Amount", max = 500 }]'}),
        "actions.respond.fields[0].cite", "a field with a limit (min/max) needs a citation for it",
        id="limit without citation",
    ),
    pytest.param(
        variant(replace={'roles = ["admin"]': 'roles = ["admin"]\nguards = ["within_escalation_window"]'}),
        "actions.respond.guards[0]", "guard 'within_escalation_window' needs the action to have a text field 'discretion_reason'",
        id="escalation guard without discretion_reason",
    ),
    pytest.param(
        "key = 'mini'\n[states\n", "", None, id="not TOML",
    ),
]


@pytest.mark.parametrize("text, path, message", BROKEN)
def test_each_broken_policy_is_refused_with_file_path_and_reason(text, path, message):
    problems = problems_of(text)
    assert all(p.file == "mini.toml" for p in problems)
    if message is None:
        assert len(problems) == 1 and problems[0].message.startswith("not valid TOML")
        return
    assert (path, message) in [(p.path, p.message) for p in problems], "\n".join(map(str, problems))


def test_problem_reads_file_path_message():
    assert str(Problem("policies/x.toml", "actions.escalate.guards[0]", "unknown guard 'y'")) == (
        "policies/x.toml: actions.escalate.guards[0]: unknown guard 'y'"
    )


def test_the_shipped_policies_have_no_problems():
    assert check_policies(POLICY_DIR) == []


def test_the_shipped_policies_are_the_nine_procedures(policies):
    assert sorted(policies) == [
        "adults", "childrens", "corporate", "corporate_code2026", "feedback", "lgsco",
        "member_enquiry", "mp_enquiry", "service_request",
    ]
    prefixes = {k: p.reference_prefix for k, p in policies.items()}
    assert prefixes == {
        "adults": "CMP", "childrens": "CMP", "corporate": "CMP", "corporate_code2026": "CMP",
        "feedback": "FBK", "lgsco": "CMP", "member_enquiry": "ENQ", "mp_enquiry": "MP", "service_request": "SR",
    }
    assert policies["feedback"].kinds == ("comment", "compliment")


def test_every_state_action_and_clock_cites_its_clause(policies):
    for policy in policies.values():
        assert policy.cite and policy.counting.cite
        for item in [*policy.states.values(), *policy.actions.values(), *policy.clocks.values()]:
            assert len(item.cite) >= 5, (policy.key, item)


def test_check_policies_reports_every_problem_in_every_file(tmp_path):
    (tmp_path / "mini.toml").write_text(variant(replace={'to = "done"': 'to = "finished"'}))
    (tmp_path / "other.toml").write_text(MINI.replace('key = "mini"', 'key = "other"').replace("days = 10", 'days = "ten"'))
    (tmp_path / "third.toml").write_text(MINI.replace('key = "mini"', 'key = "wrong"'))
    problems = check_policies(tmp_path)
    assert [(p.file.split("/")[-1], p.path) for p in problems] == [
        ("mini.toml", "actions.respond.to"),
        ("other.toml", 'clocks."stage1.respond".days'),
        ("third.toml", "key"),
    ]
    with pytest.raises(PolicyError) as error:
        load_policies(tmp_path)
    assert error.value.problems == problems
    assert "mini.toml: actions.respond.to: unknown state 'finished'" in str(error.value)


def test_cross_file_references_are_checked(tmp_path):
    text = variant(replace={'roles = ["admin"]': (
        'roles = ["admin"]\neffects = [{ open_linked_case = "parking" }]'
    )})
    (tmp_path / "mini.toml").write_text(text)
    assert [(p.path, p.message) for p in check_policies(tmp_path)] == [
        ("actions.respond.effects[0]", "'parking' is not a policy in this directory")
    ]


def test_a_shared_file_must_start_with_a_table(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "lists.toml").write_text('title = "oops"\n[lists.x]\ntitle = "X"\ncite = "c1"\noptions = [{ value = "a", label = "A" }]\n')
    (tmp_path / "mini.toml").write_text(MINI)
    problems = check_policies(tmp_path)
    assert [p.path for p in problems] == ["title"]


def test_version_is_the_text_hash_and_the_stored_text_loads_alone(policies):
    for policy in policies.values():
        assert policy.version == hashlib.sha256(policy.text.encode()).hexdigest()[:12]
        again = load_policy_text(policy.text, f"{policy.key}@{policy.version} (stored)")
        assert again.version == policy.version and again.summary() == policy.summary()
    corporate = policies["corporate"]
    file_text = (POLICY_DIR / "corporate.toml").read_text(encoding="utf-8")
    assert corporate.text.startswith(file_text.rstrip("\n"))
    assert "appended from shared/lists.toml" in corporate.text


def test_a_policy_without_shared_lists_keeps_its_text_exactly(policies):
    assert policies["feedback"].text == (POLICY_DIR / "feedback.toml").read_text(encoding="utf-8")


def test_load_policy_file_uses_the_shared_lists_beside_it():
    assert load_policy_file(POLICY_DIR / "corporate.toml").version == load_policies(POLICY_DIR)["corporate"].version


def test_summary_has_the_api_shape(policies):
    summary = policies["corporate"].summary()
    assert {"key", "version", "title", "states", "actions", "clocks"} <= set(summary)
    assert set(summary["states"][0]) >= {"name", "title", "initial", "final", "cite"}
    assert set(summary["actions"][0]) >= {"name", "title", "from", "to", "roles", "fields", "guards", "cite"}
    assert set(summary["clocks"][0]) >= {"name", "title", "days", "started_by", "met_by", "extension_cap", "kind", "cite"}
    names = {a["name"] for a in summary["actions"]}
    assert {"resolve_informally", "start_stage1", "acknowledge", "extend", "pause", "resume", "respond",
            "escalate", "withdraw", "close", "refer_to_lgsco", "holding_reply", "decline", "switch_procedure"} <= names
    clocks = {c["name"]: c for c in summary["clocks"]}
    assert clocks["stage1.respond"]["days"] == 10 and clocks["stage1.escalation_window"]["kind"] == "window"
    import json

    for policy in policies.values():
        json.dumps(policy.summary())  # serialisable as it is
