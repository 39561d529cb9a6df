"""The rules the use cases enforce: fair, proportionate, recorded and reviewed, not a ban button."""
from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from casework.extensions import db
from casework.models.restrictions import Restriction, RestrictionDecision, RestrictionEvent, RestrictionRecord
from casework.operations import restrictions as ops
from casework.operations.errors import Forbidden, InvalidField, NotAllowed
from tests.restrictions.support import (
    completed_complaint,
    considered,
    decide,
    make_person,
    open_complaint,
    spec,
    today,
    warned,
)


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def warned_record(council, person):
    record = considered(person, council.recovery, service_area=council.area)
    warned(record, council.recovery)
    return record


def refused(error_class, field, fn, *args, **kwargs):
    before = (count(Restriction), count(RestrictionDecision), count(RestrictionEvent))
    with pytest.raises(error_class) as caught:
        fn(*args, **kwargs)
    db.session.rollback()
    assert caught.value.field == field, caught.value.message
    assert (count(Restriction), count(RestrictionDecision), count(RestrictionEvent)) == before, "something was saved"
    return caught.value.message


def test_a_restriction_without_an_end_date_is_refused(council, warned_record):
    message = refused(InvalidField, "ends_on", ops.impose_restrictions, warned_record,
                      [ops.RestrictionSpec(kind="time_limits", starts_on=today(), minutes=10)],
                      reasons="r", balance="b", equality_considerations="e", reasonable_adjustments="a",
                      actor=council.recovery)
    assert "never permanent (004 GH20)" in message


@pytest.mark.parametrize("starts, ends, field", [
    (0, 0, "ends_on"),        # ends the day it starts
    (0, -1, "ends_on"),       # ends before it starts
    (-1, 30, "starts_on"),    # backdated
    (0, 400, "ends_on"),      # longer than the 12-month maximum
])
def test_the_period_must_be_real_and_limited(council, warned_record, starts, ends, field):
    start = today() + timedelta(days=starts)
    refused(InvalidField, field, decide, warned_record, council.recovery,
            [spec("time_limits", minutes=10, starts_on=start, ends_on=today() + timedelta(days=ends))])


def test_the_review_date_falls_inside_the_period(council, warned_record):
    refused(InvalidField, "review_on", decide, warned_record, council.recovery,
            [spec("time_limits", minutes=10, review_on=today() + timedelta(days=400))])


def test_without_a_warning_the_reason_is_required(council, person):
    record = considered(person, council.recovery)
    message = refused(InvalidField, "no_warning_reason", decide, record, council.recovery,
                      [spec("pvp_register", safety_note="Meet in pairs")])
    assert "004 §19.1" in message
    decision = decide(record, council.recovery, [spec("pvp_register", safety_note="Meet in pairs")],
                      no_warning_reason="He punched an officer on 3 March: a warning was not appropriate.")
    assert decision.no_warning_reason.startswith("He punched")


@pytest.mark.parametrize("field", ["reasons", "balance", "equality_considerations", "reasonable_adjustments"])
def test_reasons_balance_and_equality_are_required(council, warned_record, field):
    refused(InvalidField, field, decide, warned_record, council.recovery, [spec("time_limits", minutes=10)], **{field: " "})


@pytest.mark.parametrize("kind, terms, field", [
    ("contact_form", {}, "channels"),
    ("contact_form", {"channels": ["carrier_pigeon"]}, "channels"),
    ("no_contact_officers", {"officer_id": None}, "officer_ids"),
    ("named_officer", {}, "named_officer"),
    ("phone_times", {"phone_days": [1], "phone_from": time(12), "phone_until": time(10)}, "phone_until"),
    ("phone_times", {"phone_from": time(9), "phone_until": time(10)}, "phone_days"),
    ("time_limits", {"minutes": 0}, "minutes"),
    ("premises_ban", {}, "premises"),
    ("written_agreement", {}, "agreement"),
    ("pvp_register", {}, "safety_note"),
    ("social_media_block", {}, "social_media"),
    ("file_without_reply", {}, "case_id"),
])
def test_each_kind_needs_its_terms(council, warned_record, kind, terms, field):
    refused(InvalidField, field, decide, warned_record, council.recovery, [spec(kind, **terms)])


