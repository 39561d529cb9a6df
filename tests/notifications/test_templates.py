"""Templates per notification kind; subject lines carry no personal data."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from casework.config import PROJECT_ROOT
from casework.extensions import db
from casework.jobs.digests import run_daily_digests, run_weekly_enquiry_digest
from casework.jobs.sweep import run_sweep
from casework.models.notifications import Notification, OutboxMessage
from casework.notifications.rendering import SUBJECT_FIELDS, render_notification, weekday_date
from tests.jobs.support import RESIDENT, at, complaint, make_council, member_enquiry

TEMPLATES = sorted(
    p.stem for p in (Path(PROJECT_ROOT) / "templates" / "notifications").glob("*.txt") if p.stem != "email"
)
SENTINEL = "PERSONAL-DATA-SENTINEL"


@pytest.mark.parametrize(
    "day, expected",
    [(date(2026, 3, 5), "Thu 5 March"), (date(2026, 12, 28), "Mon 28 December"), (date(2027, 1, 1), "Fri 1 January")],
    ids=["Thu 2026-03-05", "Mon 2026-12-28 (Boxing Day substitute)", "Fri 2027-01-01"],
)
def test_weekday_date(day, expected):
    assert weekday_date(day) == expected


def _context_for_every_template() -> dict:
    """Values for everything any template uses; every unsafe value is the sentinel."""
    section = {"items": [], "count": 0, "more": 0}
    figures = {"area": SENTINEL, "open": 1, "due": 0, "overdue": 1, "answered_on_time": 0, "answered_late": 0, "received": 1}
    safe = {
        "reference": "CMP-2026-000123", "clock_title": "Stage 1 response", "due_on": date(2026, 3, 5),
        "for_date": date(2026, 3, 4), "lead_days": 2, "days_overdue": 1, "count": 3, "overdue_count": 1,
        "due_count": 2, "unassigned_count": 0, "week_start": date(2026, 3, 2), "week_end": date(2026, 3, 8),
        "year": 2027, "policy_title": "Corporate complaints", "review_on": date(2026, 3, 9), "title": "Review",
        "last_day": date(2026, 12, 31), "reach_day": None,
    }
    unsafe = {
        "assignee_name": SENTINEL, "area_name": SENTINEL, "state_title": SENTINEL, "case_kind_label": SENTINEL,
        "procedure_title": SENTINEL, "link": SENTINEL, "clock_cite": SENTINEL, "days_left": 2,
        "senior_names": [SENTINEL], "chief_executive_on": date(2026, 3, 17), "breach_on": date(2026, 3, 6),
        "after_days": 5, "lines": [SENTINEL], "horizon": date(2026, 3, 11), "digest_days": 5,
        "sections": {"overdue": section, "due_today": section, "due_soon": section}, "areas": [],
        "tables": [{"title": "Councillor enquiries", "rows": [figures], "totals": figures}], "due_by": date(2026, 3, 11),
        "found": 0, "expected": 8, "reach_days": 40, "person_name": SENTINEL, "summary": SENTINEL,
    }
    assert set(safe) <= SUBJECT_FIELDS
    return {**unsafe, **safe}


@pytest.mark.parametrize("kind", TEMPLATES)
def test_every_template_renders_a_one_line_subject_without_unsafe_values(app, kind):
    context = _context_for_every_template()
    subject, body = render_notification(kind, context)
    assert subject and "\n" not in subject and len(subject) <= 200
    assert SENTINEL not in subject
    assert body


def test_a_subject_cannot_use_an_unsafe_value_even_if_a_template_tries(app, tmp_path):
    from jinja2 import ChoiceLoader, DictLoader

    app.jinja_env.loader = ChoiceLoader([
        DictLoader({"notifications/leaky.txt": "{% block subject %}About {{ person_name }}{{ reference }}{% endblock %}"
                                               "{% block body %}Hello {{ person_name }}{% endblock %}"}),
        app.jinja_env.loader,
    ])
    subject, body = render_notification("leaky", {"person_name": "Zebedee", "reference": "CMP-2026-000001"})
    assert subject == "About CMP-2026-000001" and body == "Hello Zebedee"


def test_no_personal_data_in_any_subject_sent(app):
    council = make_council()
    case = complaint(at("03-02", 10), assignee=council.officer, area=council.area)
    complaint(at("03-02", 10), area=council.area)
    member_enquiry(at("03-02", 10), council=council, assignee=council.officer, area=council.area)
    for day in ("03-04", "03-05", "03-06", "03-10", "03-17"):
        run_sweep(at(day))
    run_daily_digests(at("03-06", 7))
    run_weekly_enquiry_digest(at("03-09", 7))
    subjects = db.session.execute(select(Notification.subject)).scalars().all()
    subjects += db.session.execute(select(OutboxMessage.subject)).scalars().all()
    assert len(set(db.session.execute(select(Notification.kind)).scalars())) >= 7
    personal = [RESIDENT["name"], "Zebedee", RESIDENT["email"], RESIDENT["postcode"], case.summary,
                "Bins", "Olu Officer", "Mona Manager", "Cllr Khan", "officer@council.test"]
    for subject in subjects:
        for value in personal:
            assert value.lower() not in subject.lower(), subject
        assert re.search(r"[A-Z]{3}-2026-\d{6}|\b\d{1,2} [A-Z][a-z]+", subject), subject


def test_the_year_is_shown_when_it_is_not_this_year(app):
    context = {**_context_for_every_template(), "due_on": date(2027, 1, 4), "for_date": date(2026, 12, 21)}
    subject, _ = render_notification("deadline_reminder", context)
    assert subject == "Reminder: CMP-2026-000123 Stage 1 response due Mon 4 January 2027"
    context["for_date"] = date(2027, 1, 2)
    assert render_notification("deadline_reminder", context)[0].endswith("due Mon 4 January")
