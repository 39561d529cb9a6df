"""Every figure filtered by directorate, service area, procedure, stage, channel and ward (the
answers worked out from the cases of conftest.py); pauses and holding replies and why; councillor
and MP enquiries by service area with holding replies and escalations."""
from __future__ import annotations

from datetime import date

import pytest

from casework.extensions import db
from casework.operations.cases import open_case
from casework.reports.figures import SECTIONS, fetch_all, fetch_enquiries, fetch_extension_reasons, fetch_extensions, fetch_ombudsman, fetch_timeliness
from casework.reports.workdays import ensure_working_day_numbers
from tests.reports.conftest import act, at, complaint, filters, person, respond, stage1


@pytest.fixture(autouse=True)
def _calendar_table(app):
    ensure_working_day_numbers()


def first(table, **match) -> dict:
    rows = [r for r in table.rows if all(r.get(k) == v for k, v in match.items())]
    assert len(rows) <= 1, rows
    return rows[0] if rows else {}


def signature(tables: dict) -> dict:
    """The figures a reader would look at first in each table."""
    t = tables
    s1 = first(t["timeliness"], measure="Stage 1 response")
    s2 = first(t["timeliness"], measure="Stage 2 response")
    ext = first(t["extensions"], measure="Stage 1 response")
    c, o, inf = first(t["complaints"]), first(t["outcomes"]), first(t["informal"])
    return {
        "contacts": first(t["contacts"]).get("total", 0),
        "complaints": (c.get("received", 0), c.get("stage1", 0), c.get("responded1", 0), c.get("stage2", 0)),
        "informal": (inf.get("informal", 0), inf.get("resolved", 0), inf.get("forwarded", 0), inf.get("no_triage", 0)),
        "declines": t["declines"].total["declined"],
        "stage1": (s1.get("counted", 0), s1.get("on_time", 0), s1.get("late_met", 0), s1.get("late_open", 0), s1.get("pending", 0)),
        "stage2": (s2.get("counted", 0), s2.get("late_open", 0)),
        "extended": (ext.get("clocks", 0), ext.get("extended", 0)),
        "reasons": len(t["extension_reasons"].rows),
        "outcomes": (o.get("decided", 0), o.get("upheld", 0), o.get("partially_upheld", 0), o.get("not_upheld", 0),
                     str(o.get("compensation", 0))),
        "remedies": {r["remedy"]: r["times"] for r in t["remedies"].rows},
        "lessons": len(t["lessons"].rows),
        "equality": {r["value"]: r["people"] for r in t["equality"].rows if r["characteristic"] == "Sex"},
    }


NOTHING = {"contacts": 0, "complaints": (0, 0, 0, 0), "informal": (0, 0, 0, 0), "declines": 0, "stage1": (0, 0, 0, 0, 0),
           "stage2": (0, 0), "extended": (0, 0), "reasons": 0, "outcomes": (0, 0, 0, 0, "0.00"), "remedies": {}, "lessons": 0,
           "equality": {}}
HOUSING = {  # C (never answered) and D (extended, partially upheld, apology)
    "contacts": 2, "complaints": (2, 2, 1, 0), "informal": (2, 0, 2, 0), "declines": 0, "stage1": (2, 1, 0, 1, 0),
    "stage2": (0, 0), "extended": (2, 1), "reasons": 1, "outcomes": (1, 0, 1, 0, "0.00"), "remedies": {"Apology": 1},
    "lessons": 0, "equality": {"No equality form returned": "<5"},
}


@pytest.mark.parametrize("name", ["whole council", "service area", "directorate", "channel", "stage 2", "stage 1",
                                  "informal", "procedure", "ward"])
