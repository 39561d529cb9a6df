"""The scheduler's settings: app.config first (tests, create_app overrides), then the environment.

Listed, with their defaults, in docs/deployment.md.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from flask import current_app


def setting(name: str, default: int) -> int:
    value = current_app.config.get(name)
    if value is None or value == "":
        value = os.environ.get(name)
    if value is None or value == "":
        return default
    number = int(value)
    if number < 0:
        raise ValueError(f"{name} must not be negative")
    return number


@dataclass(frozen=True)
class JobSettings:
    # Lead times for a deadline clock whose policy gives no `remind_before`.
    default_remind_before: int = 2
    # A breach notice (or missed reminder) is still sent this many working days late, so a
    # scheduler that was down catches up; older breaches show in the daily digests instead of
    # flooding inboxes. The member-enquiry escalation chain always applies, however late.
    catch_up_days: int = 10
    # Member enquiries (001 §7.1): working days after escalation to a senior officer before the
    # enquiry is flagged for the Chief Executive.
    chief_executive_after_days: int = 5
    # Daily digests list what is due within this many working days.
    digest_due_days: int = 5
    sweep_minutes: int = 5
    digest_hour: int = 7

    @classmethod
    def from_config(cls) -> "JobSettings":
        return cls(
            default_remind_before=setting("CASEWORK_DEFAULT_REMIND_BEFORE", cls.default_remind_before),
            catch_up_days=setting("CASEWORK_REMINDER_CATCH_UP_DAYS", cls.catch_up_days),
            chief_executive_after_days=setting("CASEWORK_ENQUIRY_CHIEF_EXECUTIVE_DAYS", cls.chief_executive_after_days),
            digest_due_days=setting("CASEWORK_DIGEST_DUE_DAYS", cls.digest_due_days),
            sweep_minutes=max(1, setting("CASEWORK_SWEEP_MINUTES", cls.sweep_minutes)),
            digest_hour=min(23, setting("CASEWORK_DIGEST_HOUR", cls.digest_hour)),
        )


def case_link(reference: str) -> str:
    base = (current_app.config.get("CASEWORK_BASE_URL") or "").rstrip("/")
    return f"{base}/cases/{reference}"


def app_link(path: str) -> str:
    base = (current_app.config.get("CASEWORK_BASE_URL") or "").rstrip("/")
    return f"{base}{path}"
