"""The managers' dashboard: what is overdue or due soon today, and the last twelve months' trends.

Four queries, each reading an index alone: open cases by due date (ix_cases_open_due_grouping),
the most overdue (the same index, LIMIT), complaints and enquiries received by month
(ix_cases_kind_received_cover) and response deadlines started by month
(ix_clocks_name_started_on). The trends for complete past months are kept for ten minutes.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import case, func, literal, select

from ..extensions import db
from ..operations.calendar import fetch_calendar
from ..operations.policies import current_policies
from .figures import _judgements
from .period import Period, month_label
from .scope import C, K, SA, STAGES, ReportFilters, case_from, received_in
from .sql import dialect_name
from .tables import Column, Table, percent

DUE_SOON_WORKING_DAYS = 5
# Only complaints have stage clocks and only councillor and MP enquiries have enquiry clocks, so
# the clock's name says what it is: the trend reads the clocks' covering index alone.
TREND_CLOCKS = (
    ("stage1.respond", "Stage 1 responses"),
    ("stage2.respond", "Stage 2 responses"),
    ("enquiry.respond", "Councillor and MP enquiries"),
)


@dataclass
class Dashboard:
    today: date
    soon: date
    period: Period
    due: Table
    overdue_cases: list
    received: Table
    timeliness: Table
    totals: dict = field(default_factory=dict)


def _scope(f: ReportFilters) -> list:
    out = []
    if f.service_area_id is not None:
        out.append(C.c.service_area_id == f.service_area_id)
    if f.directorate_id is not None:
        out.append(SA.c.directorate_id == f.directorate_id)
    return out


def _month_bucket(column, months: list[date], dialect: str, *, instants: bool):
    """Which of the period's months (1..n) a value falls in: a London date, or a UTC instant
    (received_at) placed by the UTC instant each London month starts.

    PostgreSQL: width_bucket over the months' starts (a binary search per row, several times
    cheaper than formatting each value with to_char); SQLite: the same boundaries as a CASE.
    """
    from sqlalchemy import Date, DateTime
    from sqlalchemy.dialects.postgresql import array

    from .period import london_midnight_utc

    if len(months) == 1:
        return literal(1)
    if instants:
        starts = [london_midnight_utc(m).replace(tzinfo=None) for m in months[1:]]
        kind = DateTime()
    else:
        starts, kind = list(months[1:]), Date()
    if dialect == "postgresql":
        return func.width_bucket(column, array([literal(s, kind) for s in starts])) + 1
    bounds = [london_midnight_utc(m) for m in months[1:]] if instants else starts
    whens = [(column < bound, literal(i + 1)) for i, bound in enumerate(bounds)]
    return case(*whens, else_=literal(len(months)))


def fetch_due(f: ReportFilters, today: date, soon: date) -> Table:
    """Open cases overdue, due today and due within five working days, by procedure and stage."""
    stage = func.coalesce(C.c.stage, "none")
    stmt = (
        select(
            C.c.procedure,
            stage.label("stage"),
            func.count().filter(C.c.next_due_on < today).label("overdue"),
            func.count().filter(C.c.next_due_on == today).label("due_today"),
            func.count().filter(C.c.next_due_on > today).label("due_soon"),
        )
        .select_from(case_from(f))
        .where(C.c.is_open, C.c.next_due_on <= soon, *_scope(f))
        .group_by(C.c.procedure, stage)
    )
    policies = current_policies()
    rows = []
    for r in db.session.execute(stmt):
        policy = policies.get(r.procedure)
        rows.append({
            "procedure": policy.title if policy else r.procedure,
            "stage": STAGES.get(r.stage, r.stage.replace("_", " ").capitalize()),
            "procedure_key": r.procedure,
            "stage_key": r.stage,
            "overdue": r.overdue, "due_today": r.due_today, "due_soon": r.due_soon,
        })
    rows.sort(key=lambda r: (-r["overdue"], r["procedure"], r["stage"]))
    total = {"procedure": "Total", "stage": "", "is_total": True,
             **{k: sum(r[k] for r in rows) for k in ("overdue", "due_today", "due_soon")}}
    return Table("due", "Open cases by deadline", [
        Column("procedure", "Procedure", "label"), Column("stage", "Stage", "text"),
        Column("overdue", "Overdue"), Column("due_today", "Due today"),
        Column("due_soon", f"Due in the next {DUE_SOON_WORKING_DAYS} working days"),
    ], rows, total=total)


def fetch_most_overdue(f: ReportFilters, today: date, limit: int = 10) -> list:
    stmt = (
        select(C.c.reference, C.c.summary, C.c.procedure, C.c.next_due_on,
               func.coalesce(SA.c.name, "No service area").label("service_area"))
        .select_from(C.outerjoin(SA, SA.c.id == C.c.service_area_id))
        .where(C.c.is_open, C.c.next_due_on < today, *_scope(f))
        .order_by(C.c.next_due_on, C.c.id)
        .limit(limit)
    )
    calendar = fetch_calendar()
    out = []
    for r in db.session.execute(stmt):
        try:
            late = calendar.working_days_between(r.next_due_on, today)
        except ValueError:
            late = None
        out.append({**r._mapping, "working_days_late": late})
    return out


TREND_KINDS = (("complaint", "Complaints"), ("member_enquiry", "Councillor enquiries"), ("mp_enquiry", "MP enquiries"))


# Trends for complete past months are kept for a while (per process): they change only when a
# case is logged with a back date or an old deadline is met, and re-reading a year of cases
# on every page view is most of the dashboard's cost at a million cases. The current month,
# and today's due and overdue figures, are always read live.
TREND_CACHE_SECONDS = 600
_CACHE_KEY = "casework.reports.dashboard_trends"


def forget_dashboard_trends() -> None:
    current_app.extensions.pop(_CACHE_KEY, None)


def _split(period: Period, today: date) -> tuple[Period | None, Period]:
    """The period's complete past months, and the current month to today."""
    this_month = today.replace(day=1)
    current = Period(max(this_month, period.start), period.end)
    past = Period(period.start, this_month - timedelta(days=1)) if period.start < this_month else None
    return past, current


