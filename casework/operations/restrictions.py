"""Unreasonably persistent or vexatious contact (004 §18–19; POLICY.md §7; STATUTE.md
"Unreasonable actions"): use cases, and the pure rules that enforce a restriction.

The process, as the policy and the Ombudsman's guidance ask: a person is *considered* under
the policy (the 004 §18.3 behaviours that apply, the evidence, and the equality and
reasonable-adjustment considerations); *warned* first where circumstances permit (004 §19.1);
then a Service Manager may *decide* one or more restrictions from 004 §19.1, each for a period
of time, never permanent (GH20), with a letter saying why, what, for how long and how to ask
for a review (004 §19.3). The person may ask for a *review*, which a Director decides
(004 §19.4); restrictions are reviewed on their review dates and *lapse* on their end dates.

Enforcement is a pure function, `assess_contact`: given what is in force and a contact, it
says what staff must do. It never blocks a contact: a restriction governs only *how* contact
happens, and a genuinely new complaint is always logged and handled under the complaints
procedure.

Each use case checks who may do it, changes the rows, appends a `restriction_events` row and
flushes; the request (or job) commits once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import Case, Channel, Correspondence, Person, Role, ServiceArea, User
from ..models.restrictions import (
    RESTRICTION_KINDS,
    Restriction,
    RestrictionDecision,
    RestrictionEvent,
    RestrictionEvidence,
    RestrictionLetter,
    RestrictionRecord,
    RestrictionReviewRequest,
    RestrictionWarning,
)
from ..queries import restrictions as q
from ..workdays import london_date, to_london, utc_now
from .cases import _jsonable, actor_label, record_event
from .errors import Forbidden, InvalidField, NotAllowed, StaleVersion

# --- who may do what (docs/restrictions.md, docs/roles.md) -----------------------------------

# The complaints managers act as the "relevant Service Manager" (004 §19.3); so may a Director
# or an administrator. The manager of the record's service area may act on that record only.
MANAGE_ROLES = frozenset({Role.SERVICE_RECOVERY, Role.DIRECTOR, Role.ADMIN})
# Reviews are decided by the relevant Director (004 §19.4); an administrator may act as one.
REVIEW_ROLES = frozenset({Role.DIRECTOR, Role.ADMIN})
# Staff who may meet or answer the person see what is in force (the banner), and record the
# "file without reply" check; they do not see the register, the behaviours or the evidence.
STAFF_ROLES = frozenset({Role.ADMIN, Role.RESIDENT_EXPERIENCE, Role.SERVICE_RECOVERY,
                         Role.INVESTIGATING_OFFICER, Role.DIRECTOR})


def _active(user) -> bool:
    return user is not None and getattr(user, "is_active", False)


def may_view_register(user) -> bool:
    """The central register (004 §19.4) is need-to-know: the complaints managers and directors."""
    return _active(user) and user.role in MANAGE_ROLES


def manages_service_area(user, record: RestrictionRecord | None) -> bool:
    area = record.service_area if record is not None else None
    return _active(user) and area is not None and area.manager_id == user.id and user.role != Role.COUNCILLOR


def may_manage(user, record: RestrictionRecord | None = None) -> bool:
    """Consider, warn, decide, log a review request, send the letters; see the full record."""
    return may_view_register(user) or manages_service_area(user, record)


def may_decide_review(user) -> bool:
    return _active(user) and user.role in REVIEW_ROLES


def may_see_restrictions(user) -> bool:
    """What is in force and the PVP safety note: every member of staff who may meet the person."""
    return _active(user) and user.role in STAFF_ROLES


# --- the policy's lists: policies/shared/restrictions.toml -------------------------------------

@dataclass(frozen=True)
class ListOption:
    value: str
    label: str
    hint: str | None = None
    cite: str | None = None


@dataclass(frozen=True)
class RestrictionLists:
    source: str
    behaviours: Mapping[str, ListOption]
    types: Mapping[str, ListOption]
    warning_kinds: Mapping[str, ListOption]
    review_outcomes: Mapping[str, ListOption]
    cites: Mapping[str, str]


LIST_NAMES = ("unreasonable_behaviours", "restriction_types", "warning_kinds", "restriction_review_outcomes")


def load_restriction_lists(policy_dir: str | Path) -> RestrictionLists:
    """Read and check the lists; a RuntimeError names every problem (the app will not start)."""
    from ..policy.loader import load_shared

    shared, problems = load_shared(Path(policy_dir) / "shared")
    messages = [f"{p}" for p in problems]
    found: dict[str, dict] = {}
    source = "policies/shared/restrictions.toml"
    for name in LIST_NAMES:
        file = shared.find("lists", name)
        if file is None:
            messages.append(f"{source}: lists.{name} is missing")
            continue
        source = file.name
        found[name] = file.data["lists"][name]
    if not messages:
        unknown = [o["value"] for o in found["restriction_types"]["options"] if o["value"] not in RESTRICTION_KINDS]
        if unknown:
            messages.append(f"{source}: lists.restriction_types: the code does not know {', '.join(unknown)} "
                            f"(known: {', '.join(RESTRICTION_KINDS)})")
        outcomes = {o["value"] for o in found["restriction_review_outcomes"]["options"]}
        if outcomes != {"upheld", "varied", "lifted"}:
            messages.append(f"{source}: lists.restriction_review_outcomes must be exactly upheld, varied and lifted")
        kinds = {o["value"] for o in found["warning_kinds"]["options"]}
        if not kinds or not kinds <= {"informal", "written"}:
            messages.append(f"{source}: lists.warning_kinds may contain only informal and written")
    if messages:
        raise RuntimeError("Contact restriction lists are invalid:\n" + "\n".join(messages))

    def options(name):
        return {o["value"]: ListOption(o["value"], o["label"], o.get("hint"), o.get("cite") or found[name]["cite"])
                for o in found[name]["options"]}

    return RestrictionLists(
        source=source,
        behaviours=options("unreasonable_behaviours"),
        types=options("restriction_types"),
        warning_kinds=options("warning_kinds"),
        review_outcomes=options("restriction_review_outcomes"),
        cites={name: found[name]["cite"] for name in LIST_NAMES},
    )


def init_restrictions(app) -> None:
    """Load the lists at start-up (called when the blueprint is registered)."""
    app.extensions["casework.restriction_lists"] = load_restriction_lists(app.config["CASEWORK_POLICY_DIR"])


def restriction_lists() -> RestrictionLists:
    lists = current_app.extensions.get("casework.restriction_lists")
    if lists is None:
        lists = load_restriction_lists(current_app.config["CASEWORK_POLICY_DIR"])
        current_app.extensions["casework.restriction_lists"] = lists
    return lists


def max_months() -> int:
    """The longest a restriction may run from its start before a new decision (GH20: never permanent)."""
    return int(current_app.config.get("CASEWORK_RESTRICTION_MAX_MONTHS", 12))


def reminder_working_days() -> int:
    return int(current_app.config.get("CASEWORK_RESTRICTION_REMINDER_DAYS", 5))


# --- pure: the terms of a restriction and what they mean for a contact -------------------------

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PHONE_CHANNELS = frozenset({Channel.TELEPHONE, Channel.DEDICATED_LINE})
# Contact through a councillor or MP is someone else acting for them; the restriction governs
# the person's own contact.
THIRD_PARTY_CHANNELS = frozenset({Channel.COUNCILLOR, Channel.MP})
CONTACT_CHANNELS = {
    Channel.LETTER: "letter",
    Channel.EMAIL: "email",
    Channel.WEB_FORM: "the online form",
    Channel.TELEPHONE: "telephone",
    Channel.IN_PERSON: "in person",
    Channel.SOCIAL_MEDIA: "social media",
}


@dataclass(frozen=True)
class RestrictionTerms:
    """A restriction as the enforcement rules see it: plain values, no database."""

    kind: str
    starts_on: date
    ends_on: date
    review_on: date | None = None
    id: int | None = None
    status: str = "active"
    channels: tuple[str, ...] = ()
    contact_address: str | None = None
    officer_id: int | None = None
    officer_name: str | None = None
    officer_ids: tuple[int, ...] = ()
    officer_names: tuple[str, ...] = ()
    phone_days: tuple[int, ...] = ()
    phone_from: time | None = None
    phone_until: time | None = None
    minutes: int | None = None
    all_premises: bool = False
    premises: str | None = None
    social_media: str | None = None
    agreement: str | None = None
    safety_note: str | None = None
    case_id: int | None = None
    case_reference: str | None = None

    def in_force_on(self, day: date) -> bool:
        return self.status == "active" and self.starts_on <= day < self.ends_on


def terms_of(row: Restriction, user_names: Mapping[int, str] | None = None) -> RestrictionTerms:
    """The plain terms of a stored restriction (names of blocked officers from `user_names`)."""
    names = user_names or {}
    ids = tuple(int(i) for i in (row.officer_ids or ()))
    return RestrictionTerms(
        kind=row.kind, starts_on=row.starts_on, ends_on=row.ends_on, review_on=row.review_on, id=row.id,
        status=row.status, channels=tuple(row.channels or ()), contact_address=row.contact_address,
        officer_id=row.officer_id, officer_name=row.officer.name if row.officer is not None else None,
        officer_ids=ids, officer_names=tuple(names.get(i, f"officer {i}") for i in ids),
        phone_days=tuple(int(d) for d in (row.phone_days or ())), phone_from=row.phone_from, phone_until=row.phone_until,
        minutes=row.minutes, all_premises=bool(row.all_premises), premises=row.premises, social_media=row.social_media,
        agreement=row.agreement, safety_note=row.safety_note, case_id=row.case_id,
        case_reference=row.case.reference if row.case is not None else None,
    )


def _join(words: Sequence[str], conjunction: str = "and") -> str:
    words = [w for w in words if w]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def _clock(value: time | None) -> str:
    if value is None:
        return ""
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def _days(days: Iterable[int]) -> str:
    return _join([DAY_NAMES[d] + "s" for d in sorted(set(days)) if 0 <= d <= 6])


def _channels(channels: Iterable[str]) -> str:
    return _join([CONTACT_CHANNELS.get(c, str(c).replace("_", " ")) for c in channels], "or")


def _date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def describe_for_staff(terms: RestrictionTerms) -> str:
    """One line for the banner and the register: what staff must do."""
    kind = terms.kind
    if kind == "contact_form":
        text = f"Contact only by {_channels(terms.channels)}"
        return text + (f", to {terms.contact_address}" if terms.contact_address else "")
    if kind == "no_contact_officers":
        return f"Must not contact {_join(terms.officer_names)}: pass their contact to {terms.officer_name}"
    if kind == "named_officer":
        return f"All contact goes through {terms.officer_name}"
    if kind == "phone_times":
        return f"Phone calls only on {_days(terms.phone_days)}, {_clock(terms.phone_from)} to {_clock(terms.phone_until)}"
    if kind == "time_limits":
        return f"Calls and visits limited to {terms.minutes} minutes"
    if kind == "premises_ban":
        return "Must not attend any council premises" if terms.all_premises else f"Must not attend: {terms.premises}"
    if kind == "written_agreement":
        return f"Written agreement about contact: {terms.agreement}"
    if kind == "pvp_register":
        return f"Potentially Violent People register. Safety: {terms.safety_note}"
    if kind == "social_media_block":
        return f"Blocked on social media: {terms.social_media}"
    if kind == "file_without_reply":
        return (f"Correspondence about {terms.case_reference or 'the completed complaint'} is read, checked for new "
                "information and safeguarding concerns, and filed without reply")
    return kind.replace("_", " ")


def describe_for_person(terms: RestrictionTerms) -> str:
    """The same restriction in the letter to the person (004 §19.3: what action we are taking)."""
    kind = terms.kind
    if kind == "contact_form":
        text = f"Please contact us only by {_channels(terms.channels)}"
        return text + (f", using {terms.contact_address}." if terms.contact_address else ".")
    if kind == "no_contact_officers":
        return (f"Please do not contact {_join(terms.officer_names)}. If you need to contact us, "
                f"{terms.officer_name} will deal with your contact instead.")
    if kind == "named_officer":
        return f"Please make all your contact with the council through {terms.officer_name}, who will deal with it."
    if kind == "phone_times":
        return (f"You may telephone us only on {_days(terms.phone_days)}, between {_clock(terms.phone_from)} "
                f"and {_clock(terms.phone_until)}.")
    if kind == "time_limits":
        return f"Telephone calls and meetings with staff will be limited to {terms.minutes} minutes."
    if kind == "premises_ban":
        return ("Please do not attend any of the council's premises." if terms.all_premises
                else f"Please do not attend the following council premises: {terms.premises}.")
    if kind == "written_agreement":
        return f"We ask you to keep to a written agreement about your future contact with us: {terms.agreement}"
    if kind == "pvp_register":
        return ("We have referred you for inclusion on the council's Potentially Violent People register, under our "
                "Prevention of Workplace Violence Policy. Staff who may meet you will take safety precautions.")
    if kind == "social_media_block":
        return f"You will not be able to contact us through these social media channels: {terms.social_media}."
    if kind == "file_without_reply":
        return (f"Your complaint {terms.case_reference or ''} has completed our complaints procedure. If you write to "
                "us about it again, we will read your correspondence, but unless it contains new information that "
                "affects our decision we will file it and not reply.").replace("  ", " ")
    return kind.replace("_", " ")


@dataclass(frozen=True)
class Assessment:
    """What staff must do with one contact from a restricted person.

    There is deliberately no "blocked" outcome: `may_log` is always True. A restriction
    governs only how contact happens; a new complaint is logged and handled under the
    complaints procedure (004 §18.2; LGSCO guidance: no blanket approach).
    """

    flags: tuple[str, ...] = ()
    route_to_officer_id: int | None = None
    route_to_officer_name: str | None = None
    file_without_reply_check_required: bool = False
    file_without_reply_restriction_id: int | None = None
    messages: tuple[str, ...] = ()
    time_limit_minutes: int | None = None
    safety_notes: tuple[str, ...] = ()
    restriction_ids: tuple[int, ...] = ()
    in_force: int = 0
    new_complaint: bool = False

    @property
    def may_log(self) -> bool:
        return True

    @property
    def restricted(self) -> bool:
        """Something is in force for this person (show the restrictions first)."""
        return self.in_force > 0

    def as_data(self) -> dict:
        return {
            "flags": list(self.flags), "route_to_officer_id": self.route_to_officer_id,
            "file_without_reply_check_required": self.file_without_reply_check_required,
            "file_without_reply_restriction_id": self.file_without_reply_restriction_id,
            "time_limit_minutes": self.time_limit_minutes, "restriction_ids": list(self.restriction_ids),
            "new_complaint": self.new_complaint, "messages": list(self.messages),
        }


NEW_COMPLAINT_MESSAGE = (
    "A new complaint is never blocked: log it and handle it under the complaints procedure. "
    "The restrictions govern only how contact happens."
)


def assess_contact(
    restrictions: Iterable[RestrictionTerms | Restriction],
    channel: str,
    at: datetime,
    officer_id: int | None = None,
    about_completed_case: int | bool | None = None,
    *,
    new_complaint: bool = False,
) -> Assessment:
    """What the restrictions in force at `at` mean for a contact by `channel`, meant for
    `officer_id` (if any), about a completed complaint (its case id; True for "a completed
    complaint" without saying which) or a new complaint.

    Flags: channel_not_permitted, phone_outside_permitted_times, officer_not_permitted,
    route_to_named_officer, premises_ban, social_media_blocked, time_limit, written_agreement,
    pvp, file_without_reply, new_complaint. The contact is always logged (`may_log`).
    """
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValueError("assess_contact needs an aware datetime")
    local = to_london(at)
    day, clock = local.date(), local.time()
    # Stored rows are accepted too (converted: that reads their officer and case).
    terms = [r if isinstance(r, RestrictionTerms) else terms_of(r) for r in restrictions]
    in_force = [r for r in terms if r.in_force_on(day)]
    flags: list[str] = []
    messages: list[str] = []
    route_to_id = route_to_name = None
    fwr_required, fwr_id, minutes = False, None, None
    safety: list[str] = []

    def flag(code: str, message: str) -> None:
        if code not in flags:
            flags.append(code)
        messages.append(message)

    until = {r.id: f" (until {_date(r.ends_on)})" for r in in_force}
    own_contact = channel not in THIRD_PARTY_CHANNELS
    for r in in_force:
        suffix = until.get(r.id, "")
        if r.kind == "pvp_register":
            safety.append(r.safety_note or "")
            flag("pvp", f"Potentially Violent People register. Safety: {r.safety_note}")
        elif r.kind == "contact_form" and own_contact:
            allowed = set(r.channels)
            if Channel.TELEPHONE in allowed:
                allowed |= PHONE_CHANNELS
            if channel not in allowed:
                flag("channel_not_permitted",
                     f"They have been asked to contact us only by {_channels(r.channels)}{suffix}. Log this contact, "
                     f"and remind them politely how to contact us"
                     + (f" ({r.contact_address})." if r.contact_address else "."))
        elif r.kind == "phone_times" and own_contact and channel in PHONE_CHANNELS:
            permitted = local.weekday() in r.phone_days and r.phone_from <= clock < r.phone_until
            if not permitted:
                flag("phone_outside_permitted_times",
                     f"This call is outside the times they may phone: {_days(r.phone_days)}, {_clock(r.phone_from)} "
                     f"to {_clock(r.phone_until)}{suffix}. Tell them politely when they may call. Note anything urgent, "
                     "any safeguarding concern or any new complaint before the call ends.")
        elif r.kind == "time_limits" and own_contact and channel in PHONE_CHANNELS | {Channel.IN_PERSON}:
            minutes = r.minutes if minutes is None else min(minutes, r.minutes)
            flag("time_limit", f"Calls and visits are limited to {r.minutes} minutes{suffix}.")
        elif r.kind == "premises_ban" and own_contact and channel == Channel.IN_PERSON:
            where = "any council premises" if r.all_premises else r.premises
            flag("premises_ban",
                 f"They have been asked not to attend {where}{suffix}. Follow the premises procedure; take any new "
                 "complaint or urgent matter by another channel.")
        elif r.kind == "social_media_block" and own_contact and channel == Channel.SOCIAL_MEDIA:
            flag("social_media_blocked",
                 f"They are blocked on {r.social_media}{suffix}. Log the contact and answer it, if it needs an answer, "
                 "through a channel they may use.")
        elif r.kind == "written_agreement":
            flag("written_agreement", f"Their written agreement about contact{suffix}: {r.agreement}")
        elif r.kind == "named_officer":
            if officer_id != r.officer_id:
                route_to_id, route_to_name = r.officer_id, r.officer_name
                flag("route_to_named_officer", f"All their contact goes through {r.officer_name}{suffix}: pass this to them.")
        elif r.kind == "no_contact_officers":
            if officer_id is not None and officer_id in r.officer_ids:
                if route_to_id is None:
                    route_to_id, route_to_name = r.officer_id, r.officer_name
                flag("officer_not_permitted",
                     f"They may not contact {_join(r.officer_names)}{suffix}: pass this contact to {r.officer_name}.")
        elif r.kind == "file_without_reply" and not new_complaint and about_completed_case not in (None, False):
            if about_completed_case is True or about_completed_case == r.case_id:
                fwr_required, fwr_id = True, fwr_id or r.id
                flag("file_without_reply",
                     f"This is about {r.case_reference or 'a completed complaint'}, which has completed the complaints "
                     "procedure. Read it and check it for new information and safeguarding concerns, record the check, "
                     "then file it without reply unless it contains new information (004 §19.4).")
    if new_complaint:
        flag("new_complaint", NEW_COMPLAINT_MESSAGE)
    return Assessment(
        flags=tuple(flags), route_to_officer_id=route_to_id, route_to_officer_name=route_to_name,
        file_without_reply_check_required=fwr_required, file_without_reply_restriction_id=fwr_id,
        messages=tuple(messages), time_limit_minutes=minutes, safety_notes=tuple(s for s in safety if s),
        restriction_ids=tuple(r.id for r in in_force if r.id is not None), in_force=len(in_force),
        new_complaint=new_complaint,
    )


# --- the banner: what staff who may meet or answer the person need to know --------------------

@dataclass(frozen=True)
class BannerItem:
    restriction_id: int | None
    kind: str
    label: str
    text: str
    ends_on: date
    starts_on: date
    file_without_reply: bool = False


@dataclass(frozen=True)
class RestrictionBanner:
    person_id: int
    record_id: int | None
    items: tuple[BannerItem, ...] = ()
    upcoming: tuple[BannerItem, ...] = ()
    pvp_safety_notes: tuple[str, ...] = ()
    under_consideration: bool = False
    show_record_link: bool = False
    unavailable: bool = False  # the check failed: staff are told to ask before contact

    @property
    def shown(self) -> bool:
        return bool(self.items or self.upcoming or self.pvp_safety_notes or self.under_consideration or self.unavailable)


def fetch_restriction_banner(person: Person | int | None, viewer, on: date | None = None) -> RestrictionBanner | None:
    """The banner for a person's pages and the start of the contact journey; None when there is
    nothing to show or the viewer may not see it. Only safety information from the PVP flag;
    the behaviours and evidence stay on the record, for those who need them."""
    if person is None or not may_see_restrictions(viewer):
        return None
    person_id = person if isinstance(person, int) else person.id
    if person_id is None:
        return None
    on = on or london_date(utc_now())
    rows = q.fetch_active_restrictions(person_id)
    record = q.fetch_open_record(person_id)
    if not rows and record is None:
        return None
    names = q.fetch_user_names({i for r in rows for i in (r.officer_ids or ())})
    lists = restriction_lists()
    items, upcoming, safety = [], [], []
    for row in rows:
        terms = terms_of(row, names)
        label = lists.types[row.kind].label if row.kind in lists.types else row.kind.replace("_", " ")
        item = BannerItem(row.id, row.kind, label, describe_for_staff(terms), row.ends_on, row.starts_on,
                          row.kind == "file_without_reply")
        if terms.in_force_on(on):
            items.append(item)
            if row.kind == "pvp_register" and row.safety_note:
                safety.append(row.safety_note)
        elif row.starts_on > on:
            upcoming.append(item)
    manager = may_manage(viewer, record)
    banner = RestrictionBanner(
        person_id=person_id, record_id=record.id if record is not None and manager else None,
        items=tuple(items), upcoming=tuple(upcoming), pvp_safety_notes=tuple(safety),
        under_consideration=bool(manager and record is not None and record.status in ("considering", "warned")),
        show_record_link=manager and record is not None,
    )
    return banner if banner.shown else None


def assess_person_contact(person: Person | int, channel: str, at: datetime, officer_id: int | None = None,
                          about_completed_case: int | bool | None = None, *, new_complaint: bool = False) -> Assessment:
    """assess_contact for a stored person: loads what is in force and calls the pure rules."""
    person_id = person if isinstance(person, int) else person.id
    rows = q.fetch_active_restrictions(person_id)
    names = q.fetch_user_names({i for r in rows for i in (r.officer_ids or ())})
    return assess_contact([terms_of(r, names) for r in rows], channel, at, officer_id, about_completed_case,
                          new_complaint=new_complaint)


# --- audit ------------------------------------------------------------------------------------

def _record_event(record: RestrictionRecord, action: str, actor: User | None, data: dict,
                  at: datetime | None = None) -> RestrictionEvent:
    now = utc_now()
    event = RestrictionEvent(
        record_id=record.id, person_id=record.person_id, at=at or now, recorded_at=now,
        actor_id=actor.id if actor is not None else None, actor=actor_label(actor), action=action,
        data=_jsonable(data),
    )
    db.session.add(event)
    return event


def _touch(record: RestrictionRecord) -> None:
    record.updated_at = utc_now()


def _flush(record: RestrictionRecord) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion("Someone else changed this record at the same time. Reload and try again.", "version") from None


def _check_version(record: RestrictionRecord, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != record.version:
        raise StaleVersion("This record has changed since you loaded it. Reload the page and try again.", "version")


def _today() -> date:
    return london_date(utc_now())


def _text(value, field_name: str, message: str, *, max_length: int = 10000, required: bool = True,
          label: str = "The text") -> str | None:
    value = (value or "").replace("\x00", "").strip() if isinstance(value, str) or value is None else str(value)
    if not value:
        if required:
            raise InvalidField(message, field_name)
        return None
    if len(value) > max_length:
        raise InvalidField(f"{label} must be {max_length} characters or fewer", field_name)
    return value


def _require_open(record: RestrictionRecord) -> None:
    if not record.is_open:
        raise NotAllowed("This record is closed. Open a new one if the person is to be considered again.", "record")


def _require_manager(actor, record: RestrictionRecord | None = None, area: ServiceArea | None = None) -> None:
    manages_area = _active(actor) and area is not None and area.manager_id == actor.id and actor.role != Role.COUNCILLOR
    if not (may_manage(actor, record) or manages_area):
        raise Forbidden("Only a Service Manager (the Service Recovery Team, the manager of the service, a Director "
                        "or an administrator) may do this (004 §19.3)", "actor")


# --- considering a person (004 §18.3) ------------------------------------------------------------

def _behaviours(values) -> list[str]:
    known = restriction_lists().behaviours
    values = [v for v in (values or ()) if v]
    if not values:
        raise InvalidField("Select the behaviours from the policy that apply (004 §18.3)", "behaviours")
    unknown = [v for v in values if v not in known]
    if unknown:
        raise InvalidField(f"Unknown behaviour {unknown[0]!r}: choose from the policy's list (004 §18.3)", "behaviours")
    return [v for v in known if v in set(values)]  # the policy's order, no duplicates


def open_consideration(
    person: Person, *, behaviours, details: str, actor: User, service_area: ServiceArea | None = None,
    equality_considerations: str | None = None, reasonable_adjustments: str | None = None,
) -> RestrictionRecord:
    """Start considering a person under the policy. One open record per person."""
    _require_manager(actor, area=service_area)
    if person is None or person.id is None:
        raise InvalidField("Choose the person", "person")
    if q.fetch_open_record(person.id) is not None:
        raise NotAllowed("This person is already being considered under the policy: add to their open record", "person")
    chosen = _behaviours(behaviours)
    details = _text(details, "behaviour_details", "Enter what has happened: dates, examples and the effect on staff and services")
    now = utc_now()
    record = RestrictionRecord(
        person_id=person.id, status="considering", service_area_id=service_area.id if service_area else None,
        behaviours=chosen, behaviour_details=details,
        equality_considerations=_text(equality_considerations, "equality_considerations", "", required=False),
        reasonable_adjustments=_text(reasonable_adjustments, "reasonable_adjustments", "", required=False),
        opened_by_id=actor.id, opened_at=now, updated_at=now,
    )
    db.session.add(record)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # someone opened one at the same moment (partial unique index)
        raise NotAllowed("This person is already being considered under the policy: add to their open record",
                         "person") from None
    _record_event(record, "considered", actor, {
        "behaviours": chosen, "clauses": [restriction_lists().behaviours[b].cite for b in chosen],
        "service_area": service_area.name if service_area else None,
    })
    db.session.flush()
    return record


def update_considerations(record: RestrictionRecord, *, actor: User, behaviours=None, details: str | None = None,
                          equality_considerations: str | None = None, reasonable_adjustments: str | None = None,
                          expected_version: int | None = None) -> RestrictionRecord:
    _require_manager(actor, record)
    _require_open(record)
    _check_version(record, expected_version)
    changed = {}
    if behaviours is not None:
        chosen = _behaviours(behaviours)
        if chosen != list(record.behaviours or ()):
            record.behaviours, changed["behaviours"] = chosen, chosen
    if details is not None:
        value = _text(details, "behaviour_details", "Enter what has happened")
        if value != record.behaviour_details:
            record.behaviour_details, changed["behaviour_details"] = value, True
    for name, value in (("equality_considerations", equality_considerations), ("reasonable_adjustments", reasonable_adjustments)):
        if value is not None:
            value = _text(value, name, "", required=False)
            if value != getattr(record, name):
                setattr(record, name, value)
                changed[name] = True
    if changed:
        _touch(record)
        _record_event(record, "considerations_updated", actor, changed)
        _flush(record)
    return record


def add_evidence(record: RestrictionRecord, *, kind: str, actor: User, case: Case | None = None,
                 correspondence: Correspondence | None = None, occurred_on: date | None = None,
                 description: str | None = None, reference: str | None = None) -> RestrictionEvidence:
    """Link a case or a letter of theirs, or describe an incident or contact (with its date)."""
    _require_manager(actor, record)
    _require_open(record)
    if kind not in ("case", "correspondence", "incident", "contact"):
        raise InvalidField("Choose what kind of evidence it is", "kind")
    description = _text(description, "description", "Describe what happened", max_length=5000,
                        required=kind in ("incident", "contact"))
    reference = _text(reference, "reference", "", max_length=60, required=False)
    if kind == "case":
        if case is None:
            raise InvalidField("Choose the case", "case")
        if case.person_id != record.person_id:
            raise InvalidField("That case is not this person's", "case")
        if any(e.case_id == case.id for e in record.evidence if e.kind == "case"):
            raise InvalidField(f"{case.reference} is already linked as evidence", "case")
    if kind == "correspondence":
        if correspondence is None:
            raise InvalidField("Choose the correspondence", "correspondence")
        owner = db.session.get(Case, correspondence.case_id)
        if owner is None or owner.person_id != record.person_id:
            raise InvalidField("That correspondence is not this person's", "correspondence")
    if kind in ("incident", "contact"):
        if occurred_on is None:
            raise InvalidField("Enter the date it happened", "occurred_on")
        if occurred_on > _today():
            raise InvalidField("The date it happened must be today or in the past", "occurred_on")
    evidence = RestrictionEvidence(
        record_id=record.id, kind=kind, case_id=case.id if case is not None and kind == "case" else None,
        correspondence_id=correspondence.id if correspondence is not None and kind == "correspondence" else None,
        occurred_on=occurred_on, description=description, reference=reference, added_by_id=actor.id, added_at=utc_now(),
    )
    db.session.add(evidence)
    record.evidence.append(evidence)
    _touch(record)
    _flush(record)
    _record_event(record, "evidence_added", actor, {
        "evidence_id": evidence.id, "kind": kind, "case": case.reference if case is not None and kind == "case" else None,
        "correspondence_id": evidence.correspondence_id, "occurred_on": occurred_on, "reference": reference,
    })
    db.session.flush()
    return evidence


# --- letters (templates/letters/restriction_*.html) ----------------------------------------------

LGSCO = {
    "name": "Local Government and Social Care Ombudsman",
    "address": "PO Box 4771, Coventry CV4 0EH",
    "phone": "0300 061 0614",
    "web": "www.lgo.org.uk",
}
LETTER_TEMPLATES = {
    "warning": "restriction_warning",
    "decision": "restriction_decision",
    "review_acknowledgement": "restriction_review_acknowledgement",
    "review_outcome": "restriction_review_outcome",
    "lapsed": "restriction_lapsed",
}
LETTER_TITLES = {
    "warning": "Warning letter",
    "decision": "Decision letter",
    "review_acknowledgement": "Review request acknowledgement",
    "review_outcome": "Review decision letter",
    "lapsed": "Restrictions ended letter",
}


def render_restriction_letter(kind: str, context: dict) -> tuple[str, str]:
    """(subject, body) from templates/letters/restriction_<kind>.html: plain text whose first
    line is "Subject: ..." (the same convention as the case letters)."""
    template = current_app.jinja_env.get_template(f"letters/{LETTER_TEMPLATES[kind]}.html")
    text = template.render(**context)
    first, _, rest = text.lstrip().partition("\n")
    return first.removeprefix("Subject:").strip(), rest.strip() + "\n"


def _letter_context(record: RestrictionRecord, actor: User | None, **extra) -> dict:
    person = record.person or db.session.get(Person, record.person_id)
    lists = restriction_lists()
    return {
        "council_name": current_app.config.get("CASEWORK_COUNCIL_NAME", "the council"),
        "person": person,
        "recipient_name": person.name if person is not None else "Sir or Madam",
        "record": record,
        "today": _date(_today()),
        "officer": actor.name if actor is not None else "Complaints team",
        "behaviours": [lists.behaviours[b].label for b in record.behaviours or () if b in lists.behaviours],
        "lgsco": LGSCO,
        "format_date": _date,
        **extra,
    }


def _recipient(person: Person | None) -> tuple[str | None, str | None]:
    """(channel, recipient) the letter would go by: email when they have one and do not prefer
    another method, else post to their address."""
    if person is None:
        return None, None
    if person.email and person.preferred_contact_method in (None, "email"):
        return "email", person.email
    address = "\n".join(filter(None, [person.name, person.address, person.postcode]))
    return "letter", address[:254] or None


def _prepare_letter(record: RestrictionRecord, kind: str, actor: User | None, **context) -> RestrictionLetter:
    subject, body = render_restriction_letter(kind, _letter_context(record, actor, **context))
    channel, recipient = _recipient(record.person)
    letter = RestrictionLetter(
        record_id=record.id, kind=kind, template=LETTER_TEMPLATES[kind], status="draft", channel=channel,
        recipient=recipient, subject=subject[:300], body=body, created_by_id=actor.id if actor is not None else None,
        created_at=utc_now(),
    )
    db.session.add(letter)
    record.letters.append(letter)
    db.session.flush()
    return letter


def send_letter(letter: RestrictionLetter, *, delivery: str, recipient: str, subject: str, body: str,
                actor: User) -> RestrictionLetter:
    """The checked letter is sent by email or printed for posting; the e-mail itself is handed
    to the outbox by the caller after the commit (notifications.send_email)."""
    record = letter.record
    _require_manager(actor, record)
    if letter.status != "draft":
        raise NotAllowed("This letter has already been sent", "letter")
    if delivery not in ("email", "print"):
        raise InvalidField("Select how it will be sent", "delivery")
    subject = _text(subject, "subject", "Enter a subject", max_length=300)
    body = _text(body, "body", "Enter the letter", max_length=20000)
    recipient = _text(recipient, "recipient", "Enter who it is to", max_length=254)
    now = utc_now()
    letter.status = "sent" if delivery == "email" else "printed"
    letter.channel = "email" if delivery == "email" else "letter"
    letter.recipient, letter.subject, letter.body = recipient, subject, body
    letter.sent_at, letter.sent_by_id = now, actor.id
    _touch(record)
    _record_event(record, "letter_sent", actor, {
        "letter_id": letter.id, "kind": letter.kind, "status": letter.status, "channel": letter.channel,
        "subject": subject,
    })
    _flush(record)
    return letter


# --- warning (004 §19.1) ---------------------------------------------------------------------------

def record_warning(record: RestrictionRecord, *, kind: str, warned_on: date, summary: str, actor: User,
                   expected_version: int | None = None) -> RestrictionWarning:
    """A warning that restrictions may follow if the behaviour continues; a written warning
    prepares its letter for checking and sending."""
    _require_manager(actor, record)
    _require_open(record)
    _check_version(record, expected_version)
    lists = restriction_lists()
    if kind not in lists.warning_kinds:
        raise InvalidField("Select how the warning was given", "kind")
    if warned_on is None:
        raise InvalidField("Enter the date of the warning", "warned_on")
    if warned_on > _today():
        raise InvalidField("The date of the warning must be today or in the past", "warned_on")
    summary = _text(summary, "summary", "Enter what they were told: the behaviour, and what may happen if it continues")
    warning = RestrictionWarning(record_id=record.id, kind=kind, warned_on=warned_on, summary=summary,
                                 given_by_id=actor.id, recorded_at=utc_now())
    if kind == "written":
        warning.letter = _prepare_letter(record, "warning", actor, warning=warning)
    db.session.add(warning)
    record.warnings.append(warning)
    if record.status == "considering":
        record.status = "warned"
    _touch(record)
    _flush(record)
    _record_event(record, "warned", actor, {
        "warning_id": warning.id, "kind": kind, "warned_on": warned_on, "letter_id": warning.letter_id,
        "cite": "004 §19.1",
    })
    db.session.flush()
    return warning


# --- the decision (004 §19.1–19.3) --------------------------------------------------------------

@dataclass
class RestrictionSpec:
    """One restriction to impose, as the decision form (or a test) gives it."""

    kind: str
    starts_on: date | None = None
    ends_on: date | None = None
    review_on: date | None = None
    channels: Sequence[str] = ()
    contact_address: str | None = None
    officer_id: int | None = None
    officer_ids: Sequence[int] = ()
    phone_days: Sequence[int] = ()
    phone_from: time | None = None
    phone_until: time | None = None
    minutes: int | None = None
    all_premises: bool = False
    premises: str | None = None
    social_media: str | None = None
    agreement: str | None = None
    safety_note: str | None = None
    case_id: int | None = None


def _staff_user(user_id, field_name: str, message: str) -> User:
    user = db.session.get(User, int(user_id)) if user_id not in (None, "") else None
    if user is None or not user.is_active or user.role == Role.COUNCILLOR:
        raise InvalidField(message, field_name)
    return user


def _validate_period(spec: RestrictionSpec, decided_on: date, *, period_from: date | None = None) -> None:
    if spec.starts_on is None:
        raise InvalidField("Enter the date the restrictions start", "starts_on")
    if spec.starts_on < decided_on:
        raise InvalidField("The start date must be today or later: a restriction cannot be backdated", "starts_on")
    if spec.ends_on is None:
        raise InvalidField("Enter the date the restrictions end: a restriction is for a period of time, never "
                           "permanent (004 GH20)", "ends_on")
    if spec.ends_on <= spec.starts_on:
        raise InvalidField("The end date must be after the start date", "ends_on")
    limit = (period_from or spec.starts_on) + relativedelta(months=max_months())
    if spec.ends_on > limit:
        raise InvalidField(f"The end date must be no more than {max_months()} months after the start "
                           f"({_date(limit)} at the latest): restrictions are for a period of time (004 GH20)", "ends_on")
    if spec.review_on is None:
        spec.review_on = spec.ends_on
    if not spec.starts_on <= spec.review_on <= spec.ends_on:
        raise InvalidField("The review date must be between the start and end dates", "review_on")


def _validated_terms(spec: RestrictionSpec, record: RestrictionRecord) -> dict:
    """The columns for one restriction, checked for its kind (field names match the form)."""
    kind = spec.kind
    terms: dict = {}
    if kind == "contact_form":
        channels = [c for c in spec.channels if c]
        if not channels:
            raise InvalidField("Select how they may contact us", "channels")
        bad = [c for c in channels if c not in CONTACT_CHANNELS]
        if bad:
            raise InvalidField(f"Unknown way of contacting us: {bad[0]}", "channels")
        address = _text(spec.contact_address, "contact_address", "", max_length=254, required=False)
        if address and ("@" not in address or " " in address):
            raise InvalidField("Enter an email address in the correct format, like complaints@example.gov.uk", "contact_address")
        terms.update(channels=[c for c in CONTACT_CHANNELS if c in channels], contact_address=address)
    elif kind == "no_contact_officers":
        ids = sorted({int(i) for i in spec.officer_ids if i not in (None, "")})
        if not ids:
            raise InvalidField("Select the officers they may not contact", "officer_ids")
        for user_id in ids:
            _staff_user(user_id, "officer_ids", "Select officers from the list")
        route_to = _staff_user(spec.officer_id, "route_to_officer", "Select the officer their contact goes to instead")
        if route_to.id in ids:
            raise InvalidField("Their contact cannot go to an officer they may not contact", "route_to_officer")
        terms.update(officer_ids=ids, officer_id=route_to.id)
    elif kind == "named_officer":
        terms["officer_id"] = _staff_user(spec.officer_id, "named_officer", "Select the officer all their contact goes through").id
    elif kind == "phone_times":
        days = sorted({int(d) for d in spec.phone_days if str(d).strip() != ""})
        if not days or any(d < 0 or d > 6 for d in days):
            raise InvalidField("Select the days they may phone", "phone_days")
        if spec.phone_from is None:
            raise InvalidField("Enter the time calls may start from, like 10:00", "phone_from")
        if spec.phone_until is None:
            raise InvalidField("Enter the time calls must end by, like 12:00", "phone_until")
        if spec.phone_until <= spec.phone_from:
            raise InvalidField("The end time must be after the start time", "phone_until")
        terms.update(phone_days=days, phone_from=spec.phone_from, phone_until=spec.phone_until)
    elif kind == "time_limits":
        if spec.minutes is None or not 1 <= int(spec.minutes) <= 240:
            raise InvalidField("Enter the time limit in minutes, between 1 and 240", "minutes")
        terms["minutes"] = int(spec.minutes)
    elif kind == "premises_ban":
        premises = _text(spec.premises, "premises", "Enter which premises", max_length=2000, required=not spec.all_premises)
        terms.update(all_premises=bool(spec.all_premises), premises=None if spec.all_premises else premises)
    elif kind == "written_agreement":
        terms["agreement"] = _text(spec.agreement, "agreement", "Enter what the written agreement says", max_length=5000)
    elif kind == "pvp_register":
        terms["safety_note"] = _text(spec.safety_note, "safety_note",
                                     "Enter the safety information staff who may meet them need", max_length=1000)
    elif kind == "social_media_block":
        terms["social_media"] = _text(spec.social_media, "social_media", "Enter which social media channels", max_length=1000)
    elif kind == "file_without_reply":
        case = db.session.get(Case, int(spec.case_id)) if spec.case_id not in (None, "") else None
        if case is None or case.person_id != record.person_id:
            raise InvalidField("Select their completed complaint", "case_id")
        if case.is_open:
            raise InvalidField(f"{case.reference} is still open: only correspondence about a completed complaint may be "
                               "filed without reply (004 §19.4)", "case_id")
        terms["case_id"] = case.id
    return terms


def _same_terms_key(kind: str, terms: dict) -> tuple:
    return (kind, terms.get("case_id")) if kind == "file_without_reply" else (kind,)


def impose_restrictions(
    record: RestrictionRecord, specs: Sequence[RestrictionSpec], *, reasons: str, balance: str,
    equality_considerations: str, reasonable_adjustments: str, actor: User, no_warning_reason: str | None = None,
    expected_version: int | None = None,
) -> RestrictionDecision:
    """The Service Manager's decision: one or more restrictions, each time-limited, and the
    letter saying why, what, for how long and how to ask for a review (004 §19.1–19.3)."""
    _require_manager(actor, record)
    _require_open(record)
    _check_version(record, expected_version)
    today = _today()
    lists = restriction_lists()
    if not specs:
        raise InvalidField("Select at least one restriction", "kinds")
    reasons = _text(reasons, "reasons", "Enter why: this goes in the letter (004 §19.3)")
    balance = _text(balance, "balance", "Enter how you balanced their interests against the effect of their behaviour (004 §19.2)")
    equality = _text(equality_considerations, "equality_considerations",
                     "Enter the equality considerations: for example, whether a disability or other need explains the behaviour")
    adjustments = _text(reasonable_adjustments, "reasonable_adjustments",
                        "Enter the reasonable adjustments considered, or why none are needed")
    no_warning_reason = _text(no_warning_reason, "no_warning_reason", "", max_length=5000, required=False)
    if not record.warnings and not no_warning_reason:
        raise InvalidField("They have not been warned: warn them first, or enter why circumstances did not permit a "
                           "warning (004 §19.1)", "no_warning_reason")
    existing = {_same_terms_key(r.kind, {"case_id": r.case_id}) for r in record.active_restrictions}
    rows: list[Restriction] = []
    seen: set[tuple] = set()
    for spec in specs:
        if spec.kind not in lists.types:
            raise InvalidField(f"Unknown restriction {spec.kind!r}: choose from the policy's list (004 §19.1)", "kinds")
        _validate_period(spec, today)
        terms = _validated_terms(spec, record)
        key = _same_terms_key(spec.kind, terms)
        if key in seen:
            raise InvalidField(f"{lists.types[spec.kind].label}: chosen twice", "kinds")
        if key in existing:
            raise InvalidField(f"{lists.types[spec.kind].label} is already in force: change it through a review", "kinds")
        seen.add(key)
        rows.append(Restriction(record_id=record.id, person_id=record.person_id, kind=spec.kind, status="active",
                                starts_on=spec.starts_on, ends_on=spec.ends_on, review_on=spec.review_on,
                                created_at=utc_now(), **terms))
    record.equality_considerations, record.reasonable_adjustments = equality, adjustments
    decision = RestrictionDecision(
        record_id=record.id, kind="impose", acting_as="service_manager", decided_by_id=actor.id, decided_on=today,
        decided_at=utc_now(), reasons=reasons, balance=balance, no_warning_reason=no_warning_reason,
    )
    db.session.add(decision)
    db.session.flush()
    for row in rows:
        row.decision_id = decision.id
        db.session.add(row)
        record.restrictions.append(row)
    db.session.flush()
    record.status = "restricted"
    names = q.fetch_user_names({i for r in rows for i in (r.officer_ids or ())} | {r.officer_id for r in rows if r.officer_id})
    described = _described(rows, names)
    decision.letter = _prepare_letter(record, "decision", actor, decision=decision, restrictions=described,
                                      ends_on=max(r.ends_on for r in rows), starts_on=min(r.starts_on for r in rows),
                                      review_on=min(r.review_on for r in rows))
    _touch(record)
    _flush(record)
    _record_event(record, "restrictions_imposed", actor, {
        "decision_id": decision.id, "acting_as": "service_manager", "letter_id": decision.letter_id,
        "no_warning_reason": no_warning_reason,
        "restrictions": [_restriction_data(r, names) for r in rows],
        "cite": "004 §19.1–19.3, GH20",
    })
    db.session.flush()
    return decision


def _described(rows: Iterable[Restriction], names: Mapping[int, str]) -> list[dict]:
    lists = restriction_lists()
    out = []
    for row in rows:
        terms = terms_of(row, names)
        out.append({
            "kind": row.kind, "label": lists.types[row.kind].label if row.kind in lists.types else row.kind,
            "for_person": describe_for_person(terms), "for_staff": describe_for_staff(terms),
            "starts_on": row.starts_on, "ends_on": row.ends_on, "review_on": row.review_on,
        })
    return out


def _restriction_data(row: Restriction, names: Mapping[int, str]) -> dict:
    return {
        "restriction_id": row.id, "kind": row.kind, "starts_on": row.starts_on, "ends_on": row.ends_on,
        "review_on": row.review_on, "terms": describe_for_staff(terms_of(row, names)),
    }


def decide_no_action(record: RestrictionRecord, *, reasons: str, actor: User,
                     expected_version: int | None = None) -> RestrictionDecision:
    """Close a consideration without restrictions (no further action)."""
    _require_manager(actor, record)
    _require_open(record)
    _check_version(record, expected_version)
    if record.active_restrictions:
        raise NotAllowed("Restrictions are in force: a Director lifts them on review (004 §19.4)", "record")
    reasons = _text(reasons, "reasons", "Enter why no action is taken")
    decision = RestrictionDecision(record_id=record.id, kind="no_action", acting_as="service_manager",
                                   decided_by_id=actor.id, decided_on=_today(), decided_at=utc_now(), reasons=reasons)
    db.session.add(decision)
    record.status, record.closed_at, record.close_reason = "closed", utc_now(), reasons
    _touch(record)
    _flush(record)
    _record_event(record, "closed_no_action", actor, {"decision_id": decision.id, "reasons": reasons})
    db.session.flush()
    return decision


# --- review (004 §19.4) -------------------------------------------------------------------------

def request_review(record: RestrictionRecord, *, received_on: date, grounds: str, actor: User,
                   channel: str | None = None, expected_version: int | None = None) -> RestrictionReviewRequest:
    """The person asks for a review; staff log it and a Director decides (004 §19.3–19.4)."""
    _require_manager(actor, record)
    _require_open(record)
    _check_version(record, expected_version)
    if not record.active_restrictions:
        raise NotAllowed("There are no restrictions in force to review", "record")
    if any(r.status == "open" for r in record.review_requests):
        raise NotAllowed("A review request is already waiting for a Director's decision", "record")
    if received_on is None:
        raise InvalidField("Enter the date the request was received", "received_on")
    if received_on > _today():
        raise InvalidField("The date received must be today or in the past", "received_on")
    if channel is not None and channel not in set(Channel):
        raise InvalidField("Select how they asked", "channel")
    grounds = _text(grounds, "grounds", "Enter what they said: why they want the decision reviewed")
    request = RestrictionReviewRequest(record_id=record.id, received_on=received_on, channel=channel, grounds=grounds,
                                       status="open", logged_by_id=actor.id, logged_at=utc_now())
    db.session.add(request)
    record.review_requests.append(request)
    _touch(record)
    _flush(record)
    letter = _prepare_letter(record, "review_acknowledgement", actor, request=request)
    _record_event(record, "review_requested", actor, {
        "request_id": request.id, "received_on": received_on, "channel": channel, "letter_id": letter.id,
        "cite": "004 §19.3–19.4",
    })
    db.session.flush()
    return request


def decide_review(
    record: RestrictionRecord, *, outcome: str, reasons: str, actor: User,
    lift_ids: Iterable[int] = (), new_ends_on: date | None = None, next_review_on: date | None = None,
    expected_version: int | None = None,
) -> RestrictionDecision:
    """A Director's review (004 §19.4): of the person's request if one is open, else the
    scheduled review. Upheld: no change (a new review date may be set). Varied: lift some, or
    change the end date (a review the person asked for may shorten it, never lengthen it).
    Lifted: all end today. Restrictions are never edited in place: a varied one is ended and
    replaced, so every letter's terms stay true."""
    if not may_decide_review(actor):
        raise Forbidden("Reviews are decided by the relevant Director (004 §19.4)", "actor")
    _require_open(record)
    _check_version(record, expected_version)
    active = record.active_restrictions
    if not active:
        raise NotAllowed("There are no restrictions in force to review", "record")
    deciders = {r.decision.decided_by_id for r in active if r.decision is not None}
    if actor.id in deciders:
        raise Forbidden("You made the decision under review: another Director must review it (004 §19.4)", "actor")
    if outcome not in restriction_lists().review_outcomes:
        raise InvalidField("Select the outcome of the review", "outcome")
    reasons = _text(reasons, "reasons", "Enter the reasons for the decision: they go in the letter")
    request = next((r for r in record.review_requests if r.status == "open"), None)
    today = _today()
    lift = {int(i) for i in lift_ids or ()}
    unknown = lift - {r.id for r in active}
    if unknown:
        raise InvalidField("Select restrictions that are in force", "lift")
    if outcome == "upheld" and (lift or new_ends_on):
        raise InvalidField("To lift a restriction or change its end date, choose to change them", "outcome")
    if outcome == "varied":
        if not lift and new_ends_on is None and next_review_on is None:
            raise InvalidField("Select restrictions to lift, or enter a new end date", "lift")
        if lift and lift == {r.id for r in active}:
            raise InvalidField("To lift them all, choose to lift all the restrictions", "lift")
    if new_ends_on is not None:
        if new_ends_on <= today:
            raise InvalidField("The new end date must be in the future; to end them now, lift them", "new_ends_on")
        limit = today + relativedelta(months=max_months())
        if new_ends_on > limit:
            raise InvalidField(f"The new end date must be no more than {max_months()} months from today "
                               f"({_date(limit)} at the latest; 004 GH20)", "new_ends_on")
        if request is not None and any(new_ends_on > r.ends_on for r in active if r.id not in lift):
            raise InvalidField("A review the person asked for cannot make a restriction last longer: that needs a new "
                               "decision by the Service Manager", "new_ends_on")
    if next_review_on is not None and next_review_on < today:
        raise InvalidField("The next review date must be today or later", "next_review_on")

    decision = RestrictionDecision(
        record_id=record.id, kind="review", acting_as="director", decided_by_id=actor.id, decided_on=today,
        decided_at=utc_now(), reasons=reasons, outcome=outcome,
        review_kind="requested" if request is not None else "scheduled",
        review_request_id=request.id if request is not None else None,
    )
    db.session.add(decision)
    db.session.flush()
    ended, replaced, rescheduled = [], [], []
    for row in active:
        if outcome == "lifted" or row.id in lift:
            _end(row, "lifted", today, decision)
            ended.append(row)
            continue
        ends_on = new_ends_on or row.ends_on
        # Reviewed now: the next review is the date given, else (when this one has come) the end date.
        review_on = next_review_on or (row.review_on if row.review_on > today else ends_on)
        review_on = min(review_on, ends_on)
        if ends_on == row.ends_on:
            # The terms the person was told are unchanged: only the review is rescheduled.
            review_on = max(review_on, row.starts_on)
            if review_on != row.review_on:
                rescheduled.append({"restriction_id": row.id, "from": row.review_on, "to": review_on})
                row.review_on = review_on
            continue
        starts_on = max(row.starts_on, today)
        if ends_on <= starts_on:
            raise InvalidField("The new end date must be after the restriction starts", "new_ends_on")
        review_on = max(review_on, starts_on)
        _end(row, "varied", today, decision)
        new = _copy_restriction(row, decision, starts_on=starts_on, ends_on=ends_on, review_on=review_on)
        db.session.add(new)
        record.restrictions.append(new)
        replaced.append((row, new))
    if request is not None:
        request.status = "decided"
    db.session.flush()
    if not record.active_restrictions:
        record.status, record.closed_at = "closed", utc_now()
        record.close_reason = f"Restrictions lifted on review: {reasons}"
    rows_now = record.active_restrictions
    names = q.fetch_user_names({i for r in record.restrictions for i in (r.officer_ids or ())})
    decision.letter = _prepare_letter(
        record, "review_outcome", actor, decision=decision, request=request,
        outcome_label=restriction_lists().review_outcomes[outcome].label,
        lifted=_described(ended, names), restrictions=_described(rows_now, names),
        ends_on=max((r.ends_on for r in rows_now), default=None),
    )
    _touch(record)
    _flush(record)
    _record_event(record, "review_decided", actor, {
        "decision_id": decision.id, "outcome": outcome, "review_kind": decision.review_kind,
        "request_id": decision.review_request_id, "letter_id": decision.letter_id,
        "lifted": [r.id for r in ended],
        "varied": [{"from": old.id, "to": new.id, "ends_on": new.ends_on, "review_on": new.review_on} for old, new in replaced],
        "rescheduled": rescheduled,
        "cite": "004 §19.4",
    })
    db.session.flush()
    return decision


def _end(row: Restriction, reason: str, on: date, decision: RestrictionDecision | None) -> None:
    row.status, row.end_reason, row.ended_on = "ended", reason, on
    row.ended_by_decision_id = decision.id if decision is not None else None


_TERM_COLUMNS = ("kind", "channels", "contact_address", "officer_id", "officer_ids", "phone_days", "phone_from",
                 "phone_until", "minutes", "all_premises", "premises", "social_media", "agreement", "safety_note", "case_id")


def _copy_restriction(row: Restriction, decision: RestrictionDecision, **dates) -> Restriction:
    return Restriction(record_id=row.record_id, person_id=row.person_id, decision_id=decision.id, status="active",
                       created_at=utc_now(), **{c: getattr(row, c) for c in _TERM_COLUMNS}, **dates)


# --- lapsing (the scheduler calls this daily) --------------------------------------------------

@dataclass
class LapseResult:
    on: date
    lapsed: int = 0
    records_closed: int = 0
    letters: list[int] = field(default_factory=list)

    def describe(self) -> str:
        return (f"Restrictions lapsed on {self.on.isoformat()}: {self.lapsed} restriction(s), "
                f"{self.records_closed} record(s) closed, {len(self.letters)} letter(s) prepared")


def lapse_expired_restrictions(today: date, *, actor: User | None = None) -> LapseResult:
    """End every restriction whose end date has come (GH20: for a period of time, never
    permanent): an audit event per record, and a letter prepared telling the person. Safe to
    run twice (only active rows are touched; concurrent runs skip each other's locked rows)."""
    result = LapseResult(on=today)
    by_record: dict[int, list[Restriction]] = {}
    for row in q.fetch_expired_restrictions(today):
        by_record.setdefault(row.record_id, []).append(row)
    for record_id, rows in by_record.items():
        record = db.session.get(RestrictionRecord, record_id)
        for row in rows:
            _end(row, "lapsed", row.ends_on, None)
        db.session.flush()
        result.lapsed += len(rows)
        still = record.active_restrictions
        if not still:
            record.status, record.closed_at = "closed", utc_now()
            record.close_reason = "All restrictions reached their end date and lapsed"
            result.records_closed += 1
        names = q.fetch_user_names({i for r in record.restrictions for i in (r.officer_ids or ())})
        letter = _prepare_letter(record, "lapsed", actor, lapsed=_described(rows, names),
                                 restrictions=_described(still, names))
        result.letters.append(letter.id)
        _touch(record)
        _flush(record)
        _record_event(record, "restrictions_lapsed", actor, {
            "restrictions": [{"restriction_id": r.id, "kind": r.kind, "ends_on": r.ends_on} for r in rows],
            "record_closed": not still, "letter_id": letter.id, "cite": "004 GH20",
        })
        db.session.flush()
    return result


def run_restriction_lapses(at: datetime) -> LapseResult:
    """The scheduler's job shape (fn(at) -> result with .describe())."""
    return lapse_expired_restrictions(london_date(at))


# --- enforcement steps, recorded ------------------------------------------------------------------

def record_contact_assessment(person: Person | int, assessment: Assessment, *, channel: str, at: datetime,
                              actor: User | None, case: Case | None = None, summary: str | None = None,
                              action_taken: str | None = None) -> RestrictionEvent | None:
    """Record how a contact from a restricted person was handled (the journey and case pages
    call this once staff have acted on the assessment). Nothing is recorded for a person with
    nothing in force."""
    person_id = person if isinstance(person, int) else person.id
    if not assessment.restriction_ids:
        return None
    record = db.session.get(Restriction, assessment.restriction_ids[0]).record
    if record.person_id != person_id:
        raise InvalidField("Those restrictions are not this person's", "person")
    data = {**assessment.as_data(), "channel": channel, "case": case.reference if case is not None else None,
            "summary": (summary or "")[:300] or None, "action_taken": action_taken}
    event = _record_event(record, "contact_handled", actor, data, at=at)
    db.session.flush()
    return event


def record_file_check(
    restriction: Restriction, *, received_on: date, summary: str, new_information: bool, safeguarding_concern: bool,
    actor: User, new_information_details: str | None = None, safeguarding_details: str | None = None,
    correspondence: Correspondence | None = None,
) -> RestrictionEvent:
    """004 §19.4 and the Ombudsman's guidance: correspondence about a completed complaint under
    "file without reply" is still read and checked for new information and safeguarding
    concerns. The check is recorded on the record and on the completed complaint's timeline;
    with new information it goes to an officer to reply, otherwise it is filed."""
    if not may_see_restrictions(actor):
        raise Forbidden("Only staff may record this check", "actor")
    if restriction.kind != "file_without_reply":
        raise InvalidField("That restriction is not 'file without reply'", "restriction")
    if received_on is None:
        raise InvalidField("Enter the date it was received", "received_on")
    if received_on > _today():
        raise InvalidField("The date received must be today or in the past", "received_on")
    if not restriction.in_force_on(received_on) and not restriction.in_force_on(_today()):
        raise NotAllowed("That restriction is not in force: answer the correspondence as usual", "restriction")
    summary = _text(summary, "summary", "Enter what the correspondence says", max_length=5000)
    if new_information is None:
        raise InvalidField("Select whether it contains new information", "new_information")
    if safeguarding_concern is None:
        raise InvalidField("Select whether it raises a safeguarding concern", "safeguarding")
    new_details = _text(new_information_details, "new_information_details", "Enter the new information",
                        max_length=5000, required=bool(new_information))
    safe_details = _text(safeguarding_details, "safeguarding_details", "Enter the safeguarding concern and who you told",
                         max_length=5000, required=bool(safeguarding_concern))
    outcome = "reply" if new_information else "filed"
    record = restriction.record
    data = {
        "restriction_id": restriction.id, "received_on": received_on, "summary": summary,
        "new_information": bool(new_information), "new_information_details": new_details,
        "safeguarding_concern": bool(safeguarding_concern), "safeguarding_details": safe_details,
        "outcome": outcome, "correspondence_id": correspondence.id if correspondence is not None else None,
        "case": restriction.case.reference if restriction.case is not None else None, "cite": "004 §19.4",
    }
    event = _record_event(record, "file_without_reply_check", actor, data)
    if restriction.case is not None:
        record_event(restriction.case, "restriction_file_check", actor, {
            "received_on": received_on, "outcome": outcome, "new_information": bool(new_information),
            "safeguarding_concern": bool(safeguarding_concern), "cite": "004 §19.4",
        })
    db.session.flush()
    return event


# --- review reminders (the scheduler's hook: casework/jobs/reviews.py) ---------------------------

def record_reference(record: RestrictionRecord | int) -> str:
    return f"RST-{(record if isinstance(record, int) else record.id):05d}"


def restriction_review_reminders(today: date):
    """Reviews due within the reminder window (working days), one reminder per record and
    review date, to whoever made the decision and the manager of the service; and each open
    review request, once, to the Directors (004 §19.4). No personal data in the title."""
    from ..jobs.reviews import ReviewReminder
    from ..notifications import Recipient
    from .calendar import fetch_calendar

    try:
        horizon = fetch_calendar().add_working_days(today, reminder_working_days())
    except Exception:  # outside the calendar's range: calendar days instead
        horizon = today + relativedelta(days=reminder_working_days() + 2)
    base = (current_app.config.get("CASEWORK_BASE_URL") or "").rstrip("/")
    due: dict[int, list[Restriction]] = {}
    for row in q.fetch_reviews_due(today, horizon):
        due.setdefault(row.record_id, []).append(row)
    for record_id, rows in due.items():
        record = rows[0].record
        review_on = min(r.review_on for r in rows)
        users: dict[int, str] = {}
        for row in rows:
            if row.decision is not None and row.decision.decided_by_id:
                users.setdefault(row.decision.decided_by_id, "You made the decision to restrict contact (004 §19.3).")
        area = record.service_area
        if area is not None and area.manager_id:
            users.setdefault(area.manager_id, "You manage the service these restrictions concern.")
        active = {u.id for u in q.fetch_staff()}
        recipients = [Recipient(uid, why) for uid, why in users.items() if uid in active]
        if not recipients:
            recipients = [Recipient(u.id, "Nobody else is named to review these restrictions.")
                          for u in q.fetch_users_with_role(Role.SERVICE_RECOVERY)]
        yield ReviewReminder(
            key=f"{record_id}:{review_on.isoformat()}", review_on=review_on, title="Contact restriction review",
            reference=record_reference(record_id), recipients=recipients,
            lines=[f"{len(rows)} restriction(s) due for review. Check whether each is still needed and proportionate, "
                   "and record the review; restrictions lapse on their end dates (004 §19.4, GH20)."],
            link=f"{base}/restrictions/records/{record_id}",
        )
    directors = q.fetch_users_with_role(Role.DIRECTOR) or q.fetch_users_with_role(Role.ADMIN)
    for request in q.fetch_open_review_requests():
        yield ReviewReminder(
            key=f"request:{request.id}", review_on=today, title="Contact restriction review requested",
            reference=record_reference(request.record_id),
            recipients=[Recipient(u.id, "Reviews of restriction decisions are decided by a Director (004 §19.4).")
                        for u in directors],
            lines=["The person has asked for a review of the decision to restrict their contact. A Director who did "
                   "not make the decision reviews it (004 §19.4)."],
            link=f"{base}/restrictions/records/{request.record_id}/review",
        )


def register_review_reminders() -> bool:
    """Register with the scheduler's review-reminder hook (True when it exists)."""
    try:
        from ..jobs.reviews import register_review_provider
    except ImportError:  # pragma: no cover - the scheduler work is not there
        return False
    register_review_provider("restrictions", restriction_review_reminders)
    return True


register_review_reminders()

__all__ = [
    "Assessment", "BannerItem", "LapseResult", "RestrictionBanner", "RestrictionSpec", "RestrictionTerms",
    "add_evidence", "assess_contact", "assess_person_contact", "decide_no_action", "decide_review",
    "describe_for_person", "describe_for_staff", "fetch_restriction_banner", "impose_restrictions",
    "lapse_expired_restrictions", "may_decide_review", "may_manage", "may_see_restrictions", "may_view_register",
    "open_consideration", "record_contact_assessment", "record_file_check", "record_warning",
    "register_review_reminders", "request_review", "restriction_lists", "restriction_review_reminders",
    "run_restriction_lapses", "send_letter", "terms_of", "update_considerations",
]
