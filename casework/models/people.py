"""People who contact the council, their representatives and (separately) equality data."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import ContactMethod, check_in
from .org import Ward
from .types import UTCDateTime


class Person(db.Model):
    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint(
            "preferred_contact_method IS NULL OR " + check_in("preferred_contact_method", list(ContactMethod)),
            name="contact_method_known",
        ),
        Index("ix_people_postcode", "postcode"),
        Index("ix_people_phone", "phone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10))
    ward_id: Mapped[int | None] = mapped_column(ForeignKey("wards.id"), index=True)
    # 004 §5.3, GH8, GH19: keep using the format the person asked for.
    preferred_contact_method: Mapped[str | None] = mapped_column(String(20))
    preferred_format: Mapped[str | None] = mapped_column(String(40))
    accessibility_needs: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(60))
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    is_organisation: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=func.now())

    ward: Mapped[Ward | None] = relationship()


# Search by e-mail and name is case-insensitive (the front door finds a person before adding one).
Index("ix_people_email_lower", func.lower(Person.email))
Index("ix_people_name_lower", func.lower(Person.name))


class EqualityAnswers:
    """The equality monitoring questions (004 §5.4), shared by the front door's record and the
    satisfaction form's (004 §16.2): `declined` when they prefer not to say; each answer None
    where that question was left blank."""

    declined: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    age_band: Mapped[str | None] = mapped_column(String(20))
    sex: Mapped[str | None] = mapped_column(String(30))
    gender_identity: Mapped[str | None] = mapped_column(String(40))
    ethnicity: Mapped[str | None] = mapped_column(String(80))
    disability: Mapped[str | None] = mapped_column(String(30))
    religion: Mapped[str | None] = mapped_column(String(60))
    sexual_orientation: Mapped[str | None] = mapped_column(String(40))


class EqualityMonitoring(EqualityAnswers, db.Model):
    """Voluntary (004 §5.4, GH9) and held apart from the person record."""

    __tablename__ = "equality_monitoring"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=func.now())


class Representation(db.Model):
    """Someone acting for the complainant, with the consent evidence (004 §4.1–4.2, GH7)."""

    __tablename__ = "representations"
    __table_args__ = (
        CheckConstraint(check_in("decision", ["pending", "accepted", "refused"]), name="decision_known"),
        CheckConstraint("decision <> 'refused' OR decision_reason IS NOT NULL", name="refusal_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    relationship_to_person: Mapped[str | None] = mapped_column(String(80))
    consent_evidence: Mapped[str | None] = mapped_column(Text)
    consent_received_on: Mapped[date | None]
    decision: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending")
    decision_reason: Mapped[str | None] = mapped_column(Text)

    representative: Mapped[Person] = relationship()
