"""What a report covers (period and filters) and how its rows are broken down (the dimension).

Every figure is for cases received in the period (or clocks started in it, for timeliness),
optionally only one directorate, service area, procedure, stage, channel or ward, and broken
down by one dimension. The joins a filter or dimension needs are added only when asked for.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import and_, case, func, literal, select

from ..models import Case, Clock, Directorate, Person, ServiceArea, Ward
from ..models.enums import CaseKind, Channel
from ..workdays import london_date, utc_now
from .period import Period

C = Case.__table__
K = Clock.__table__
SA = ServiceArea.__table__
DR = Directorate.__table__
PE = Person.__table__
WA = Ward.__table__

DIMENSIONS = {
    "none": "Whole council",
    "directorate": "Directorate",
    "service_area": "Service area",
    "procedure": "Procedure",
    "stage": "Stage",
    "channel": "Channel",
    "ward": "Ward",
    "month": "Month",
}

# The furthest stage a case reached, in the order cases move through them.
STAGES = {
    "informal": "Informal resolution",
    "stage1": "Stage 1",
    "stage2": "Stage 2",
    "stage3": "Stage 3",
    "ombudsman": "Ombudsman",
    "enquiry": "Enquiry",
    "none": "No stage",
}

CHANNEL_TITLES = {
    "telephone": "Telephone",
    "dedicated_line": "Dedicated phone line",
    "email": "E-mail",
    "letter": "Letter",
    "web_form": "Web form",
    "social_media": "Social media",
    "in_person": "In person",
    "councillor": "Via a councillor",
    "mp": "Via an MP",
    "not_recorded": "Not recorded",
}
assert set(Channel) <= set(CHANNEL_TITLES)

NO_SERVICE_AREA = "No service area"
NO_DIRECTORATE = "No directorate"
NO_WARD = "No ward recorded"


@dataclass(frozen=True)
class ReportFilters:
    period: Period
    by: str = "none"
    directorate_id: int | None = None
    service_area_id: int | None = None
    procedure: str | None = None
    stage: str | None = None
    channel: str | None = None
    ward_id: int | None = None
    # Open clocks past their due date on this day count as late (default: today in London).
    as_of: date = field(default_factory=lambda: london_date(utc_now()))

    def __post_init__(self):
        if self.by not in DIMENSIONS:
            raise ValueError(f"Unknown breakdown {self.by!r}: use one of {', '.join(DIMENSIONS)}")
        if self.stage is not None and self.stage not in STAGES:
            raise ValueError(f"Unknown stage {self.stage!r}")

    def with_(self, **changes) -> "ReportFilters":
        return replace(self, **changes)

    @property
    def needs_service_area(self) -> bool:
        return self.by in ("service_area", "directorate") or self.directorate_id is not None

    @property
    def needs_ward(self) -> bool:
        return self.by == "ward" or self.ward_id is not None


def case_from(f: ReportFilters, base=C):
    """`base` (which includes the cases table) with the joins the filters and dimension need."""
    joined = base
    if f.needs_service_area:
        joined = joined.outerjoin(SA, SA.c.id == C.c.service_area_id)
    if f.by == "directorate":
        joined = joined.outerjoin(DR, DR.c.id == SA.c.directorate_id)
    if f.needs_ward:
        joined = joined.outerjoin(PE, PE.c.id == C.c.person_id).outerjoin(WA, WA.c.id == PE.c.ward_id)
    return joined


def received_in(period: Period, kinds=None):
    """Received in the period. The kinds are named (all of them by default) so that the database
    reads one range of ix_cases_kind_received_cover per kind."""
    return and_(
        C.c.kind.in_(list(kinds or CaseKind)),
        C.c.received_at >= period.utc_start,
        C.c.received_at < period.utc_end,
    )


def case_conditions(f: ReportFilters, *, period: bool = True, stage: bool = True) -> list:
    """WHERE conditions for the filters (the period on received_at unless period=False)."""
    out = []
    if period:
        out.append(received_in(f.period))
    if f.directorate_id is not None:
        out.append(SA.c.directorate_id == f.directorate_id)
    if f.service_area_id is not None:
        out.append(C.c.service_area_id == f.service_area_id)
    if f.procedure:
        out.append(C.c.procedure == f.procedure)
    if f.channel:
        out.append(C.c.channel == f.channel if f.channel != "not_recorded" else C.c.channel.is_(None))
    if f.ward_id is not None:
        out.append(PE.c.ward_id == f.ward_id)
    if stage and f.stage:
        out.append(stage_reached() == f.stage)
    return out


def stage_reached():
    """The furthest stage a case reached, from the clocks it has had: one correlated subquery
    per case on the clocks' (case_id, name) unique index."""
    k = K.alias("k_stage")
    furthest = (
        select(func.max(case(
            (k.c.name.like("stage3.%"), 3),
            (k.c.name.like("stage2.%"), 2),
            (k.c.name.like("stage1.%"), 1),
            (k.c.name.like("informal.%"), 0),
        )))
        .where(k.c.case_id == C.c.id)
        .scalar_subquery()
    )
    return case(
        (C.c.procedure == "lgsco", literal("ombudsman")),
        (C.c.kind.in_(("member_enquiry", "mp_enquiry")), literal("enquiry")),
        else_=case(
            (furthest == 3, literal("stage3")),
            (furthest == 2, literal("stage2")),
            (furthest == 1, literal("stage1")),
            (furthest == 0, literal("informal")),
            else_=literal("none"),
        ),
    )


