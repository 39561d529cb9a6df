"""Signing in and out of the web app."""
from __future__ import annotations

from casework.models import Role
from tests.factories import PASSWORD, make_user


def sign_in(client, email, password=PASSWORD):
    return client.post("/sign-in", data={"email": email, "password": password})


def test_sign_in_page_renders_with_govuk_frontend(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "govuk-frontend.min.css" in html and 'name="email"' in html and 'type="password"' in html


def test_home_needs_sign_in(client):
    response = client.get("/home")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_sign_in_and_out(client):
    user = make_user(Role.INVESTIGATING_OFFICER, name="Olu Officer")
    response = sign_in(client, user.email.upper())
    assert response.status_code == 302
    home = client.get("/home")
    assert home.status_code == 200 and "Olu Officer" in home.get_data(as_text=True)
    client.post("/sign-out")
    assert client.get("/home").status_code == 302


def test_wrong_password_shows_error_next_to_field(client):
    user = make_user()
    response = sign_in(client, user.email, "wrong")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in html and "Enter a correct email address and password" in html
    assert 'href="#email"' in html


def test_missing_fields_are_reported(client):
    response = client.post("/sign-in", data={"email": "", "password": ""})
    html = response.get_data(as_text=True)
    assert "Enter your email address" in html and "Enter your password" in html


def test_repeated_failures_lock_the_account(client, app):
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(client, user.email, "wrong")
    response = sign_in(client, user.email)  # right password, but locked
    assert response.status_code == 400
    assert "Too many failed attempts" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_open_redirect_is_refused(client):
    user = make_user()
    response = client.post("/sign-in?next=//evil.example", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/home")


def test_unknown_page_is_a_govuk_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)