def test_contact_cannot_be_routed_to_a_blocked_officer(council, warned_record):
    refused(InvalidField, "route_to_officer", decide, warned_record, council.recovery,
            [spec("no_contact_officers", officer_ids=[council.officer.id], officer_id=council.officer.id)])


def test_a_councillor_cannot_be_the_named_officer(council, warned_record):
    refused(InvalidField, "named_officer", decide, warned_record, council.recovery,
            [spec("named_officer", officer_id=council.councillor.id)])


def test_file_without_reply_only_for_a_completed_complaint(council, person, warned_record):
    live = open_complaint(person, council.front_door)
    message = refused(InvalidField, "case_id", decide, warned_record, council.recovery,
                      [spec("file_without_reply", case_id=live.id)])
    assert "004 §19.4" in message
    someone_else = completed_complaint(make_person("Other Person", "other@example.com"), council.front_door)
    refused(InvalidField, "case_id", decide, warned_record, council.recovery,
            [spec("file_without_reply", case_id=someone_else.id)])


def test_the_same_restriction_twice_is_refused(council, warned_record):
    decide(warned_record, council.recovery, [spec("time_limits", minutes=10)])
    refused(InvalidField, "kinds", decide, warned_record, council.recovery, [spec("time_limits", minutes=5)])


def test_an_unknown_behaviour_or_restriction_is_refused(council, person):
    with pytest.raises(InvalidField):
        considered(person, council.recovery, behaviours=["being_annoying"])
    db.session.rollback()
    with pytest.raises(InvalidField):
        considered(person, council.recovery, behaviours=[])
    db.session.rollback()
    record = considered(person, council.recovery)
    warned(record, council.recovery)
    refused(InvalidField, "kinds", decide, record, council.recovery, [spec("ban_for_ever")])


def test_one_open_record_per_person(council, person):
    considered(person, council.recovery)
    with pytest.raises(NotAllowed):
        considered(person, council.recovery)


@pytest.mark.parametrize("role", ["front_door", "officer", "councillor"])
def test_only_a_service_manager_decides(council, warned_record, role):
    refused(Forbidden, "actor", decide, warned_record, getattr(council, role), [spec("time_limits", minutes=10)])


@pytest.mark.parametrize("role", ["recovery", "director", "admin", "manager"])
def test_service_managers_decide(council, warned_record, role):
    """The complaints managers, a Director or an administrator acting as the Service Manager, and
    the manager of the service the record concerns."""
    decision = decide(warned_record, getattr(council, role), [spec("time_limits", minutes=10)])
    assert decision.acting_as == "service_manager"


def test_the_manager_of_another_service_cannot_decide(council, warned_record):
    from tests.factories import make_service_area, make_user
    area = make_service_area("Parks", "Streetpride")
    other_manager = make_user("investigating_officer", service_area_id=area.id)
    area.manager_id = other_manager.id
    db.session.commit()
    refused(Forbidden, "actor", decide, warned_record, other_manager, [spec("time_limits", minutes=10)])


def test_reviews_are_decided_by_a_director_who_did_not_decide(council, person):
    record = considered(person, council.recovery)
    warned(record, council.recovery)
    decide(record, council.director, [spec("time_limits", minutes=10)])
    ops.request_review(record, received_on=today(), grounds="Unfair", actor=council.recovery)
    db.session.commit()
    refused(Forbidden, "actor", ops.decide_review, record, outcome="upheld", reasons="r", actor=council.recovery)
    message = refused(Forbidden, "actor", ops.decide_review, record, outcome="upheld", reasons="r", actor=council.director)
    assert "another Director" in message
    decision = ops.decide_review(record, outcome="upheld", reasons="Still needed", actor=council.other_director)
    assert decision.acting_as == "director" and decision.review_kind == "requested"


