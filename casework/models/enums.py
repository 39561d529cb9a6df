"""Vocabularies shared by the models, the API and the forms (see ../shared/API.md)."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    RESIDENT_EXPERIENCE = "resident_experience"
    SERVICE_RECOVERY = "service_recovery"
    INVESTIGATING_OFFICER = "investigating_officer"
    DIRECTOR = "director"
    COUNCILLOR = "councillor"


STAFF_ROLES = frozenset(Role) - {Role.COUNCILLOR}


class CaseKind(StrEnum):
    COMPLAINT = "complaint"
    COMMENT = "comment"
    COMPLIMENT = "compliment"
    SERVICE_REQUEST = "service_request"
    MEMBER_ENQUIRY = "member_enquiry"
    MP_ENQUIRY = "mp_enquiry"


# The procedure a kind uses when none is given (API.md "Creating a case").
DEFAULT_PROCEDURE = {
    CaseKind.COMPLAINT: "corporate",
    CaseKind.COMMENT: "feedback",
    CaseKind.COMPLIMENT: "feedback",
    CaseKind.SERVICE_REQUEST: "service_request",
    CaseKind.MEMBER_ENQUIRY: "member_enquiry",
    CaseKind.MP_ENQUIRY: "mp_enquiry",
}


class Channel(StrEnum):
    """004 §5.1–5.3."""

    TELEPHONE = "telephone"
    DEDICATED_LINE = "dedicated_line"
    EMAIL = "email"
    LETTER = "letter"
    WEB_FORM = "web_form"
    SOCIAL_MEDIA = "social_media"
    IN_PERSON = "in_person"
    COUNCILLOR = "councillor"
    MP = "mp"


class ContactMethod(StrEnum):
    EMAIL = "email"
    TELEPHONE = "telephone"
    LETTER = "letter"
    TEXT_MESSAGE = "text_message"


class CalendarDayKind(StrEnum):
    HOLIDAY = "holiday"  # a proclaimed one-off bank holiday: never a working day
    CLOSURE = "closure"  # a council closure day: counted or not, per policy


def check_in(column: str, values) -> str:
    """SQL for a CHECK constraint limiting a column to a vocabulary."""
    quoted = ", ".join("'" + str(v) + "'" for v in values)
    return f"{column} IN ({quoted})"
