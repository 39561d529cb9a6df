"""Named queries for the notifications list and the outbox page (always paged)."""
from __future__ import annotations

from sqlalchemy import func, select, update

from ..extensions import db
from ..models.notifications import Notification, NotificationDelivery, OutboxMessage
from ..workdays import utc_now


def fetch_user_notifications(user_id: int, page: int, per_page: int):
    """One page of a user's notifications, newest first; returns (deliveries, has_next)."""
    rows = list(db.session.execute(
        select(NotificationDelivery, Notification)
        .join(Notification, Notification.id == NotificationDelivery.notification_id)
        .where(NotificationDelivery.user_id == user_id)
        .order_by(NotificationDelivery.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    ).all())
    return rows[:per_page], len(rows) > per_page


def count_unread(user_id: int) -> int:
    return db.session.execute(
        select(func.count()).select_from(NotificationDelivery)
        .where(NotificationDelivery.user_id == user_id, NotificationDelivery.read_at.is_(None))
    ).scalar_one()


def fetch_user_notification(user_id: int, delivery_id: int):
    """(delivery, notification), or None when it is not this user's."""
    return db.session.execute(
        select(NotificationDelivery, Notification)
        .join(Notification, Notification.id == NotificationDelivery.notification_id)
        .where(NotificationDelivery.id == delivery_id, NotificationDelivery.user_id == user_id)
    ).first()


def mark_read(user_id: int, delivery_ids: list[int] | None = None) -> int:
    """Mark a user's notifications read (all of them when no ids are given); flushes."""
    statement = (
        update(NotificationDelivery)
        .where(NotificationDelivery.user_id == user_id, NotificationDelivery.read_at.is_(None))
        .values(read_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    if delivery_ids is not None:
        statement = statement.where(NotificationDelivery.id.in_(delivery_ids))
    return db.session.execute(statement).rowcount


def fetch_outbox_messages(page: int, per_page: int):
    rows = list(db.session.execute(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).offset((page - 1) * per_page).limit(per_page + 1)
    ).scalars())
    return rows[:per_page], len(rows) > per_page


def count_outbox_messages() -> int:
    return db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()


def fetch_outbox_message(message_id: int) -> OutboxMessage | None:
    return db.session.get(OutboxMessage, message_id)


def fetch_case_notifications(case_id: int) -> list[Notification]:
    """What was decided about a case, oldest first (for the case page's timeline)."""
    return list(db.session.execute(
        select(Notification).where(Notification.case_id == case_id).order_by(Notification.id)
    ).scalars())
