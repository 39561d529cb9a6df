"""The Ombudsman's measures, councillor and MP enquiries, and equality monitoring with suppression."""
from __future__ import annotations

from datetime import date

import pytest

from casework.extensions import db
from casework.operations.cases import open_case
from casework.reports.figures import fetch_enquiries, fetch_equality, fetch_ombudsman
from casework.reports.tables import SUPPRESSED, suppress_small_numbers
from casework.reports.workdays import ensure_working_day_numbers
from tests.reports.conftest import act, at, complaint, filters, person, respond, stage1


@pytest.fixture(autouse=True)
def _calendar_table(app):
    ensure_working_day_numbers()


def ombudsman_case(council, received, *, area=None):
    case = open_case(kind="complaint", procedure="lgsco", received_at=received, summary="Ombudsman enquiry",
                     person=person(), service_area=area or council.waste, actor=council.recovery)
    db.session.commit()
    return case


def test_ombudsman_received_decided_upheld_rate_remedy_and_compliance(council):
    c = council
    l1 = ombudsman_case(c, at(2025, 7, 1))
    act(l1, "start_investigation", at(2025, 7, 2), c.recovery, enquiries="Why were bins missed?")
    act(l1, "final_decision", at(2025, 9, 1), c.recovery, outcome="upheld_remedied", recommendations="Apologise")
    act(l1, "agree_remedy", at(2025, 9, 2), c.recovery, remedy="Apology", due_on="2025-10-01")
    act(l1, "record_compliance", at(2025, 10, 3), c.recovery, evidence="Letter sent")  # two days late
    l2 = ombudsman_case(c, at(2025, 7, 1))
    act(l2, "final_decision", at(2025, 9, 1), c.recovery, outcome="not_upheld")
    l3 = ombudsman_case(c, at(2025, 7, 1))
    act(l3, "final_decision", at(2025, 9, 1), c.recovery, outcome="not_investigated")
    l4 = ombudsman_case(c, at(2025, 7, 1), area=c.housing)
    act(l4, "final_decision", at(2025, 9, 1), c.recovery, outcome="upheld")
    act(l4, "agree_remedy", at(2025, 9, 2), c.recovery, remedy="Pay £200", due_on="2026-03-13")  # never complied
    ombudsman_case(c, at(2025, 8, 1))  # received, not yet decided
    referred = complaint(c, at(2025, 6, 2))
    stage1(c, referred, at(2025, 6, 2, 10))
    respond(c, referred, at(2025, 6, 10), "not_upheld")
    act(referred, "refer_to_lgsco", at(2025, 6, 30), c.recovery, lgsco_reference="25 001 234")

    table = fetch_ombudsman(filters())
    r = table.rows[0]
    assert (r["received"], r["referred"], r["decided"]) == (5, 1, 4)
    assert (r["not_investigated"], r["upheld"], r["not_upheld"]) == (1, 2, 1)
    assert r["upheld_rate"] == 66.7  # 2 of the 3 investigated
    assert (r["remedied"], r["remedied_rate"]) == (1, 50.0)
    assert (r["remedies_due"], r["complied_on_time"], r["complied_late"], r["overdue"]) == (2, 0, 1, 1)
    assert (r["compliance_rate"], r["on_time_compliance_rate"]) == (50.0, 0.0)

    by_area = fetch_ombudsman(filters(by="service_area"))
    housing = next(x for x in by_area.rows if x["dim"] == "Housing")
    assert (housing["decided"], housing["upheld"], housing["overdue"]) == (1, 1, 1)
    assert by_area.total["decided"] == 4 and by_area.total["upheld_rate"] == 66.7


