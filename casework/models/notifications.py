"""Notifications: what the scheduler (and the app) decided to tell people, and their delivery.

A `Notification` is one decision ("remind about clock 42 due on 5 March"), stored under a
unique `key` so that deciding it twice — a sweep run again, two scheduler processes at once —
stores it once. Each recipient gets a `NotificationDelivery`: the in-app entry (read or not)
and the e-mail's state. E-mail goes out only after the decision has committed, from the
deliveries still `pending`, so a crash between deciding and sending loses nothing.
`OutboxMessage` holds the e-mails that would have been sent when MAIL_BACKEND is "outbox".
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import check_in
from .org import User
from .types import PortableJSON, UTCDateTime

# pending: decided, not yet e-mailed; sending: claimed by a delivery run (reclaimed if that run
# died); sent: e-mailed (or put in the outbox); failed: gave up after repeated errors;
# skipped: nothing to send to (no e-mail address).
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "skipped")


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_case_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. "clock:42:breach:2026-03-05" or "digest:officer:7:2026-03-05": one decision, once.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    clock_id: Mapped[int | None] = mapped_column(ForeignKey("clocks.id", ondelete="SET NULL"))
    due_on: Mapped[date | None]
    # The day the decision was made for (a sweep replayed with --at decides for that day).
    for_date: Mapped[date]
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    data: Mapped[dict] = mapped_column(PortableJSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    deliveries: Mapped[list["NotificationDelivery"]] = relationship(
        back_populates="notification", order_by="NotificationDelivery.id", cascade="all, delete-orphan"
    )


class NotificationDelivery(db.Model):
    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "user_id", name="uq_notification_deliveries_notification_user"),
        CheckConstraint(check_in("status", DELIVERY_STATUSES), name="status_known"),
        CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name="sent_has_sent_at"),
        CheckConstraint("status <> 'sending' OR claimed_at IS NOT NULL", name="sending_has_claimed_at"),
        Index("ix_notification_deliveries_status_id", "status", "id"),
        Index("ix_notification_deliveries_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Why this person is told, shown under the message ("you are the case's assigned officer").
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    notification: Mapped[Notification] = relationship(back_populates="deliveries")
    user: Mapped[User] = relationship()


class OutboxMessage(db.Model):
    """An e-mail kept instead of sent (MAIL_BACKEND = "outbox"), for the /outbox page."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A notification's e-mail (at most one outbox message per delivery), or none for other
    # e-mail (letters to residents, notifications.send_email).
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification_deliveries.id", ondelete="SET NULL"), unique=True
    )
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    from_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
