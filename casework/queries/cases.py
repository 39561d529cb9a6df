"""Queries over cases, always indexed and paged (never a Python loop over all cases)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Case, Event, Role, User


def councillor_case_ids(user: User):
    """The cases a councillor raised, and those opened from their enquiries (report §4.3)."""
    raised = select(Case.id).where(Case.raised_by_id == user.id)
    return raised.union(select(Case.id).where(Case.linked_case_id.in_(raised)))


def visible_cases(user: User) -> Select:
    """Staff see every case; a councillor sees the cases they raised and what became of them."""
    query = select(Case)
    if user.role == Role.COUNCILLOR:
        query = query.where(Case.id.in_(councillor_case_ids(user)))
    return query


def fetch_case_by_reference(reference: str, user: User, *, for_update: bool = False) -> Case | None:
    query = visible_cases(user).where(Case.reference == reference).options(selectinload(Case.clocks))
    return db.session.execute(query).scalar_one_or_none()


@dataclass
class CaseFilters:
    procedure: str | None = None
    state: str | None = None
    kind: str | None = None
    overdue: bool | None = None
    due_before: date | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    service_area_id: int | None = None
    is_open: bool | None = None


def fetch_paginated_cases(user: User, filters: CaseFilters, page: int, per_page: int, today: date):
    """One page of cases, soonest due first; returns (items, has_next)."""
    query = visible_cases(user)
    if filters.procedure:
        query = query.where(Case.procedure == filters.procedure)
    if filters.state:
        query = query.where(Case.state == filters.state)
    if filters.kind:
        query = query.where(Case.kind == filters.kind)
    if filters.overdue is True:
        query = query.where(Case.is_open.is_(True), Case.next_due_on < today)
    elif filters.overdue is False:
        query = query.where((Case.next_due_on.is_(None)) | (Case.next_due_on >= today))
    if filters.due_before:
        query = query.where(Case.is_open.is_(True), Case.next_due_on < filters.due_before)
    if filters.assignee_id is not None:
        query = query.where(Case.assignee_id == filters.assignee_id)
    if filters.unassigned:
        query = query.where(Case.assignee_id.is_(None))
    if filters.service_area_id is not None:
        query = query.where(Case.service_area_id == filters.service_area_id)
    if filters.is_open is not None:
        query = query.where(Case.is_open.is_(filters.is_open))
    query = (
        query.order_by(Case.next_due_on.is_(None), Case.next_due_on, Case.id)
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
        .options(selectinload(Case.clocks))
    )
    rows = list(db.session.execute(query).scalars())
    return rows[:per_page], len(rows) > per_page


def fetch_case_events(case: Case) -> list[Event]:
    return list(db.session.execute(select(Event).where(Event.case_id == case.id).order_by(Event.id)).scalars())
