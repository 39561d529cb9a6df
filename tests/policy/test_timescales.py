"""Every timescale in POLICY.md §4 and §8, STATUTE.md (children's, adults', the Ombudsman,
the Complaint Handling Code) as a table of real due dates, worked out by hand and checked
through the engine with the real England & Wales calendar.

Each row's id starts with the clause it comes from. Times are UTC: 2026-03-29 onwards is
BST, so "16:30Z" in April is 17:30 in London — after the 17:00 cut-off.
"""

from __future__ import annotations

import pytest

from casework.policy import ActionRefused

from .conftest import Driver, day, fmt, utc


def row(cite, policy, received, steps, clock, due, note=""):
    """steps: [(action, "YYYY-MM-DD HH:MM" UTC, {fields})]"""
    label = f"{cite} | {policy} {clock}: received {fmt(utc(received).date())} {utc(received):%H:%MZ}"
    if steps:
        action, at, _ = steps[-1]
        label += f", {action} {fmt(utc(at).date())}"
    label += f" -> due {fmt(day(due))}"
    if note:
        label += f" ({note})"
    return pytest.param(policy, received, steps, clock, day(due), id=label)


OPEN = "2026-03-02 10:15"

TIMESCALES = [
    # --- informal resolution: 3 working days from receipt (POLICY.md §4.1) ---------------
    row("004 §10.1", "corporate", "2026-03-02 10:15", [], "informal.resolve", "2026-03-05"),
    row("004 §10.1", "corporate", "2026-03-02 17:30", [], "informal.resolve", "2026-03-06",
        "after the 17:00 cut-off: deemed received Tue"),
    row("004 §10.1", "corporate", "2026-02-28 09:00", [], "informal.resolve", "2026-03-05",
        "Saturday: deemed received Mon"),
    row("004 §10.1; App 1 ¶4", "childrens", "2026-04-02 16:30", [], "informal.resolve", "2026-04-10",
        "17:30 BST on Maundy Thursday: deemed received Tue after Easter"),
    row("004 §10.1; App 2 ¶5", "adults", "2026-04-02 15:30", [], "informal.resolve", "2026-04-09",
        "16:30 BST: on time, Easter skipped"),
    # --- corporate Stage 1 (POLICY.md §4.2) ------------------------------------------------
    row("004 §14.1", "corporate", OPEN, [("start_stage1", "2026-03-31 09:00", {})],
        "stage1.acknowledge", "2026-04-07", "over Easter"),
    row("004 §11.2; §14.1", "corporate", OPEN, [("start_stage1", "2026-03-31 09:00", {})],
        "stage1.respond", "2026-04-16", "over Easter"),
    row("LGSCO Code 6.4 (cap 20)", "corporate", OPEN, [
        ("start_stage1", "2026-03-31 09:00", {}),
        ("extend", "2026-04-02 09:00", {"days": 20, "reason": "complex"}),
    ], "stage1.respond", "2026-04-30", "longest extension"),
    row("004 §12.4", "corporate", OPEN, [
        ("start_stage1", "2026-03-31 09:00", {}),
        ("respond", "2026-04-16 14:00", {}),
    ], "stage1.escalation_window", "2026-05-15", "early May bank holiday skipped"),
    # --- corporate Stage 2 -------------------------------------------------------------------
    row("004 §12.2; §14.1", "corporate", OPEN, [
        ("start_stage1", "2026-03-31 09:00", {}),
        ("respond", "2026-04-16 14:00", {}),
        ("escalate", "2026-05-11 09:00", {}),
    ], "stage2.respond", "2026-06-09", "spring bank holiday skipped"),
    row("STATUTE Stage 2 extension (cap 40)", "corporate", OPEN, [
        ("start_stage1", "2026-03-31 09:00", {}),
        ("respond", "2026-04-16 14:00", {}),
        ("escalate", "2026-05-11 09:00", {}),
        ("extend", "2026-05-12 09:00", {"days": 40, "reason": "complex"}),
    ], "stage2.respond", "2026-07-07", "longest extension"),
    # --- children's social care (POLICY.md §4.3; SI 2006/1738) ------------------------------
    row("004 App 1 ¶6a", "childrens", OPEN, [("start_stage1", "2026-03-02 10:30", {})],
        "stage1.acknowledge", "2026-03-05"),
    row("004 App 1 ¶6a; SI 2006/1738 reg 14", "childrens", OPEN, [("start_stage1", "2026-03-02 10:30", {})],
        "stage1.respond", "2026-03-16"),
    row("SI 2006/1738 reg 14 (up to 20)", "childrens", OPEN, [
        ("start_stage1", "2026-03-02 10:30", {}),
        ("extend", "2026-03-10 09:00", {"days": 20, "reason": "complex"}),
    ], "stage1.respond", "2026-03-30", "longest extension"),
    row("004 §12.4", "childrens", "2026-08-03 09:00", [
        ("start_stage1", "2026-08-03 09:30", {}),
        ("respond", "2026-08-14 12:00", {}),
    ], "stage1.escalation_window", "2026-09-14", "summer bank holiday skipped"),
    row("004 App 1 ¶6b", "childrens", "2026-08-03 09:00", [
        ("start_stage1", "2026-08-03 09:30", {}),
        ("respond", "2026-08-14 12:00", {}),
        ("escalate", "2026-08-27 09:00", {}),
    ], "stage2.acknowledge", "2026-09-02", "summer bank holiday skipped"),
    row("004 App 1 ¶6b; SI 2006/1738 reg 17", "childrens", "2026-08-03 09:00", [
        ("start_stage1", "2026-08-03 09:30", {}),
        ("respond", "2026-08-14 12:00", {}),
        ("escalate", "2026-08-27 09:00", {}),
    ], "stage2.respond", "2026-10-02"),
    row("SI 2006/1738 regs 15(2), 17 (up to 65)", "childrens", "2026-08-03 09:00", [
        ("start_stage1", "2026-08-03 09:30", {}),
        ("respond", "2026-08-14 12:00", {}),
        ("escalate", "2026-08-27 09:00", {}),
        ("extend", "2026-09-01 09:00", {"days": 65, "reason": "independent person unavailable"}),
    ], "stage2.respond", "2026-11-27", "longest extension"),
    row("STATUTE SI 2006/1738 (Stage 3 request window)", "childrens", "2026-08-03 09:00", [
        ("start_stage1", "2026-08-03 09:30", {}),
        ("respond", "2026-08-14 12:00", {}),
        ("escalate", "2026-08-27 09:00", {}),
        ("respond", "2026-10-02 12:00", {}),
    ], "stage2.escalation_window", "2026-10-30"),
    row("004 App 1 ¶6c", "childrens", "2026-08-03 09:00", [
        ("start_stage1", "2026-08-03 09:30", {}),
        ("respond", "2026-08-14 12:00", {}),
        ("escalate", "2026-08-27 09:00", {}),
        ("respond", "2026-10-02 12:00", {}),
        ("escalate", "2026-10-19 09:00", {}),
    ], "stage3.acknowledge", "2026-10-21"),
    row("004 App 3; SI 2006/1738 reg 19", "childrens", "2026-08-03 09:00", [
        ("start_stage1", "2026-08-03 09:30", {}),
        ("respond", "2026-08-14 12:00", {}),
        ("escalate", "2026-08-27 09:00", {}),
        ("respond", "2026-10-02 12:00", {}),
        ("escalate", "2026-10-19 09:00", {}),
    ], "stage3.respond", "2026-11-30"),
    row("SI 2006/1738 reg 20 (report 5)", "childrens", "2026-08-03 09:00", [
        ("start_stage1", "2026-08-03 09:30", {}),
        ("respond", "2026-08-14 12:00", {}),
        ("escalate", "2026-08-27 09:00", {}),
        ("respond", "2026-10-02 12:00", {}),
        ("escalate", "2026-10-19 09:00", {}),
        ("record_panel", "2026-12-07 15:00", {}),
    ], "stage3.panel_report", "2026-12-14"),
    row("004 App 1 ¶6c; SI 2006/1738 reg 20 (response 15)", "childrens", "2026-08-03 09:00", [
        ("start_stage1", "2026-08-03 09:30", {}),
        ("respond", "2026-08-14 12:00", {}),
        ("escalate", "2026-08-27 09:00", {}),
        ("respond", "2026-10-02 12:00", {}),
        ("escalate", "2026-10-19 09:00", {}),
        ("record_panel", "2026-12-07 15:00", {}),
        ("receive_panel_report", "2026-12-11 15:00", {}),
    ], "stage3.council_response", "2027-01-06", "over Christmas and New Year"),
    # --- adults' social care (POLICY.md §4.4; SI 2009/309) ---------------------------------
    row("004 App 2 ¶7–8", "adults", "2026-05-18 09:00", [("start_stage1", "2026-05-18 09:30", {})],
        "stage1.acknowledge", "2026-05-21"),
    row("004 App 2 ¶7–8", "adults", "2026-05-18 09:00", [("start_stage1", "2026-05-18 09:30", {})],
        "stage1.respond", "2026-06-16", "spring bank holiday skipped"),
    # --- the Ombudsman (POLICY.md §4.6; STATUTE.md) -------------------------------------------
    row("004 App 3 (Investigation: 20)", "lgsco", OPEN, [("start_investigation", "2026-03-02 11:00", {})],
        "lgsco.enquiries", "2026-03-30"),
    row("STATUTE Ombudsman (documents 10)", "lgsco", OPEN, [
        ("record_document_request", "2026-03-31 09:00", {}),
    ], "lgsco.documents", "2026-04-16", "over Easter"),
    row("004 App 3 (Draft decision: 5–10)", "lgsco", OPEN, [
        ("start_investigation", "2026-03-02 11:00", {}),
        ("draft_decision", "2026-03-31 09:00", {}),
    ], "lgsco.draft_comments", "2026-04-16", "over Easter"),
    row("004 App 3 (Remedy: as set out in the decision)", "lgsco", OPEN, [
        ("final_decision", "2026-05-01 09:00", {}),
        ("agree_remedy", "2026-05-05 09:00", {"due_on": "2026-06-30"}),
    ], "lgsco.remedy", "2026-06-30"),
    # --- councillors' and MPs' enquiries (POLICY.md §8) -------------------------------------
    row("003 §4.7", "member_enquiry", OPEN, [], "enquiry.acknowledge", "2026-03-04"),
    row("001 §7.1; 003 §4.7", "member_enquiry", OPEN, [], "enquiry.respond", "2026-03-09"),
    row("003 §4.7", "member_enquiry", "2026-12-24 10:00", [], "enquiry.acknowledge", "2026-12-30",
        "Christmas and Boxing Day substitute skipped"),
    row("001 §7.1; 003 §4.7", "member_enquiry", "2026-12-24 10:00", [], "enquiry.respond", "2027-01-05",
        "over Christmas and New Year"),
    row("report §4.3 (follow-up window)", "member_enquiry", OPEN, [("respond", "2026-03-09 12:00", {})],
        "enquiry.follow_up", "2026-03-16"),
    row("004 Appendix C (council setting 10)", "mp_enquiry", OPEN, [], "enquiry.respond", "2026-03-16"),
    row("004 Appendix C (follow-up window)", "mp_enquiry", OPEN, [("respond", "2026-03-16 12:00", {})],
        "enquiry.follow_up", "2026-03-23"),
    # --- LGSCO Complaint Handling Code (STATUTE.md) ------------------------------------------
    row("LGSCO Code 6.2", "corporate_code2026", OPEN, [], "stage1.acknowledge", "2026-03-09"),
    row("LGSCO Code 6.3", "corporate_code2026", OPEN, [("acknowledge", "2026-03-04 09:00", {})],
        "stage1.respond", "2026-03-18", "from the acknowledgement"),
    row("LGSCO Code 6.4 (cap 20)", "corporate_code2026", OPEN, [
        ("acknowledge", "2026-03-04 09:00", {}),
        ("extend", "2026-03-10 09:00", {"days": 20, "reason": "complex"}),
    ], "stage1.respond", "2026-04-01", "longest extension"),
    row("004 §12.4; LGSCO Code 5.7", "corporate_code2026", OPEN, [
        ("acknowledge", "2026-03-04 09:00", {}),
        ("respond", "2026-03-18 12:00", {}),
    ], "stage1.escalation_window", "2026-04-17", "over Easter"),
    row("STATUTE Code Stage 2 (acknowledge 5)", "corporate_code2026", OPEN, [
        ("acknowledge", "2026-03-04 09:00", {}),
        ("respond", "2026-03-18 12:00", {}),
        ("escalate", "2026-03-26 09:00", {}),
    ], "stage2.acknowledge", "2026-04-02", "of the escalation request"),
    row("STATUTE Code Stage 2 (respond 20)", "corporate_code2026", OPEN, [
        ("acknowledge", "2026-03-04 09:00", {}),
        ("respond", "2026-03-18 12:00", {}),
        ("escalate", "2026-03-26 09:00", {}),
        ("acknowledge", "2026-04-02 09:00", {}),
    ], "stage2.respond", "2026-05-05", "from the acknowledgement, over Easter and early May"),
    row("STATUTE Code Stage 2 (extension to 40)", "corporate_code2026", OPEN, [
        ("acknowledge", "2026-03-04 09:00", {}),
        ("respond", "2026-03-18 12:00", {}),
        ("escalate", "2026-03-26 09:00", {}),
        ("acknowledge", "2026-04-02 09:00", {}),
        ("extend", "2026-04-20 09:00", {"days": 40, "reason": "complex"}),
    ], "stage2.respond", "2026-06-03", "longest extension"),
]


