"""Issue 7 in a real browser: a service manager takes a person from a warning to a time-limited
restriction with its letter; a Director's review changes it; it lapses on its date. Every page
is scanned with axe-core (tests/browser/conftest.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.models.restrictions import RestrictionRecord
from casework.operations import restrictions as ops
from tests.browser.helpers import fill_date, go, sign_in, submit
from tests.restrictions.support import completed_complaint, make_council, make_person, today

pytestmark = pytest.mark.browser


def _record() -> RestrictionRecord:
    db.session.rollback()
    db.session.expire_all()
    return db.session.execute(select(RestrictionRecord)).scalar_one()


def test_warning_to_restriction_to_review_to_lapse(page, live_server, a11y):
    council = make_council()
    person = make_person()
    roof = completed_complaint(person, council.front_door)
    ends = today() + timedelta(days=90)

    sign_in(page, a11y, live_server, council.recovery)
    go(page, a11y, f"{live_server.url}/restrictions/people/{person.id}")
    page.get_by_role("button", name="Consider under the policy").click()
    a11y.scan()
    submit(page, a11y, "Open the record")  # nothing chosen: the errors, linked to the fields
    assert page.locator(".govuk-error-summary").is_visible()
    page.locator(".govuk-error-summary a").first.click()
    assert page.evaluate("document.activeElement.name") == "behaviours"
    page.get_by_label("Repeatedly contacts the council").check()
    page.get_by_label("Has used foul and abusive language").check()
    page.get_by_label("What has happened").fill("Forty calls in March; abusive to two officers.")
    page.get_by_label(roof.reference).check()
    submit(page, a11y, "Open the record")
    assert page.get_by_role("heading", name="Restriction record").is_visible()

    page.get_by_role("button", name="Record a warning").click()
    a11y.scan()
    page.get_by_label("Written warning").check()
    page.get_by_label("What they were told").fill("Please stop calling every hour and swearing at staff.")
    submit(page, a11y, "Record the warning")
    assert page.get_by_role("heading", name="Warning letter").is_visible()
    page.get_by_label("Print and post").check()
    submit(page, a11y, "Send and record it")
    assert page.get_by_text("Letter recorded as printed").is_visible()

    page.get_by_role("link", name="Back to RST-").click()
    a11y.scan()
    page.get_by_role("button", name="Decide restrictions").click()
    a11y.scan()
    page.get_by_label("Telephone calls only on set days and times of the week").check()
    page.get_by_label("Tuesday").check()
    page.get_by_label("Thursday").check()
    page.get_by_label("From", exact=True).fill("10:00")
    page.get_by_label("Until", exact=True).fill("12:00")
    fill_date(page, "End date", str(ends.day), str(ends.month), str(ends.year))
    page.get_by_label("Why", exact=True).fill("Calls every hour, continuing after a written warning.")
    page.get_by_label("How you balanced their interests").fill("Their complaints are still answered in writing.")
    page.get_by_label("Equality considerations").fill("No disability or other need known; asked on the phone.")
    page.get_by_label("Reasonable adjustments").fill("A named officer was offered.")
    submit(page, a11y, "Decide and prepare the letter")
    assert page.get_by_role("heading", name="Decision letter").is_visible()
    body = page.get_by_label("Letter").input_value()
    assert "You may telephone us only on Tuesdays and Thursdays, between 10am and 12pm." in body
    assert "How to ask for a review" in body
    page.get_by_label("Print and post").check()
    submit(page, a11y, "Send and record it")

    page.get_by_role("link", name="Back to RST-").click()
    a11y.scan()
    page.get_by_role("button", name="Log a review request").click()
    a11y.scan()
    page.get_by_label("Letter", exact=True).check()
    page.get_by_label("What they said").fill("I only call because nobody answers my letters.")
    submit(page, a11y, "Log the request")
    assert page.get_by_text("Review request logged").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in")
    a11y.scan()

    sign_in(page, a11y, live_server, council.director)
    go(page, a11y, f"{live_server.url}/restrictions")
    assert page.get_by_role("heading", name="Review requests waiting for a Director").is_visible()
    page.locator("#review-requests + ul a").first.click()
    a11y.scan()
    page.get_by_role("button", name="Review the restrictions").click()
    a11y.scan()
    page.get_by_label("Change them: lift some, or change the end date").check()
    shorter = today() + timedelta(days=30)
    fill_date(page, "New end date (optional)", str(shorter.day), str(shorter.month), str(shorter.year))
    page.get_by_label("Reasons").fill("The calls have reduced; a shorter period is proportionate.")
    submit(page, a11y, "Decide and prepare the letter")
    assert page.get_by_role("heading", name="Review decision letter").is_visible()
    assert "I have decided to change the restrictions." in page.get_by_label("Letter").input_value()
    [restriction] = _record().active_restrictions
    assert restriction.ends_on == shorter

    result = ops.lapse_expired_restrictions(shorter)
    db.session.commit()
    assert result.lapsed == 1
    page.get_by_role("link", name="Back to RST-").click()
    a11y.scan()
    assert page.locator(".govuk-tag", has_text="Closed").is_visible()
    assert page.get_by_text("The restrictions on your contact with").first.is_visible()


def test_the_other_restriction_pages_are_accessible(page, live_server, a11y):
    from datetime import time

    from tests.restrictions.support import considered, decide, spec, warned

    council = make_council()
    person = make_person()
    roof = completed_complaint(person, council.front_door)
    record = considered(person, council.recovery)
    warned(record, council.recovery)
    decide(record, council.recovery, [spec("file_without_reply", case_id=roof.id),
                                      spec("pvp_register", safety_note="Do not meet alone."),
                                      spec("phone_times", phone_days=[1], phone_from=time(10), phone_until=time(12))])
    fwr = next(r for r in record.active_restrictions if r.kind == "file_without_reply")

    # Front-door staff: the banner's link to the "file without reply" check.
    sign_in(page, a11y, live_server, council.front_door)
    go(page, a11y, f"{live_server.url}/restrictions/{fwr.id}/file-check")
    submit(page, a11y, "Record the check")
    assert page.locator(".govuk-error-summary").is_visible()
    page.get_by_label("What it says").fill("Asks again about the roof.")
    page.get_by_role("group", name="Does it contain new information").get_by_label("No").check()
    page.get_by_role("group", name="Does it raise a safeguarding concern?").get_by_label("No").check()
    submit(page, a11y, "Record the check")
    assert page.get_by_text("File it without reply").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in")
    a11y.scan()

    sign_in(page, a11y, live_server, council.recovery)
    go(page, a11y, f"{live_server.url}/restrictions")
    go(page, a11y, f"{live_server.url}/restrictions/people/{person.id}")
    assert page.get_by_text("Do not meet alone.").is_visible()
    go(page, a11y, f"{live_server.url}/restrictions/records/{record.id}/evidence")
    submit(page, a11y, "Add evidence")
    assert page.locator(".govuk-error-summary").is_visible()
    page.get_by_label("An incident").check()
    fill_date(page, "Date it happened", str(today().day), str(today().month), str(today().year))
    page.get_by_label("What happened").fill("Shouted at the reception officer.")
    submit(page, a11y, "Add evidence")
    assert page.get_by_role("alert").get_by_text("Evidence added").is_visible()
    go(page, a11y, f"{live_server.url}/restrictions/records/{record.id}/close")


def _contact_to_kind(page, a11y, live_server, person, *, channel: str, day, clock: str, summary: str):
    """The log-a-contact journey for an existing person, up to "what kind"."""
    go(page, a11y, f"{live_server.url}/contacts/new/")
    page.get_by_label("Name").fill(person.name.split()[0])
    submit(page, a11y, "Search")
    page.get_by_role("button", name=f"Select {person.name}").click()
    page.wait_for_load_state("load")
    a11y.scan()
    assert page.locator(".casework-restriction-banner").first.is_visible()
    page.get_by_label("The person themselves").check()
    submit(page, a11y)
    assert page.locator(".casework-restriction-banner").is_visible()  # first, on every step
    page.get_by_label(channel, exact=True).check()
    fill_date(page, "Date received", str(day.day), str(day.month), str(day.year))
    page.get_by_label("Time received").fill(clock)
    submit(page, a11y)
    assert page.locator(".casework-restriction-banner").is_visible()
    page.get_by_label("Summary").fill(summary)
    submit(page, a11y)


def test_later_contacts_are_handled_as_the_restrictions_say(page, live_server, a11y):
    from datetime import time

    from casework.models import Case, Event
    from tests.restrictions.support import considered, decide, spec, warned

    council = make_council()
    person = make_person()
    roof = completed_complaint(person, council.front_door)
    record = considered(person, council.recovery)
    warned(record, council.recovery)
    decide(record, council.recovery, [
        spec("file_without_reply", case_id=roof.id),
        spec("phone_times", phone_days=[0, 1, 2, 3, 4, 5, 6], phone_from=time(9), phone_until=time(10)),
    ])
    for row in record.active_restrictions:  # in force for contacts in the last few days
        row.starts_on = today() - timedelta(days=10)
    db.session.commit()
    two_days_ago = today() - timedelta(days=2)

    # A phone call at 8.30pm, outside the times they may phone: flagged, and recorded on the case.
    sign_in(page, a11y, live_server, council.front_door)
    _contact_to_kind(page, a11y, live_server, person, channel="Telephone", day=two_days_ago, clock="20:30",
                     summary="Rang about the bins")
    assert page.get_by_text("This call is outside the times they may phone").is_visible()
    page.get_by_label("Service request or first report of a problem").check()
    submit(page, a11y)
    assert page.get_by_role("heading", name="Their contact restrictions").is_visible()
    page.get_by_role("group", name="Is it about their completed complaint?").get_by_label("No").check()
    submit(page, a11y)
    submit(page, a11y)  # preferences as they are
    page.get_by_label("Not asked this time").check()
    submit(page, a11y)
    assert page.get_by_text("Call outside their permitted times", exact=True).is_visible()
    submit(page, a11y, "Log the contact")
    assert page.get_by_role("alert").get_by_text("Flagged: a call outside the times they may phone").is_visible()
    assert page.get_by_text("Contact restrictions followed").first.is_visible()
    db.session.rollback()
    case = db.session.execute(select(Case).where(Case.summary == "Rang about the bins")).scalar_one()
    flagged = db.session.execute(select(Event).where(Event.case_id == case.id, Event.action == "contact_restrictions")).scalar_one()
    assert "phone_outside_permitted_times" in flagged.data["flags"]

    # A letter about the completed complaint, with nothing new: checked, then filed without reply.
    _contact_to_kind(page, a11y, live_server, person, channel="Letter", day=two_days_ago, clock="11:00",
                     summary="Writes again about the roof")
    page.get_by_label("Comment", exact=True).check()
    submit(page, a11y)
    submit(page, a11y)  # nothing chosen: the errors, linked to the fields
    assert page.locator(".govuk-error-summary").is_visible()
    page.locator(".govuk-error-summary a").first.click()
    assert page.evaluate("document.activeElement.name") == "about_completed"
    page.get_by_role("group", name="Is it about their completed complaint?").get_by_label("Yes").check()
    page.get_by_role("group", name="Does it contain new information?").get_by_label("No").check()
    page.get_by_role("group", name="Does it raise a safeguarding concern?").get_by_label("No").check()
    submit(page, a11y)
    assert page.get_by_role("heading", name="Check your answers before filing the correspondence").is_visible()
    submit(page, a11y, "File without reply")
    assert page.get_by_role("heading", name=roof.reference).is_visible()
    assert page.get_by_text("Filed without reply: the check").is_visible()
    db.session.rollback()
    assert db.session.execute(select(Case).where(Case.summary == "Writes again about the roof")).first() is None
