"""assess_contact: the pure rules staff follow when a restricted person makes contact.

Tables with the weekday in each id (London time), as the date rules elsewhere are tested. The
property at the end: whatever is in force, a contact is never blocked, and a new complaint is
always logged and handled under the complaints procedure.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.operations.restrictions import (
    NEW_COMPLAINT_MESSAGE,
    RestrictionTerms,
    assess_contact,
    describe_for_person,
    describe_for_staff,
)
from casework.workdays import LONDON

START, END = date(2026, 3, 2), date(2026, 6, 1)  # Mon 2 March to (ending on) Mon 1 June 2026
BLOCKED, NAMED, OTHER = 11, 22, 33
ROOF_CASE, OTHER_CASE = 501, 502


def terms(kind, **kw) -> RestrictionTerms:
    return RestrictionTerms(kind=kind, starts_on=kw.pop("starts_on", START), ends_on=kw.pop("ends_on", END),
                            id=kw.pop("id", 1), **kw)


PHONE = terms("phone_times", id=1, phone_days=(1, 3), phone_from=time(10), phone_until=time(12))  # Tue, Thu 10–12
LETTERS_ONLY = terms("contact_form", id=2, channels=("letter", "email"), contact_address="complaints@council.example")
NO_CONTACT = terms("no_contact_officers", id=3, officer_ids=(BLOCKED,), officer_names=("Bo Blocked",),
                   officer_id=NAMED, officer_name="Nia Named")
THROUGH_NAMED = terms("named_officer", id=4, officer_id=NAMED, officer_name="Nia Named")
FILE = terms("file_without_reply", id=5, case_id=ROOF_CASE, case_reference="CMP-2026-000501")
PREMISES = terms("premises_ban", id=6, all_premises=True)
SOCIAL = terms("social_media_block", id=7, social_media="Facebook and X")
LIMIT = terms("time_limits", id=8, minutes=15)
PVP = terms("pvp_register", id=9, safety_note="Do not meet alone; meet in the main reception.")
AGREEMENT = terms("written_agreement", id=10, agreement="One email a week to the named officer.")


def london(y, m, d, hh, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LONDON).astimezone(timezone.utc)


CASES = [
    # id, restrictions, channel, at, kwargs, flags, route_to, file check
    ("phone Tue 2026-03-03 10:00 GMT, inside", [PHONE], "telephone", london(2026, 3, 3, 10), {}, (), None, False),
    ("phone Tue 2026-03-03 11:59, inside", [PHONE], "telephone", london(2026, 3, 3, 11, 59), {}, (), None, False),
    ("phone Tue 2026-03-03 12:00, at the end: outside", [PHONE], "telephone", london(2026, 3, 3, 12), {},
     ("phone_outside_permitted_times",), None, False),
    ("phone Wed 2026-03-04 11:00, wrong day", [PHONE], "telephone", london(2026, 3, 4, 11), {},
     ("phone_outside_permitted_times",), None, False),
    ("dedicated line Thu 2026-03-05 09:59, too early", [PHONE], "dedicated_line", london(2026, 3, 5, 9, 59), {},
     ("phone_outside_permitted_times",), None, False),
    ("phone Thu 2026-04-02 11:00 BST, inside (London time, not UTC)", [PHONE], "telephone", london(2026, 4, 2, 11), {},
     (), None, False),
    ("email Wed 2026-03-04 20:00, phone times do not apply", [PHONE], "email", london(2026, 3, 4, 20), {}, (), None, False),
    ("phone Wed 2026-03-04 11:00 before the start", [terms("phone_times", phone_days=(1,), phone_from=time(10),
      phone_until=time(12), starts_on=date(2026, 3, 9))], "telephone", london(2026, 3, 4, 11), {}, (), None, False),
    ("phone Mon 2026-06-01 11:00 on the end date: ended", [PHONE], "telephone", london(2026, 6, 1, 11), {}, (), None, False),
    ("phone Fri 2026-05-29 11:00, last Friday in force", [PHONE], "telephone", london(2026, 5, 29, 11), {},
     ("phone_outside_permitted_times",), None, False),
    ("ended restriction is ignored", [terms("phone_times", phone_days=(1,), phone_from=time(10), phone_until=time(12),
      status="ended")], "telephone", london(2026, 3, 4, 11), {}, (), None, False),
    ("letters only: a phone call is flagged", [LETTERS_ONLY], "telephone", london(2026, 3, 3, 10), {},
     ("channel_not_permitted",), None, False),
    ("letters only: an email is fine", [LETTERS_ONLY], "email", london(2026, 3, 3, 10), {}, (), None, False),
    ("letters only: a councillor acting for them is not their own contact", [LETTERS_ONLY], "councillor",
     london(2026, 3, 3, 10), {}, (), None, False),
    ("for a blocked officer: routed to the named officer", [NO_CONTACT], "email", london(2026, 3, 3, 10),
     {"officer_id": BLOCKED}, ("officer_not_permitted",), NAMED, False),
    ("for another officer: no change", [NO_CONTACT], "email", london(2026, 3, 3, 10), {"officer_id": OTHER}, (), None, False),
    ("for nobody in particular: no change", [NO_CONTACT], "email", london(2026, 3, 3, 10), {}, (), None, False),
    ("only through the named officer: routed", [THROUGH_NAMED], "letter", london(2026, 3, 3, 10), {"officer_id": OTHER},
     ("route_to_named_officer",), NAMED, False),
    ("only through the named officer: to them, fine", [THROUGH_NAMED], "letter", london(2026, 3, 3, 10),
     {"officer_id": NAMED}, (), None, False),
    ("about the completed complaint: file with a check", [FILE], "letter", london(2026, 3, 3, 10),
     {"about_completed_case": ROOF_CASE}, ("file_without_reply",), None, True),
    ("about a completed complaint, unspecified: check", [FILE], "email", london(2026, 3, 3, 10),
     {"about_completed_case": True}, ("file_without_reply",), None, True),
    ("about a different case: answered as usual", [FILE], "letter", london(2026, 3, 3, 10),
     {"about_completed_case": OTHER_CASE}, (), None, False),
    ("a new complaint, even mentioning the old one: never filed", [FILE], "letter", london(2026, 3, 3, 10),
     {"about_completed_case": ROOF_CASE, "new_complaint": True}, ("new_complaint",), None, False),
    ("in person with a premises ban", [PREMISES], "in_person", london(2026, 3, 3, 10), {}, ("premises_ban",), None, False),
    ("phone with a premises ban: no flag", [PREMISES], "telephone", london(2026, 3, 3, 10), {}, (), None, False),
    ("social media blocked", [SOCIAL], "social_media", london(2026, 3, 3, 10), {}, ("social_media_blocked",), None, False),
    ("time limit on calls", [LIMIT], "telephone", london(2026, 3, 3, 10), {}, ("time_limit",), None, False),
    ("time limit not for letters", [LIMIT], "letter", london(2026, 3, 3, 10), {}, (), None, False),
    ("PVP safety note always shown", [PVP], "letter", london(2026, 3, 3, 10), {}, ("pvp",), None, False),
    ("written agreement shown", [AGREEMENT], "email", london(2026, 3, 3, 10), {}, ("written_agreement",), None, False),
    ("several at once", [PHONE, LETTERS_ONLY, NO_CONTACT, PVP], "telephone", london(2026, 3, 4, 11),
     {"officer_id": BLOCKED}, ("phone_outside_permitted_times", "channel_not_permitted", "officer_not_permitted", "pvp"),
     NAMED, False),
    ("new complaint by phone at the wrong time: flagged, and logged", [PHONE], "telephone", london(2026, 3, 4, 11),
     {"new_complaint": True}, ("phone_outside_permitted_times", "new_complaint"), None, False),
]


@pytest.mark.parametrize("restrictions, channel, at, kwargs, flags, route_to, file_check",
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_assess_contact(restrictions, channel, at, kwargs, flags, route_to, file_check):
    assessment = assess_contact(restrictions, channel, at, **kwargs)
    assert set(assessment.flags) == set(flags)
    assert assessment.route_to_officer_id == route_to
    assert assessment.file_without_reply_check_required is file_check
    assert assessment.may_log is True
    assert len(assessment.messages) >= len(assessment.flags)


def test_messages_say_what_to_do():
    late = assess_contact([PHONE], "telephone", london(2026, 3, 4, 11))
    assert "Tuesdays and Thursdays, 10am to 12pm" in late.messages[0]
    routed = assess_contact([NO_CONTACT], "email", london(2026, 3, 3, 10), officer_id=BLOCKED)
    assert routed.route_to_officer_name == "Nia Named" and "pass this contact to Nia Named" in routed.messages[0]
    filed = assess_contact([FILE], "letter", london(2026, 3, 3, 10), about_completed_case=ROOF_CASE)
    assert filed.file_without_reply_restriction_id == FILE.id
    assert "new information and safeguarding concerns" in filed.messages[0] and "CMP-2026-000501" in filed.messages[0]
    pvp = assess_contact([PVP], "in_person", london(2026, 3, 3, 10))
    assert pvp.safety_notes == ("Do not meet alone; meet in the main reception.",)
    limited = assess_contact([LIMIT, terms("time_limits", id=12, minutes=10)], "in_person", london(2026, 3, 3, 10))
    assert limited.time_limit_minutes == 10


def test_nothing_in_force_means_nothing_to_do():
    assessment = assess_contact([], "telephone", london(2026, 3, 4, 11))
    assert assessment.flags == () and not assessment.restricted and assessment.may_log


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        assess_contact([PHONE], "telephone", datetime(2026, 3, 3, 10))


@pytest.mark.parametrize("restriction, staff, person", [
    (PHONE, "Phone calls only on Tuesdays and Thursdays, 10am to 12pm",
     "You may telephone us only on Tuesdays and Thursdays, between 10am and 12pm."),
    (LETTERS_ONLY, "Contact only by letter or email, to complaints@council.example",
     "Please contact us only by letter or email, using complaints@council.example."),
    (NO_CONTACT, "Must not contact Bo Blocked: pass their contact to Nia Named",
     "Please do not contact Bo Blocked. If you need to contact us, Nia Named will deal with your contact instead."),
    (PREMISES, "Must not attend any council premises", "Please do not attend any of the council's premises."),
    (PVP, "Potentially Violent People register. Safety: Do not meet alone; meet in the main reception.",
     "We have referred you for inclusion on the council's Potentially Violent People register"),
], ids=["phone_times", "contact_form", "no_contact_officers", "premises_ban", "pvp_register"])
def test_descriptions(restriction, staff, person):
    assert describe_for_staff(restriction) == staff
    assert describe_for_person(restriction).startswith(person)


def test_the_pvp_letter_wording_does_not_repeat_the_safety_note():
    assert "meet alone" not in describe_for_person(PVP)


ALL = [PHONE, LETTERS_ONLY, NO_CONTACT, THROUGH_NAMED, FILE, PREMISES, SOCIAL, LIMIT, PVP, AGREEMENT]
CHANNELS = ["telephone", "dedicated_line", "email", "letter", "web_form", "social_media", "in_person", "councillor", "mp"]


@settings(max_examples=300, deadline=None)
@given(
    restrictions=st.lists(st.sampled_from(ALL), max_size=6, unique_by=lambda r: r.id),
    channel=st.sampled_from(CHANNELS),
    at=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(timezone.utc)),
    officer_id=st.sampled_from([None, BLOCKED, NAMED, OTHER]),
    about=st.sampled_from([None, True, ROOF_CASE, OTHER_CASE]),
)
def test_a_new_complaint_is_never_blocked(restrictions, channel, at, officer_id, about):
    """Whatever is in force, whenever and however they contact us: a new complaint is logged and
    handled under the complaints procedure, never filed without reply."""
    assessment = assess_contact(restrictions, channel, at, officer_id, about, new_complaint=True)
    assert assessment.may_log is True
    assert "new_complaint" in assessment.flags and NEW_COMPLAINT_MESSAGE in assessment.messages
    assert assessment.file_without_reply_check_required is False
    assert not hasattr(assessment, "blocked")


@settings(max_examples=200, deadline=None)
@given(
    restrictions=st.lists(st.sampled_from(ALL), max_size=6, unique_by=lambda r: r.id),
    channel=st.sampled_from(CHANNELS),
    at=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(timezone.utc)),
)
def test_nothing_applies_outside_the_period(restrictions, channel, at):
    local_day = at.astimezone(LONDON).date()
    assessment = assess_contact(restrictions, channel, at, BLOCKED, True)
    if not START <= local_day < END:
        assert assessment.flags == () and assessment.route_to_officer_id is None