def clock_stage():
    """A clock's stage, from its name ("stage1.respond" → "stage1")."""
    return case(
        (K.c.name.like("stage1.%"), literal("stage1")),
        (K.c.name.like("stage2.%"), literal("stage2")),
        (K.c.name.like("stage3.%"), literal("stage3")),
        (K.c.name.like("informal.%"), literal("informal")),
        (K.c.name.like("enquiry.%"), literal("enquiry")),
        (K.c.name.like("lgsco.%"), literal("ombudsman")),
        else_=literal("none"),
    )


def clock_stage_condition(stage: str):
    prefix = {"ombudsman": "lgsco", "informal": "informal", "enquiry": "enquiry"}.get(stage, stage)
    return K.c.name.like(prefix + ".%")


def _month_of_instant(column, f: ReportFilters, dialect: str):
    if dialect == "postgresql":
        local = func.timezone("Europe/London", func.timezone("UTC", column))
        return func.to_char(local, "YYYY-MM")
    # SQLite has no time zones: compare with each month's UTC start instead.
    months = f.period.months()
    from .period import add_months, london_midnight_utc

    whens = [(column < london_midnight_utc(add_months(m, 1)), literal(f"{m:%Y-%m}")) for m in months[:-1]]
    last = literal(f"{months[-1]:%Y-%m}")
    return case(*whens, else_=last) if whens else last


def month_of_date(column, dialect: str):
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.substr(column, 1, 7)


def case_dimension(f: ReportFilters, dialect: str, *, stage=None):
    """The breakdown column for a case-level table (None for the whole council)."""
    by = f.by
    if by == "none":
        return None
    if by == "directorate":
        return func.coalesce(DR.c.name, NO_DIRECTORATE)
    if by == "service_area":
        return func.coalesce(SA.c.name, NO_SERVICE_AREA)
    if by == "procedure":
        return C.c.procedure
    if by == "channel":
        return func.coalesce(C.c.channel, "not_recorded")
    if by == "ward":
        return func.coalesce(WA.c.name, NO_WARD)
    if by == "month":
        return _month_of_instant(C.c.received_at, f, dialect)
    if by == "stage":
        return stage if stage is not None else stage_reached()
    raise AssertionError(by)


def clock_dimension(f: ReportFilters, dialect: str):
    """The breakdown column for a clock-level table: stage and month are the clock's own."""
    if f.by == "stage":
        return clock_stage()
    if f.by == "month":
        return month_of_date(K.c.started_on, dialect)
    return case_dimension(f, dialect)


def clock_conditions(f: ReportFilters) -> list:
    out = [K.c.started_on >= f.period.start, K.c.started_on <= f.period.end]
    out += case_conditions(f, period=False, stage=False)
    if f.stage:
        out.append(clock_stage_condition(f.stage))
    return out


def dimension_label(by: str, value, procedures: dict | None = None) -> str:
    """Words for a breakdown value (procedure keys → titles, stage keys → names...)."""
    if value is None:
        return "Not recorded"
    if by == "procedure":
        policy = (procedures or {}).get(value)
        return policy.title if policy is not None else str(value)
    if by == "stage":
        return STAGES.get(value, str(value))
    if by == "channel":
        return CHANNEL_TITLES.get(value, str(value).replace("_", " "))
    if by == "month":
        from .period import month_label

        return month_label(value)
    return str(value)


def fetch_choices(session) -> dict:
    """Directorates, service areas and wards for the filter form."""
    return {
        "directorates": session.execute(select(DR.c.id, DR.c.name).order_by(DR.c.name)).all(),
        "service_areas": session.execute(select(SA.c.id, SA.c.name).order_by(SA.c.name)).all(),
        "wards": session.execute(select(WA.c.id, WA.c.name).order_by(WA.c.name)).all(),
    }


__all__ = [
    "C", "K", "SA", "DR", "PE", "WA", "DIMENSIONS", "STAGES", "CHANNEL_TITLES", "ReportFilters",
    "case_from", "case_conditions", "received_in", "stage_reached", "clock_stage", "case_dimension",
    "clock_dimension", "clock_conditions", "dimension_label", "fetch_choices",
]
