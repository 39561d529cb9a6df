"""Councillors kept informed (issue 5; report §4.3): acknowledged, holding reply, stage change and
answered each send the councillor exactly one notification, in the app and by e-mail, with no
personal data in it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, Event, Person, Role
from casework.models.notifications import Notification, NotificationDelivery, OutboxMessage
from casework.notifications import deliver_pending
from casework.operations.cases import open_case, take_action
from casework.operations.councillor_updates import case_changed
from tests.factories import make_user, make_ward
from tests.jobs.support import at
from tests.web.helpers import sign_in

RESIDENT = "Zebedee Quixote-Smith"


@pytest.fixture
def people(app):
    ward = make_ward("Foleshill")
    return {
        "councillor": make_user(Role.COUNCILLOR, name="Cllr Khan", email="cllr@council.test", wards=[ward]),
        "officer": make_user(Role.INVESTIGATING_OFFICER, name="Olu Officer", email="officer@council.test"),
        "recovery": make_user(Role.SERVICE_RECOVERY, name="Rhys Recovery", email="recovery@council.test"),
        "director": make_user(Role.DIRECTOR, name="Dee Director"),
        "ward": ward,
    }


def enquiry(people, received=None) -> Case:
    person = Person(name=RESIDENT, email="zebedee@example.com", postcode="CV6 5AA", ward_id=people["ward"].id)
    db.session.add(person)
    case = open_case(kind="member_enquiry", procedure="member_enquiry", received_at=received or at("03-02", 10),
                     summary="Bins missed", person=person, raised_by=people["councillor"], actor=people["councillor"],
                     councillor_acts_for_person=True)
    db.session.commit()
    return case


def act(case, action, actor, when, **fields):
    take_action(case, action, fields, actor=actor, at=when)
    db.session.commit()
    return case


def told(user) -> list[Notification]:
    return list(db.session.execute(
        select(Notification).join(NotificationDelivery, NotificationDelivery.notification_id == Notification.id)
        .where(NotificationDelivery.user_id == user.id).order_by(Notification.id)
    ).scalars())


def assert_no_personal_data(notification: Notification) -> None:
    for text in (notification.subject, notification.body):
        assert "Zebedee" not in text and "zebedee@example.com" not in text and "CV6 5AA" not in text


def test_each_update_sends_exactly_one(people):
    councillor, officer = people["councillor"], people["officer"]
    case = enquiry(people)
    assert told(councillor) == []  # raising it themselves tells them nothing

    act(case, "acknowledge", officer, at("03-03"))
    [ack] = told(councillor)
    assert ack.kind == "councillor_acknowledged" and ack.case_id == case.id
    assert ack.subject == f"Acknowledged: your enquiry {case.reference}"
    assert "An answer is due by Monday 9 March 2026." in ack.body
    assert ack.link.endswith(f"/councillor/cases/{case.reference}")

    act(case, "holding_reply", officer, at("03-06"), due_on="2026-03-20", reason=f"{RESIDENT}'s file is with the contractor")
    held = told(councillor)[-1]
    assert held.kind == "councillor_holding_reply"
    assert held.subject == f"Holding reply: {case.reference} answer now due Fri 20 March"
    assert "the answer is now due by Friday 20 March 2026" in held.body

    act(case, "respond", officer, at("03-12"), summary=f"{RESIDENT}'s bins will be collected on Friday")
    answered = told(councillor)[-1]
    assert answered.kind == "councillor_answered" and answered.subject == f"Answered: your enquiry {case.reference}"

    act(case, "close", officer, at("03-20"))
    closed = told(councillor)[-1]
    assert closed.kind == "councillor_stage_changed" and '"Closed"' in closed.body

    notices = told(councillor)
    assert [n.kind for n in notices] == ["councillor_acknowledged", "councillor_holding_reply", "councillor_answered",
                                         "councillor_stage_changed"]
    for notice in notices:
        assert_no_personal_data(notice)
    assert told(officer) == []  # the officer did it; the councillor is the one told


def test_conversion_and_the_complaints_stages_keep_the_councillor_informed(people):
    councillor, recovery = people["councillor"], people["recovery"]
    case = enquiry(people)
    act(case, "convert", recovery, at("03-03"), procedure="corporate")
    complaint = db.session.execute(select(Case).where(Case.linked_case_id == case.id)).scalar_one()
    [converted] = told(councillor)
    assert converted.kind == "councillor_stage_changed" and converted.case_id == case.id
    assert f"has been passed on: it is now {complaint.reference}" in converted.body

    act(complaint, "start_stage1", recovery, at("03-04"), reason="resident_insists")
    stage = told(councillor)[-1]
    assert (stage.kind, stage.case_id) == ("councillor_stage_changed", complaint.id)
    assert 'from "Informal resolution" to "Stage 1' in stage.body
    act(complaint, "acknowledge", recovery, at("03-05"))
    act(complaint, "respond", recovery, at("03-10"), outcome="upheld", summary=f"Apology to {RESIDENT}")
    kinds = [n.kind for n in told(councillor)]
    assert kinds == ["councillor_stage_changed", "councillor_stage_changed", "councillor_acknowledged", "councillor_answered"]
    for notice in told(councillor):
        assert_no_personal_data(notice)


def test_nothing_for_actions_that_are_not_news_nor_for_the_councillors_own(people):
    councillor, officer = people["councillor"], people["officer"]
    case = enquiry(people)
    act(case, "escalate_to_senior_officer", people["recovery"], at("03-10"), reason="Chasing")  # no change of state
    act(case, "withdraw", councillor, at("03-11"), reason="Sorted out locally")  # their own action
    assert told(councillor) == []
    unrelated = open_case(kind="complaint", procedure="corporate", received_at=at("03-02", 10), summary="No councillor")
    db.session.commit()
    act(unrelated, "start_stage1", people["recovery"], at("03-03"), reason="resident_insists")
    assert db.session.execute(select(Notification)).scalars().all() == []


def test_deciding_again_for_the_same_event_sends_nothing_more(people):
    case = enquiry(people)
    act(case, "acknowledge", people["officer"], at("03-03"))
    event = db.session.execute(select(Event).where(Event.case_id == case.id, Event.action == "acknowledge")).scalar_one()
    assert case_changed(case, event, actor=people["officer"]) is None  # its key is taken
    db.session.commit()
    assert len(told(people["councillor"])) == 1


def test_delivered_by_email_and_on_the_notifications_page(client, people):
    case = enquiry(people)
    act(case, "acknowledge", people["officer"], at("03-03"))
    report = deliver_pending()
    assert [s.to for s in report.sent] == ["cllr@council.test"]
    message = db.session.execute(select(OutboxMessage)).scalar_one()
    assert message.subject == f"Acknowledged: your enquiry {case.reference}"
    assert "Zebedee" not in message.body_text and "Hello Cllr Khan" in message.body_text
    sign_in(client, people["councillor"])
    assert 'casework-count-tag">1<span class="govuk-visually-hidden"> unread' in client.get("/councillor/home").get_data(as_text=True)
    page = client.get("/notifications").get_data(as_text=True)
    assert f"Acknowledged: your enquiry {case.reference}" in page
