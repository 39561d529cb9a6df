"""Dates the council adds to the working-day calendar (proclaimed holidays, closure days)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .enums import CalendarDayKind, check_in


class CalendarDay(db.Model):
    __tablename__ = "calendar_days"
    __table_args__ = (CheckConstraint(check_in("kind", list(CalendarDayKind)), name="kind_known"),)

    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
