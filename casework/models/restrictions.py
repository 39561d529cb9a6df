"""Unreasonably persistent or vexatious contact (004 §18–19): a person considered under the
policy, the evidence, warnings, decisions, the restrictions themselves, reviews, letters, and
an append-only audit trail of its own.

Everything here belongs to a *person*, not a case: a restriction governs how someone contacts
the council whatever it is about, and may exist with no open case at all. So the letters and
the audit trail are tables of their own (correspondence and events both need a case).

Invariants that must hold in the data are CHECK constraints: every restriction has an end
date after its start (004 GH20: for a period of time, not permanent); a review date falls
inside it; an ended restriction says when and why; each kind carries the terms it is
enforced by (a named officer, permitted phone times, the completed complaint...).
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .cases import Case, Correspondence
from .enums import check_in
from .org import ServiceArea, User
from .people import Person
from .types import PortableJSON, UTCDateTime

RECORD_STATUSES = ("considering", "warned", "restricted", "closed")
# The code's vocabulary: each kind is enforced differently (operations/restrictions.py). Their
# labels and clauses are data: policies/shared/restrictions.toml, lists.restriction_types.
RESTRICTION_KINDS = (
    "contact_form",
    "no_contact_officers",
    "named_officer",
    "phone_times",
    "time_limits",
    "premises_ban",
    "written_agreement",
    "pvp_register",
    "social_media_block",
    "file_without_reply",
)
RESTRICTION_STATUSES = ("active", "ended")
END_REASONS = ("lapsed", "lifted", "varied")
WARNING_KINDS = ("informal", "written")
DECISION_KINDS = ("impose", "review", "no_action")
ACTING_AS = ("service_manager", "director")
REVIEW_OUTCOMES = ("upheld", "varied", "lifted")
REVIEW_KINDS = ("requested", "scheduled")
EVIDENCE_KINDS = ("case", "correspondence", "incident", "contact")
REQUEST_STATUSES = ("open", "decided")
LETTER_KINDS = ("warning", "decision", "review_acknowledgement", "review_outcome", "lapsed")
LETTER_STATUSES = ("draft", "sent", "printed")


class RestrictionRecord(db.Model):
    """One episode of a person being considered under the policy, from the first concern to the
    last restriction ending. A person has at most one open record; closed ones are history."""

    __tablename__ = "restriction_records"
    __table_args__ = (
        CheckConstraint(check_in("status", RECORD_STATUSES), name="status_known"),
        CheckConstraint("status <> 'closed' OR closed_at IS NOT NULL", name="closed_has_closed_at"),
        Index(
            "uq_restriction_records_open_person",
            "person_id",
            unique=True,
            postgresql_where=text("status <> 'closed'"),
            sqlite_where=text("status <> 'closed'"),
        ),
        Index("ix_restriction_records_person_id", "person_id", "id"),
        Index("ix_restriction_records_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(20), default="considering")
    # The service most affected: its manager is the "relevant Service Manager" (004 §19.3).
    service_area_id: Mapped[int | None] = mapped_column(ForeignKey("service_areas.id"))
    behaviours: Mapped[list] = mapped_column(PortableJSON, default=list)  # values from 004 §18.3
    behaviour_details: Mapped[str] = mapped_column(Text)
    # LGSCO guidance: equality duties and reasonable adjustments considered before deciding.
    equality_considerations: Mapped[str | None] = mapped_column(Text)
    reasonable_adjustments: Mapped[str | None] = mapped_column(Text)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    person: Mapped[Person] = relationship()
    service_area: Mapped[ServiceArea | None] = relationship()
    opened_by: Mapped[User | None] = relationship()
    evidence: Mapped[list["RestrictionEvidence"]] = relationship(order_by="RestrictionEvidence.id", back_populates="record")
    warnings: Mapped[list["RestrictionWarning"]] = relationship(order_by="RestrictionWarning.id", back_populates="record")
    decisions: Mapped[list["RestrictionDecision"]] = relationship(
        order_by="RestrictionDecision.id", back_populates="record", foreign_keys="RestrictionDecision.record_id"
    )
    restrictions: Mapped[list["Restriction"]] = relationship(order_by="Restriction.id", back_populates="record")
    review_requests: Mapped[list["RestrictionReviewRequest"]] = relationship(
        order_by="RestrictionReviewRequest.id", back_populates="record"
    )
    letters: Mapped[list["RestrictionLetter"]] = relationship(order_by="RestrictionLetter.id", back_populates="record")

    @property
    def is_open(self) -> bool:
        return self.status != "closed"

    @property
    def active_restrictions(self) -> list["Restriction"]:
        return [r for r in self.restrictions if r.status == "active"]


class RestrictionEvidence(db.Model):
    """What the consideration rests on: the person's cases and correspondence, and incidents or
    contacts described by staff (with a date and, for incidents, the PVP report reference)."""

    __tablename__ = "restriction_evidence"
    __table_args__ = (
        CheckConstraint(check_in("kind", EVIDENCE_KINDS), name="kind_known"),
        CheckConstraint("kind <> 'case' OR case_id IS NOT NULL", name="case_has_case_id"),
        CheckConstraint("kind <> 'correspondence' OR correspondence_id IS NOT NULL", name="correspondence_has_id"),
        CheckConstraint(
            "kind NOT IN ('incident', 'contact') OR (description IS NOT NULL AND occurred_on IS NOT NULL)",
            name="incident_described",
        ),
        Index("ix_restriction_evidence_record_id", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("restriction_records.id"))
    kind: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    correspondence_id: Mapped[int | None] = mapped_column(ForeignKey("correspondence.id"))
    occurred_on: Mapped[date | None]
    description: Mapped[str | None] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(60))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())

    record: Mapped[RestrictionRecord] = relationship(back_populates="evidence")
    case: Mapped[Case | None] = relationship()
    correspondence: Mapped[Correspondence | None] = relationship()
    added_by: Mapped[User | None] = relationship()


class RestrictionLetter(db.Model):
    """Letters to the person about the policy (warning, decision, review, lapse), prepared from
    templates/letters/restriction_*.html as drafts, checked, then sent or printed."""

    __tablename__ = "restriction_letters"
    __table_args__ = (
        CheckConstraint(check_in("kind", LETTER_KINDS), name="kind_known"),
        CheckConstraint(check_in("status", LETTER_STATUSES), name="status_known"),
        CheckConstraint("status = 'draft' OR sent_at IS NOT NULL", name="sent_has_sent_at"),
        Index("ix_restriction_letters_record_id", "record_id", "id"),
        Index("ix_restriction_letters_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("restriction_records.id"))
    kind: Mapped[str] = mapped_column(String(30))
    template: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    channel: Mapped[str | None] = mapped_column(String(30))
    recipient: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    record: Mapped[RestrictionRecord] = relationship(back_populates="letters")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class RestrictionWarning(db.Model):
    """A warning that restrictions may follow if the behaviour continues (004 §19.1)."""

    __tablename__ = "restriction_warnings"
    __table_args__ = (
        CheckConstraint(check_in("kind", WARNING_KINDS), name="kind_known"),
        CheckConstraint("kind <> 'written' OR letter_id IS NOT NULL", name="written_has_letter"),
        Index("ix_restriction_warnings_record_id", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("restriction_records.id"))
    kind: Mapped[str] = mapped_column(String(20))
    warned_on: Mapped[date]
    summary: Mapped[str] = mapped_column(Text)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("restriction_letters.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    record: Mapped[RestrictionRecord] = relationship(back_populates="warnings")
    given_by: Mapped[User | None] = relationship()
    letter: Mapped[RestrictionLetter | None] = relationship()


class RestrictionReviewRequest(db.Model):
    """The person asks for a review of the decision; a Director decides it (004 §19.3–19.4)."""

    __tablename__ = "restriction_review_requests"
    __table_args__ = (
        CheckConstraint(check_in("status", REQUEST_STATUSES), name="status_known"),
        Index("ix_restriction_review_requests_record_id", "record_id"),
        Index("ix_restriction_review_requests_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("restriction_records.id"))
    received_on: Mapped[date]
    channel: Mapped[str | None] = mapped_column(String(30))
    grounds: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime())

    record: Mapped[RestrictionRecord] = relationship(back_populates="review_requests")
    logged_by: Mapped[User | None] = relationship()


class RestrictionDecision(db.Model):
    """A Service Manager's decision to impose restrictions (or to take no action), or a
    Director's decision on review (004 §19.3–19.4), with its reasons and its letter."""

    __tablename__ = "restriction_decisions"
    __table_args__ = (
        CheckConstraint(check_in("kind", DECISION_KINDS), name="kind_known"),
        CheckConstraint(check_in("acting_as", ACTING_AS), name="acting_as_known"),
        CheckConstraint("outcome IS NULL OR " + check_in("outcome", REVIEW_OUTCOMES), name="outcome_known"),
        CheckConstraint("review_kind IS NULL OR " + check_in("review_kind", REVIEW_KINDS), name="review_kind_known"),
        CheckConstraint(
            "(kind = 'review') = (outcome IS NOT NULL AND review_kind IS NOT NULL)", name="review_has_outcome"
        ),
        CheckConstraint("kind <> 'review' OR acting_as = 'director'", name="review_by_director"),
        CheckConstraint("kind <> 'impose' OR balance IS NOT NULL", name="impose_has_balance"),
        Index("ix_restriction_decisions_record_id", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("restriction_records.id"))
    kind: Mapped[str] = mapped_column(String(20))
    acting_as: Mapped[str] = mapped_column(String(20))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[date]
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reasons: Mapped[str] = mapped_column(Text)  # why (004 §19.3); goes in the letter
    balance: Mapped[str | None] = mapped_column(Text)  # interests balanced (004 §19.2)
    no_warning_reason: Mapped[str | None] = mapped_column(Text)  # why no warning first (004 §19.1)
    review_kind: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    review_request_id: Mapped[int | None] = mapped_column(ForeignKey("restriction_review_requests.id"), unique=True)
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("restriction_letters.id"))

    record: Mapped[RestrictionRecord] = relationship(back_populates="decisions", foreign_keys=[record_id])
    decided_by: Mapped[User | None] = relationship()
    review_request: Mapped[RestrictionReviewRequest | None] = relationship()
    letter: Mapped[RestrictionLetter | None] = relationship()


