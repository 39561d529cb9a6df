"""Named queries for contact restrictions (004 §18–19): the central register, reviews due,
what is in force for a person today, and the records behind them. Every list is indexed
(restrictions by status and date, records by person) and bounded."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Case, Correspondence, Role, User
from ..models.restrictions import (
    Restriction,
    RestrictionEvent,
    RestrictionLetter,
    RestrictionRecord,
    RestrictionReviewRequest,
)

REGISTER_LIMIT = 500


def _record_options():
    return (
        selectinload(RestrictionRecord.person),
        selectinload(RestrictionRecord.restrictions).selectinload(Restriction.officer),
        selectinload(RestrictionRecord.restrictions).selectinload(Restriction.case),
        selectinload(RestrictionRecord.service_area),
    )


def fetch_record(record_id: int, *, for_update: bool = False) -> RestrictionRecord | None:
    query = select(RestrictionRecord).where(RestrictionRecord.id == record_id)
    if for_update:
        query = query.with_for_update()
    return db.session.execute(query.options(*_record_options())).scalar_one_or_none()


def fetch_open_record(person_id: int) -> RestrictionRecord | None:
    """The person's current record (at most one is open: a partial unique index)."""
    return db.session.execute(
        select(RestrictionRecord)
        .where(RestrictionRecord.person_id == person_id, RestrictionRecord.status != "closed")
        .options(*_record_options())
    ).scalar_one_or_none()


def fetch_records_for_person(person_id: int) -> list[RestrictionRecord]:
    """Every record for the person, newest first (history included)."""
    return list(db.session.execute(
        select(RestrictionRecord)
        .where(RestrictionRecord.person_id == person_id)
        .order_by(RestrictionRecord.id.desc())
        .options(*_record_options())
    ).scalars())


def fetch_active_restrictions(person_id: int, on: date | None = None) -> list[Restriction]:
    """Restrictions not yet ended for the person; with `on`, only those in force that day
    (started, and not yet at their end date)."""
    query = select(Restriction).where(Restriction.person_id == person_id, Restriction.status == "active")
    if on is not None:
        query = query.where(Restriction.starts_on <= on, Restriction.ends_on > on)
    query = query.order_by(Restriction.starts_on, Restriction.id).options(
        selectinload(Restriction.officer), selectinload(Restriction.case)
    )
    return list(db.session.execute(query).scalars())


def fetch_register() -> list[RestrictionRecord]:
    """The central register (004 §19.4): everyone with a restriction not yet ended, soonest
    review first (sorted here: one row per person, bounded)."""
    records = list(db.session.execute(
        select(RestrictionRecord)
        .where(RestrictionRecord.status == "restricted")
        .order_by(RestrictionRecord.id)
        .limit(REGISTER_LIMIT)
        .options(*_record_options())
    ).scalars())
    return sorted(records, key=lambda r: (next_review_on(r) or date.max, r.id))


def next_review_on(record: RestrictionRecord) -> date | None:
    dates = [r.review_on for r in record.restrictions if r.status == "active"]
    return min(dates) if dates else None


def fetch_records_in_progress() -> list[RestrictionRecord]:
    """People being considered or warned, with no restriction yet."""
    return list(db.session.execute(
        select(RestrictionRecord)
        .where(RestrictionRecord.status.in_(("considering", "warned")))
        .order_by(RestrictionRecord.opened_at)
        .limit(REGISTER_LIMIT)
        .options(selectinload(RestrictionRecord.person), selectinload(RestrictionRecord.warnings))
    ).scalars())


def fetch_reviews_due(on: date, until: date | None = None) -> list[Restriction]:
    """Restrictions in force whose review date is on or before `until` (default: `on`), soonest
    first: what the register lists as due, and what the review reminders are about."""
    until = until or on
    return list(db.session.execute(
        select(Restriction)
        .where(Restriction.status == "active", Restriction.review_on <= until)
        .order_by(Restriction.review_on, Restriction.id)
        .limit(REGISTER_LIMIT)
        .options(selectinload(Restriction.record).selectinload(RestrictionRecord.person), selectinload(Restriction.decision))
    ).scalars())


