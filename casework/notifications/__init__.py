"""Notifications: decide once (unique key), deliver after the commit (e-mail or outbox), list in-app.

    from casework.notifications import Recipient, notify, deliver_pending

    notify(key=f"case:{case.id}:answered", kind="...", recipients=[Recipient(user.id, "You raised it")],
           context={...}, case_id=case.id)     # inside the deciding transaction
    db.session.commit()
    deliver_pending()                           # or leave it to the next sweep

Templates: templates/notifications/<kind>.txt (a `subject` and a `body` block); subjects may
only use the values in rendering.SUBJECT_FIELDS, so they never carry personal data.
"""
from .decide import NotificationDraft, Recipient, create_notifications, fetch_existing_keys, notify
from .delivery import DeliveryReport, deliver_pending, send_email
from .rendering import long_date, render_email, render_notification, weekday_date

__all__ = [
    "DeliveryReport", "NotificationDraft", "Recipient", "create_notifications", "deliver_pending",
    "fetch_existing_keys", "long_date", "notify", "render_email", "render_notification", "send_email", "weekday_date",
]
