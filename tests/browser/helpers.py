"""Steps the browser tests share."""
from __future__ import annotations

from tests.factories import PASSWORD


def sign_in(page, a11y, server, user):
    page.goto(server.url + "/sign-in")
    a11y.scan()
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/home")
    a11y.scan()


def go(page, a11y, url):
    page.goto(url)
    a11y.scan()


def submit(page, a11y, name="Continue"):
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state("load")
    a11y.scan()


def fill_date(page, legend: str, day: str, month: str, year: str):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)
