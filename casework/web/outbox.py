"""Pages: each user's notifications, and the development outbox (e-mails not sent)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..models import Role
from ..notifications.queries import (
    count_outbox_messages,
    count_unread,
    fetch_outbox_message,
    fetch_outbox_messages,
    fetch_user_notification,
    fetch_user_notifications,
    mark_read,
)
from ..notifications.rendering import html_paragraph, long_date
from ..workdays import to_london

bp = Blueprint("notifications", __name__)

PER_PAGE = 25

EMAIL_STATUS = {
    "pending": "Waiting to be sent",
    "sending": "Being sent",
    "sent": "Sent",
    "failed": "Could not be sent",
    "skipped": "Not sent (no active account)",
}


@bp.app_template_filter("london_time")
def london_time(value) -> str:
    """'5 March 2026 at 9:05am' in London time."""
    if value is None:
        return ""
    local = to_london(value)
    return f"{local.day} {local:%B %Y} at {local.hour % 12 or 12}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


bp.add_app_template_filter(long_date, "long_date")
bp.add_app_template_filter(html_paragraph, "linkify")


@bp.app_template_global("unread_notification_count")
def unread_notification_count() -> int:
    """For the header: `{% if unread_notification_count() %}`; 0 when nobody is signed in."""
    if not current_user.is_authenticated:
        return 0
    return count_unread(current_user.id)


@bp.app_template_global("email_status_text")
def email_status_text(delivery) -> str:
    text = EMAIL_STATUS.get(delivery.status, delivery.status)
    if delivery.status == "sent" and delivery.sent_at is not None:
        return f"{text} {london_time(delivery.sent_at)}"
    return text


def _page() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        return 1


def _pagination(endpoint: str, page: int, has_next: bool) -> dict | None:
    if page == 1 and not has_next:
        return None
    params = {}
    if page > 1:
        params["previous"] = {"href": url_for(endpoint, page=page - 1)}
    if has_next:
        params["next"] = {"href": url_for(endpoint, page=page + 1)}
    return params


def may_see_outbox(user) -> bool:
    """Any signed-in user in development (to try the app out); administrators only in production."""
    if current_app.config.get("CASEWORK_ENV") == "production":
        return user.role == Role.ADMIN
    return True


def _forbidden():
    return render_template(
        "errors/error.html", status=403, title="You cannot see this page",
        message="Only administrators can see the outbox.",
    ), 403


@bp.get("/notifications")
@login_required
def index():
    page = _page()
    rows, has_next = fetch_user_notifications(current_user.id, page, PER_PAGE)
    return render_template(
        "outbox/notifications.html", rows=rows, page=page, unread=count_unread(current_user.id),
        pagination=_pagination("notifications.index", page, has_next), show_outbox=may_see_outbox(current_user),
    )


@bp.get("/notifications/<int:delivery_id>")
@login_required
def show(delivery_id: int):
    row = fetch_user_notification(current_user.id, delivery_id)
    if row is None:
        abort(404)
    delivery, notification = row
    was_unread = delivery.read_at is None
    if was_unread:
        mark_read(current_user.id, [delivery.id])
        db.session.commit()
    return render_template("outbox/notification.html", delivery=delivery, notification=notification, was_unread=was_unread)


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    count = mark_read(current_user.id)
    db.session.commit()
    flash(f"{count} notification{'s' if count != 1 else ''} marked as read" if count else "No unread notifications", "success")
    return redirect(url_for("notifications.index"))


@bp.get("/outbox")
@login_required
def outbox():
    if not may_see_outbox(current_user):
        return _forbidden()
    page = _page()
    messages, has_next = fetch_outbox_messages(page, PER_PAGE)
    return render_template(
        "outbox/outbox.html", messages=messages, page=page, total=count_outbox_messages(),
        backend=current_app.config.get("MAIL_BACKEND"), pagination=_pagination("notifications.outbox", page, has_next),
    )


@bp.get("/outbox/<int:message_id>")
@login_required
def outbox_message(message_id: int):
    if not may_see_outbox(current_user):
        return _forbidden()
    message = fetch_outbox_message(message_id)
    if message is None:
        abort(404)
    return render_template("outbox/message.html", message=message)