def _by_month(f: ReportFilters, period: Period, today: date, name: str, compute) -> dict:
    """month → figures: the past months from the cache when it has them (and the current month
    live), else the whole period in one query, keeping its past months for next time."""
    past, current = _split(period, today)
    if past is None:
        return compute(f, current)
    cache = current_app.extensions.setdefault(_CACHE_KEY, {})
    key = (name, f.service_area_id, f.directorate_id, past.start, past.end, today)
    hit = cache.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < TREND_CACHE_SECONDS:
        return {**hit[1], **compute(f, current)}
    everything = compute(f, period)
    first_current = f"{current.start:%Y-%m}"
    if len(cache) > 256:
        cache.clear()
    cache[key] = (now, {month: v for month, v in everything.items() if month < first_current})
    return everything


def _received_counts(f: ReportFilters, period: Period) -> dict:
    """month ("2026-03") → {kind: count} for the period."""
    dialect = dialect_name()
    months = period.months()
    month = _month_bucket(C.c.received_at, months, dialect, instants=True)
    stmt = (
        select(month.label("month"), C.c.kind, func.count().label("n"))
        .select_from(case_from(f))
        .where(received_in(period, [k for k, _ in TREND_KINDS]), C.c.procedure != "lgsco", *_scope(f))
        .group_by(month, C.c.kind)
    )
    out: dict = {}
    for r in db.session.execute(stmt):
        out.setdefault(f"{months[r.month - 1]:%Y-%m}", {})[r.kind] = r.n
    return out