def test_every_figure_is_narrowed_by_each_filter(year_of_complaints, name):
    c = year_of_complaints
    cases = {
        "whole council": ({}, {
            "contacts": 8, "complaints": (8, 5, 3, 1), "informal": (8, 1, 5, 2), "declines": 1, "stage1": (4, 2, 1, 1, 1),
            "stage2": (1, 1), "extended": (5, 1), "reasons": 1, "outcomes": (3, 1, 1, 1, "150.00"),
            "remedies": {"Apology": 2, "Financial compensation": 1}, "lessons": 1, "equality": {"No equality form returned": 8}}),
        "service area": ({"service_area_id": c.housing.id}, HOUSING),
        "directorate": ({"directorate_id": c.housing.directorate_id}, HOUSING),
        # B: answered late, not upheld.
        "channel": ({"channel": "telephone"}, {
            "contacts": 1, "complaints": (1, 1, 1, 0), "informal": (1, 0, 1, 0), "declines": 0, "stage1": (1, 0, 1, 0, 0),
            "stage2": (0, 0), "extended": (1, 0), "reasons": 0, "outcomes": (1, 0, 0, 1, "0.00"), "remedies": {}, "lessons": 0,
            "equality": {"No equality form returned": "<5"}}),
        # Cases that reached Stage 2 (A); deadlines of Stage 2 (A's, open and past due).
        "stage 2": ({"stage": "stage2"}, {
            "contacts": 1, "complaints": (1, 1, 1, 1), "informal": (0, 0, 0, 0), "declines": 0, "stage1": (0, 0, 0, 0, 0),
            "stage2": (1, 1), "extended": (0, 0), "reasons": 0, "outcomes": (1, 1, 0, 0, "150.00"),
            "remedies": {"Apology": 1, "Financial compensation": 1}, "lessons": 1, "equality": {"No equality form returned": "<5"}}),
        # Cases whose furthest stage is Stage 1 (B C D I); Stage 1 deadlines (A's too: a deadline's stage is its own).
        "stage 1": ({"stage": "stage1"}, {
            "contacts": 4, "complaints": (4, 4, 2, 0), "informal": (0, 0, 0, 0), "declines": 0, "stage1": (4, 2, 1, 1, 1),
            "stage2": (0, 0), "extended": (5, 1), "reasons": 1, "outcomes": (2, 0, 1, 1, "0.00"), "remedies": {"Apology": 1},
            "lessons": 0, "equality": {"No equality form returned": "<5"}}),
        # Cases that went no further than informal resolution (E F G); the informal deadlines (all eight).
        "informal": ({"stage": "informal"}, {
            "contacts": 3, "complaints": (3, 0, 0, 0), "informal": (8, 1, 5, 2), "declines": 1, "stage1": (0, 0, 0, 0, 0),
            "stage2": (0, 0), "extended": (0, 0), "reasons": 0, "outcomes": (0, 0, 0, 0, "0.00"), "remedies": {}, "lessons": 0,
            "equality": {"No equality form returned": "<5"}}),
        "procedure": ({"procedure": "member_enquiry"}, NOTHING),
        "ward": ({"ward_id": c.ward.id}, NOTHING),  # no complainant lives in Foleshill
    }
    kwargs, expected = cases[name]
    tables = fetch_all(filters(**kwargs))
    assert set(tables) == set(SECTIONS)
    assert signature(tables) == expected


def test_the_ward_filter_counts_the_complainants_ward(year_of_complaints):
    c = year_of_complaints
    w = complaint(c, at(2025, 6, 2), who=person(ward=c.ward), channel="letter")
    stage1(c, w, at(2025, 6, 2, 10))
    respond(c, w, at(2025, 6, 9), "upheld", remedies=["apology"])
    tables = fetch_all(filters(ward_id=c.ward.id))
    sig = signature(tables)
    assert (sig["contacts"], sig["complaints"], sig["stage1"], sig["outcomes"][:2]) == (1, (1, 1, 1, 0), (1, 1, 0, 0, 0), (1, 1))
    assert sig["remedies"] == {"Apology": 1}


def test_pauses_and_holding_replies_are_counted_with_their_reasons(council):
    """P: Stage 1 from Mon 2 June 2025 (due Mon 16 June); paused Wed 4 June waiting for consent,
    resumed Wed 11 June (5 working days, so due Mon 23 June); a holding reply on Fri 20 June
    moves the reply to Fri 27 June; answered Wed 25 June — on time, by the new date.
    Q: Stage 1 from 2 June, paused on 4 June and never resumed: a paused clock is judged on the
    day it stopped, so it is not late, however long ago its due date was."""
    c = council
    p = complaint(c, at(2025, 6, 2))
    stage1(c, p, at(2025, 6, 2, 10))
    act(p, "pause", at(2025, 6, 4), c.recovery, reason="Waiting for the resident's consent")
    act(p, "resume", at(2025, 6, 11), c.recovery, reason="Consent received")
    act(p, "holding_reply", at(2025, 6, 20), c.recovery, due_on="2025-06-27", reason="Waiting for the housing records")
    respond(c, p, at(2025, 6, 25), "not_upheld")
    q = complaint(c, at(2025, 6, 2), area=c.housing)
    stage1(c, q, at(2025, 6, 2, 10))
    act(q, "pause", at(2025, 6, 4), c.recovery, reason="Waiting for the resident's consent")

    ext = first(fetch_extensions(filters()), measure="Stage 1 response")
    assert (ext["clocks"], ext["extended"], ext["extensions"], ext["holding_replies"]) == (2, 1, 0, 1)
    assert (ext["paused"], ext["pauses"], ext["paused_days"], ext["extended_on_time"]) == (2, 2, 5, 1)
    reasons = {(r["kind"], r["reason"]): r["times"] for r in fetch_extension_reasons(filters()).rows}
    assert reasons == {("Pause", "Waiting for the resident's consent"): 2, ("Holding reply", "Waiting for the housing records"): 1}
    s1 = first(fetch_timeliness(filters()), measure="Stage 1 response")
    assert (s1["on_time"], s1["late_open"], s1["pending"]) == (1, 0, 1)
    assert s1["on_time_unextended_rate"] == 0.0  # P needed its holding reply
    assert s1["wd_mean"] == 17.0  # 2 June to 25 June; pauses do not shorten the working days it took
    housing = first(fetch_extensions(filters(service_area_id=c.housing.id)), measure="Stage 1 response")
    assert (housing["clocks"], housing["paused"], housing["holding_replies"]) == (1, 1, 0)


