"""The notifications list (every user) and the outbox page (development; admins in production)."""
from __future__ import annotations

import re

from sqlalchemy import select

from casework.extensions import db
from casework.jobs.sweep import run_sweep
from casework.models.notifications import NotificationDelivery, OutboxMessage
from tests.factories import PASSWORD
from tests.jobs.support import at, complaint, make_council, member_enquiry


def sign_in(client, user):
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_pages_need_sign_in(client):
    for path in ("/notifications", "/outbox", "/notifications/1", "/outbox/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_user_sees_and_reads_their_own_notifications(app, client):
    council = make_council()
    case = complaint(at("03-02", 10), assignee=council.officer, area=council.area)
    run_sweep(at("03-04"))
    run_sweep(at("03-06"))
    sign_in(client, council.officer)
    page = client.get("/notifications").get_data(as_text=True)
    assert "govuk-frontend.min.css" in page and "<h1 class=\"govuk-heading-xl\">Notifications</h1>" in page
    assert f"Overdue: {case.reference} Informal resolution was due Thu 5 March" in page
    assert f"Reminder: {case.reference} Informal resolution due Thu 5 March" in page
    assert page.count("govuk-tag--blue") == 2 and "You have 2 unread notifications." in page

    delivery = db.session.execute(
        select(NotificationDelivery).where(NotificationDelivery.user_id == council.officer.id).order_by(NotificationDelivery.id)
    ).scalars().first()
    detail = client.get(f"/notifications/{delivery.id}").get_data(as_text=True)
    assert "You are the officer assigned to this case." in detail
    assert f'href="http://127.0.0.1:5000/cases/{case.reference}"' in detail
    db.session.expire_all()
    assert delivery.read_at is not None
    assert "You have 1 unread notification." in client.get("/notifications").get_data(as_text=True)

    client.post("/notifications/read")
    assert "unread" not in client.get("/notifications").get_data(as_text=True)

    manager_delivery = db.session.execute(
        select(NotificationDelivery.id).where(NotificationDelivery.user_id == council.manager.id)
    ).scalar_one()
    assert client.get(f"/notifications/{manager_delivery}").status_code == 404  # not theirs


def test_a_councillor_sees_the_escalation_of_their_enquiry(app, client):
    council = make_council()
    enquiry = member_enquiry(at("03-02", 10), council=council, assignee=council.officer, area=council.area,
                             acknowledge_at=at("03-03"))
    run_sweep(at("03-10"))
    sign_in(client, council.councillor)
    page = client.get("/notifications").get_data(as_text=True)
    assert f"Escalated: {enquiry.reference} Answer was due Mon 9 March" in page


def test_outbox_page_in_development_shows_what_would_have_been_sent(app, client):
    council = make_council()
    case = complaint(at("03-02", 10), assignee=council.officer, area=council.area)
    run_sweep(at("03-06"))
    sign_in(client, council.officer)
    page = client.get("/outbox").get_data(as_text=True)
    assert "2 messages in the outbox." in page
    assert "officer@council.test" in page and "manager@council.test" in page
    message = db.session.execute(select(OutboxMessage).where(OutboxMessage.to_address == "manager@council.test")).scalar_one()
    detail = client.get(f"/outbox/{message.id}").get_data(as_text=True)
    assert f"Overdue: {case.reference} Informal resolution was due Thu 5 March" in detail
    assert "Hello Mona Manager" in detail and "You manage this case&#39;s service area" in detail
    assert client.get("/outbox/999999").status_code == 404


def test_outbox_is_for_administrators_in_production(app, client):
    council = make_council()
    app.config["CASEWORK_ENV"] = "production"
    sign_in(client, council.officer)
    assert client.get("/outbox").status_code == 403
    assert 'href="/outbox"' not in client.get("/notifications").get_data(as_text=True)
    client.post("/sign-out")
    sign_in(client, council.admin)
    assert client.get("/outbox").status_code == 200
    assert 'href="/outbox"' in client.get("/notifications").get_data(as_text=True)


def test_free_text_is_escaped(app, client):
    council = make_council()
    council.officer.name = "<script>alert(1)</script>"
    db.session.commit()
    complaint(at("03-02", 10), assignee=council.officer, area=council.area)
    run_sweep(at("03-06"))
    sign_in(client, council.manager)
    message = db.session.execute(select(OutboxMessage).where(OutboxMessage.to_address == "manager@council.test")).scalar_one()
    assert "<script>alert(1)</script>" in message.body_text  # plain text is plain
    assert "<script>" not in message.body_html
    detail = client.get(f"/outbox/{message.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in detail
    assert re.search(r"&lt;script&gt;alert\(1\)&lt;/script&gt;", detail)


def test_unread_count_for_the_header(app, client):
    council = make_council()
    complaint(at("03-02", 10), assignee=council.officer, area=council.area)
    run_sweep(at("03-06"))
    with app.test_request_context():
        from flask_login import login_user

        render = app.jinja_env.from_string("{{ unread_notification_count() }}").render
        assert render() == "0"
        login_user(council.officer)
        assert render() == "1"