def fetch_expired_restrictions(today: date) -> list[Restriction]:
    """Restrictions whose end date has come: they lapse today (row-locked where the database can)."""
    return list(db.session.execute(
        select(Restriction)
        .where(Restriction.status == "active", Restriction.ends_on <= today)
        .order_by(Restriction.record_id, Restriction.id)
        .with_for_update(skip_locked=True)
    ).scalars())


def fetch_open_review_requests() -> list[RestrictionReviewRequest]:
    return list(db.session.execute(
        select(RestrictionReviewRequest)
        .where(RestrictionReviewRequest.status == "open")
        .order_by(RestrictionReviewRequest.received_on, RestrictionReviewRequest.id)
        .limit(REGISTER_LIMIT)
        .options(selectinload(RestrictionReviewRequest.record).selectinload(RestrictionRecord.person))
    ).scalars())


def fetch_draft_letters() -> list[RestrictionLetter]:
    """Letters prepared (by a decision, a review or a lapse) that nobody has sent yet."""
    return list(db.session.execute(
        select(RestrictionLetter)
        .where(RestrictionLetter.status == "draft")
        .order_by(RestrictionLetter.created_at, RestrictionLetter.id)
        .limit(REGISTER_LIMIT)
        .options(selectinload(RestrictionLetter.record).selectinload(RestrictionRecord.person))
    ).scalars())


def fetch_letter(letter_id: int) -> RestrictionLetter | None:
    return db.session.get(RestrictionLetter, letter_id)


def fetch_restriction(restriction_id: int) -> Restriction | None:
    return db.session.get(Restriction, restriction_id)


def fetch_record_events(record_id: int) -> list[RestrictionEvent]:
    return list(db.session.execute(
        select(RestrictionEvent).where(RestrictionEvent.record_id == record_id).order_by(RestrictionEvent.id)
    ).scalars())


def fetch_person_events(person_id: int, actions: tuple[str, ...] | None = None) -> list[RestrictionEvent]:
    query = select(RestrictionEvent).where(RestrictionEvent.person_id == person_id)
    if actions:
        query = query.where(RestrictionEvent.action.in_(actions))
    return list(db.session.execute(query.order_by(RestrictionEvent.id)).scalars())


def fetch_user_names(ids) -> dict[int, str]:
    ids = {int(i) for i in ids or () if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def fetch_staff() -> list[User]:
    """Active staff who can be named in a restriction (no councillors)."""
    return list(db.session.execute(
        select(User).where(User.is_active_user.is_(True), User.role != Role.COUNCILLOR).order_by(User.name, User.id)
    ).scalars())


def fetch_users_with_role(role: str) -> list[User]:
    return list(db.session.execute(
        select(User).where(User.is_active_user.is_(True), User.role == role).order_by(User.id)
    ).scalars())


def fetch_cases_of_person(person_id: int, limit: int = 200) -> list[Case]:
    return list(db.session.execute(
        select(Case).where(Case.person_id == person_id).order_by(Case.received_at.desc(), Case.id.desc()).limit(limit)
    ).scalars())


def fetch_completed_complaints(person_id: int) -> list[Case]:
    """Closed complaints: the only ones "file without reply" may cover (004 §19.4)."""
    return list(db.session.execute(
        select(Case)
        .where(Case.person_id == person_id, Case.kind == "complaint", Case.is_open.is_(False))
        .order_by(Case.received_at.desc(), Case.id.desc())
        .limit(200)
    ).scalars())


def fetch_incoming_correspondence(person_id: int, limit: int = 200) -> list[Correspondence]:
    return list(db.session.execute(
        select(Correspondence)
        .join(Case, Case.id == Correspondence.case_id)
        .where(Case.person_id == person_id, Correspondence.direction == "in")
        .order_by(Correspondence.created_at.desc(), Correspondence.id.desc())
        .limit(limit)
    ).scalars())
