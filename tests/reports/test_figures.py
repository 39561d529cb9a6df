"""Report figures on hand-built cases with answers worked out on paper (see conftest.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from casework.extensions import db
from casework.reports.figures import (
    fetch_complaints,
    fetch_contacts,
    fetch_declines,
    fetch_extension_reasons,
    fetch_extensions,
    fetch_informal,
    fetch_lessons,
    fetch_outcomes,
    fetch_remedies,
    fetch_timeliness,
)
from casework.reports.period import Period
from casework.reports.workdays import ensure_working_day_numbers, working_days_between_sql
from casework.workdays import default_calendar
from tests.reports.conftest import at, complaint, filters


@pytest.fixture(autouse=True)
def _calendar_table(app):
    ensure_working_day_numbers()


def row(table, **match):
    found = [r for r in table.rows if all(r.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (match, table.rows)
    return found[0]


def test_the_working_day_table_agrees_with_the_calendar(app):
    calendar = default_calendar()
    for a, b in [(date(2025, 6, 2), date(2025, 6, 13)), (date(2026, 3, 30), date(2026, 4, 15)),
                 (date(2025, 12, 19), date(2026, 1, 5)), (date(2025, 6, 7), date(2025, 6, 9))]:
        assert working_days_between_sql(a, b) == calendar.working_days_between(a, b)
    assert working_days_between_sql(date(2025, 6, 2), date(2025, 6, 13)) == 9
    # Easter 2026: Good Friday 3 April and Easter Monday 6 April are not working days.
    assert working_days_between_sql(date(2026, 3, 30), date(2026, 4, 15)) == 10


def test_contacts_received_in_the_year_by_kind(year_of_complaints):
    table = fetch_contacts(filters())
    assert row(table, dim="Whole council")["complaint"] == 8  # A–G and I; X was in 2024
    assert row(table, dim="Whole council")["total"] == 8


def test_contacts_by_service_area_and_directorate_with_totals(year_of_complaints):
    table = fetch_contacts(filters(by="service_area"))
    assert row(table, dim="Waste and Recycling")["complaint"] == 6
    assert row(table, dim="Housing")["complaint"] == 2
    assert table.total["complaint"] == 8
    by_directorate = fetch_contacts(filters(by="directorate"))
    assert row(by_directorate, dim="Adults and Housing")["total"] == 2
    assert row(by_directorate, dim="City Services")["total"] == 6


def test_filters_narrow_every_figure(year_of_complaints):
    c = year_of_complaints
    assert row(fetch_contacts(filters(service_area_id=c.housing.id)), dim="Whole council")["total"] == 2
    assert row(fetch_contacts(filters(channel="telephone")), dim="Whole council")["total"] == 1
    assert row(fetch_contacts(filters(procedure="corporate")), dim="Whole council")["total"] == 8
    assert row(fetch_contacts(filters(directorate_id=c.housing.directorate_id)), dim="Whole council")["total"] == 2
    assert row(fetch_contacts(filters(stage="stage2")), dim="Whole council")["total"] == 1  # A


def test_the_year_boundary_is_midnight_in_london(council):
    # 23:30 UTC on 31 March 2025 is 00:30 BST on 1 April: in 2025/26. A year later, it is not.
    complaint(council, at(2025, 3, 31, 23, 30))
    complaint(council, at(2026, 3, 31, 23, 30))
    complaint(council, at(2025, 3, 31, 22, 30))  # 23:30 BST on 31 March 2025: 2024/25
    assert row(fetch_contacts(filters()), dim="Whole council")["total"] == 1
    assert row(fetch_contacts(filters(period=Period.financial_year(2026))), dim="Whole council")["total"] == 1


def test_complaints_stages_escalation_declines_withdrawals(year_of_complaints):
    r = row(fetch_complaints(filters()), dim="Whole council")
    assert r["received"] == 8
    assert r["resolved_informally"] == 1  # E
    assert r["stage1"] == 5  # A B C D I
    assert r["responded1"] == 3  # A B D
    assert r["stage2"] == 1  # A
    assert r["rate_1_2"] == 33.3
    assert r["stage3"] == 0
    assert (r["declined"], r["withdrawn"], r["referred"]) == (1, 1, 0)
    assert r["open"] == 5  # A (Stage 2), B and D (awaiting escalation or closing), C, I


def test_complaints_by_stage_reached(year_of_complaints):
    table = fetch_complaints(filters(by="stage"))
    assert row(table, dim="Stage 2")["received"] == 1
    assert row(table, dim="Stage 1")["received"] == 4
    assert row(table, dim="Informal resolution")["received"] == 3  # E, F, G
    assert table.total["received"] == 8


def test_informal_resolution_outcomes(year_of_complaints):
    r = row(fetch_informal(filters()), dim="Whole council")
    assert r["informal"] == 8
    assert (r["resolved"], r["resolved_in_time"]) == (1, 1)
    assert r["forwarded"] == 5 and r["fwd_not_resolved"] == 5
    assert r["no_triage"] == 2  # F declined, G withdrawn
    assert r["open"] == 0
    assert r["resolved_rate"] == 12.5


def test_declines_by_reason(year_of_complaints):
    table = fetch_declines(filters())
    assert [(r["reason"], r["declined"]) for r in table.rows] == [("A school", 1)]
    assert table.total["declined"] == 1


def test_stage1_response_timeliness_counts_open_past_due_cases_as_late(year_of_complaints):
    table = fetch_timeliness(filters())
    r = row(table, measure="Stage 1 response")
    assert r["standard"] == "10"
    assert r["on_time"] == 2  # A, and D by its extended date
    assert r["late_met"] == 1  # B
    assert r["late_open"] == 1  # C: never answered, past due on the as-of day — late, not left out
    assert r["pending"] == 1  # I: due 15 April 2026, after the as-of day
    assert r["counted"] == 4
    assert r["on_time_rate"] == 50.0
    assert r["on_time_unextended_rate"] == 25.0  # D needed its extension
    assert r["extended"] == 1
    assert r["wd_mean"] == 14.0  # 9, 14 and 19 working days
    assert r["p90"] == 18.0  # percentile_cont: 14 + 0.8 × (19 − 14)


def test_late_open_rule_depends_on_the_as_of_day(year_of_complaints):
    # On 13 June 2025 C was not yet due: pending, not late.
    r = row(fetch_timeliness(filters(as_of=date(2025, 6, 13))), measure="Stage 1 response")
    assert r["late_open"] == 0
    assert r["pending"] >= 1


def test_acknowledgement_and_stage2_timeliness(year_of_complaints):
    table = fetch_timeliness(filters())
    ack = row(table, measure="Stage 1 acknowledgement")
    assert (ack["on_time"], ack["late_met"], ack["late_open"]) == (1, 2, 2)  # A; B and D by their replies; C and I
    stage2 = row(table, measure="Stage 2 response")
    assert (stage2["counted"], stage2["late_open"]) == (1, 1)  # A: due 18 July 2025, still open
    informal = row(table, measure="Informal resolution")
    assert (informal["counted"], informal["on_time"]) == (1, 1)  # E; the others were stopped in time


def test_timeliness_by_service_area(year_of_complaints):
    table = fetch_timeliness(filters(by="service_area"))
    housing = row(table, dim="Housing", measure="Stage 1 response")
    assert (housing["on_time"], housing["late_open"], housing["wd_mean"]) == (1, 1, 19.0)
    waste = row(table, dim="Waste and Recycling", measure="Stage 1 response")
    assert (waste["on_time"], waste["late_met"], waste["pending"]) == (1, 1, 1)
    assert waste["p90"] == 13.5  # 9 and 14: 9 + 0.9 × 5


def test_extensions_and_their_reasons(year_of_complaints):
    r = row(fetch_extensions(filters()), measure="Stage 1 response")
    assert (r["clocks"], r["extended"], r["extensions"], r["holding_replies"], r["extended_on_time"]) == (5, 1, 1, 0, 1)
    reasons = fetch_extension_reasons(filters())
    assert [(x["kind"], x["reason"], x["times"]) for x in reasons.rows] == [
        ("Extension", "Waiting for the contractor's report", 1)]


def test_outcomes_remedies_compensation_lessons(year_of_complaints):
    r = row(fetch_outcomes(filters()), dim="Whole council")
    assert (r["decided"], r["upheld"], r["partially_upheld"], r["not_upheld"]) == (3, 1, 1, 1)
    assert r["upheld_rate"] == 66.7
    assert (r["with_remedy"], r["compensated"], r["lessons"]) == (2, 1, 1)
    assert r["compensation"] == Decimal("150.00")
    remedies = {x["remedy"]: x["times"] for x in fetch_remedies(filters()).rows}
    assert remedies == {"Apology": 2, "Financial compensation": 1}
    lessons = fetch_lessons(filters())
    assert [x["reference"] for x in lessons.rows] == [year_of_complaints.cases["A"].reference]


def test_outcomes_by_service_area(year_of_complaints):
    table = fetch_outcomes(filters(by="service_area"))
    assert row(table, dim="Waste and Recycling")["decided"] == 2
    assert row(table, dim="Housing")["partially_upheld"] == 1
    assert table.total["decided"] == 3


@pytest.mark.parametrize("by", ["none", "directorate", "service_area", "procedure", "stage", "channel", "ward", "month"])
def test_every_table_runs_for_every_breakdown(year_of_complaints, by):
    from casework.reports.figures import fetch_all

    tables = fetch_all(filters(by=by))
    assert set(tables) >= {"contacts", "timeliness", "ombudsman", "equality", "satisfaction"}
    total_complaints = sum(r["complaint"] for r in tables["contacts"].rows)
    assert total_complaints == 8, by


def test_month_breakdown_uses_london_months(year_of_complaints):
    table = fetch_contacts(filters(by="month"))
    assert row(table, dim="Jun 2025")["complaint"] == 7
    assert row(table, dim="Mar 2026")["complaint"] == 1
    assert [r["dim_value"] for r in table.rows] == sorted(r["dim_value"] for r in table.rows)
    db.session.rollback()
