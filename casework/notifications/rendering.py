"""Notification text from the Jinja templates in templates/notifications/.

Each kind has one template, `notifications/<kind>.txt`, with a `subject` block and a `body`
block. Subject lines travel through mail servers and sit in inboxes and lock screens, so they
must never carry personal data: the subject block is rendered with only the values listed in
SUBJECT_FIELDS (references, clock titles, dates, counts), whatever the body is given.
"""
from __future__ import annotations

import re
from datetime import date

from flask import current_app
from jinja2 import pass_context
from markupsafe import Markup, escape

_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)]")

# The only values a subject line may use: none of them can name or describe a person.
SUBJECT_FIELDS = frozenset({
    "reference", "clock_title", "due_on", "for_date", "lead_days", "days_overdue",
    "count", "overdue_count", "due_count", "unassigned_count", "week_start", "week_end",
    "year", "policy_title", "review_on", "title", "last_day", "reach_day",
})
SUBJECT_MAX = 200


def weekday_date(value: date | None, year: bool = False) -> str:
    """'Thu 5 March' (or 'Thu 5 March 2026'): the form people read fastest in a subject line."""
    if value is None:
        return ""
    text = f"{value:%a} {value.day} {value:%B}"
    return f"{text} {value.year}" if year else text


@pass_context
def _weekday_date_filter(context, value: date | None, year: bool | None = None) -> str:
    """The year is shown when asked, or when it is not the year of the message (`for_date`)."""
    if year is None:
        for_date = context.get("for_date")
        year = value is not None and isinstance(for_date, date) and value.year != for_date.year
    return weekday_date(value, year)


def long_date(value: date | None) -> str:
    """'Thursday 5 March 2026' (GOV.UK style) for message bodies."""
    if value is None:
        return ""
    return f"{value:%A} {value.day} {value:%B %Y}"


def lower_first(text: str) -> str:
    """'Stage 1 response' -> 'stage 1 response' inside a sentence; 'LGSCO ...' and 'Ombudsman' kept."""
    if not text or len(text) < 2 or not text[1].islower():
        return text
    return text[0].lower() + text[1:]


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def html_paragraph(text: str) -> Markup:
    """Escaped text with its links clickable and its line breaks kept."""
    escaped = str(escape(text))
    linked = _URL.sub(lambda m: f'<a href="{m.group(0)}" style="color: #1d70b8;">{m.group(0)}</a>', escaped)
    return Markup(linked.replace("\n", "<br>\n"))


def _environment():
    env = current_app.jinja_env
    if "weekday_date" not in env.filters:
        env.filters["weekday_date"] = _weekday_date_filter
        env.filters["long_date"] = long_date
        env.filters["plural"] = plural
        env.filters["lower_first"] = lower_first
    return env


def render_notification(kind: str, context: dict) -> tuple[str, str]:
    """(subject, body) for a notification of this kind."""
    env = _environment()
    template = env.get_template(f"notifications/{kind}.txt")
    if "subject" not in template.blocks or "body" not in template.blocks:
        raise LookupError(f"notifications/{kind}.txt needs a subject block and a body block")
    safe = {k: v for k, v in context.items() if k in SUBJECT_FIELDS}
    subject = " ".join("".join(template.blocks["subject"](template.new_context(safe))).split())
    if not subject:
        raise ValueError(f"notifications/{kind}.txt rendered an empty subject")
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1] + "…"
    body = "".join(template.blocks["body"](template.new_context(dict(context)))).strip()
    return subject, body


def render_email(*, subject: str, body: str, recipient_name: str, reason: str, link: str | None) -> tuple[str, str]:
    """(plain text, HTML) of the e-mail for one recipient of a notification."""
    env = _environment()
    context = {
        "subject": subject,
        "body": body,
        "html_paragraphs": [html_paragraph(p.strip()) for p in body.split("\n\n") if p.strip()],
        "recipient_name": recipient_name,
        "reason": reason,
        "link": link,
        "council_name": current_app.config.get("CASEWORK_COUNCIL_NAME", "the council"),
        "notifications_url": current_app.config.get("CASEWORK_BASE_URL", "").rstrip("/") + "/notifications",
    }
    text = env.get_template("notifications/email.txt").render(context).strip() + "\n"
    html = env.get_template("notifications/email.html").render(context)
    return text, html