def test_councillor_and_mp_enquiries_by_service_area_and_filtered(council):
    c = council
    waste1 = open_case(kind="member_enquiry", procedure="member_enquiry", received_at=at(2025, 6, 2), summary="Bins",
                       raised_by=c.councillor, person=person(ward=c.ward), service_area=c.waste, actor=c.recovery)
    waste2 = open_case(kind="member_enquiry", procedure="member_enquiry", received_at=at(2025, 6, 2), summary="Bins again",
                       raised_by=c.councillor, person=person(), service_area=c.waste, actor=c.recovery)
    housing = open_case(kind="mp_enquiry", procedure="mp_enquiry", received_at=at(2025, 6, 2), summary="Repairs",
                        person=person(ward=c.ward), service_area=c.housing, actor=c.recovery)
    db.session.commit()
    act(waste1, "acknowledge", at(2025, 6, 3), c.recovery)
    act(waste1, "holding_reply", at(2025, 6, 6), c.recovery, due_on="2025-06-13", reason="Checking the round")
    act(waste1, "respond", at(2025, 6, 12), c.recovery, summary="Collected")
    act(waste2, "escalate_to_senior_officer", at(2025, 6, 10), c.recovery, reason="No reply")
    act(housing, "acknowledge", at(2025, 6, 3), c.recovery)
    act(housing, "holding_reply", at(2025, 6, 12), c.recovery, due_on="2025-06-20", reason="Surveyor visiting")

    by_area = fetch_enquiries(filters(by="service_area"))
    waste = first(by_area, dim="Waste and Recycling", kind="Councillor")
    assert (waste["received"], waste["answered_on_time"], waste["overdue"], waste["answered_rate"]) == (2, 1, 1, 50.0)
    assert (waste["holding_replies"], waste["escalated"], waste["ack_on_time"], waste["ack_late"]) == (1, 1, 1, 1)
    mp = first(by_area, dim="Housing", kind="MP")
    # Never answered: past its holding reply's date on the as-of day, so late, not left out.
    assert (mp["received"], mp["holding_replies"], mp["overdue"], mp["answered_rate"]) == (1, 1, 1, 0.0)
    assert by_area.total["holding_replies"] == 2 and by_area.total["escalated"] == 1

    only_housing = fetch_enquiries(filters(service_area_id=c.housing.id))
    assert [(r["kind"], r["received"]) for r in only_housing.rows] == [("MP", 1)]
    in_ward = fetch_enquiries(filters(ward_id=c.ward.id, by="service_area"))
    assert sorted((r["dim"], r["kind"]) for r in in_ward.rows) == [("Housing", "MP"), ("Waste and Recycling", "Councillor")]
    councillors_only = fetch_enquiries(filters(procedure="member_enquiry"))
    assert [(r["kind"], r["received"], r["escalated"]) for r in councillors_only.rows] == [("Councillor", 2, 1)]
    assert fetch_ombudsman(filters(service_area_id=c.housing.id)).rows[0]["received"] == 0


def test_as_of_day_moves_an_open_enquiry_from_pending_to_late(council):
    c = council
    e = open_case(kind="member_enquiry", procedure="member_enquiry", received_at=at(2025, 6, 2), summary="Bins",
                  raised_by=c.councillor, person=person(), service_area=c.waste, actor=c.recovery)
    db.session.commit()
    early = first(fetch_enquiries(filters(as_of=date(2025, 6, 3))), kind="Councillor")
    late = first(fetch_enquiries(filters()), kind="Councillor")
    assert (early["overdue"], early["answered_rate"]) == (0, None)
    assert (late["overdue"], late["answered_rate"]) == (1, 0.0)
    assert e.reference


def test_the_dashboard_is_narrowed_by_directorate_and_service_area(year_of_complaints):
    from casework.reports.dashboard import fetch_dashboard, forget_dashboard_trends

    c = year_of_complaints
    today = date(2026, 4, 10)
    forget_dashboard_trends()
    for kwargs in ({"service_area_id": c.housing.id}, {"directorate_id": c.housing.directorate_id}):
        board = fetch_dashboard(filters(**kwargs), today)
        june = next(r for r in board.received.rows if r["month_key"] == "2025-06")
        assert june["complaint"] == 2, kwargs  # C and D
        assert [case["reference"] for case in board.overdue_cases] == [c.cases["C"].reference], kwargs
        assert board.totals["overdue"] == 1, kwargs
        stage1_june = next(r for r in board.timeliness.rows if r["month_key"] == "2025-06")
        assert (stage1_june["Stage 1 responses|due"], stage1_june["Stage 1 responses"]) == (2, 50.0), kwargs
    waste = fetch_dashboard(filters(service_area_id=c.waste.id), today)
    assert {case["reference"] for case in waste.overdue_cases} >= {c.cases["I"].reference}
    assert c.cases["C"].reference not in {case["reference"] for case in waste.overdue_cases}