class Restriction(db.Model):
    """One restriction on how the person contacts the council, in force from `starts_on` until
    the day before `ends_on` (it has ended on that date). Never changed in place: a review that
    varies it ends this row ("varied") and writes a new one, so each letter's terms stay true."""

    __tablename__ = "restrictions"
    __table_args__ = (
        CheckConstraint(check_in("kind", RESTRICTION_KINDS), name="kind_known"),
        CheckConstraint(check_in("status", RESTRICTION_STATUSES), name="status_known"),
        CheckConstraint("end_reason IS NULL OR " + check_in("end_reason", END_REASONS), name="end_reason_known"),
        CheckConstraint("ends_on > starts_on", name="time_limited"),
        CheckConstraint("review_on >= starts_on AND review_on <= ends_on", name="review_within_period"),
        CheckConstraint(
            "(status = 'ended') = (ended_on IS NOT NULL AND end_reason IS NOT NULL)", name="ended_has_date_and_reason"
        ),
        CheckConstraint("kind NOT IN ('named_officer', 'no_contact_officers') OR officer_id IS NOT NULL",
                        name="officer_named"),
        CheckConstraint(
            "kind <> 'phone_times' OR (phone_from IS NOT NULL AND phone_until IS NOT NULL AND phone_until > phone_from)",
            name="phone_times_set",
        ),
        CheckConstraint("minutes IS NULL OR minutes > 0", name="minutes_positive"),
        CheckConstraint("kind <> 'time_limits' OR minutes IS NOT NULL", name="time_limit_set"),
        CheckConstraint("kind <> 'file_without_reply' OR case_id IS NOT NULL", name="file_without_reply_has_case"),
        CheckConstraint("kind <> 'pvp_register' OR safety_note IS NOT NULL", name="pvp_has_safety_note"),
        Index("ix_restrictions_person_status", "person_id", "status"),
        Index("ix_restrictions_status_review_on", "status", "review_on"),
        Index("ix_restrictions_status_ends_on", "status", "ends_on"),
        Index("ix_restrictions_record_id", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("restriction_records.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))  # for the enforcement lookup
    decision_id: Mapped[int] = mapped_column(ForeignKey("restriction_decisions.id"))
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="active")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    review_on: Mapped[date]
    ended_on: Mapped[date | None]
    end_reason: Mapped[str | None] = mapped_column(String(20))
    ended_by_decision_id: Mapped[int | None] = mapped_column(ForeignKey("restriction_decisions.id"))
    # The terms, by kind (operations/restrictions.py validates them; the CHECKs above hold the core).
    channels: Mapped[list | None] = mapped_column(PortableJSON)  # contact_form: Channel values
    contact_address: Mapped[str | None] = mapped_column(String(254))  # contact_form: GH20 divert address
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # named_officer; route-to for no_contact
    officer_ids: Mapped[list | None] = mapped_column(PortableJSON)  # no_contact_officers: user ids
    phone_days: Mapped[list | None] = mapped_column(PortableJSON)  # phone_times: 0 = Monday
    phone_from: Mapped[time | None] = mapped_column(Time())
    phone_until: Mapped[time | None] = mapped_column(Time())
    minutes: Mapped[int | None] = mapped_column(Integer)  # time_limits
    all_premises: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    premises: Mapped[str | None] = mapped_column(Text)
    social_media: Mapped[str | None] = mapped_column(Text)
    agreement: Mapped[str | None] = mapped_column(Text)
    safety_note: Mapped[str | None] = mapped_column(Text)  # pvp_register: the only safety information shown
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))  # file_without_reply: the completed complaint
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    record: Mapped[RestrictionRecord] = relationship(back_populates="restrictions")
    person: Mapped[Person] = relationship()
    decision: Mapped[RestrictionDecision] = relationship(foreign_keys=[decision_id])
    ended_by_decision: Mapped[RestrictionDecision | None] = relationship(foreign_keys=[ended_by_decision_id])
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])
    case: Mapped[Case | None] = relationship()

    def in_force_on(self, day: date) -> bool:
        return self.status == "active" and self.starts_on <= day < self.ends_on


class RestrictionEvent(db.Model):
    """Append-only audit trail of every decision, review and enforcement step (triggers refuse
    UPDATE and DELETE, as on `events`)."""

    __tablename__ = "restriction_events"
    __table_args__ = (
        Index("ix_restriction_events_record_id_id", "record_id", "id"),
        Index("ix_restriction_events_person_id_id", "person_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("restriction_records.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict] = mapped_column(PortableJSON, default=dict)
