"""The engine's rules, one behaviour per test: roles, states, extensions and their caps,
pauses, escalation windows and grounds, procedure switches, holding replies, fields,
effects, and "how was this date worked out"."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from casework.policy import (
    REFUSAL_STATUS,
    ActionRefused,
    available_actions,
    breached,
    explain_clock,
    open_case,
    switch_procedure,
)

from .conftest import Driver, day, load_variant, utc

STAFF = {"resident_experience"}


def refused(callable_, *args, **kwargs) -> ActionRefused:
    with pytest.raises(ActionRefused) as info:
        callable_(*args, **kwargs)
    return info.value


@pytest.fixture
def corporate(policies, cal):
    return Driver(policies["corporate"], utc("2026-03-02 10:15"), cal, policies)


@pytest.fixture
def stage1(corporate):
    corporate.do("start_stage1", "2026-03-02 10:30")
    return corporate


# --- opening ------------------------------------------------------------------------------------

def test_a_new_corporate_complaint_is_informal_with_the_api_example_actions(corporate, policies):
    assert corporate.state == "informal"
    assert corporate.case.deemed_received_on == day("2026-03-02")
    assert [(c.name, c.started_on, c.due_on) for c in corporate.case.clocks] == [
        ("informal.resolve", day("2026-03-02"), day("2026-03-05"))
    ]
    actions = available_actions(policies["corporate"], corporate.case, STAFF)
    assert actions[:3] == ["resolve_informally", "start_stage1", "withdraw"]
    assert set(actions) <= {"resolve_informally", "start_stage1", "withdraw", "decline"}
    assert available_actions(policies["corporate"], corporate.case, {"councillor"}) == []


def test_open_case_needs_an_aware_time(policies, cal):
    with pytest.raises(ValueError):
        open_case(policies["corporate"], datetime(2026, 3, 2, 10, 15), cal)


@pytest.mark.parametrize(
    "rule, received, deemed, due",
    [
        pytest.param("same_day", "2026-02-28 09:00", "2026-02-28", "2026-03-04", id="same_day: Sat 2026-02-28 counts as day 0 -> Wed 2026-03-04"),
        pytest.param("next_working_day", "2026-02-28 09:00", "2026-03-02", "2026-03-05", id="next_working_day: Sat 2026-02-28 -> Mon 2026-03-02 -> Thu 2026-03-05"),
    ],
)
def test_the_non_working_day_receipt_rule_is_a_policy_setting(cal, rule, received, deemed, due):
    policy = load_variant(
        "corporate", 'non_working_day_receipt = "next_working_day"', f'non_working_day_receipt = "{rule}"'
    )
    t = open_case(policy, utc(received), cal)
    assert t.deemed_received_on == day(deemed)
    assert t.clocks[0].due_on == day(due)


def test_the_cut_off_time_is_a_policy_setting(cal):
    policy = load_variant("corporate", 'cutoff = "17:00"', 'cutoff = "16:00"')
    assert open_case(policy, utc("2026-03-02 16:30"), cal).deemed_received_on == day("2026-03-03")


def test_member_enquiry_acknowledgement_clock_can_be_switched_off_for_the_001_rule(cal, policies):
    policy = load_variant("member_enquiry", "enabled = true", "enabled = false")
    t = open_case(policy, utc("2026-03-02 10:15"), cal)
    assert [(c.name, c.due_on) for c in t.clocks] == [("enquiry.respond", day("2026-03-09"))]
    driver = Driver(policy, utc("2026-03-02 10:15"), cal)
    assert "acknowledge" in available_actions(policy, driver.case, {"admin"})  # recorded, untimed
    assert driver.do("acknowledge", "2026-03-03 09:00").new_state == "open"
    driver.do("respond", "2026-03-06 09:00")
    assert driver.clock("enquiry.respond").met_on == day("2026-03-06")


# --- refusals -------------------------------------------------------------------------------------

def test_refusal_codes_map_to_http_statuses():
    assert REFUSAL_STATUS == {
        "unknown_action": 400, "not_allowed": 409, "forbidden": 403, "invalid_field": 422, "cap_exceeded": 422,
    }


def test_unknown_action(corporate):
    r = refused(corporate.do, "fly_to_the_moon", "2026-03-02 11:00")
    assert (r.code, r.field) == ("unknown_action", "action")


def test_an_action_not_allowed_in_this_state_is_refused_409(corporate):
    r = refused(corporate.do, "respond", "2026-03-02 11:00", outcome="upheld", summary="s")
    assert r.code == "not_allowed" and r.status == 409
    assert "Informal resolution" in r.message


@pytest.mark.parametrize(
    "action, roles",
    [
        ("start_stage1", {"councillor"}),
        ("start_stage1", {"investigating_officer"}),
        ("switch_procedure", {"resident_experience"}),
        ("decline", {"director"}),
    ],
)
def test_a_role_that_may_not_act_is_refused_403(corporate, action, roles):
    r = refused(corporate.do, action, "2026-03-02 11:00", roles=roles, procedure="childrens", reason="x")
    assert r.code == "forbidden" and r.status == 403


def test_investigating_officers_respond_but_cannot_triage(stage1, policies):
    actions = available_actions(policies["corporate"], stage1.case, {"investigating_officer"})
    assert {"acknowledge", "extend", "pause", "respond", "holding_reply"} <= set(actions)
    assert "decline" not in actions and "withdraw" not in actions


def test_after_a_final_state_nothing_more_can_be_done(corporate, policies):
    t = corporate.do("withdraw", "2026-03-03 09:00", reason="Sorted out by phone")
    assert t.new_state == "withdrawn"
    assert t.case_updates == {"closure_reason": "Sorted out by phone"}
    assert t.effects == ({"letter": "withdrawal_acknowledgement"},)
    assert all(c.stopped_on == day("2026-03-03") for c in corporate.case.clocks)
    assert available_actions(policies["corporate"], corporate.case, {"admin"}) == []
    r = refused(corporate.do, "start_stage1", "2026-03-03 10:00")
    assert r.code == "not_allowed"


def test_a_refusal_leaves_the_snapshot_unchanged(stage1):
    before = stage1.case
    refused(stage1.do, "extend", "2026-03-03 09:00", days=99, reason="r")
    assert stage1.case == before


# --- Stage 1: acknowledge, respond --------------------------------------------------------------

def test_acknowledge_meets_the_acknowledgement_clock_only_once(stage1, policies):
    t = stage1.do("acknowledge", "2026-03-04 09:00", handled_by="A. Officer")
    assert stage1.clock("stage1.acknowledge").met_on == day("2026-03-04")
    assert stage1.clock("stage1.respond").is_running
    assert t.new_state == "stage1" and t.effects == ({"letter": "acknowledgement"},)
    assert "acknowledge" not in available_actions(policies["corporate"], stage1.case, {"admin"})
    assert refused(stage1.do, "acknowledge", "2026-03-05 09:00").code == "not_allowed"


def test_respond_records_outcome_remedies_and_starts_the_escalation_window(stage1):
    t = stage1.do(
        "respond", "2026-03-16 12:00", fill=False,
        outcome="partially_upheld", summary="We missed two collections.",
        remedies=["apology", "put_right"], compensation="50", lessons_learned="Check the round sheet.",
        version=7, at="2026-01-01", unexpected="ignored",
    )
    assert t.new_state == "stage1_responded"
    assert t.case_updates == {
        "outcome": "partially_upheld",
        "outcome_summary": "We missed two collections.",
        "remedies": ["apology", "put_right"],
        "compensation": Decimal("50.00"),
        "lessons_learned": "Check the round sheet.",
    }
    assert set(t.event_data["fields"]) == {"outcome", "summary", "remedies", "compensation", "lessons_learned"}
    assert stage1.clock("stage1.respond").met_on == day("2026-03-16")
    assert stage1.clock("stage1.acknowledge").met_on == day("2026-03-16")  # answered = acknowledged
    assert stage1.clock("stage1.escalation_window").due_on == day("2026-04-15")


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"summary": "s"}, "outcome"),
        ({"outcome": "upheld"}, "summary"),
        ({"outcome": "sort_of", "summary": "s"}, "outcome"),
        ({"outcome": "upheld", "summary": "   "}, "summary"),
        ({"outcome": "upheld", "summary": "x" * 10_001}, "summary"),
        ({"outcome": "upheld", "summary": "s", "compensation": "-5"}, "compensation"),
        ({"outcome": "upheld", "summary": "s", "compensation": "12.345"}, "compensation"),
        ({"outcome": "upheld", "summary": "s", "compensation": "lots"}, "compensation"),
        ({"outcome": "upheld", "summary": "s", "compensation": True}, "compensation"),
        ({"outcome": "upheld", "summary": "s", "remedy_due_on": "next week"}, "remedy_due_on"),
        ({"outcome": "upheld", "summary": 42}, "summary"),
        ({"outcome": "upheld", "summary": "s", "remedies": ["apology", "a pony"]}, "remedies"),
    ],
)
def test_invalid_fields_are_refused_422_naming_the_field(stage1, fields, field):
    r = refused(stage1.do, "respond", "2026-03-16 12:00", fill=False, **fields)
    assert (r.code, r.field, r.status) == ("invalid_field", field, 422)


def test_the_outcome_can_be_given_by_its_label(stage1):
    t = stage1.do("respond", "2026-03-16 12:00", fill=False, outcome="Partially upheld", summary="s")
    assert t.case_updates["outcome"] == "partially_upheld"


# --- extensions ---------------------------------------------------------------------------------

def test_extension_by_days_counts_from_the_clock_start(stage1, cal):
    t = stage1.do("extend", "2026-03-10 09:00", days=15, reason="Translation needed")
    clock = stage1.clock("stage1.respond")
    assert clock.due_on == cal.add_working_days(day("2026-03-02"), 15) == day("2026-03-23")
    assert clock.original_due_on == day("2026-03-16")
    assert clock.days == 15
    assert [(e.on, e.from_due, e.to_due, e.reason) for e in clock.extensions] == [
        (day("2026-03-10"), day("2026-03-16"), day("2026-03-23"), "Translation needed")
    ]
    assert t.effects == ({"letter": "extension"},)


def test_extension_by_due_on_within_the_cap(stage1):
    stage1.do("extend", "2026-03-10 09:00", due_on="2026-03-30", reason="Complex")
    assert stage1.clock("stage1.respond").due_on == day("2026-03-30")
    assert stage1.clock("stage1.respond").days == 20


def test_extension_past_the_cap_is_refused_with_a_readable_reason(stage1):
    r = refused(stage1.do, "extend", "2026-03-10 09:00", due_on="2026-03-31", reason="Complex")
    assert (r.code, r.field) == ("cap_exceeded", "due_on")
    assert "Stage 1 response due on Tue 2026-03-31" in r.message
    assert "limit of 20 working days from Mon 2026-03-02" in r.message
    assert "LGSCO Code 6.4" in r.message
    r = refused(stage1.do, "extend", "2026-03-10 09:00", days=21, reason="Complex")
    assert (r.code, r.field) == ("cap_exceeded", "days")


def test_childrens_stage1_cap_message_cites_the_regulation(policies, cal):
    driver = Driver(policies["childrens"], utc("2026-03-02 09:00"), cal)
    driver.do("start_stage1", "2026-03-02 09:30")
    r = refused(driver.do, "extend", "2026-03-05 09:00", due_on="2026-04-01", reason="r")
    assert r.code == "cap_exceeded"
    assert "004 App 1 ¶6a" in r.message and "reg 14" in r.message


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"due_on": "2026-03-21", "reason": "r"}, "due_on"),  # a Saturday
        ({"due_on": "2026-03-13", "reason": "r"}, "due_on"),  # earlier than now due
        ({"days": 8, "reason": "r"}, "days"),  # shorter
        ({"days": 12, "due_on": "2026-03-18", "reason": "r"}, "due_on"),  # both
        ({"reason": "r"}, "days"),  # neither
        ({"days": 12}, "reason"),
        ({"days": "twelve", "reason": "r"}, "days"),
    ],
)
def test_bad_extensions_are_refused(stage1, fields, field):
    r = refused(stage1.do, "extend", "2026-03-10 09:00", fill=False, **fields)
    assert (r.code, r.field) == ("invalid_field", field)


def test_a_clock_at_its_cap_is_not_offered_for_extension(stage1, policies):
    stage1.do("extend", "2026-03-10 09:00", days=20, reason="r")
    assert "extend" not in available_actions(policies["corporate"], stage1.case, {"admin"})


# --- pauses -------------------------------------------------------------------------------------

def test_pause_and_resume_move_due_dates_by_the_working_days_paused(stage1, cal, policies):
    t = stage1.do("pause", "2026-03-04 09:00", reason="Waiting for consent")
    assert t.paused_since == day("2026-03-04")
    assert all(c.paused_since == day("2026-03-04") for c in stage1.case.clocks if c.is_running)
    assert available_actions(policies["corporate"], stage1.case, {"admin"}) == ["withdraw", "decline", "resume"]
    r = refused(stage1.do, "respond", "2026-03-05 09:00")
    assert r.code == "not_allowed" and "paused" in r.message
    assert refused(stage1.do, "pause", "2026-03-05 09:00", reason="again").code == "not_allowed"

    t = stage1.do("resume", "2026-03-11 09:00", reason="Consent received")
    paused = cal.working_days_between(day("2026-03-04"), day("2026-03-11"))
    assert paused == 5
    assert t.paused_since is None
    respond, ack = stage1.clock("stage1.respond"), stage1.clock("stage1.acknowledge")
    assert respond.due_on == cal.add_working_days(day("2026-03-16"), paused) == day("2026-03-23")
    assert ack.due_on == day("2026-03-12")
    assert [(p.start, p.end, p.days, p.reason) for p in respond.pauses] == [
        (day("2026-03-04"), day("2026-03-11"), 5, "Waiting for consent")
    ]
    assert respond.paused_since is None
    assert refused(stage1.do, "resume", "2026-03-12 09:00").code == "not_allowed"


def test_an_extension_after_a_pause_adds_the_paused_days(stage1):
    stage1.do("pause", "2026-03-04 09:00", reason="r")
    stage1.do("resume", "2026-03-11 09:00")
    stage1.do("extend", "2026-03-12 09:00", days=20, reason="r")
    assert stage1.clock("stage1.respond").due_on == day("2026-04-08")  # 20 + 5 paused
    r = refused(stage1.do, "extend", "2026-03-12 09:00", due_on="2026-04-09", reason="r")
    assert r.code == "cap_exceeded" and "plus 5 working days paused" in r.message


def test_resume_cannot_be_dated_before_the_pause(stage1):
    stage1.do("pause", "2026-03-04 09:00", reason="r")
    r = refused(stage1.do, "resume", "2026-03-03 09:00")
    assert (r.code, r.field) == ("invalid_field", "at")


def test_withdrawing_a_paused_case_stops_its_clocks_and_unpauses_it(stage1):
    stage1.do("pause", "2026-03-04 09:00", reason="r")
    t = stage1.do("withdraw", "2026-03-06 09:00", reason="No longer needed")
    assert t.paused_since is None
    assert all(not c.is_running and c.paused_since is None for c in stage1.case.clocks)


# --- escalation -----------------------------------------------------------------------------------

@pytest.fixture
def responded(stage1):
    stage1.do("respond", "2026-03-16 12:00")
    return stage1


def test_corporate_stage2_needs_grounds(responded):
    r = refused(responded.do, "escalate", "2026-03-20 09:00", fill=False)
    assert (r.code, r.field) == ("invalid_field", "grounds")
    assert r.message.startswith("Stage 2 needs the grounds for review (004 §12.1)")
    r = refused(responded.do, "escalate", "2026-03-20 09:00", fill=False, grounds="I just disagree")
    assert (r.code, r.field) == ("invalid_field", "grounds")


@pytest.mark.parametrize(
    "grounds, values",
    [
        ("procedures_not_applied", ["procedures_not_applied"]),
        (["relevant_information_not_considered", "incorrect_policy_interpretation"],
         ["relevant_information_not_considered", "incorrect_policy_interpretation"]),
        ("There has been an incorrect interpretation of Council policy", ["incorrect_policy_interpretation"]),
        ("Relevant information was not considered", ["relevant_information_not_considered"]),
        ("They did not follow the procedure", ["procedures_not_applied"]),
    ],
)
def test_corporate_stage2_with_grounds(responded, grounds, values):
    t = responded.do("escalate", "2026-03-20 09:00", fill=False, grounds=grounds)
    assert t.new_state == "stage2"
    assert t.case_updates["escalation_grounds"] == values
    assert responded.clock("stage1.escalation_window").met_on == day("2026-03-20")
    assert responded.clock("stage2.respond").due_on == day("2026-04-21")  # Easter skipped


def test_escalation_on_the_last_day_of_the_window_is_in_time(responded):
    assert responded.clock("stage1.escalation_window").due_on == day("2026-04-15")
    assert responded.do("escalate", "2026-04-15 16:00").new_state == "stage2"


def test_escalation_after_the_window_needs_a_discretion_reason(responded, policies):
    assert "escalate" in available_actions(policies["corporate"], responded.case, {"service_recovery"})
    r = refused(responded.do, "escalate", "2026-04-16 09:00")
    assert (r.code, r.field, r.status) == ("not_allowed", "discretion_reason", 409)
    assert "closed on Wed 2026-04-15" in r.message and "004 §12.4" in r.message
    t = responded.do("escalate", "2026-04-16 09:00", discretion_reason="In hospital for three weeks")
    assert t.new_state == "stage2"
    assert t.case_updates["escalation_discretion"] == "In hospital for three weeks"
    assert t.event_data["discretion_used"] is True
    window = responded.clock("stage1.escalation_window")
    assert window.met_on == day("2026-04-16") and not breached(window, day("2026-05-01"))


def test_childrens_escalation_needs_no_grounds(policies, cal):
    driver = Driver(policies["childrens"], utc("2026-03-02 09:00"), cal)
    driver.do("start_stage1", "2026-03-02 09:30")
    driver.do("respond", "2026-03-13 12:00")
    assert driver.do("escalate", "2026-03-20 09:00", fill=False).new_state == "stage2"
    assert driver.clock("stage2.acknowledge").due_on == day("2026-03-25")


def test_a_clock_once_met_never_changes(responded):
    met = responded.clock("stage1.respond")
    responded.do("escalate", "2026-03-20 09:00")
    responded.do("extend", "2026-03-25 09:00", days=30, reason="r")
    responded.do("pause", "2026-03-26 09:00", reason="r")
    responded.do("resume", "2026-04-02 09:00")
    assert responded.clock("stage1.respond") == met


# --- social care specifics ----------------------------------------------------------------------

def test_childrens_complaint_cannot_be_investigated_during_live_court_proceedings(policies, cal):
    driver = Driver(policies["childrens"], utc("2026-03-02 09:00"), cal)
    r = refused(driver.do, "start_stage1", "2026-03-02 10:00", live_court_proceedings=True)
    assert (r.code, r.field) == ("not_allowed", "live_court_proceedings")
    assert "004 App 1 ¶1" in r.message
    t = driver.do("decline", "2026-03-02 10:00", reason="legal_action")
    assert t.new_state == "declined"
    assert t.case_updates["decline_reason"] == "legal_action"
    assert "court" in t.case_updates["decline_reason_signpost"]
    assert t.effects == ({"letter": "decline"},)


def test_licensing_appeals_are_an_out_of_scope_reason(policies):
    decline = policies["corporate"].find_action("decline", "informal")
    values = [o.value for o in decline.field("reason").options]
    assert "licensing_appeal" in values and "schools" in values and "out_of_time" in values
    assert all(o.signpost for o in decline.field("reason").options)


def test_childrens_stage3_panel_clocks(policies, cal):
    driver = Driver(policies["childrens"], utc("2026-03-02 09:00"), cal)
    driver.do("start_stage1", "2026-03-02 09:30")
    driver.do("respond", "2026-03-13 12:00")
    driver.do("escalate", "2026-03-20 09:00")
    driver.do("respond", "2026-04-24 12:00")
    driver.do("escalate", "2026-05-01 09:00")
    driver.do("acknowledge", "2026-05-05 09:00", panel_date="2026-06-01")
    assert driver.clock("stage3.acknowledge").met_on == day("2026-05-05")
    driver.do("record_panel", "2026-06-01 15:00")
    assert driver.clock("stage3.respond").met_on == day("2026-06-01")
    driver.do("receive_panel_report", "2026-06-05 15:00")
    assert driver.clock("stage3.panel_report").met_on == day("2026-06-05")
    assert driver.clock("stage3.council_response").due_on == day("2026-06-26")
    t = driver.do("respond", "2026-06-25 12:00")
    assert t.new_state == "stage3_responded"
    assert driver.clock("stage3.council_response").met_on == day("2026-06-25")
    assert driver.do("refer_to_lgsco", "2026-07-01 09:00").new_state == "referred_to_lgsco"


# --- procedure switch -----------------------------------------------------------------------------

def test_switch_corporate_to_childrens_at_stage1(stage1, policies, cal):
    t = stage1.do("switch_procedure", "2026-03-04 09:00", procedure="childrens", reason="About a child in care")
    assert t.switch_to == "childrens"
    assert t.new_state == "stage1"
    assert t.case_updates == {"switch_reason": "About a child in care"}
    assert t.effects == ({"letter": "procedure_change"},)
    assert t.event_data["from_procedure"] == "corporate" and t.event_data["to_procedure"] == "childrens"
    clocks = {c.name: c for c in stage1.case.clocks}
    assert clocks["informal.resolve"].stopped_on == day("2026-03-02")
    assert clocks["stage1.acknowledge"].started_on == day("2026-03-04")
    assert clocks["stage1.acknowledge"].due_on == day("2026-03-09")
    assert clocks["stage1.respond"].due_on == day("2026-03-18")
    assert clocks["stage1.respond"].started_by == "start_stage1"
    # now under the children's rules: extendable to 20 working days from the switch
    stage1.do("extend", "2026-03-10 09:00", days=20, reason="r")
    assert stage1.clock("stage1.respond").due_on == cal.add_working_days(day("2026-03-04"), 20)


def test_switch_while_informal_enters_the_new_procedures_informal_stage(corporate):
    t = corporate.do("switch_procedure", "2026-03-03 09:00", procedure="adults", reason="Care package")
    assert (t.switch_to, t.new_state) == ("adults", "informal")
    resolve = corporate.clock("informal.resolve")
    assert (resolve.started_on, resolve.due_on, resolve.is_running) == (day("2026-03-03"), day("2026-03-06"), True)


def test_switch_procedure_as_the_app_calls_it(stage1, policies, cal):
    corporate, childrens = policies["corporate"], policies["childrens"]
    t = switch_procedure(
        corporate, childrens, stage1.case, "switch_procedure",
        {"procedure": "childrens", "reason": "r"}, utc("2026-03-04 09:00"), {"service_recovery"}, cal,
    )
    assert (t.switch_to, t.new_state) == ("childrens", "stage1")
    r = refused(
        switch_procedure, corporate, childrens, stage1.case, "switch_procedure",
        {"procedure": "adults", "reason": "r"}, utc("2026-03-04 09:00"), {"admin"}, cal,
    )
    assert (r.code, r.field) == ("invalid_field", "procedure")
    r = refused(
        switch_procedure, corporate, childrens, stage1.case, "switch_procedure",
        {"procedure": "childrens", "reason": "r"}, utc("2026-03-04 09:00"), {"investigating_officer"}, cal,
    )
    assert r.code == "forbidden"


def test_switch_procedure_short_form(stage1, policies, cal):
    t = switch_procedure(policies["corporate"], policies["adults"], stage1.case, utc("2026-03-04 09:00"), cal)
    assert (t.switch_to, t.new_state) == ("adults", "stage1")
    assert {c.name: c.due_on for c in t.clocks if c.is_running} == {
        "stage1.acknowledge": day("2026-03-09"), "stage1.respond": day("2026-04-01"),
    }


def test_switch_to_an_unknown_procedure_is_refused(corporate):
    r = refused(corporate.do, "switch_procedure", "2026-03-03 09:00", procedure="parking", reason="r")
    assert (r.code, r.field) == ("invalid_field", "procedure")


# --- enquiries: holding replies, inappropriate, conversion ----------------------------------------

@pytest.fixture
def enquiry(policies, cal):
    return Driver(policies["member_enquiry"], utc("2026-03-02 10:15"), cal, policies)


def test_holding_reply_moves_the_answer_date_without_meeting_it(enquiry, policies):
    assert enquiry.clock("enquiry.respond").due_on == day("2026-03-09")
    t = enquiry.do("holding_reply", "2026-03-06 09:00", due_on="2026-03-13", reason="Waiting for Highways")
    respond = enquiry.clock("enquiry.respond")
    assert respond.is_running and respond.met_on is None
    assert respond.due_on == day("2026-03-13") and respond.original_due_on == day("2026-03-09")
    assert [(e.kind, e.to_due) for e in respond.extensions] == [("holding_reply", day("2026-03-13"))]
    ack = enquiry.clock("enquiry.acknowledge")
    assert ack.met_on == day("2026-03-06") and ack.is_breached(day("2026-03-06"))
    assert t.effects == ({"notify": "raised_by"},)
    enquiry.do("respond", "2026-03-13 12:00")
    assert enquiry.clock("enquiry.respond").met_on == day("2026-03-13")
    assert not enquiry.clock("enquiry.respond").is_breached(day("2026-04-01"))
    assert enquiry.clock("enquiry.follow_up").kind == "window"


@pytest.mark.parametrize(
    "due_on", ["2026-03-07", "2026-03-05", "2026-03-09", "soon"],
    ids=["Saturday", "before today", "not later than now due", "not a date"],
)
def test_bad_holding_replies_are_refused(enquiry, due_on):
    r = refused(enquiry.do, "holding_reply", "2026-03-06 09:00", due_on=due_on, reason="r")
    assert (r.code, r.field) == ("invalid_field", "due_on")


def test_councillors_can_chase_and_withdraw_their_enquiry_but_not_answer_it(enquiry, policies):
    actions = available_actions(policies["member_enquiry"], enquiry.case, {"councillor"})
    assert actions == ["escalate_to_senior_officer", "withdraw"]
    assert refused(enquiry.do, "respond", "2026-03-03 09:00", roles={"councillor"}).code == "forbidden"
    t = enquiry.do("escalate_to_senior_officer", "2026-03-10 09:00", roles={"councillor"})
    assert t.effects == ({"notify": "team_manager"},) and t.new_state == "open"


def test_only_a_senior_officer_can_rule_an_enquiry_inappropriate(enquiry):
    assert refused(enquiry.do, "rule_inappropriate", "2026-03-03 09:00", roles={"service_recovery"}).code == "forbidden"
    t = enquiry.do("rule_inappropriate", "2026-03-03 09:00", roles={"director"}, reason="Party political")
    assert t.new_state == "ruled_inappropriate"
    assert t.case_updates == {"closure_reason": "Party political"}
    assert all(c.stopped_on == day("2026-03-03") for c in enquiry.case.clocks)


def test_an_enquiry_can_become_a_complaint(enquiry):
    t = enquiry.do("convert", "2026-03-03 09:00", procedure="corporate")
    assert t.new_state == "converted"
    assert {"open_linked_case": "corporate"} in t.effects


def test_a_complaint_can_run_alongside_a_service_request(policies, cal):
    driver = Driver(policies["service_request"], utc("2026-03-02 10:15"), cal)
    assert driver.case.clocks == ()
    driver.do("route", "2026-03-02 11:00")
    t = driver.do("raise_complaint", "2026-03-20 11:00", procedure="corporate", reason="Not collected for 3 weeks")
    assert t.new_state == "with_service"
    assert t.effects == ({"open_linked_case": "corporate"},)


def test_feedback_is_forwarded_without_acknowledgement(policies, cal):
    driver = Driver(policies["feedback"], utc("2026-03-02 10:15"), cal)
    assert driver.case.clocks == ()
    t = driver.do("forward", "2026-03-02 11:00")
    assert t.new_state == "forwarded" and t.effects == ({"notify": "service"},)


# --- the Ombudsman ----------------------------------------------------------------------------------

def test_ombudsman_remedy_tracked_until_complied_with_late_compliance_recorded(policies, cal):
    driver = Driver(policies["lgsco"], utc("2026-03-02 10:15"), cal)
    driver.do("record_document_request", "2026-03-02 11:00")
    driver.do("send_response", "2026-03-10 11:00")
    assert driver.clock("lgsco.documents").met_on == day("2026-03-10")
    driver.do("record_document_request", "2026-03-20 11:00")  # restartable: a second request
    assert driver.clock("lgsco.documents").is_running
    assert driver.clock("lgsco.documents").due_on == day("2026-04-07")
    driver.do("start_investigation", "2026-03-23 09:00")
    driver.do("send_response", "2026-03-25 09:00")
    driver.do("draft_decision", "2026-04-20 09:00", provisional_outcome="upheld")
    driver.do("final_decision", "2026-05-20 09:00", outcome="upheld", recommendations="Apologise; pay £200")
    assert driver.clock("lgsco.draft_comments").stopped_on == day("2026-05-20")
    t = driver.do("agree_remedy", "2026-05-21 09:00", remedy="Apologise; pay £200", due_on="2026-06-19", compensation="200")
    assert t.case_updates["remedy_due_on"] == day("2026-06-19")
    remedy = driver.clock("lgsco.remedy")
    assert remedy.due_on == day("2026-06-19")
    assert breached(remedy, day("2026-06-22"))
    driver.do("record_compliance", "2026-06-24 09:00", evidence="Letter and payment")
    remedy = driver.clock("lgsco.remedy")
    assert driver.state == "closed"
    assert remedy.met_on == day("2026-06-24") and remedy.is_breached(day("2026-06-24"))


# --- breaches and explanations ----------------------------------------------------------------------

def test_breaches(stage1):
    ack = stage1.clock("stage1.acknowledge")
    assert not breached(ack, day("2026-03-05")) and breached(ack, day("2026-03-06"))
    stage1.do("acknowledge", "2026-03-09 09:00")
    assert breached(stage1.clock("stage1.acknowledge"), day("2026-03-09"))  # met late stays breached
    stage1.do("respond", "2026-03-16 09:00")
    window = stage1.clock("stage1.escalation_window")
    assert not breached(window, day("2027-01-01"))  # the complainant's window is never "breached"


def test_explain_clock_after_the_cut_off_and_over_easter(policies, cal):
    driver = Driver(policies["corporate"], utc("2026-03-30 16:30"), cal)  # 17:30 BST
    steps = explain_clock(driver.clock("informal.resolve"), cal, driver.case, policies["corporate"])
    assert [s["step"] for s in steps] == ["received", "start", "count", "skipped", "skipped", "skipped", "skipped", "due"]
    assert "after the 17:00 cut-off" in steps[0]["text"]
    assert steps[1]["date"] == "2026-03-31"
    assert [s["reason"] for s in steps if s["step"] == "skipped"] == ["Good Friday", "Saturday", "Sunday", "Easter Monday"]
    assert steps[-1] == {"step": "due", "date": "2026-04-07", "text": "Due on Tue 2026-04-07"}


def test_explain_clock_lists_pauses_and_extensions(stage1, cal, policies):
    stage1.do("pause", "2026-03-04 09:00", reason="Waiting for consent")
    stage1.do("resume", "2026-03-11 09:00")
    stage1.do("extend", "2026-03-12 09:00", days=12, reason="Interpreter booked")
    stage1.do("respond", "2026-03-20 12:00")
    steps = explain_clock(stage1.clock("stage1.respond"), cal)
    kinds = [s["step"] for s in steps]
    assert kinds[:2] == ["start", "count"]
    assert {"pause", "extension", "skipped"} <= set(kinds) and kinds[-2:] == ["due", "met"]
    dates = [s["date"] for s in steps[2:-2]]
    assert dates == sorted(dates)  # in the order things happened
    pause = next(s for s in steps if s["step"] == "pause")
    assert pause["days"] == 5 and "Waiting for consent" in pause["text"]
    assert steps[-2]["date"] == "2026-03-25"  # 12 working days + 5 paused from Mon 2026-03-02
