"""Search by reference, name, email, phone, postcode; a person's page with all their cases."""
from __future__ import annotations

from casework.extensions import db
from casework.models import Person, Representation, Role
from tests.factories import make_user
from tests.web.helpers import act, make_case, sign_in


def _people():
    jo = Person(name="Jo Bloggs", email="jo@example.com", phone="024 7683 3333", postcode="CV1 2AB")
    al = Person(name="Al Other", email="al@example.com", phone="07700 900123", postcode="CV6 5XY")
    db.session.add_all([jo, al])
    db.session.commit()
    return jo, al


def test_reference_goes_straight_to_the_case(client):
    case = make_case()
    sign_in(client, make_user())
    response = client.get(f"/search?q={case.reference.lower()}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case.reference}")


def test_search_people_by_name_email_phone_and_postcode(client):
    jo, al = _people()
    case = make_case(person=jo, summary="Potholes on Hertford Street")
    sign_in(client, make_user(Role.INVESTIGATING_OFFICER))
    for q in ("bloggs", "JO@EXAMPLE.COM", "02476833333", "024 7683 3333", "cv1 2ab", "CV12AB"):
        html = client.get(f"/search?q={q}").get_data(as_text=True)
        assert "Jo Bloggs" in html and "Al Other" not in html, q
        assert case.reference in html, q  # their open cases
    assert "Potholes on Hertford Street" in client.get("/search?q=hertford").get_data(as_text=True)
    assert "No people match" in client.get("/search?q=zzzz").get_data(as_text=True)
    assert client.get("/search?q=%25_%5C").status_code == 200  # LIKE wildcards are escaped


def test_person_page_lists_all_their_cases_including_as_representative(client):
    jo, al = _people()
    own = make_case(person=jo, summary="Own complaint")
    other = make_case(person=al, summary="Al's complaint")
    other.representations.append(Representation(representative=jo, relationship_to_person="Friend", decision="accepted"))
    closed = make_case(person=jo, summary="Old one")
    act(closed, "withdraw", {"reason": "Sorted out"})
    sign_in(client, make_user())
    html = client.get(f"/people/{jo.id}").get_data(as_text=True)
    assert own.reference in html and other.reference in html and closed.reference in html
    assert "As representative" in html and "3 cases" in html
    assert client.get("/people/999999").status_code == 404
