"""Issue 7, done when: a service manager takes a person from warning to a time-limited
restriction with its letter; later contacts are handled as it says; a Director's review
changes it; it lapses on its date and the person is told. Every step is an audit event."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from casework.extensions import db
from casework.models import Event
from casework.models.restrictions import Restriction, RestrictionEvent, RestrictionLetter
from casework.operations import restrictions as ops
from casework.workdays import LONDON
from tests.restrictions.support import completed_complaint, considered, decide, spec, today, warned


def actions(record) -> list[str]:
    return list(db.session.execute(
        select(RestrictionEvent.action).where(RestrictionEvent.record_id == record.id).order_by(RestrictionEvent.id)
    ).scalars())


def london(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON).astimezone(timezone.utc)


def next_weekday(day, weekday):
    return day + timedelta(days=(weekday - day.weekday()) % 7 or 7)


def test_from_warning_to_restriction_to_review_to_lapse(council, person):
    roof = completed_complaint(person, council.front_door)

    # Considered under the policy: the 004 §18.3 behaviours, with evidence.
    record = considered(person, council.recovery, service_area=council.area)
    ops.add_evidence(record, kind="case", case=roof, actor=council.recovery)
    ops.add_evidence(record, kind="incident", occurred_on=today() - timedelta(days=5), reference="PVP-2026-014",
                     description="Shouted and swore at the reception officer", actor=council.recovery)
    db.session.commit()
    assert record.status == "considering"

    # A warning first (004 §19.1), with its letter.
    warning = warned(record, council.recovery)
    assert record.status == "warned" and warning.letter.kind == "warning" and warning.letter.status == "draft"
    assert "warning" in warning.letter.subject.lower()

    # The Service Manager's decision: time-limited restrictions, and the letter (004 §19.3).
    start = today()
    ends = start + timedelta(days=90)
    decision = decide(record, council.recovery, [
        spec("phone_times", phone_days=[1, 3], phone_from=time(10), phone_until=time(12), starts_on=start, ends_on=ends),
        spec("no_contact_officers", officer_ids=[council.officer.id], officer_id=council.other_officer.id,
             starts_on=start, ends_on=ends),
        spec("file_without_reply", case_id=roof.id, starts_on=start, ends_on=ends),
    ])
    assert record.status == "restricted"
    assert {r.kind for r in record.active_restrictions} == {"phone_times", "no_contact_officers", "file_without_reply"}
    assert all(r.ends_on == ends for r in record.active_restrictions)
    letter = decision.letter
    body = letter.body
    assert letter.kind == "decision" and letter.status == "draft"
    # why, what, for how long, and how to ask for a review
    assert "Repeated calls and abuse of staff" in body
    assert "You may telephone us only on Tuesdays and Thursdays, between 10am and 12pm." in body
    assert f"Please do not contact {council.officer.name}" in body
    assert roof.reference in body
    assert f"{ends.day} {ends:%B %Y}" in body
    assert "How to ask for a review" in body and "Director" in body and "Ombudsman" in body
    assert "new complaint" in body

    # Later contacts are handled as the restrictions say.
    tuesday = next_weekday(start, 1)
    wednesday = next_weekday(start, 2)
    assert ops.assess_person_contact(person, "telephone", london(tuesday, 11)).flags == ()
    late_call = ops.assess_person_contact(person, "telephone", london(wednesday, 11))
    assert late_call.flags == ("phone_outside_permitted_times",) and late_call.may_log
    for_blocked = ops.assess_person_contact(person, "email", london(tuesday, 9), officer_id=council.officer.id)
    assert for_blocked.route_to_officer_id == council.other_officer.id
    about_roof = ops.assess_person_contact(person, "letter", london(tuesday, 9), about_completed_case=roof.id)
    assert about_roof.file_without_reply_check_required
    new = ops.assess_person_contact(person, "letter", london(tuesday, 9), about_completed_case=roof.id, new_complaint=True)
    assert not new.file_without_reply_check_required and "new_complaint" in new.flags and new.may_log
    ops.record_contact_assessment(person, late_call, channel="telephone", at=london(wednesday, 11),
                                  actor=council.front_door, action_taken="Told them the permitted times")
    fwr = next(r for r in record.active_restrictions if r.kind == "file_without_reply")
    ops.record_file_check(fwr, received_on=today(), summary="Repeats the roof complaint", new_information=False,
                          safeguarding_concern=False, actor=council.front_door)
    db.session.commit()
    case_events = db.session.execute(select(Event.action).where(Event.case_id == roof.id)).scalars().all()
    assert "restriction_file_check" in case_events

    # The person asks for a review; a Director varies the restrictions (004 §19.4).
    ops.request_review(record, received_on=today(), grounds="I only call because nobody answers my letters.",
                       channel="letter", actor=council.recovery)
    db.session.commit()
    shorter = start + timedelta(days=60)
    phone = next(r for r in record.active_restrictions if r.kind == "phone_times")
    review = ops.decide_review(record, outcome="varied", reasons="The abuse has stopped; the phone limit can end.",
                               actor=council.director, lift_ids=[phone.id], new_ends_on=shorter)
    db.session.commit()
    assert review.kind == "review" and review.acting_as == "director" and review.review_kind == "requested"
    assert phone.status == "ended" and phone.end_reason == "lifted"
    assert {r.kind for r in record.active_restrictions} == {"no_contact_officers", "file_without_reply"}
    assert all(r.ends_on == shorter for r in record.active_restrictions)
    assert review.letter.kind == "review_outcome" and "change the restrictions" in review.letter.body
    assert ops.assess_person_contact(person, "telephone", london(wednesday, 11)).flags == ()

    # It lapses on its date, and the person is told.
    assert ops.lapse_expired_restrictions(shorter - timedelta(days=1)).lapsed == 0
    result = ops.lapse_expired_restrictions(shorter)
    db.session.commit()
    assert result.lapsed == 2 and result.records_closed == 1
    assert record.status == "closed" and not record.active_restrictions
    assert {r.end_reason for r in record.restrictions if r.status == "ended"} == {"lifted", "varied", "lapsed"}
    lapsed_letter = db.session.get(RestrictionLetter, result.letters[0])
    assert lapsed_letter.kind == "lapsed" and "You can now contact us in the usual way." in lapsed_letter.body
    assert ops.lapse_expired_restrictions(shorter).lapsed == 0  # idempotent

    assert actions(record) == [
        "considered", "evidence_added", "evidence_added", "warned", "restrictions_imposed", "contact_handled",
        "file_without_reply_check", "review_requested", "review_decided", "restrictions_lapsed",
    ]


def test_a_scheduled_review_by_a_director_can_continue_the_restrictions(council, person):
    record = considered(person, council.recovery)
    warned(record, council.recovery, kind="informal")
    decide(record, council.recovery, [spec("time_limits", minutes=15, months=2)])
    [row] = record.active_restrictions
    later = row.ends_on + timedelta(days=60)
    decision = ops.decide_review(record, outcome="varied", reasons="Calls still run long.", actor=council.director,
                                 new_ends_on=later)
    db.session.commit()
    assert decision.review_kind == "scheduled"
    [new] = record.active_restrictions
    assert new.ends_on == later and new.minutes == 15 and new.id != row.id
    assert row.end_reason == "varied" and row.ended_by_decision_id == decision.id
    assert db.session.execute(select(Restriction).where(Restriction.record_id == record.id)).scalars().all()


def test_lifting_everything_on_review_closes_the_record(council, person):
    record = considered(person, council.recovery)
    warned(record, council.recovery)
    decide(record, council.recovery, [spec("named_officer", officer_id=council.other_officer.id)])
    ops.request_review(record, received_on=today(), grounds="Unfair", actor=council.recovery)
    decision = ops.decide_review(record, outcome="lifted", reasons="Behaviour has improved.", actor=council.admin)
    db.session.commit()
    assert record.status == "closed" and decision.outcome == "lifted"
    assert "lift all the restrictions" in decision.letter.body
    assert all(r.review_requests for r in [record]) and record.review_requests[0].status == "decided"
