"""The log-a-contact journey completed with the keyboard alone: Tab to reach each control, arrow
keys and Space to choose, typing to fill in, Enter to submit (WCAG 2.1.1 Keyboard)."""
from __future__ import annotations

import re

import pytest

from casework.extensions import db
from casework.models import Case, Role
from tests.browser.helpers import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser
MAX_TABS = 120


def tab_to(page, selector: str, text: str | None = None):
    """Press Tab until the focused element matches the selector (and has this text), or fail."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(
            "([s, t]) => { const e = document.activeElement;"
            " return !!e && e.matches(s) && (t === null || e.textContent.trim() === t); }",
            [selector, text],
        ):
            return
    raise AssertionError(f"{selector} {text or ''} cannot be reached with the Tab key on {page.url}")


def type_into(page, selector: str, text: str):
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose(page, name: str, value: str):
    """Radios: Tab into the group, then arrow keys move the choice (and select it)."""
    tab_to(page, f'input[type="radio"][name="{name}"]')
    for _ in range(30):
        if page.evaluate("() => document.activeElement.value") == value:
            page.keyboard.press("Space")
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate(f'() => document.querySelector(\'input[name="{name}"][value="{value}"]\').checked')


def tick(page, name: str, value: str):
    tab_to(page, f'input[type="checkbox"][name="{name}"][value="{value}"]')
    page.keyboard.press("Space")


def press_button(page, a11y, text: str = "Continue"):
    tab_to(page, "button", text)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    a11y.scan()


def test_log_a_contact_with_the_keyboard_only(page, live_server, a11y):
    sign_in(page, a11y, live_server, make_user(Role.RESIDENT_EXPERIENCE))
    tab_to(page, 'a[href="/contacts/new/"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    a11y.scan()
    type_into(page, "#name", "Kim Keyboard")
    press_button(page, a11y, "Search")
    tab_to(page, 'a[href*="new=1"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    a11y.scan()
    type_into(page, "#email", "kim@example.com")
    press_button(page, a11y)
    choose(page, "who", "self")
    press_button(page, a11y)
    choose(page, "channel", "in_person")
    type_into(page, "#received_time", "09:45")
    press_button(page, a11y)
    type_into(page, "#summary", "Pavement broken outside the library")
    press_button(page, a11y)
    choose(page, "kind", "complaint")
    press_button(page, a11y)
    choose(page, "reason", "none")
    press_button(page, a11y)
    choose(page, "late", "no")
    press_button(page, a11y)
    choose(page, "procedure", "corporate")
    press_button(page, a11y)
    choose(page, "preferred_contact_method", "telephone")
    tick(page, "needs", "reading_writing")
    press_button(page, a11y)
    choose(page, "answer", "not_asked")
    press_button(page, a11y)
    press_button(page, a11y, "Log the contact")
    banner = page.locator(".govuk-notification-banner").inner_text()
    reference = re.search(r"[A-Z]{3}-\d{4}-\d{6}", banner).group(0)
    case = db.session.query(Case).filter_by(reference=reference).one()
    assert case.person.name == "Kim Keyboard" and case.channel == "in_person"
    assert case.person.preferred_contact_method == "telephone"
    assert "Help with reading or writing" in case.person.accessibility_needs
