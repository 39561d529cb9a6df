"""Two scheduler processes at once (TOOLCHAIN.md: two processes run every job twice) send each
reminder once: real `flask casework sweep` processes against the same database, and two
threads released together by a barrier."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading

import pytest
from sqlalchemy import delete, func, select

from casework.config import PROJECT_ROOT
from casework.extensions import db
from casework.jobs.sweep import CHIEF_EXECUTIVE_EVENT, ESCALATED_EVENT, run_sweep
from casework.models import Event
from casework.models.notifications import Notification, NotificationDelivery, OutboxMessage
from tests.jobs.support import at, complaint, count, make_council, member_enquiry

N_COMPLAINTS = 40
N_ENQUIRIES = 6


@pytest.fixture
def busy_council(app):
    """As of Tue 17 March 2026: complaints received 2 March are breached (officer + manager);
    enquiries received 2 March are escalated (manager + councillor) and flagged for the Chief
    Executive (director + admin)."""
    council = make_council()
    for _ in range(N_COMPLAINTS):
        complaint(at("03-02", 10), assignee=council.officer, area=council.area)
    for _ in range(N_ENQUIRIES):
        member_enquiry(at("03-02", 10), council=council, assignee=council.officer, area=council.area,
                       acknowledge_at=at("03-03"))
    db.session.execute(delete(NotificationDelivery))  # the councillors' acknowledgement notices (issue 5)
    db.session.execute(delete(Notification))  # are not the sweep's
    db.session.commit()
    db.session.remove()
    db.engine.dispose()
    return council


def expected_counts():
    notifications = N_COMPLAINTS + N_ENQUIRIES * 3  # breach; breach + escalation + flag
    deliveries = N_COMPLAINTS * 2 + N_ENQUIRIES * (1 + 2 + 2)
    return notifications, deliveries


def assert_each_once():
    notifications, deliveries = expected_counts()
    assert count(Notification) == notifications
    assert count(NotificationDelivery) == deliveries
    assert db.session.execute(select(func.count(func.distinct(Notification.key)))).scalar_one() == notifications
    assert db.session.execute(
        select(func.count()).select_from(NotificationDelivery).where(NotificationDelivery.status == "sent")
    ).scalar_one() == deliveries
    # Exactly one e-mail per delivery.
    assert count(OutboxMessage) == deliveries
    assert db.session.execute(select(func.count(func.distinct(OutboxMessage.delivery_id)))).scalar_one() == deliveries
    for action in (ESCALATED_EVENT, CHIEF_EXECUTIVE_EVENT):
        assert db.session.execute(
            select(func.count()).select_from(Event).where(Event.action == action)
        ).scalar_one() == N_ENQUIRIES


def test_two_real_scheduler_processes_at_once(busy_council, database_uri):
    env = {
        **os.environ,
        "DATABASE_URL": database_uri,
        "CASEWORK_ENV": "development",
        "CASEWORK_SCHEDULER": "0",
        "MAIL_BACKEND": "outbox",
        "SECRET_KEY": "test-secret-key",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "casework", "sweep", "--at", "2026-03-17T09:00:00+00:00"]
    processes = [
        subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=180) for p in processes]
    for process, (out, err) in zip(processes, outputs):
        assert process.returncode == 0, f"stdout:\n{out}\nstderr:\n{err}"
    decided = sum(
        int(m.group(1)) for out, _ in outputs for m in re.finditer(r"Decided (\d+) new notification", out)
    )
    sent = sum(int(m.group(1)) for out, _ in outputs for m in re.finditer(r"Sent (\d+) notification", out))
    notifications, deliveries = expected_counts()
    assert (decided, sent) == (notifications, deliveries), outputs
    assert_each_once()


def test_two_sweeps_released_together(busy_council, app):
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def sweep(i):
        with app.app_context():
            try:
                barrier.wait()
                results[i] = run_sweep(at("03-17"))
            except Exception as error:  # noqa: BLE001 - reported below
                results[i] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sweep, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert all(not isinstance(r, Exception) for r in results), results
    assert all(r.errors == 0 for r in results)
    notifications, deliveries = expected_counts()
    assert sum(sum(r.decided.values()) for r in results) == notifications
    assert sum(len(r.delivery.sent) for r in results) == deliveries
    assert_each_once()
