"""Councillors' casework: explicit consent to share personal data, and postcodes to wards."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import check_in
from .org import User, Ward
from .types import UTCDateTime

CONSENT_METHODS = ("in_writing", "email", "telephone", "in_person", "web_form")


class CouncillorConsent(db.Model):
    """A person's explicit consent for a councillor to see their personal data (001 §7.3):
    who gave it, when, how, and what it covers."""

    __tablename__ = "councillor_consents"
    __table_args__ = (
        CheckConstraint(check_in("method", CONSENT_METHODS), name="method_known"),
        Index("ix_councillor_consents_case_councillor", "case_id", "councillor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    councillor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    given_by: Mapped[str] = mapped_column(String(200))
    given_on: Mapped[date]
    method: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_on: Mapped[date | None]

    councillor: Mapped[User] = relationship(foreign_keys=[councillor_id])


class PostcodeWard(db.Model):
    """Postcode → ward, loaded by the council from CSV (`flask casework wards load-postcodes`)."""

    __tablename__ = "postcode_wards"

    postcode: Mapped[str] = mapped_column(String(10), primary_key=True)  # normalised: upper case, one space
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"), index=True)

    ward: Mapped[Ward] = relationship()
