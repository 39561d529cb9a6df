"""Digests: each officer's and each team manager's day, and the weekly enquiry monitoring.

* Daily (working days, morning): every officer with open cases overdue or due within
  CASEWORK_DIGEST_DUE_DAYS working days gets one message listing them; every service area
  manager gets one for their area(s), with unassigned cases too.
* Weekly (Monday): the member (councillor) and MP enquiry monitoring of 004 Appendix C
  ("weekly monitoring in place to ensure MP enquiries are resolved in a timely manner"):
  open, due, overdue, answered on time and late, received — by service area — to the Service
  Recovery Team and directors.

Each digest has a unique key (recipient and day, or week), so running a job twice sends it once.
Lists are built from indexed queries over open cases (ix_cases_assignee_open_due,
ix_cases_open_due); paused cases are left out (their deadlines are not running).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Case, CaseKind, Clock, Role, ServiceArea
from ..notifications import DeliveryReport, NotificationDraft, Recipient, create_notifications, deliver_pending
from ..operations.calendar import fetch_calendar
from ..workdays import LONDON, london_date
from .policies import PolicyBook
from .recipients import Directory
from .settings import JobSettings, app_link, case_link

LIST_LIMIT = 30  # items per section of a digest; the counts are always complete
ENQUIRY_KINDS = (CaseKind.MEMBER_ENQUIRY, CaseKind.MP_ENQUIRY)
RESPOND_CLOCK = "enquiry.respond"  # API.md: the clock an enquiry's answer meets


@dataclass
class DigestResult:
    name: str
    as_of: date
    skipped: str | None = None
    decided: int = 0
    recipients: int = 0
    delivery: DeliveryReport | None = None

    def describe(self) -> str:
        if self.skipped:
            line = f"{self.name} as of {self.as_of.isoformat()}: skipped ({self.skipped})."
        else:
            line = f"{self.name} as of {self.as_of.isoformat()}: {self.decided} new digest(s) for {self.recipients} recipient(s)."
        return line + ("\n" + self.delivery.describe() if self.delivery is not None else "")


@dataclass
class Section:
    items: list[dict] = field(default_factory=list)
    count: int = 0

    def add(self, item: dict) -> None:
        self.count += 1
        if len(self.items) < LIST_LIMIT:
            self.items.append(item)

    @property
    def more(self) -> int:
        return self.count - len(self.items)


def _item(row, today: date, calendar, book: PolicyBook, directory: Directory) -> dict:
    policy = book.get(row.procedure, row.policy_version)
    item = {
        "reference": row.reference,
        "due_on": row.next_due_on,
        "state_title": book.state_title(policy, row.state),
        "procedure_title": policy.title if policy is not None else row.procedure,
        "assignee_name": directory.name(row.assignee_id),
        "link": case_link(row.reference),
    }
    if row.next_due_on is not None and row.next_due_on < today:
        item["days_overdue"] = calendar.working_days_between(row.next_due_on, today)
    return item


def _case_columns():
    return (
        Case.id, Case.reference, Case.assignee_id, Case.service_area_id, Case.next_due_on, Case.state,
        Case.procedure, Case.policy_version,
    )


def _finish(result: DigestResult, drafts: list[NotificationDraft], deliver: bool) -> DigestResult:
    won = create_notifications(drafts)
    db.session.commit()
    result.decided = len(won)
    result.recipients = sum(len({r.user_id for r in d.recipients}) for d in won)
    if deliver:
        result.delivery = deliver_pending()
    return result


def run_daily_digests(at: datetime, *, deliver: bool = True) -> DigestResult:
    today = london_date(at)
    result = DigestResult("Daily digests", today)
    calendar = fetch_calendar()
    if not calendar.is_working_day(today):
        result.skipped = "not a working day"
        return result
    settings = JobSettings.from_config()
    horizon = calendar.add_working_days(today, settings.digest_due_days)
    directory, book = Directory(), PolicyBook()
    drafts = _officer_digests(today, horizon, calendar, settings, directory, book)
    drafts += _manager_digests(today, horizon, calendar, settings, directory, book)
    return _finish(result, drafts, deliver)


def _sections() -> dict[str, Section]:
    return {"overdue": Section(), "due_today": Section(), "due_soon": Section()}


def _section_of(due: date | None, today: date) -> str | None:
    if due is None:
        return None
    if due < today:
        return "overdue"
    return "due_today" if due == today else "due_soon"


def _officer_digests(today, horizon, calendar, settings, directory, book) -> list[NotificationDraft]:
    rows = db.session.execute(
        select(*_case_columns())
        .where(
            Case.assignee_id.is_not(None), Case.is_open.is_(True), Case.next_due_on <= horizon,
            Case.paused_since.is_(None),
        )
        .order_by(Case.assignee_id, Case.next_due_on, Case.id)
    ).all()
    by_officer: dict[int, dict[str, Section]] = {}
    for row in rows:
        if row.assignee_id not in directory.people:
            continue  # inactive: their cases show in the manager's digest
        sections = by_officer.setdefault(row.assignee_id, _sections())
        sections[_section_of(row.next_due_on, today)].add(_item(row, today, calendar, book, directory))
    drafts = []
    for user_id, sections in by_officer.items():
        drafts.append(NotificationDraft(
            key=f"digest:officer:{user_id}:{today.isoformat()}",
            kind="daily_digest_officer",
            recipients=[Recipient(user_id, "You are the assigned officer for these cases.")],
            context={
                "for_date": today, "horizon": horizon, "digest_days": settings.digest_due_days,
                "overdue_count": sections["overdue"].count,
                "due_count": sections["due_today"].count + sections["due_soon"].count,
                "sections": sections, "link": app_link("/home"),
            },
            for_date=today, link=app_link("/home"),
            data={"overdue": sections["overdue"].count, "due_today": sections["due_today"].count,
                  "due_soon": sections["due_soon"].count},
        ))
    return drafts


def _manager_digests(today, horizon, calendar, settings, directory, book) -> list[NotificationDraft]:
    managed = directory.managers  # area id -> active manager id
    if not managed:
        return []
    rows = db.session.execute(
        select(*_case_columns())
        .where(
            Case.service_area_id.in_(list(managed)), Case.is_open.is_(True), Case.paused_since.is_(None),
            or_(Case.next_due_on <= horizon, Case.assignee_id.is_(None)),
        )
        .order_by(Case.service_area_id, Case.next_due_on.is_(None), Case.next_due_on, Case.id)
    ).all()
    areas: dict[int, dict] = {}
    for row in rows:
        area = areas.setdefault(row.service_area_id, {
            "name": directory.area_name(row.service_area_id), **_sections(), "unassigned": Section(),
        })
        item = _item(row, today, calendar, book, directory)
        if row.assignee_id is None or row.assignee_id not in directory.people:
            area["unassigned"].add(item)
        section = _section_of(row.next_due_on, today) if row.next_due_on is not None and row.next_due_on <= horizon else None
        if section:
            area[section].add(item)
    by_manager: dict[int, list[dict]] = {}
    for area_id, area in sorted(areas.items(), key=lambda kv: kv[1]["name"] or ""):
        by_manager.setdefault(managed[area_id], []).append(area)
    drafts = []
    for user_id, manager_areas in by_manager.items():
        totals = {
            key: sum(a[key].count for a in manager_areas)
            for key in ("overdue", "due_today", "due_soon", "unassigned")
        }
        drafts.append(NotificationDraft(
            key=f"digest:manager:{user_id}:{today.isoformat()}",
            kind="daily_digest_manager",
            recipients=[Recipient(user_id, "You manage "
                                  + ", ".join(a["name"] for a in manager_areas) + ".")],
            context={
                "for_date": today, "horizon": horizon, "digest_days": settings.digest_due_days,
                "overdue_count": totals["overdue"], "due_count": totals["due_today"] + totals["due_soon"],
                "unassigned_count": totals["unassigned"], "areas": manager_areas, "link": app_link("/home"),
            },
            for_date=today, link=app_link("/home"), data=totals,
        ))
    return drafts


# --- weekly enquiry monitoring (004 Appendix C) ---------------------------------------------

@dataclass
class EnquiryFigures:
    area: str
    received: int = 0
    open: int = 0
    due: int = 0
    overdue: int = 0
    answered_on_time: int = 0
    answered_late: int = 0

    def add(self, other: "EnquiryFigures") -> None:
        for name in FIGURE_NAMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


FIGURE_NAMES = ("received", "open", "due", "overdue", "answered_on_time", "answered_late")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def fetch_enquiry_figures(
    *, period_start: date, period_end: date, as_of: date, due_from: date, due_to: date,
) -> dict[str, list[EnquiryFigures]]:
    """Member and MP enquiry figures by service area (004 Appendix C), one SQL aggregation.

    The one query behind the weekly digest and the weekly monitoring page (web/enquiries.py):
    * received: received from period_start to period_end (London dates, inclusive);
    * answered on time / late: the answer (the `enquiry.respond` clock met) sent in the period,
      by its due date or after it;
    * open: not yet answered at the end of `as_of` (received by then, not answered, withdrawn,
      passed on or closed by then);
    * overdue: open then, and its answer was due before `as_of`;
    * due: open then, and its answer is due from `due_from` to `due_to`.
    With `as_of` today, "open" is simply the enquiries open now.
    """
    respond = aliased(Clock)
    after_as_of = _start_of(as_of + timedelta(days=1))
    received_in_period = and_(Case.received_at >= _start_of(period_start),
                              Case.received_at < _start_of(period_end + timedelta(days=1)))
    awaiting = and_(
        Case.received_at < after_as_of,
        or_(Case.closed_at.is_(None), Case.closed_at >= after_as_of),
        or_(respond.met_on.is_(None), respond.met_on > as_of),
        or_(respond.stopped_on.is_(None), respond.stopped_on > as_of),
    )
    running = and_(awaiting, or_(respond.paused_since.is_(None), respond.paused_since > as_of))
    answered_in_period = and_(respond.met_on >= period_start, respond.met_on <= period_end)

    def total(condition):
        return func.sum(sql_case((condition, 1), else_=0))

    rows = db.session.execute(
        select(
            Case.kind, Case.service_area_id,
            total(received_in_period).label("received"),
            total(awaiting).label("open"),
            total(and_(running, respond.due_on >= due_from, respond.due_on <= due_to)).label("due"),
            total(and_(running, respond.due_on < as_of)).label("overdue"),
            total(and_(answered_in_period, respond.met_on <= respond.due_on)).label("answered_on_time"),
            total(and_(answered_in_period, respond.met_on > respond.due_on)).label("answered_late"),
        )
        .select_from(Case)
        .outerjoin(respond, and_(respond.case_id == Case.id, respond.name == RESPOND_CLOCK))
        .where(Case.kind.in_([str(k) for k in ENQUIRY_KINDS]))
        .where(or_(Case.is_open.is_(True), Case.closed_at >= _start_of(period_start),
                   respond.met_on >= period_start, received_in_period))
        .group_by(Case.kind, Case.service_area_id)
    ).all()
    names = dict(db.session.execute(select(ServiceArea.id, ServiceArea.name)).all())
    figures: dict[str, list[EnquiryFigures]] = {str(k): [] for k in ENQUIRY_KINDS}
    for row in rows:
        figure = EnquiryFigures(
            area=names.get(row.service_area_id, "No service area recorded"),
            received=row.received or 0, open=row.open or 0, due=row.due or 0, overdue=row.overdue or 0,
            answered_on_time=row.answered_on_time or 0, answered_late=row.answered_late or 0,
        )
        if any(getattr(figure, name) for name in FIGURE_NAMES):
            figures[row.kind].append(figure)
    for kind in figures:
        figures[kind].sort(key=lambda f: f.area)
    return figures


def fetch_enquiry_monitoring(week_start: date, today: date, due_by: date) -> dict[str, list[EnquiryFigures]]:
    """The weekly digest's figures: the week is week_start up to today (excluded); open and
    overdue as of today; due from today to due_by."""
    return fetch_enquiry_figures(period_start=week_start, period_end=today - timedelta(days=1), as_of=today,
                                 due_from=today, due_to=due_by)


def enquiry_totals(rows: list[EnquiryFigures], area: str = "All service areas") -> EnquiryFigures:
    totals = EnquiryFigures(area=area)
    for row in rows:
        totals.add(row)
    return totals


def run_weekly_enquiry_digest(at: datetime, *, deliver: bool = True) -> DigestResult:
    """The week is the seven days before the day it runs (Monday: the previous Monday to Sunday)."""
    today = london_date(at)
    result = DigestResult("Weekly member and MP enquiry monitoring", today)
    calendar = fetch_calendar()
    settings = JobSettings.from_config()
    week_start = today - timedelta(days=7)
    due_by = calendar.add_working_days(today, settings.digest_due_days)
    figures = fetch_enquiry_monitoring(week_start, today, due_by)
    tables = []
    for kind, title in ((CaseKind.MEMBER_ENQUIRY, "Councillor (member) enquiries"), (CaseKind.MP_ENQUIRY, "MP enquiries")):
        rows = figures[str(kind)]
        totals = enquiry_totals(rows)
        tables.append({"title": title, "rows": rows, "totals": totals})
    directory = Directory()
    reason = "You receive the weekly member and MP enquiry monitoring (004 Appendix C)."
    recipients = directory.role(Role.SERVICE_RECOVERY, reason) + directory.role(Role.DIRECTOR, reason)
    draft = NotificationDraft(
        key=f"digest:enquiries-weekly:{week_start.isoformat()}",
        kind="weekly_enquiry_digest",
        recipients=recipients,
        context={
            "week_start": week_start, "week_end": today - timedelta(days=1), "for_date": today,
            "due_by": due_by, "digest_days": settings.digest_due_days, "tables": tables,
        },
        for_date=today,
        data={t["title"]: vars(t["totals"]) for t in tables},
    )
    return _finish(result, [draft], deliver)
