"""Delivering decided notifications: e-mail by SMTP, or into the outbox in development.

Runs after the deciding transaction has committed, so a crash loses nothing: what is not
yet sent stays `pending` and the next run sends it. Each run claims a batch first (status
`sending`, committed) so that two runs at once never send the same message; a claim whose
run died is taken over after CLAIM_TIMEOUT. The outbox write and the `sent` mark commit
together (exactly once); an SMTP send followed by a crash before the mark commits is sent
again by the next run (at least once — SMTP offers nothing better).
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models.notifications import NotificationDelivery, OutboxMessage
from ..workdays import utc_now
from .rendering import render_email

log = logging.getLogger("casework.notifications")

MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = timedelta(minutes=15)
BACKENDS = ("smtp", "outbox")


@dataclass
class Sent:
    delivery_id: int
    to: str
    subject: str
    backend: str


@dataclass
class DeliveryReport:
    backend: str
    sent: list[Sent] = field(default_factory=list)
    failed: int = 0  # this run; retried by the next run until MAX_ATTEMPTS
    given_up: int = 0
    skipped: int = 0

    def describe(self, limit: int = 50) -> str:
        if not (self.sent or self.failed or self.skipped):
            return "Nothing waiting to be sent."
        where = "kept in the outbox" if self.backend == "outbox" else "e-mailed by SMTP"
        lines = [f"Sent {len(self.sent)} notification(s) ({where})."]
        for sent in self.sent[:limit]:
            lines.append(f"  to {sent.to}: {sent.subject}")
        if len(self.sent) > limit:
            lines.append(f"  ... and {len(self.sent) - limit} more")
        if self.failed:
            lines.append(f"{self.failed} could not be sent now and will be tried again by the next run.")
        if self.given_up:
            lines.append(f"{self.given_up} failed {MAX_ATTEMPTS} times and were given up (status 'failed').")
        if self.skipped:
            lines.append(f"{self.skipped} had nobody to send to (inactive user).")
        return "\n".join(lines)


class SmtpMailer:
    """One SMTP connection per delivery run, opened on first use."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            cfg = self.config
            connection = smtplib.SMTP(cfg.get("MAIL_SERVER", "localhost"), int(cfg.get("MAIL_PORT", 25)), timeout=30)
            if cfg.get("MAIL_USE_TLS"):
                connection.starttls(context=ssl.create_default_context())
            if cfg.get("MAIL_USERNAME"):
                connection.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
            self.connection = connection
        self.connection.send_message(message)

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except smtplib.SMTPException:
                pass
            self.connection = None


