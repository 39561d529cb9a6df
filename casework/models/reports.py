"""Tables for reporting: working-day numbers, survey answers, committee issues, Ombudsman letters.

Also the indexes on other tables that the report queries need (named here so that the models
and the migration agree; see docs/reporting.md for the EXPLAIN evidence behind each).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .cases import Case, Clock, Event
from .enums import check_in
from .org import User
from .people import EqualityAnswers
from .types import UTCDateTime

SURVEY_SCORES = (1, 2, 3, 4, 5)  # 1 very dissatisfied … 5 very satisfied
COMMITTEE_ISSUE_STATUSES = ("outstanding", "on_agenda", "completed", "withdrawn")


class WorkingDayNumber(db.Model):
    """Day → how many working days there are up to and including it (from the calendar's start).

    The working days after a and up to b are n(b) − n(a), the calendar's own convention
    (Calendar.working_days_between), so "working days to respond" is one join and a
    subtraction in SQL. Rebuilt from casework.workdays.Calendar whenever the council's
    calendar_days change (casework/reports/workdays.py).
    """

    __tablename__ = "working_day_numbers"

    day: Mapped[date] = mapped_column(primary_key=True)
    # Council closure days are not working days (policies with closure_days_count = false).
    n: Mapped[int] = mapped_column(Integer)
    # Closure days count as working days (policies with closure_days_count = true).
    n_with_closures: Mapped[int] = mapped_column(Integer)


class ReportSetting(db.Model):
    """Small report settings and markers (the calendar fingerprint, the population)."""

    __tablename__ = "report_settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SatisfactionSurvey(db.Model):
    """A closed complaint sampled for the resident satisfaction form, and its answers (004 §16).

    The form asks whether complaining was accessible and easy, and how satisfied the
    resident is with the way the complaint was handled and with the remedy offered (§16.1);
    Ombudsman cases are never sampled (§16.2).
    """

    __tablename__ = "satisfaction_surveys"
    __table_args__ = (
        *(
            CheckConstraint(f"{name} IS NULL OR {name} BETWEEN 1 AND 5", name=f"{name}_score")
            for name in ("accessible", "easy_to_use", "handling", "remedy", "overall")
        ),
        CheckConstraint("returned_on IS NULL OR sent_on IS NOT NULL", name="returned_after_sent"),
        Index("ix_satisfaction_surveys_sample", "sample"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    sample: Mapped[str] = mapped_column(String(80))  # the sampling run, e.g. "2025-Q3 (seed 7)"
    sampled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sampled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_on: Mapped[date | None]
    returned_on: Mapped[date | None]
    accessible: Mapped[int | None] = mapped_column(Integer)  # easy to find out how to complain
    easy_to_use: Mapped[int | None] = mapped_column(Integer)  # the process was easy to use and understand
    handling: Mapped[int | None] = mapped_column(Integer)  # the way the complaint was managed
    remedy: Mapped[int | None] = mapped_column(Integer)  # the remedy offered
    overall: Mapped[int | None] = mapped_column(Integer)
    comments: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship()
    sampled_by: Mapped[User | None] = relationship(foreign_keys=[sampled_by_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class SurveyEquality(EqualityAnswers, db.Model):
    """The equality monitoring questions on a returned satisfaction form (004 §16.2): voluntary,
    held apart from the form's scores and from the person's own equality record (004 §5.4).

    No row: the resident left the section out. `declined`: they said they prefer not to answer.
    Otherwise each answer, None where that question was left blank.
    """

    __tablename__ = "survey_equality"

    survey_id: Mapped[int] = mapped_column(ForeignKey("satisfaction_surveys.id", ondelete="CASCADE"), primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CommitteeIssue(db.Model):
    """An item a committee asked officers to come back with (000 Outstanding Issues; 002)."""

    __tablename__ = "committee_issues"
    __table_args__ = (
        CheckConstraint(check_in("status", COMMITTEE_ISSUE_STATUSES), name="status_known"),
        Index("ix_committee_issues_status_due", "status", "due_meeting"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee: Mapped[str] = mapped_column(String(160))
    raised_on: Mapped[date]  # the meeting that asked
    subject: Mapped[str] = mapped_column(String(300))
    requested: Mapped[str | None] = mapped_column(Text)  # what the committee asked to come back
    lead_officer: Mapped[str | None] = mapped_column(String(160))
    due_meeting: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default="outstanding", server_default="outstanding")
    notes: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OmbudsmanLetter(db.Model):
    """The Ombudsman's annual review letter figures for one year (April–March), as published,
    so the annual report can set them beside the council's own records (STATUTE.md)."""

    __tablename__ = "ombudsman_letters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 2025 = 2025/26
    complaints_received: Mapped[int | None] = mapped_column(Integer)
    decisions: Mapped[int | None] = mapped_column(Integer)
    upheld: Mapped[int | None] = mapped_column(Integer)
    upheld_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    compliance_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    satisfactory_remedy_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    upheld_per_100k: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


# Indexes the reports need on other tables (docs/reporting.md, "Indexes"). Each lets a report
# query read the index alone (an index-only scan on PostgreSQL, a covering index on SQLite).
# Cases of some kinds received in a period (the report queries name the kinds they count, all six
# when they count everything, so each kind is one range of this index).
Index("ix_cases_kind_received_cover", Case.kind, Case.received_at, Case.procedure, Case.service_area_id)
# Open cases by due date with what the dashboard groups them by; open cases only.
Index(
    "ix_cases_open_due_grouping",
    Case.next_due_on,
    Case.procedure,
    Case.stage,
    postgresql_where=text("is_open"),
    sqlite_where=text("is_open = 1"),
)
# Timeliness cohorts: clocks of a name started in a period, with what their verdict needs.
Index(
    "ix_clocks_name_started_on",
    Clock.name,
    Clock.started_on,
    Clock.case_id,
    Clock.due_on,
    Clock.met_on,
    Clock.stopped_on,
    Clock.paused_since,
)
# Ombudsman decisions, referrals and escalations in a period.
Index("ix_events_action_at", Event.action, Event.at)