@pytest.mark.parametrize("policy_key, received, steps, clock, due", TIMESCALES)
def test_timescale(policies, cal, policy_key, received, steps, clock, due):
    driver = Driver(policies[policy_key], utc(received), cal, policies)
    for action, at, fields in steps:
        driver.do(action, at, **fields)
    state = driver.clock(clock)
    assert fmt(state.due_on) == fmt(due)
    assert cal.is_working_day(state.due_on)


# Every clock of every shipped policy appears in the table above, so a new clock (or a
# changed figure) cannot slip in untested.
def test_every_shipped_clock_has_a_timescale_row(policies):
    tested = {(p.values[0], p.values[3]) for p in TIMESCALES}
    missing = [
        (key, name)
        for key, policy in policies.items()
        for name in policy.clocks
        if (key, name) not in tested
    ]
    assert missing == []


@pytest.mark.parametrize(
    "policy_key, steps, cap",
    [
        pytest.param("corporate", [("start_stage1", "2026-03-31 09:00")], 20, id="LGSCO Code 6.4 corporate Stage 1: 21 refused"),
        pytest.param("childrens", [("start_stage1", "2026-03-02 10:30")], 20, id="SI 2006/1738 reg 14 childrens Stage 1: 21 refused"),
        pytest.param("adults", [("start_stage1", "2026-05-18 09:30")], 130, id="SI 2009/309 adults: 131 refused"),
        pytest.param("corporate_code2026", [("acknowledge", "2026-03-04 09:00")], 20, id="LGSCO Code 6.4 code2026 Stage 1: 21 refused"),
    ],
)
def test_extension_one_day_past_the_cap_is_refused(policies, cal, policy_key, steps, cap):
    driver = Driver(policies[policy_key], utc(OPEN if policy_key != "adults" else "2026-05-18 09:00"), cal)
    for action, at in steps:
        driver.do(action, at)
    start = driver.clock("stage1.respond").started_on
    with pytest.raises(ActionRefused) as refused:
        driver.do("extend", "2026-06-01 09:00" if policy_key == "adults" else "2026-03-20 09:00", days=cap + 1, reason="r")
    assert refused.value.code == "cap_exceeded"
    assert refused.value.field == "days"
    driver.do("extend", "2026-06-01 09:00" if policy_key == "adults" else "2026-03-20 09:00", days=cap, reason="r")
    assert driver.clock("stage1.respond").due_on == cal.add_working_days(start, cap)
