"""Free text with HTML or script in it is shown escaped on every page (never run, never markup)."""
from __future__ import annotations

from casework.extensions import db
from casework.models import Correspondence, Person, Representation, Role
from tests.factories import make_user
from tests.web.helpers import act, make_case, sign_in

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;"


def _assert_escaped(html: str, where: str):
    assert "<script>alert" not in html and "<img src=x" not in html, where
    assert ESCAPED in html, f"{where}: the text should still be shown, escaped"


def test_hostile_text_is_escaped_everywhere(client):
    manager = make_user(Role.SERVICE_RECOVERY, name="Rhys " + EVIL)
    person = Person(name="Jo " + EVIL, email="jo@example.com", address=EVIL, postcode="CV1 2AB",
                    accessibility_needs=EVIL, language=EVIL)
    db.session.add(person)
    case = make_case(summary="Bins " + EVIL, description=EVIL, person=person, actor=manager, assignee=manager)
    case.representations.append(Representation(representative=Person(name="Rep " + EVIL), relationship_to_person=EVIL,
                                                consent_evidence=EVIL, decision="pending"))
    db.session.commit()
    act(case, "start_stage1", {"reason": "not_resolved"}, manager)
    act(case, "extend", {"days": 15, "reason": EVIL}, manager)
    db.session.add(Correspondence(case_id=case.id, direction="out", status="printed", subject="Letter " + EVIL, body=EVIL,
                                  recipient=EVIL, created_at=case.received_at, sent_at=case.received_at))
    db.session.commit()
    letter = db.session.query(Correspondence).one()
    sign_in(client, manager)
    pages = {
        "home": "/home",
        "queue": "/cases?queue=all",
        "case": f"/cases/{case.reference}",
        "action": f"/cases/{case.reference}/actions/respond",
        "search": "/search?q=bins",
        "search query": "/search?q=" + EVIL,
        "person": f"/people/{person.id}",
        "letter": f"/cases/{case.reference}/letters/{letter.id}",
        "compose": f"/cases/{case.reference}/letters/new?template=extension",
    }
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, where
        _assert_escaped(response.get_data(as_text=True), where)


def test_hostile_text_in_the_contact_journey_is_escaped(client):
    sign_in(client, make_user(Role.RESIDENT_EXPERIENCE))
    client.get("/contacts/new/")
    client.post("/contacts/new/person", data={"name": EVIL, "address": EVIL, "ward": ""})
    client.post("/contacts/new/who", data={"who": "representative"})
    client.post("/contacts/new/representative", data={"name": EVIL, "relationship": EVIL, "consent_evidence": EVIL,
                                                      "consent_received_on": ["", "", ""]})
    for step in ("person", "representative"):
        _assert_escaped(client.get(f"/contacts/new/{step}").get_data(as_text=True), step)
    _assert_escaped(client.get("/contacts/new/find?name=" + EVIL).get_data(as_text=True), "find")
