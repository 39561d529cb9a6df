"""Delivery after the commit: a crash between deciding and sending loses nothing, sends nothing twice."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import casework.jobs.sweep as sweep_module
import casework.notifications.delivery as delivery_module
from casework.extensions import db
from casework.jobs.sweep import run_sweep
from casework.models.notifications import Notification, NotificationDelivery, OutboxMessage
from casework.notifications import Recipient, deliver_pending, notify, send_email
from casework.workdays import utc_now
from tests.jobs.support import at, complaint, count, make_council, outbox_for

RECEIVED = at("03-02", 10, 15)


@pytest.fixture
def council(app):
    return make_council()


def statuses() -> list[str]:
    return list(db.session.execute(select(NotificationDelivery.status).order_by(NotificationDelivery.id)).scalars())


def test_a_crash_after_deciding_loses_nothing(council, monkeypatch):
    complaint(RECEIVED, assignee=council.officer, area=council.area)

    def crash(**kwargs):
        raise KeyboardInterrupt("the process was killed after the decisions committed")

    monkeypatch.setattr(sweep_module, "deliver_pending", crash)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(at("03-06"))
    db.session.rollback()
    assert count(Notification) == 1 and statuses() == ["pending", "pending"]
    assert count(OutboxMessage) == 0

    monkeypatch.undo()
    result = run_sweep(at("03-06"))  # the next sweep: nothing new to decide, the rest is sent
    assert sum(result.decided.values()) == 0 and len(result.delivery.sent) == 2
    assert statuses() == ["sent", "sent"] and count(OutboxMessage) == 2
    run_sweep(at("03-06"))
    assert count(OutboxMessage) == 2


def test_a_delivery_that_raises_is_retried_by_the_next_sweep(council, monkeypatch):
    complaint(RECEIVED, assignee=council.officer, area=council.area)
    real = delivery_module.compose_message
    calls = []

    def flaky(delivery):
        calls.append(delivery.id)
        if len(calls) == 1:
            raise ConnectionRefusedError("mail server down")
        return real(delivery)

    monkeypatch.setattr(delivery_module, "compose_message", flaky)
    result = run_sweep(at("03-06"))
    assert result.delivery.failed == 1 and len(result.delivery.sent) == 1
    failed = db.session.execute(select(NotificationDelivery).where(NotificationDelivery.status == "pending")).scalar_one()
    assert failed.attempts == 1 and "mail server down" in failed.last_error
    assert "will be tried again" in result.describe()

    result = run_sweep(at("03-06"))
    assert len(result.delivery.sent) == 1 and statuses() == ["sent", "sent"]
    assert count(OutboxMessage) == 2 and len(outbox_for(council.officer)) == 1 and len(outbox_for(council.manager)) == 1


def test_an_interrupted_send_is_put_back(council, monkeypatch):
    complaint(RECEIVED, assignee=council.officer, area=council.area)

    def interrupted(delivery):
        raise KeyboardInterrupt

    monkeypatch.setattr(delivery_module, "compose_message", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(at("03-06"))
    db.session.rollback()
    assert statuses() == ["pending", "pending"]  # the first was put back; the second never claimed
    monkeypatch.undo()
    assert len(deliver_pending().sent) == 2


def test_repeated_failures_give_up(council, monkeypatch):
    complaint(RECEIVED, assignee=council.officer)

    def broken(delivery):
        raise ValueError("malformed address")

    monkeypatch.setattr(delivery_module, "compose_message", broken)
    for _ in range(delivery_module.MAX_ATTEMPTS):
        deliver_pending() if count(Notification) else run_sweep(at("03-04"))
    report = deliver_pending()
    assert statuses() == ["failed"]
    assert report.sent == [] and report.failed == 0


def test_a_claim_left_by_a_dead_run_is_taken_over_only_after_the_timeout(council):
    complaint(RECEIVED, assignee=council.officer)
    run_sweep(at("03-04"), deliver=False)
    delivery = db.session.execute(select(NotificationDelivery)).scalar_one()
    delivery.status, delivery.claimed_at, delivery.attempts = "sending", utc_now(), 1
    db.session.commit()
    assert deliver_pending().sent == []  # another run may be sending it right now
    delivery.claimed_at = utc_now() - delivery_module.CLAIM_TIMEOUT - timedelta(minutes=1)
    db.session.commit()
    assert len(deliver_pending().sent) == 1 and statuses() == ["sent"]


def test_smtp_backend(council, app, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout=None):
            self.host, self.port = host, port
            self.started_tls = self.logged_in = False

        def starttls(self, context=None):
            self.started_tls = True

        def login(self, user, password):
            self.logged_in = (user, password)

        def send_message(self, message):
            sent.append((self, message))

        def quit(self):
            pass

    monkeypatch.setattr(delivery_module.smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="smtp.council.test", MAIL_PORT=587, MAIL_USE_TLS=True,
                      MAIL_USERNAME="casework", MAIL_PASSWORD="secret", MAIL_FROM="complaints@council.test")
    case = complaint(RECEIVED, assignee=council.officer, area=council.area)
    result = run_sweep(at("03-06"))
    assert len(sent) == 2 and count(OutboxMessage) == 0
    connection, message = sent[0]
    assert (connection.host, connection.port, connection.started_tls, connection.logged_in) == (
        "smtp.council.test", 587, True, ("casework", "secret"))
    assert message["To"] == "officer@council.test" and message["From"] == "complaints@council.test"
    assert message["Subject"] == f"Overdue: {case.reference} Informal resolution was due Thu 5 March"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    assert "Hello Olu Officer" in text and f"/cases/{case.reference}" in text
    assert "You are the officer assigned to this case." in text
    assert f'href="http://127.0.0.1:5000/cases/{case.reference}"' in message.get_body(("html",)).get_content()
    assert "e-mailed by SMTP" in result.describe()
    assert statuses() == ["sent", "sent"]


def test_notify_for_use_elsewhere_decides_once(council):
    first = notify(key="case:1:answered", kind="review_reminder", recipients=[Recipient(council.officer.id, "Testing")],
                   context={"title": "A review", "review_on": RECEIVED.date(), "lines": ["One"], "reference": None})
    second = notify(key="case:1:answered", kind="review_reminder", recipients=[Recipient(council.officer.id, "Testing")],
                    context={"title": "A review", "review_on": RECEIVED.date(), "lines": ["One"], "reference": None})
    db.session.commit()
    assert first is not None and second is None
    assert len(deliver_pending().sent) == 1


def test_send_email_to_a_resident_goes_to_the_outbox(council):
    case = complaint(RECEIVED)
    assert send_email(to="resident@example.com", subject="Your complaint", body="Dear resident", case_id=case.id) == "outbox"
    db.session.commit()
    message = db.session.execute(select(OutboxMessage)).scalar_one()
    assert (message.to_address, message.case_id, message.delivery_id) == ("resident@example.com", case.id, None)


def test_inactive_recipients_are_skipped_at_delivery(council):
    complaint(RECEIVED, assignee=council.officer)
    run_sweep(at("03-04"), deliver=False)
    council.officer.is_active_user = False
    db.session.commit()
    report = deliver_pending()
    assert report.skipped == 1 and statuses() == ["skipped"] and count(OutboxMessage) == 0


def test_a_key_stored_by_another_transaction_meanwhile_is_not_stored_again(council, monkeypatch):
    """The pre-check is only an optimisation: the unique key with ON CONFLICT DO NOTHING decides."""
    import casework.notifications.decide as decide_module
    from casework.notifications import NotificationDraft, create_notifications

    def draft():
        return NotificationDraft(
            key="clock:1:breach:2026-03-05", kind="review_reminder",
            recipients=[Recipient(council.officer.id, "Testing")],
            context={"title": "Race", "review_on": RECEIVED.date(), "lines": [], "reference": None},
            for_date=RECEIVED.date(),
        )

    assert len(create_notifications([draft()])) == 1
    db.session.commit()
    monkeypatch.setattr(decide_module, "fetch_existing_keys", lambda keys: set())  # as if it raced in
    assert create_notifications([draft(), draft()]) == []
    db.session.commit()
    assert count(Notification) == 1 and count(NotificationDelivery) == 1
