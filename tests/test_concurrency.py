"""Real concurrent connections: one case, two writers; many new cases at once (no gaps)."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Case, Event, Role
from casework.operations.cases import open_case, take_action
from casework.operations.errors import StaleVersion
from tests.factories import make_user

RECEIVED = datetime(2026, 3, 2, 10, 15, tzinfo=timezone.utc)


def run_threads(app, work, n: int):
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def runner(i):
        with app.app_context():
            try:
                results[i] = work(i, barrier)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported to the test
                db.session.rollback()
                results[i] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_connections_acting_on_one_case_exactly_one_wins(app):
    officer = make_user(Role.SERVICE_RECOVERY)
    case = open_case(kind="complaint", procedure="corporate", received_at=RECEIVED, summary="Potholes", actor=officer)
    db.session.commit()
    reference, officer_id = case.reference, officer.id
    db.session.remove()

    def work(i, barrier):
        from casework.models import User

        actor = db.session.get(User, officer_id)
        loaded = db.session.execute(select(Case).where(Case.reference == reference)).scalar_one()
        _ = list(loaded.clocks)
        barrier.wait()  # both have read the same version before either writes
        action = "start_stage1" if i == 0 else "resolve_informally"
        fields = {} if i == 0 else {"summary": "Sorted by phone"}
        take_action(loaded, action, fields, actor=actor, at=datetime(2026, 3, 3, 9, tzinfo=timezone.utc))
        return "ok"

    results = run_threads(app, work, 2)
    assert sorted(type(r).__name__ for r in results) == ["StaleVersion", "str"], results
    assert any(isinstance(r, StaleVersion) for r in results)
    case = db.session.execute(select(Case).where(Case.reference == reference)).scalar_one()
    trail = db.session.execute(select(Event.action).where(Event.case_id == case.id).order_by(Event.id)).scalars().all()
    assert len(trail) == 2 and trail[0] == "open"
    assert case.version == 2
    assert case.state in ("stage1", "resolved_informally")


def test_references_have_no_gaps_under_concurrency(app):
    n = 6

    def work(i, barrier):
        barrier.wait()
        case = open_case(kind="complaint", procedure="corporate", received_at=RECEIVED, summary=f"Case {i}")
        if i == 3:
            raise RuntimeError("this transaction fails after taking a number")
        return case.reference

    results = run_threads(app, work, n)
    references = sorted(r for r in results if isinstance(r, str))
    assert len(references) == n - 1
    numbers = [int(r[-6:]) for r in references]
    assert numbers == list(range(1, n)), references
    assert db.session.execute(select(func.count(Case.id))).scalar_one() == n - 1
