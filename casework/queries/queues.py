"""The staff queues and search: SQL with LIMIT/OFFSET and a COUNT, never a loop over all cases.

Queues sort on cases.next_due_on (denormalised from the running deadline clocks and indexed
with assignee_id / is_open), soonest first, cases with no deadline last.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Case, Person, ServiceArea, User
from .cases import visible_cases

QUEUES = ("mine", "team", "unassigned", "all")
DUE_FILTERS = ("overdue", "today", "week")


@dataclass
class QueueFilters:
    queue: str = "mine"
    due: str | None = None
    procedure: str | None = None
    stage: str | None = None
    service_area_id: int | None = None


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _queue_query(user: User, filters: QueueFilters, today: date, week_end: date):
    query = visible_cases(user).where(Case.is_open.is_(True))
    if filters.queue == "mine":
        query = query.where(Case.assignee_id == user.id)
    elif filters.queue == "team":
        query = query.where(Case.service_area_id == user.service_area_id)
    elif filters.queue == "unassigned":
        query = query.where(Case.assignee_id.is_(None))
    if filters.due == "overdue":
        query = query.where(Case.next_due_on < today)
    elif filters.due == "today":
        query = query.where(Case.next_due_on == today)
    elif filters.due == "week":
        query = query.where(Case.next_due_on >= today, Case.next_due_on <= week_end)
    if filters.procedure:
        query = query.where(Case.procedure == filters.procedure)
    if filters.stage:
        query = query.where(Case.stage == filters.stage)
    if filters.service_area_id is not None:
        query = query.where(Case.service_area_id == filters.service_area_id)
    return query


def fetch_queue_page(user: User, filters: QueueFilters, page: int, per_page: int, today: date, week_end: date) -> Page:
    """One page of a queue, soonest due first, with the total for GOV.UK pagination."""
    query = _queue_query(user, filters, today, week_end)
    total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    items = list(
        db.session.execute(
            query.order_by(Case.next_due_on.is_(None), Case.next_due_on, Case.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
            .options(selectinload(Case.person), selectinload(Case.assignee), selectinload(Case.service_area))
        ).scalars()
    )
    return Page(items=items, total=total, page=page, per_page=per_page)


@dataclass
class QueueSummary:
    queue: str
    open: int
    overdue: int
    due_today: int
    due_this_week: int


def fetch_queue_summaries(user: User, today: date, week_end: date, queues=("mine", "team", "unassigned")) -> list[QueueSummary]:
    """Open, overdue, due today and due this week for each of the user's queues: one aggregate
    query per queue over open cases (ix_cases_assignee_open_due / ix_cases_open_due)."""
    summaries = []
    for queue in queues:
        if queue == "team" and user.service_area_id is None:
            queue = "all"  # no team of their own (the Service Recovery Team, directors): every open case they may see
        sub = _queue_query(user, QueueFilters(queue=queue), today, week_end).order_by(None).subquery()
        due = sub.c.next_due_on
        row = db.session.execute(select(
            func.count(),
            func.coalesce(func.sum(case((due < today, 1), else_=0)), 0),
            func.coalesce(func.sum(case((due == today, 1), else_=0)), 0),
            func.coalesce(func.sum(case(((due >= today) & (due <= week_end), 1), else_=0)), 0),
        ).select_from(sub)).one()
        summaries.append(QueueSummary(queue, *(int(v) for v in row)))
    return summaries


def fetch_service_areas() -> list[ServiceArea]:
    return list(db.session.execute(select(ServiceArea).order_by(ServiceArea.name)).scalars())


def fetch_staff(exclude_roles=("councillor",)) -> list[User]:
    return list(
        db.session.execute(
            select(User).where(User.role.not_in(exclude_roles), User.is_active_user.is_(True)).order_by(User.name)
        ).scalars()
    )


# --- search ------------------------------------------------------------------------------------

REFERENCE_PATTERN = re.compile(r"^[A-Za-z]{2,5}-\d{4}-\d{1,9}$")
POSTCODE_PATTERN = re.compile(r"^[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}$|^[A-Za-z]{1,2}\d[A-Za-z\d]?$")


def normalise_phone(value: str) -> str:
    return re.sub(r"[^\d+]", "", value or "")


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped


def fetch_case_by_exact_reference(user: User, reference: str) -> Case | None:
    return db.session.execute(visible_cases(user).where(Case.reference == reference.strip().upper())).scalar_one_or_none()


def search_cases(user: User, text: str, limit: int = 25) -> list[Case]:
    """Cases whose reference starts with the text, or whose summary contains it."""
    text = text.strip()
    if not text:
        return []
    pattern = _like(text.lower())
    query = (
        visible_cases(user)
        .where(or_(
            func.lower(Case.reference).like(pattern + "%", escape="\\"),
            func.lower(Case.summary).like("%" + pattern + "%", escape="\\"),
        ))
        .order_by(Case.received_at.desc(), Case.id.desc())
        .limit(limit)
        .options(selectinload(Case.person))
    )
    return list(db.session.execute(query).scalars())


def search_people(*, name: str = "", email: str = "", phone: str = "", postcode: str = "", text: str = "",
                  limit: int = 25) -> list[Person]:
    """People matching every field given (case-insensitive; postcode ignores spaces).

    `text` alone searches name, e-mail, phone and postcode at once (the search box).
    """
    query = select(Person)
    conditions = []
    if name.strip():
        conditions.append(func.lower(Person.name).like("%" + _like(name.strip().lower()) + "%", escape="\\"))
    if email.strip():
        conditions.append(func.lower(Person.email) == email.strip().lower())
    if phone.strip() and normalise_phone(phone):
        conditions.append(func.replace(Person.phone, " ", "").like("%" + _like(normalise_phone(phone)) + "%", escape="\\"))
    if postcode.strip():
        compact = postcode.replace(" ", "").upper()
        conditions.append(func.replace(func.upper(Person.postcode), " ", "").like(_like(compact) + "%", escape="\\"))
    if text.strip():
        t = text.strip()
        alternatives = [
            func.lower(Person.name).like("%" + _like(t.lower()) + "%", escape="\\"),
            func.lower(Person.email) == t.lower(),
        ]
        if normalise_phone(t) and len(normalise_phone(t)) >= 5:
            alternatives.append(func.replace(Person.phone, " ", "").like("%" + _like(normalise_phone(t)) + "%", escape="\\"))
        if POSTCODE_PATTERN.match(t):
            alternatives.append(
                func.replace(func.upper(Person.postcode), " ", "").like(_like(t.replace(" ", "").upper()) + "%", escape="\\")
            )
        conditions.append(or_(*alternatives))
    if not conditions:
        return []
    query = query.where(*conditions).order_by(Person.name, Person.id).limit(limit)
    return list(db.session.execute(query).scalars())


def fetch_open_cases_for_people(user: User, person_ids: list[int]) -> dict[int, list[Case]]:
    """Open cases of each person (to show at the front door and avoid duplicates)."""
    if not person_ids:
        return {}
    rows = db.session.execute(
        visible_cases(user).where(Case.person_id.in_(person_ids), Case.is_open.is_(True)).order_by(Case.received_at.desc())
    ).scalars()
    out: dict[int, list[Case]] = {}
    for case in rows:
        out.setdefault(case.person_id, []).append(case)
    return out


def fetch_person_cases(user: User, person: Person, page: int, per_page: int) -> Page:
    """Every case of a person, as the complainant or as their representative."""
    from ..models import Representation

    represented = select(Representation.case_id).where(Representation.representative_id == person.id)
    query = visible_cases(user).where(or_(Case.person_id == person.id, Case.id.in_(represented)))
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    items = list(
        db.session.execute(
            query.order_by(Case.received_at.desc(), Case.id.desc()).offset((page - 1) * per_page).limit(per_page)
        ).scalars()
    )
    return Page(items=items, total=total, page=page, per_page=per_page)