def fetch_received_by_month(f: ReportFilters, period: Period, today: date) -> Table:
    """Complaints and councillor and MP enquiries received each month (Ombudsman cases apart).
    Reads only ix_cases_kind_received_cover: one index range per kind."""
    counts = _by_month(f, period, today, "received", _received_counts)
    rows = []
    for m in period.months():
        key = f"{m:%Y-%m}"
        rows.append({"month": month_label(m), "month_key": key,
                     **{k: counts.get(key, {}).get(k, 0) for k, _ in TREND_KINDS}})
    columns = [Column("month", "Month", "label")] + [Column(k, t) for k, t in TREND_KINDS]
    return Table("received_by_month", "Complaints and enquiries received by month", columns, rows)


def _timeliness_counts(f: ReportFilters, period: Period, today: date) -> dict:
    """month → {clock: (on time, late)} for response deadlines started in the period."""
    dialect = dialect_name()
    months = period.months()
    month = _month_bucket(K.c.started_on, months, dialect, instants=False)
    j = _judgements(ReportFilters(period=period, as_of=today))
    scope = _scope(f)
    select_from = case_from(f, base=K.join(C, C.c.id == K.c.case_id)) if scope else K
    stmt = (
        select(
            month.label("month"), K.c.name.label("clock"),
            func.count().filter(j["on_time"]).label("on_time"),
            func.count().filter(j["late_met"] | j["late_stopped"] | j["late_open"]).label("late"),
        )
        .select_from(select_from)
        .where(K.c.name.in_([c for c, _ in TREND_CLOCKS]), K.c.started_on >= period.start,
               K.c.started_on <= period.end, *scope)
        .group_by(month, K.c.name)
    )
    out: dict = {}
    for r in db.session.execute(stmt):
        out.setdefault(f"{months[r.month - 1]:%Y-%m}", {})[r.clock] = (r.on_time, r.late)
    return out


def fetch_timeliness_by_month(f: ReportFilters, period: Period, today: date) -> Table:
    """Response deadlines started each month: the share met within the standard (open and past
    due counts as late). Without a service-area filter only the clocks' index is read."""
    counts = _by_month(f, period, today, "timeliness", lambda f_, p: _timeliness_counts(f_, p, today))
    rows = []
    for m in period.months():
        key = f"{m:%Y-%m}"
        row = {"month": month_label(m), "month_key": key}
        for clock, title in TREND_CLOCKS:
            on_time, late = counts.get(key, {}).get(clock, (0, 0))
            row[title] = percent(on_time, on_time + late)
            row[f"{title}|due"] = on_time + late
        rows.append(row)
    columns = [Column("month", "Month started", "label")]
    for _, title in TREND_CLOCKS:
        columns += [Column(title, f"{title} within the standard (%)", "percent"), Column(f"{title}|due", f"{title} due")]
    return Table("timeliness_by_month", "Answered within the standard, by month the deadline started", columns, rows,
                 notes=["Open cases already past their due date count as late."])


def dashboard_tables(board: Dashboard) -> dict[str, Table]:
    """The dashboard's tables, each downloadable: due, most overdue, and the two 12-month trends."""
    most_overdue = Table("most_overdue", "The most overdue open cases", [
        Column("reference", "Case", "label"), Column("summary", "Summary", "text"),
        Column("service_area", "Service area", "text"), Column("next_due_on", "Was due", "date"),
        Column("working_days_late", "Working days late"),
    ], [dict(r) for r in board.overdue_cases])
    return {"due": board.due, "most_overdue": most_overdue, "received_by_month": board.received,
            "timeliness_by_month": board.timeliness}


def fetch_dashboard(f: ReportFilters, today: date) -> Dashboard:
    from .workdays import prepare_report_session

    prepare_report_session()
    calendar = fetch_calendar()
    soon = calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)
    period = Period.last_months(today, 12)
    due = fetch_due(f, today, soon)
    return Dashboard(
        today=today,
        soon=soon,
        period=period,
        due=due,
        overdue_cases=fetch_most_overdue(f, today),
        received=fetch_received_by_month(f, period, today),
        timeliness=fetch_timeliness_by_month(f, period, today),
        totals=due.total,
    )


__all__ = ["Dashboard", "dashboard_tables", "fetch_dashboard"]