def backend_name() -> str:
    backend = (current_app.config.get("MAIL_BACKEND") or "outbox").strip().lower()
    if backend not in BACKENDS:
        raise ValueError(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    return backend


def _claimable():
    stale = utc_now() - CLAIM_TIMEOUT
    return or_(
        NotificationDelivery.status == "pending",
        and_(NotificationDelivery.status == "sending", NotificationDelivery.claimed_at < stale),
    )


def claim_deliveries(batch_size: int, after_id: int = 0) -> list[int]:
    """Mark a batch `sending` and commit, so no other run sends these.

    `after_id`: one run moves forward through the ids, so what failed in this run waits for
    the next run instead of being retried at once.
    """
    candidates = (
        select(NotificationDelivery.id)
        .where(_claimable(), NotificationDelivery.id > after_id)
        .order_by(NotificationDelivery.id)
        .limit(batch_size)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    statement = (
        update(NotificationDelivery)
        .where(NotificationDelivery.id.in_(candidates.scalar_subquery()), _claimable())
        .values(status="sending", claimed_at=utc_now(), attempts=NotificationDelivery.attempts + 1)
        .returning(NotificationDelivery.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(db.session.execute(statement).scalars())
    db.session.commit()
    return ids


def compose_message(delivery: NotificationDelivery) -> EmailMessage:
    notification = delivery.notification
    user = delivery.user
    text, html = render_email(
        subject=notification.subject, body=notification.body, recipient_name=user.name,
        reason=delivery.reason, link=notification.link,
    )
    message = EmailMessage()
    message["Subject"] = notification.subject
    message["From"] = current_app.config.get("MAIL_FROM") or "casework@localhost"
    message["To"] = user.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"casework-{delivery.id}")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def _plain_body(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def _html_body(message: EmailMessage) -> str | None:
    part = message.get_body(("html",))
    return part.get_content() if part is not None else None


def _release(delivery_id: int, error: BaseException) -> bool:
    """Put a delivery back for the next run (or give up); True when given up."""
    db.session.rollback()
    delivery = db.session.get(NotificationDelivery, delivery_id)
    if delivery is None:
        return False
    given_up = delivery.attempts >= MAX_ATTEMPTS
    delivery.status = "failed" if given_up else "pending"
    delivery.claimed_at = None
    delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
    db.session.commit()
    return given_up


def _unclaim(ids: list[int]) -> None:
    if not ids:
        return
    db.session.rollback()
    db.session.execute(
        update(NotificationDelivery)
        .where(NotificationDelivery.id.in_(ids), NotificationDelivery.status == "sending")
        .values(status="pending", claimed_at=None, attempts=NotificationDelivery.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _deliver_one(delivery_id: int, backend: str, mailer: SmtpMailer | None, report: DeliveryReport) -> None:
    delivery = db.session.execute(
        select(NotificationDelivery)
        .where(NotificationDelivery.id == delivery_id)
        .options(joinedload(NotificationDelivery.notification), joinedload(NotificationDelivery.user))
    ).scalar_one_or_none()
    if delivery is None or delivery.status != "sending":
        db.session.rollback()
        return
    if not delivery.user.is_active or not delivery.user.email:
        delivery.status = "skipped"
        delivery.claimed_at = None
        db.session.commit()
        report.skipped += 1
        return
    try:
        message = compose_message(delivery)
        if backend == "outbox":
            db.session.add(OutboxMessage(
                delivery_id=delivery.id, case_id=delivery.notification.case_id, to_address=message["To"], from_address=message["From"],
                subject=message["Subject"], body_text=_plain_body(message), body_html=_html_body(message),
                created_at=utc_now(),
            ))
        else:
            mailer.send(message)
        delivery.status = "sent"
        delivery.sent_at = utc_now()
        delivery.last_error = None
        sent = Sent(delivery.id, delivery.user.email, delivery.notification.subject, backend)
        db.session.commit()
        report.sent.append(sent)
    except Exception as error:  # noqa: BLE001 - any failure: keep it for the next run
        log.warning("Could not send notification delivery %s: %s", delivery_id, error)
        if _release(delivery_id, error):
            report.given_up += 1
        else:
            report.failed += 1
    except BaseException as error:  # interrupted: leave it for the next run, then stop
        _release(delivery_id, error)
        raise


def send_email(*, to: str, subject: str, body: str, html: str | None = None, case_id: int | None = None) -> str:
    """Send one e-mail now (a letter to a resident, say), or keep it in the outbox.

    For messages decided elsewhere and recorded there (correspondence): call after that
    commit. Returns the backend used. Outbox: adds the message to the session (flushes; the
    caller commits). SMTP: sends at once.
    """
    backend = backend_name()
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config.get("MAIL_FROM") or "casework@localhost"
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring="casework")
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    if backend == "outbox":
        db.session.add(OutboxMessage(
            to_address=to, from_address=message["From"], subject=subject, body_text=body, body_html=html,
            case_id=case_id, created_at=utc_now(),
        ))
        db.session.flush()
    else:
        mailer = SmtpMailer(current_app.config)
        try:
            mailer.send(message)
        finally:
            mailer.close()
    return backend


def deliver_pending(*, batch_size: int = 100, limit: int | None = None) -> DeliveryReport:
    """Send what has been decided and not yet sent. Call only after the deciding commit."""
    db.session.commit()  # never send for a decision that is not yet committed
    backend = backend_name()
    report = DeliveryReport(backend)
    handled = 0
    last_id = 0
    while limit is None or handled < limit:
        size = batch_size if limit is None else min(batch_size, limit - handled)
        ids = claim_deliveries(size, after_id=last_id)
        if not ids:
            break
        last_id = ids[-1]
        mailer = SmtpMailer(current_app.config) if backend == "smtp" else None
        try:
            for position, delivery_id in enumerate(ids):
                try:
                    _deliver_one(delivery_id, backend, mailer, report)
                except BaseException:
                    _unclaim(ids[position + 1:])  # interrupted: the rest go back untouched
                    raise
        finally:
            if mailer is not None:
                mailer.close()
        handled += len(ids)
    return report