def test_a_review_the_person_asked_for_cannot_lengthen_it(council, warned_record):
    decide(warned_record, council.recovery, [spec("time_limits", minutes=10, months=2)])
    ops.request_review(warned_record, received_on=today(), grounds="Unfair", actor=council.recovery)
    db.session.commit()
    longer = warned_record.active_restrictions[0].ends_on + timedelta(days=10)
    message = refused(InvalidField, "new_ends_on", ops.decide_review, warned_record, outcome="varied", reasons="r",
                      actor=council.director, new_ends_on=longer)
    assert "new decision" in message


def test_review_outcome_and_changes_must_agree(council, warned_record):
    decide(warned_record, council.recovery, [spec("time_limits", minutes=10), spec("pvp_register", safety_note="Pairs")])
    ids = [r.id for r in warned_record.active_restrictions]
    refused(InvalidField, "outcome", ops.decide_review, warned_record, outcome="upheld", reasons="r",
            actor=council.director, lift_ids=ids[:1])
    refused(InvalidField, "lift", ops.decide_review, warned_record, outcome="varied", reasons="r", actor=council.director)
    refused(InvalidField, "lift", ops.decide_review, warned_record, outcome="varied", reasons="r", actor=council.director,
            lift_ids=ids)


def test_only_one_open_review_request(council, warned_record):
    decide(warned_record, council.recovery, [spec("time_limits", minutes=10)])
    ops.request_review(warned_record, received_on=today(), grounds="Unfair", actor=council.recovery)
    db.session.commit()
    with pytest.raises(NotAllowed):
        ops.request_review(warned_record, received_on=today(), grounds="Again", actor=council.recovery)


def test_no_review_request_without_restrictions(council, warned_record):
    with pytest.raises(NotAllowed):
        ops.request_review(warned_record, received_on=today(), grounds="Unfair", actor=council.recovery)


def test_closing_with_no_action(council, warned_record):
    ops.decide_no_action(warned_record, reasons="Calls have stopped since the warning.", actor=council.recovery)
    db.session.commit()
    assert warned_record.status == "closed" and warned_record.closed_at is not None
    with pytest.raises(NotAllowed):
        decide(warned_record, council.recovery, [spec("time_limits", minutes=10)])


def test_the_file_check_needs_details_when_it_finds_something(council, person, warned_record):
    roof = completed_complaint(person, council.front_door)
    decide(warned_record, council.recovery, [spec("file_without_reply", case_id=roof.id)])
    [fwr] = warned_record.active_restrictions
    with pytest.raises(InvalidField) as caught:
        ops.record_file_check(fwr, received_on=today(), summary="New photos of the roof", new_information=True,
                              safeguarding_concern=False, actor=council.officer)
    assert caught.value.field == "new_information_details"
    event = ops.record_file_check(fwr, received_on=today(), summary="New photos of the roof", new_information=True,
                                  new_information_details="Photos dated after our response", safeguarding_concern=True,
                                  safeguarding_details="Mentions a child at risk; told the safeguarding lead",
                                  actor=council.officer)
    assert event.data["outcome"] == "reply" and event.data["safeguarding_concern"] is True


def test_a_closed_record_reopens_as_a_new_record(council, person):
    record = considered(person, council.recovery)
    ops.decide_no_action(record, reasons="Resolved", actor=council.recovery)
    db.session.commit()
    again = considered(person, council.recovery)
    assert again.id != record.id
    assert db.session.execute(select(func.count()).select_from(RestrictionRecord)).scalar_one() == 2


def test_stale_version_is_refused(council, warned_record):
    from casework.operations.errors import StaleVersion
    with pytest.raises(StaleVersion):
        ops.record_warning(warned_record, kind="informal", warned_on=today(), summary="x", actor=council.recovery,
                           expected_version=warned_record.version - 1)


def test_assess_contact_accepts_stored_rows(council, person, warned_record):
    from datetime import datetime, timezone

    from casework.queries.restrictions import fetch_active_restrictions

    decide(warned_record, council.recovery, [spec("named_officer", officer_id=council.other_officer.id)])
    assessment = ops.assess_contact(fetch_active_restrictions(person.id), "email", datetime.now(timezone.utc))
    assert assessment.route_to_officer_id == council.other_officer.id
    assert council.other_officer.name in assessment.messages[0]
