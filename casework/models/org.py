"""The council: wards, directorates, service areas, contractors, users and API tokens."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Table, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import Role, check_in
from .types import UTCDateTime


class Ward(db.Model):
    __tablename__ = "wards"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    code: Mapped[str | None] = mapped_column(String(20))


class Directorate(db.Model):
    __tablename__ = "directorates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)

    service_areas: Mapped[list["ServiceArea"]] = relationship(back_populates="directorate")


class ServiceArea(db.Model):
    __tablename__ = "service_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    directorate_id: Mapped[int | None] = mapped_column(ForeignKey("directorates.id"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", use_alter=True))

    directorate: Mapped[Directorate | None] = relationship(back_populates="service_areas")
    manager: Mapped["User | None"] = relationship(foreign_keys=[manager_id])


class Contractor(db.Model):
    """Contracted-out services answer Stage 1 first (004 §7)."""

    __tablename__ = "contractors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    service_area_id: Mapped[int | None] = mapped_column(ForeignKey("service_areas.id"))
    email: Mapped[str | None] = mapped_column(String(254))


user_wards = Table(
    "user_wards",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("ward_id", ForeignKey("wards.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(check_in("role", list(Role)), name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    role: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active_user: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    service_area_id: Mapped[int | None] = mapped_column(ForeignKey("service_areas.id"))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=func.now())

    wards: Mapped[list[Ward]] = relationship(secondary=user_wards)
    service_area: Mapped[ServiceArea | None] = relationship(foreign_keys=[service_area_id])

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.is_active_user)

    @property
    def roles(self) -> set[str]:
        return {self.role}

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(db.Model):
    """Bearer tokens; only a SHA-256 of the token is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
