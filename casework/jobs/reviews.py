"""Review reminders: a hook for anything with a review date (contact restrictions, 004 §19.4).

A provider is a function `provider(today) -> iterable of ReviewReminder`, registered under a
name; the daily job asks every provider and decides each reminder once (its key is unique).
A provider chooses which reviews to remind about (say, those due within 5 working days) and
who hears; the key should include the review date so that a new date gets a new reminder.

    from casework.jobs.reviews import ReviewReminder, review_reminder_provider

    @review_reminder_provider("restrictions")
    def restriction_reviews(today):
        for restriction in fetch_restrictions_due_for_review(today):
            yield ReviewReminder(key=f"{restriction.id}:{restriction.review_on}", ...)

`title` goes into the subject line: never put personal data in it (a person's name, say).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Iterable, Sequence

from ..extensions import db
from ..notifications import NotificationDraft, Recipient, create_notifications, deliver_pending
from ..workdays import london_date
from .digests import DigestResult

log = logging.getLogger("casework.jobs")


@dataclass(frozen=True)
class ReviewReminder:
    key: str  # unique within the provider, e.g. f"{restriction_id}:{review_on}"
    review_on: date
    title: str  # e.g. "Contact restriction review" — in the subject, so no personal data
    recipients: Sequence[Recipient]
    reference: str | None = None  # a case or register reference, if any
    link: str | None = None
    lines: Sequence[str] = ()  # more body text (shown in the app and the e-mail)
    case_id: int | None = None


Provider = Callable[[date], Iterable[ReviewReminder]]
_PROVIDERS: dict[str, Provider] = {}


def register_review_provider(name: str, provider: Provider) -> Provider:
    _PROVIDERS[name] = provider
    return provider


def unregister_review_provider(name: str) -> None:
    _PROVIDERS.pop(name, None)


def review_reminder_provider(name: str):
    """Decorator form of register_review_provider."""
    def decorate(provider: Provider) -> Provider:
        return register_review_provider(name, provider)
    return decorate


def review_providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)


def run_review_reminders(at: datetime, *, deliver: bool = True) -> DigestResult:
    today = london_date(at)
    result = DigestResult("Review reminders", today)
    drafts: list[NotificationDraft] = []
    for name, provider in sorted(_PROVIDERS.items()):
        try:
            reminders = list(provider(today))
        except Exception:  # noqa: BLE001 - one broken provider must not silence the others
            db.session.rollback()
            log.exception("Review reminder provider %r failed", name)
            continue
        for reminder in reminders:
            drafts.append(NotificationDraft(
                key=f"review:{name}:{reminder.key}",
                kind="review_reminder",
                recipients=list(reminder.recipients),
                context={
                    "title": reminder.title, "reference": reminder.reference, "review_on": reminder.review_on,
                    "lines": list(reminder.lines), "link": reminder.link, "for_date": today,
                },
                for_date=today, case_id=reminder.case_id, due_on=reminder.review_on, link=reminder.link,
                data={"provider": name},
            ))
    won = create_notifications(drafts)
    db.session.commit()
    result.decided = len(won)
    result.recipients = sum(len({r.user_id for r in d.recipients}) for d in won)
    if deliver:
        result.delivery = deliver_pending()
    return result