def test_councillor_and_mp_enquiries(council):
    c = council
    m1 = open_case(kind="member_enquiry", procedure="member_enquiry", received_at=at(2025, 6, 2),
                   summary="Constituent asks about bins", raised_by=c.councillor, person=person(ward=c.ward),
                   service_area=c.waste, actor=c.recovery)
    m2 = open_case(kind="member_enquiry", procedure="member_enquiry", received_at=at(2025, 6, 2),
                   summary="Constituent asks about a pothole", raised_by=c.councillor, person=person(),
                   service_area=c.waste, actor=c.recovery)
    mp = open_case(kind="mp_enquiry", procedure="mp_enquiry", received_at=at(2025, 6, 2),
                   summary="MP asks about housing", person=person(ward=c.ward), service_area=c.housing, actor=c.recovery)
    db.session.commit()
    act(m1, "acknowledge", at(2025, 6, 3), c.recovery)  # due 4 June: on time
    act(m1, "holding_reply", at(2025, 6, 6), c.recovery, due_on="2025-06-13", reason="Checking the round records")
    act(m1, "respond", at(2025, 6, 12), c.recovery, summary="Collected")  # by the holding reply's date: on time
    act(m2, "escalate_to_senior_officer", at(2025, 6, 10), c.recovery, reason="No reply")
    act(mp, "respond", at(2025, 6, 20), c.recovery, summary="Answered")  # due 16 June: late

    table = fetch_enquiries(filters())
    councillor = next(r for r in table.rows if r["kind"] == "Councillor")
    assert councillor["received"] == 2
    assert (councillor["ack_on_time"], councillor["ack_late"], councillor["ack_rate"]) == (1, 1, 50.0)
    assert (councillor["answered_on_time"], councillor["answered_late"], councillor["overdue"]) == (1, 0, 1)
    assert councillor["answered_rate"] == 50.0  # the open, past-due enquiry counts as late
    assert (councillor["holding_replies"], councillor["escalated"]) == (1, 1)
    mp_row = next(r for r in table.rows if r["kind"] == "MP")
    assert (mp_row["received"], mp_row["answered_late"], mp_row["answered_rate"]) == (1, 1, 0.0)

    by_ward = fetch_enquiries(filters(by="ward"))
    foleshill = sorted((r["kind"], r["received"]) for r in by_ward.rows if r["dim"] == "Foleshill")
    assert foleshill == [("Councillor", 1), ("MP", 1)]
    assert [r["received"] for r in by_ward.rows if r["dim"] == "No ward recorded"] == [1]
    assert by_ward.total["received"] == 3


def test_suppression_hides_one_to_four_and_a_second_cell_when_one_would_show():
    rows = [
        {"g": "Sex", "value": "Female", "n": 6},
        {"g": "Sex", "value": "Male", "n": 5},
        {"g": "Sex", "value": "Prefer not to say", "n": 2},
        {"g": "Age", "value": "25-34", "n": 0},
        {"g": "Age", "value": "35-44", "n": 3},
        {"g": "Age", "value": "45-54", "n": 4},
        {"g": "Age", "value": "Not given", "n": 40},
    ]
    assert suppress_small_numbers(rows, ["n"], group_key="g") is True
    assert [r["n"] for r in rows] == [6, SUPPRESSED, SUPPRESSED, 0, SUPPRESSED, SUPPRESSED, 40]


def test_equality_breakdown_suppresses_small_numbers(council):
    c = council
    people = ([person(sex="Female", age_band="35-44") for _ in range(6)]
              + [person(sex="Male", age_band="35-44") for _ in range(5)]
              + [person(declined=True) for _ in range(2)])
    for who in people:
        complaint(c, at(2025, 6, 2), who=who)
    complaint(c, at(2025, 6, 2), who=people[0])  # a second complaint from the same woman

    table = fetch_equality(filters())
    sex = {r["value"]: r for r in table.rows if r["characteristic"] == "Sex"}
    assert sex["Female"]["people"] == 6 and sex["Female"]["complaints"] == 7
    assert sex["Prefer not to say (declined)"]["people"] == SUPPRESSED  # 2 people
    assert sex["Male"]["people"] == SUPPRESSED  # 5, hidden too: otherwise the total would give the 2 away
    assert sex["Male"]["share"] == SUPPRESSED
    age = {r["value"]: r for r in table.rows if r["characteristic"] == "Age"}
    assert age["35-44"]["people"] == SUPPRESSED  # 11, hidden so that the 2 who declined cannot be worked out
    assert table.suppressed
    for r in table.rows:
        for key in ("people", "complaints", "upheld"):
            assert not (isinstance(r[key], int) and 0 < r[key] < 5), r


def test_equality_counts_only_complaints_in_the_period(council):
    c = council
    complaint(c, at(2024, 6, 3), who=person(sex="Female"))
    table = fetch_equality(filters())
    assert table.rows == []
    assert date(2025, 4, 1) == filters().period.start
