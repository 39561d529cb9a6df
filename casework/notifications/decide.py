"""Deciding to notify: store each notification once, under its unique key.

The caller's transaction decides; `create_notifications` stores the decisions with
INSERT ... ON CONFLICT (key) DO NOTHING and reports which ones this transaction stored. Only
those may have side effects (an audit event, say), so a decision taken twice — a sweep run
again, two scheduler processes racing — acts once. On PostgreSQL the loser of a race waits on
the winner's uncommitted row and then sees the conflict; SQLite serialises writers.
Nothing is e-mailed here: deliveries are stored `pending` and sent after the commit
(`delivery.deliver_pending`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models.notifications import Notification, NotificationDelivery
from ..workdays import utc_now
from .rendering import render_notification

_CHUNK = 500


@dataclass(frozen=True)
class Recipient:
    user_id: int
    reason: str


@dataclass
class NotificationDraft:
    """A notification about to be decided. `context` feeds the template (`kind`)."""

    key: str
    kind: str
    recipients: Sequence[Recipient]
    context: dict
    for_date: date
    case_id: int | None = None
    clock_id: int | None = None
    due_on: date | None = None
    link: str | None = None
    data: dict = field(default_factory=dict)
    # Filled in by create_notifications for the drafts this transaction stored.
    notification_id: int | None = None
    subject: str | None = None


def _dialect_insert():
    dialect = db.session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def fetch_existing_keys(keys: Iterable[str]) -> set[str]:
    keys = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        found.update(db.session.execute(select(Notification.key).where(Notification.key.in_(chunk))).scalars())
    return found


def merge_recipients(recipients: Iterable[Recipient]) -> list[Recipient]:
    """One recipient per user, keeping the first-given order and every reason."""
    merged: dict[int, list[str]] = {}
    for recipient in recipients:
        reasons = merged.setdefault(recipient.user_id, [])
        if recipient.reason not in reasons:
            reasons.append(recipient.reason)
    return [Recipient(user_id, " ".join(reasons)[:300]) for user_id, reasons in merged.items()]


def create_notifications(drafts: Sequence[NotificationDraft], *, now: datetime | None = None) -> list[NotificationDraft]:
    """Store the drafts whose keys are new; return the ones this transaction stored.

    Flushes, never commits: the caller's transaction decides and commits once.
    """
    now = now or utc_now()
    unique: dict[str, NotificationDraft] = {}
    for draft in drafts:
        unique.setdefault(draft.key, draft)
    existing = fetch_existing_keys(unique)
    fresh = [d for key, d in unique.items() if key not in existing]
    if not fresh:
        return []
    table = Notification.__table__
    insert_for_dialect = _dialect_insert()
    stored: dict[str, int] = {}
    for start in range(0, len(fresh), _CHUNK):
        rows = []
        for draft in fresh[start:start + _CHUNK]:
            subject, body = render_notification(draft.kind, draft.context)
            draft.subject = subject
            rows.append({
                "key": draft.key, "kind": draft.kind, "case_id": draft.case_id, "clock_id": draft.clock_id,
                "due_on": draft.due_on, "for_date": draft.for_date, "subject": subject, "body": body,
                "link": draft.link, "data": draft.data or {}, "created_at": now,
            })
        statement = (
            insert_for_dialect(table).values(rows)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(table.c.id, table.c.key)
        )
        stored.update({key: id_ for id_, key in db.session.execute(statement)})
    deliveries = []
    won = []
    for draft in fresh:
        if draft.key not in stored:
            continue  # another transaction decided it first
        draft.notification_id = stored[draft.key]
        won.append(draft)
        for recipient in merge_recipients(draft.recipients):
            deliveries.append({
                "notification_id": draft.notification_id, "user_id": recipient.user_id,
                "reason": recipient.reason, "status": "pending", "attempts": 0, "created_at": now,
            })
    if deliveries:
        db.session.execute(insert(NotificationDelivery.__table__), deliveries)
    return won


def notify(
    *, key: str, kind: str, recipients: Sequence[Recipient], context: dict, for_date: date | None = None,
    case_id: int | None = None, clock_id: int | None = None, due_on: date | None = None,
    link: str | None = None, data: dict | None = None,
) -> int | None:
    """Decide one notification; its id if this call stored it, None if it was decided before.

    For use cases elsewhere in the app (a councillor told their enquiry was answered...): call
    inside the transaction that makes the change; after the commit call `deliver_pending()` (or
    leave it to the next sweep, within minutes).
    """
    from ..workdays import london_date

    draft = NotificationDraft(
        key=key, kind=kind, recipients=recipients, context=context,
        for_date=for_date or london_date(utc_now()), case_id=case_id, clock_id=clock_id,
        due_on=due_on, link=link, data=data or {},
    )
    won = create_notifications([draft])
    return won[0].notification_id if won else None
