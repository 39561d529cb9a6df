"""Cases, their clocks, the append-only audit trail, correspondence and pinned policy texts."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import CaseKind, Channel, check_in
from .org import ServiceArea, User
from .people import Person, Representation
from .types import PortableJSON, UTCDateTime

OUTCOMES = ("upheld", "partially_upheld", "not_upheld")


class PolicyVersion(db.Model):
    """The text of every policy version a case was ever pinned to, so it stays loadable."""

    __tablename__ = "policy_versions"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    first_used_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseSequence(db.Model):
    """One row per reference prefix and year; its counter is taken under a row lock (no gaps)."""

    __tablename__ = "case_sequences"

    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(check_in("kind", list(CaseKind)), name="kind_known"),
        CheckConstraint("channel IS NULL OR " + check_in("channel", list(Channel)), name="channel_known"),
        CheckConstraint("outcome IS NULL OR " + check_in("outcome", OUTCOMES), name="outcome_known"),
        CheckConstraint("is_open OR closed_at IS NOT NULL", name="closed_has_closed_at"),
        CheckConstraint("compensation IS NULL OR compensation >= 0", name="compensation_not_negative"),
        Index("ix_cases_assignee_open_due", "assignee_id", "is_open", "next_due_on"),
        Index("ix_cases_open_due", "is_open", "next_due_on"),
        Index("ix_cases_procedure_state", "procedure", "state"),
        Index("ix_cases_kind_received", "kind", "received_at"),
        Index("ix_cases_service_area_received", "service_area_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    procedure: Mapped[str] = mapped_column(String(60))
    policy_version: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(60))
    stage: Mapped[str | None] = mapped_column(String(30))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    channel: Mapped[str | None] = mapped_column(String(30))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deemed_received_on: Mapped[date]
    summary: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    service_area_id: Mapped[int | None] = mapped_column(ForeignKey("service_areas.id"))
    contractor_id: Mapped[int | None] = mapped_column(ForeignKey("contractors.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The councillor who raised it has said they act for the person (001 §7.2).
    councillor_acts_for_person: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    linked_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # Denormalised from the running deadline clocks, so queues sort on one index.
    next_due_on: Mapped[date | None]
    paused_since: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(String(30))
    outcome_summary: Mapped[str | None] = mapped_column(Text)
    remedies: Mapped[list | None] = mapped_column(PortableJSON)
    compensation: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    lessons_learned: Mapped[str | None] = mapped_column(Text)
    closure_reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(PortableJSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    person: Mapped[Person | None] = relationship()
    service_area: Mapped[ServiceArea | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])
    clocks: Mapped[list["Clock"]] = relationship(
        back_populates="case", order_by="Clock.id", cascade="all, delete-orphan"
    )
    representations: Mapped[list[Representation]] = relationship(cascade="all, delete-orphan")


class Clock(db.Model):
    __tablename__ = "clocks"
    __table_args__ = (
        UniqueConstraint("case_id", "name", name="uq_clocks_case_name"),
        CheckConstraint(check_in("kind", ["deadline", "window"]), name="kind_known"),
        CheckConstraint("due_on >= started_on", name="due_after_start"),
        Index(
            "ix_clocks_running_due",
            "due_on",
            postgresql_where=text("met_on IS NULL AND stopped_on IS NULL"),
            sqlite_where=text("met_on IS NULL AND stopped_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20), default="deadline")
    started_by: Mapped[str] = mapped_column(String(60), default="")
    days: Mapped[int] = mapped_column(Integer)
    started_on: Mapped[date]
    due_on: Mapped[date]
    original_due_on: Mapped[date]
    met_on: Mapped[date | None]
    stopped_on: Mapped[date | None]
    paused_since: Mapped[date | None]
    extensions: Mapped[list] = mapped_column(PortableJSON, default=list)
    pauses: Mapped[list] = mapped_column(PortableJSON, default=list)

    case: Mapped[Case] = relationship(back_populates="clocks")


class Event(db.Model):
    """Append-only audit trail: one row per change to a case (triggers refuse UPDATE/DELETE)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_case_id_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(60))
    from_state: Mapped[str | None] = mapped_column(String(60))
    to_state: Mapped[str | None] = mapped_column(String(60))
    data: Mapped[dict] = mapped_column(PortableJSON, default=dict)


class Correspondence(db.Model):
    """Letters and e-mails to and from the case's people, each on the timeline (004 §11.3, GH19)."""

    __tablename__ = "correspondence"
    __table_args__ = (
        CheckConstraint(check_in("direction", ["in", "out"]), name="direction_known"),
        CheckConstraint(check_in("status", ["draft", "sent", "printed", "received"]), name="status_known"),
        Index("ix_correspondence_case_id", "case_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    template: Mapped[str | None] = mapped_column(String(80))
    channel: Mapped[str | None] = mapped_column(String(30))
    recipient: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
