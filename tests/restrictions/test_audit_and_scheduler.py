"""The audit trail is append-only; the scheduler's hooks: review reminders and daily lapsing."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text

from casework.extensions import db
from casework.jobs.reviews import review_providers, run_review_reminders
from casework.models.notifications import Notification, NotificationDelivery
from casework.models.restrictions import RestrictionEvent
from casework.operations import restrictions as ops
from tests.restrictions.support import considered, decide, spec, today, warned


def test_restriction_events_are_append_only(council, person):
    record = considered(person, council.recovery)
    for statement in ("UPDATE restriction_events SET action = 'forged'", "DELETE FROM restriction_events"):
        try:
            with db.engine.begin() as conn:
                conn.execute(text(statement))
        except Exception as error:  # noqa: BLE001 - either driver's error type
            assert "append-only" in str(error)
        else:
            raise AssertionError(f"{statement} was allowed on the restriction audit trail")
    assert db.session.execute(select(RestrictionEvent.action).where(RestrictionEvent.record_id == record.id)).scalars().all() \
        == ["considered"]


def test_every_event_names_who_and_when(council, person):
    record = considered(person, council.recovery)
    warned(record, council.recovery)
    decide(record, council.recovery, [spec("time_limits", minutes=10)])
    ops.lapse_expired_restrictions(today() + timedelta(days=365))
    db.session.commit()
    events = db.session.execute(select(RestrictionEvent).where(RestrictionEvent.record_id == record.id)
                                .order_by(RestrictionEvent.id)).scalars().all()
    assert [e.actor for e in events] == [council.recovery.email] * 3 + ["system"]
    assert all(e.at and e.recorded_at and e.person_id == person.id for e in events)
    imposed = events[2].data
    assert imposed["restrictions"][0]["kind"] == "time_limits" and imposed["cite"].startswith("004 §19.1")


def test_the_review_reminder_provider_is_registered(app):
    assert review_providers().get("restrictions") is ops.restriction_review_reminders


def test_reviews_due_are_reminded_once_to_the_decision_maker_and_service_manager(council, person):
    record = considered(person, council.recovery, service_area=council.area)
    warned(record, council.recovery)
    review_on = today() + timedelta(days=3)
    decide(record, council.recovery, [spec("phone_times", phone_days=[0], phone_from=time(9), phone_until=time(10),
                                           review_on=review_on)])
    reminders = list(ops.restriction_review_reminders(today()))
    assert len(reminders) == 1
    [reminder] = reminders
    assert reminder.review_on == review_on and reminder.reference == ops.record_reference(record)
    assert {r.user_id for r in reminder.recipients} == {council.recovery.id, council.manager.id}
    assert person.name not in reminder.title and person.name not in " ".join(reminder.lines)
    from casework.queries.restrictions import fetch_reviews_due
    assert [r.id for r in fetch_reviews_due(review_on)] == [record.active_restrictions[0].id]
    assert fetch_reviews_due(review_on - timedelta(days=1)) == []

    now = datetime.now(timezone.utc)
    run_review_reminders(now, deliver=False)
    run_review_reminders(now, deliver=False)
    notes = db.session.execute(select(Notification).where(Notification.kind == "review_reminder")).scalars().all()
    assert len(notes) == 1 and notes[0].key.startswith("review:restrictions:")
    users = set(db.session.execute(select(NotificationDelivery.user_id)).scalars())
    assert users == {council.recovery.id, council.manager.id}


def test_a_review_request_reminds_the_directors(council, person):
    record = considered(person, council.recovery)
    warned(record, council.recovery)
    decide(record, council.recovery, [spec("time_limits", minutes=10, months=6)])
    ops.request_review(record, received_on=today(), grounds="Unfair", actor=council.recovery)
    db.session.commit()
    [reminder] = [r for r in ops.restriction_review_reminders(today()) if r.key.startswith("request:")]
    assert {r.user_id for r in reminder.recipients} == {council.director.id, council.other_director.id}
    assert reminder.link.endswith(f"/restrictions/records/{record.id}/review")


def test_lapsing_is_a_job_the_scheduler_can_run(council, person):
    record = considered(person, council.recovery)
    warned(record, council.recovery)
    decide(record, council.recovery, [spec("time_limits", minutes=10, months=1)])
    ends = record.active_restrictions[0].ends_on
    at = datetime(ends.year, ends.month, ends.day, 6, tzinfo=timezone.utc)
    result = ops.run_restriction_lapses(at)
    db.session.commit()
    assert result.lapsed == 1 and "1 restriction(s)" in result.describe()
    assert record.status == "closed"
    [row] = record.restrictions
    assert row.ended_on == ends and row.end_reason == "lapsed"


def test_the_policy_lists():
    lists = ops.load_restriction_lists(Path(__file__).resolve().parents[2] / "policies")
    assert len(lists.behaviours) == 11 and all("18.3" in o.cite for o in lists.behaviours.values())
    assert set(lists.types) == {
        "contact_form", "no_contact_officers", "named_officer", "phone_times", "time_limits", "premises_ban",
        "written_agreement", "pvp_register", "social_media_block", "file_without_reply"}
    assert all(o.cite for o in lists.types.values())
    assert "GH20" in lists.cites["restriction_types"]


def test_an_unknown_restriction_type_stops_the_app(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    source = Path(__file__).resolve().parents[2] / "policies" / "shared" / "restrictions.toml"
    (shared / "restrictions.toml").write_text(source.read_text().replace('value = "time_limits"', 'value = "ban_forever"'))
    with pytest.raises(RuntimeError, match="ban_forever"):
        ops.load_restriction_lists(tmp_path)
