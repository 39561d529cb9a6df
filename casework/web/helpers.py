"""Template helpers: GOV.UK date styles, London time, red-amber-green deadline status, error summaries.

Dates are written the GOV.UK way ("2 March 2026"); times are shown in London time (stored UTC).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Flask
from markupsafe import Markup, escape

from ..operations.calendar import fetch_calendar
from ..workdays import london_date, to_london, utc_now

AMBER_WORKING_DAYS = 2

# GOV.UK tag colours for the deadline status; the words carry the meaning, not the colour alone.
RAG = {
    "red": ("Overdue", "govuk-tag--red"),
    "amber": ("Due soon", "govuk-tag--orange"),
    "green": ("On track", "govuk-tag--green"),
}


def today_london() -> date:
    return london_date(utc_now())


def format_date(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = to_london(value).date()
    return f"{value.day} {value:%B %Y}"


def format_short_date(value) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y}"


def format_datetime(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = to_london(value)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def humanise(value) -> str:
    if value is None:
        return ""
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:]


def amber_until(today: date) -> date:
    """The last day a deadline counts as "due soon": 2 working days from today."""
    try:
        return fetch_calendar().add_working_days(today, AMBER_WORKING_DAYS)
    except Exception:  # outside the calendar's range: fall back to calendar days
        return today + timedelta(days=AMBER_WORKING_DAYS + 2)


def week_end(today: date) -> date:
    """Sunday of this week ("due this week")."""
    return today + timedelta(days=6 - today.weekday())


def rag(due_on: date | None, today: date, amber_last: date) -> str | None:
    if due_on is None:
        return None
    if due_on < today:
        return "red"
    if due_on <= amber_last:
        return "amber"
    return "green"


def rag_tag(due_on: date | None, today: date, amber_last: date) -> Markup:
    status = rag(due_on, today, amber_last)
    if status is None:
        return Markup('<strong class="govuk-tag govuk-tag--grey">No deadline</strong>')
    text, classes = RAG[status]
    return Markup(f'<strong class="govuk-tag {classes}">{escape(text)}</strong>')


def error_summary(form, extra: list[dict] | None = None) -> dict:
    """GOV.UK error summary params, each error linked to its field (the day box for dates,
    the first option for radios and checkboxes); form-level errors without a link."""
    items = []
    for name, field in form._fields.items():
        if not field.errors:
            continue
        anchor = field.id
        if getattr(field.widget, "template", "").endswith("date.html"):
            anchor = f"{field.name}-day"
        items.append({"text": field.errors[0], "href": f"#{anchor}"})
    for message in getattr(form, "form_errors", []) or []:
        items.append({"text": message})
    items.extend(extra or [])
    return {"titleText": "There is a problem", "errorList": items}


def init_helpers(app: Flask) -> None:
    app.add_template_filter(format_date, "govuk_date")
    app.add_template_filter(format_short_date, "short_date")
    app.add_template_filter(format_datetime, "govuk_datetime")
    app.add_template_filter(humanise, "humanise")
    app.add_template_global(rag_tag, "rag_tag")
    app.add_template_global(error_summary, "casework_error_summary")


# --- policy words for cases ------------------------------------------------------------------

def _policy_for(case):
    from ..operations.policies import UnknownPolicy, fetch_pinned_policy

    try:
        return fetch_pinned_policy(case.procedure, case.policy_version)
    except UnknownPolicy:
        return None


def state_title(case) -> str:
    policy = _policy_for(case)
    state = policy.states.get(case.state) if policy else None
    return state.title if state else humanise(case.state)


def procedure_title(key: str) -> str:
    from ..operations.policies import current_policies

    policy = current_policies().get(key)
    return policy.title if policy else humanise(key)


STAGE_TITLES = {
    "informal": "Informal resolution",
    "stage1": "Stage 1",
    "stage2": "Stage 2",
    "stage3": "Stage 3",
    "lgsco": "Ombudsman",
    "enquiry": "Enquiry",
    "assessment": "Ombudsman assessment",
    "investigation": "Ombudsman investigation",
}


def stage_title(stage: str | None) -> str:
    if not stage:
        return ""
    return STAGE_TITLES.get(stage, humanise(stage))


def init_policy_filters(app: Flask) -> None:
    app.add_template_filter(state_title, "state_title")
    app.add_template_filter(procedure_title, "procedure_title")
    app.add_template_filter(stage_title, "stage_title")
