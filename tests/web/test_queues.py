"""Queues: mine / my team's / unassigned, soonest due first, filters, RAG status, GOV.UK paging."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import event

from casework.extensions import db
from casework.models import Role
from casework.operations.calendar import fetch_calendar
from casework.web.helpers import today_london
from tests.factories import make_service_area, make_user
from tests.web.helpers import make_case, sign_in


def _due(case, due_on):
    case.next_due_on = due_on
    db.session.commit()
    return case


def _refs(html: str) -> list[str]:
    return re.findall(r'<a class="govuk-link" href="/cases/([A-Z]+-\d{4}-\d+)">', html)


def test_my_team_and_unassigned_queues(client):
    area = make_service_area("Waste")
    other_area = make_service_area("Highways", directorate="Streets")
    me = make_user(Role.INVESTIGATING_OFFICER, service_area_id=area.id)
    colleague = make_user(Role.INVESTIGATING_OFFICER, service_area_id=area.id)
    mine = make_case(summary="Mine", assignee=me, service_area=area)
    teams = make_case(summary="Colleague's", assignee=colleague, service_area=area)
    unassigned = make_case(summary="Nobody's", service_area=other_area)
    sign_in(client, me)
    assert _refs(client.get("/cases").get_data(as_text=True)) == [mine.reference]
    assert set(_refs(client.get("/cases?queue=team").get_data(as_text=True))) == {mine.reference, teams.reference}
    assert _refs(client.get("/cases?queue=unassigned").get_data(as_text=True)) == [unassigned.reference]


def test_someone_with_no_team_is_told_so(client):
    sign_in(client, make_user(Role.DIRECTOR))
    assert "You are not in a service area team" in client.get("/cases?queue=team").get_data(as_text=True)


def test_sorted_by_next_due_date_with_no_deadline_last(client):
    today = today_london()
    a = _due(make_case(summary="later"), today + timedelta(days=9))
    b = _due(make_case(summary="sooner"), today + timedelta(days=1))
    c = _due(make_case(summary="none"), None)
    sign_in(client, make_user())
    assert _refs(client.get("/cases?queue=unassigned").get_data(as_text=True)) == [b.reference, a.reference, c.reference]


def test_due_filters_and_red_amber_green(client):
    today = today_london()
    calendar = fetch_calendar()
    overdue = _due(make_case(summary="overdue"), today - timedelta(days=1))
    due_today = _due(make_case(summary="today"), today)
    soon = _due(make_case(summary="soon"), calendar.add_working_days(today, 2))
    later = _due(make_case(summary="later"), today + timedelta(days=30))
    sign_in(client, make_user())
    html = client.get("/cases?queue=unassigned").get_data(as_text=True)
    rows = {ref: html[html.index(f"/cases/{ref}"):][:1200] for ref in _refs(html)}
    assert "govuk-tag--red\">Overdue" in rows[overdue.reference]
    assert "govuk-tag--orange\">Due soon" in rows[due_today.reference]
    assert "govuk-tag--orange\">Due soon" in rows[soon.reference]
    assert "govuk-tag--green\">On track" in rows[later.reference]
    assert _refs(client.get("/cases?queue=unassigned&due=overdue").get_data(as_text=True)) == [overdue.reference]
    assert _refs(client.get("/cases?queue=unassigned&due=today").get_data(as_text=True)) == [due_today.reference]
    week = _refs(client.get("/cases?queue=unassigned&due=week").get_data(as_text=True))
    assert due_today.reference in week and overdue.reference not in week and later.reference not in week


def test_procedure_stage_and_service_area_filters(client):
    area = make_service_area("Children's Social Care", directorate="Children")
    corporate = make_case(summary="corporate")
    childrens = make_case(summary="childrens", procedure="childrens", service_area=area)
    sign_in(client, make_user())
    assert _refs(client.get("/cases?queue=all&procedure=childrens").get_data(as_text=True)) == [childrens.reference]
    assert _refs(client.get(f"/cases?queue=all&service_area={area.id}").get_data(as_text=True)) == [childrens.reference]
    assert set(_refs(client.get("/cases?queue=all&stage=informal").get_data(as_text=True))) == {corporate.reference, childrens.reference}
    assert _refs(client.get("/cases?queue=all&stage=stage2").get_data(as_text=True)) == []
    # nonsense filters are ignored, never an error
    assert client.get("/cases?queue=bogus&due=x&procedure=%00&stage=zz&service_area=abc&page=-3").status_code == 200


def test_govuk_pagination_and_a_constant_number_of_queries(client, app):
    app.config["CASEWORK_PAGE_SIZE"] = 3
    for n in range(7):
        make_case(summary=f"case {n}")
    sign_in(client, make_user())
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    client.get("/cases?queue=unassigned")  # warm up (policy and calendar caches)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        html = client.get("/cases?queue=unassigned").get_data(as_text=True)
        first = len(statements)
        event.remove(db.engine, "before_cursor_execute", listener)
        for n in range(20):
            make_case(summary=f"more {n}")
        client.get("/cases?queue=unassigned")
        event.listen(db.engine, "before_cursor_execute", listener)
        statements.clear()
        client.get("/cases?queue=unassigned")
        second = len(statements)
    finally:
        if event.contains(db.engine, "before_cursor_execute", listener):
            event.remove(db.engine, "before_cursor_execute", listener)
    assert "govuk-pagination" in html and "page=2" in html and "page=3" in html
    assert len(_refs(html)) == 3
    assert second <= first, "the queue must not query per case"
    page3 = client.get("/cases?queue=unassigned&page=3").get_data(as_text=True)
    assert "govuk-pagination__prev" in page3
