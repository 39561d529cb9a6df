"""Every report figure, each one SQL aggregation (GROUP BY, FILTER, window functions).

Cohorts (docs/reporting.md says why):
* case figures count cases *received* in the period (received_at, London dates);
* timeliness counts deadline clocks *started* in the period, judged as the policy engine
  judges them (ClockState.is_breached): on time if met on or before the due date; late if
  met after it, stopped after it, or — the late-open-case rule — still running and past due
  on the report's as-of day; clocks stopped in time (a withdrawn case) are not counted, and
  running clocks not yet due are "pending";
* Ombudsman decisions count final decisions *recorded* in the period; remedies count those
  *due* in it.
Python only shapes the aggregated rows (labels, percentages, totals); it never sees a case.
"""
from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal

from sqlalchemy import and_, case, cast, exists, func, literal, not_, or_, select, union_all
from sqlalchemy.types import String

from ..extensions import db
from ..models import EqualityMonitoring, Event, SatisfactionSurvey, WorkingDayNumber
from ..models.reports import SurveyEquality
from ..operations.policies import current_policies
from .scope import (
    C,
    K,
    SA,
    STAGES,
    ReportFilters,
    case_conditions,
    case_dimension,
    case_from,
    clock_conditions,
    clock_dimension,
    dimension_label,
)
from .sql import aggregate_with_percentile, dialect_name, json_array_length, json_count_where, json_element_text, json_elements, json_sum_of
from .tables import SUPPRESS_BELOW, SUPPRESSED, Column, Table, money, one_dp, percent, suppress_small_numbers

E = Event.__table__
EM = EqualityMonitoring.__table__
SV = SatisfactionSurvey.__table__
SE = SurveyEquality.__table__
WD = WorkingDayNumber.__table__

COMPLAINT = and_(C.c.kind == "complaint", C.c.procedure != "lgsco")
OMBUDSMAN_CASE = C.c.procedure == "lgsco"

KIND_COLUMNS = (
    ("complaint", "Complaints"),
    ("service_request", "Service requests"),
    ("comment", "Comments"),
    ("compliment", "Compliments"),
    ("member_enquiry", "Councillor enquiries"),
    ("mp_enquiry", "MP enquiries"),
)

# Deadline clocks reported on, in the order a case meets them: (clock, who, words).
MEASURES = (
    ("informal.resolve", "complaint", "Informal resolution"),
    ("stage1.acknowledge", "complaint", "Stage 1 acknowledgement"),
    ("stage1.respond", "complaint", "Stage 1 response"),
    ("stage2.acknowledge", "complaint", "Stage 2 acknowledgement"),
    ("stage2.respond", "complaint", "Stage 2 response"),
    ("stage3.acknowledge", "complaint", "Stage 3 acknowledgement"),
    ("stage3.respond", "complaint", "Stage 3 review panel meets"),
    ("stage3.panel_report", "complaint", "Stage 3 panel report"),
    ("stage3.council_response", "complaint", "Stage 3 council response"),
    ("enquiry.acknowledge", "member_enquiry", "Councillor enquiry acknowledged"),
    ("enquiry.respond", "member_enquiry", "Councillor enquiry answered"),
    ("enquiry.acknowledge", "mp_enquiry", "MP enquiry acknowledged"),
    ("enquiry.respond", "mp_enquiry", "MP enquiry answered"),
    ("lgsco.documents", "ombudsman", "Documents sent to the Ombudsman"),
    ("lgsco.enquiries", "ombudsman", "Ombudsman's enquiries answered"),
    ("lgsco.remedy", "ombudsman", "Ombudsman's remedy carried out"),
)
MEASURE_TITLES = {(clock, who): title for clock, who, title in MEASURES}
RESPONSE_CLOCKS = ("stage1.respond", "stage2.respond", "stage3.council_response", "enquiry.respond")

LGSCO_UPHELD = ("upheld", "partly_upheld", "upheld_remedied", "upheld_no_injustice")
LGSCO_OUTCOMES = {
    "not_investigated": "Not investigated",
    "upheld": "Upheld",
    "partly_upheld": "Partly upheld",
    "upheld_remedied": "Upheld: council had already put it right",
    "upheld_no_injustice": "Upheld: no significant injustice",
    "not_upheld": "Not upheld",
}

EQUALITY_CHARACTERISTICS = (
    ("age_band", "Age"),
    ("sex", "Sex"),
    ("gender_identity", "Gender identity"),
    ("ethnicity", "Ethnicity"),
    ("disability", "Disability"),
    ("religion", "Religion or belief"),
    ("sexual_orientation", "Sexual orientation"),
)
NOT_GIVEN = "Not given"
PREFER_NOT = "Prefer not to say (declined)"
NOT_RETURNED = "No equality form returned"

SURVEY_QUESTIONS = (
    ("accessible", "It was easy to find out how to complain"),
    ("easy_to_use", "The complaints process was easy to use and understand"),
    ("handling", "Satisfied with the way the complaint was handled"),
    ("remedy", "Satisfied with the remedy offered"),
    ("overall", "Satisfied overall"),
)


# --- helpers ---------------------------------------------------------------------------------

def _rows(stmt) -> list[dict]:
    return [dict(r._mapping) for r in db.session.execute(stmt)]


def _dim_column(f: ReportFilters) -> Column:
    from .scope import DIMENSIONS

    return Column("dim", DIMENSIONS[f.by], "label")


def _label_rows(f: ReportFilters, rows: list[dict], key: str = "dim") -> list[dict]:
    policies = current_policies()
    for row in rows:
        if key in row:
            row[key + "_value"] = row[key]
            row[key] = dimension_label(f.by, row[key], policies)
    return rows


def _sort_rows(f: ReportFilters, rows: list[dict]) -> list[dict]:
    if f.by == "month":
        return sorted(rows, key=lambda r: r.get("dim_value") or "")
    if f.by == "stage":
        order = list(STAGES)
        return sorted(rows, key=lambda r: order.index(r["dim_value"]) if r.get("dim_value") in order else 99)
    return sorted(rows, key=lambda r: str(r.get("dim") or ""))


def _sum_total(rows: list[dict], keys: list[str], label: str = "Total") -> dict:
    total = {"dim": label, "is_total": True}
    for key in keys:
        values = [r.get(key) for r in rows if isinstance(r.get(key), (int, float, Decimal))]
        total[key] = sum(values) if values else 0
    return total


def _grouped_counts(f: ReportFilters, select_from, conditions, measures, *, dim=None):
    """Aggregates by the dimension (or one row for the whole council)."""
    dialect = dialect_name()
    dim = dim if dim is not None else case_dimension(f, dialect)
    columns = ([dim.label("dim")] if dim is not None else []) + measures
    stmt = select(*columns).select_from(select_from).where(*conditions)
    if dim is not None:
        stmt = stmt.group_by(dim)
    rows = _rows(stmt)
    if dim is None:
        for row in rows:
            row["dim"] = "Whole council"
    return rows


def _finish(f: ReportFilters, table: Table, rows: list[dict], count_keys: list[str], derive=None) -> Table:
    rows = _sort_rows(f, _label_rows(f, rows))
    if derive:
        for row in rows:
            derive(row)
    table.rows = rows
    if f.by != "none":
        table.total = _sum_total(rows, count_keys)
        if derive:
            derive(table.total)
    return table


# --- received --------------------------------------------------------------------------------

def fetch_contacts(f: ReportFilters) -> Table:
    """Contacts received, by kind (004 §8, §3; Ombudsman cases apart)."""
    measures = [
        func.count().filter(and_(C.c.kind == kind, C.c.procedure != "lgsco")).label(kind) for kind, _ in KIND_COLUMNS
    ] + [func.count().filter(OMBUDSMAN_CASE).label("ombudsman"), func.count().label("total")]
    rows = _grouped_counts(f, case_from(f), case_conditions(f), measures)
    keys = [k for k, _ in KIND_COLUMNS] + ["ombudsman", "total"]
    table = Table(
        "contacts",
        "Contacts received, by kind",
        [_dim_column(f)] + [Column(k, t) for k, t in KIND_COLUMNS] + [Column("ombudsman", "Ombudsman cases"), Column("total", "Total")],
    )
    return _finish(f, table, rows, keys)


def _complaint_flags(f: ReportFilters, dialect: str):
    """One row per complaint received in the period: how far it went (from its clocks)."""
    inner_dim = case_dimension(f, dialect) if f.by != "stage" else None
    flag = lambda condition: func.max(case((condition, 1), else_=0))  # noqa: E731
    columns = [
        C.c.id,
        C.c.state,
        C.c.is_open,
        flag(K.c.name == "informal.resolve").label("informal"),
        flag(and_(K.c.name == "informal.resolve", K.c.met_on.is_not(None))).label("informal_met"),
        flag(K.c.name.like("stage1.%")).label("s1"),
        flag(and_(K.c.name == "stage1.respond", K.c.met_on.is_not(None))).label("r1"),
        flag(K.c.name.like("stage2.%")).label("s2"),
        flag(and_(K.c.name == "stage2.respond", K.c.met_on.is_not(None))).label("r2"),
        flag(K.c.name.like("stage3.%")).label("s3"),
    ]
    group = [C.c.id, C.c.state, C.c.is_open]
    if inner_dim is not None:
        columns.insert(0, inner_dim.label("dim"))
        group.insert(0, inner_dim)
    stmt = (
        select(*columns)
        .select_from(case_from(f).outerjoin(K, K.c.case_id == C.c.id))
        .where(COMPLAINT, *case_conditions(f, stage=False))
        .group_by(*group)
    )
    return stmt.subquery("complaint")


def _flag_stage(sub):
    return case(
        (sub.c.s3 == 1, literal("stage3")),
        (sub.c.s2 == 1, literal("stage2")),
        (sub.c.s1 == 1, literal("stage1")),
        (sub.c.informal == 1, literal("informal")),
        else_=literal("none"),
    )


def fetch_complaints(f: ReportFilters) -> Table:
    """Complaints received: how far they went, escalation rates, declines, withdrawals (004 §10–13)."""
    dialect = dialect_name()
    sub = _complaint_flags(f, dialect)
    stage = _flag_stage(sub)
    dim = stage if f.by == "stage" else (sub.c.dim if f.by != "none" else None)
    measures = [
        func.count().label("received"),
        func.count().filter(sub.c.state == "resolved_informally").label("resolved_informally"),
        func.sum(sub.c.s1).label("stage1"),
        func.sum(sub.c.r1).label("responded1"),
        func.sum(sub.c.s2).label("stage2"),
        func.sum(sub.c.r2).label("responded2"),
        func.sum(sub.c.s3).label("stage3"),
        func.count().filter(sub.c.state == "declined").label("declined"),
        func.count().filter(sub.c.state == "withdrawn").label("withdrawn"),
        func.count().filter(sub.c.state == "referred_to_lgsco").label("referred"),
        func.count().filter(sub.c.is_open.is_(True)).label("open"),
    ]
    conditions = [stage == f.stage] if f.stage else []
    rows = _grouped_counts(f, sub, conditions, measures, dim=dim)
    for row in rows:
        for key in ("stage1", "responded1", "stage2", "responded2", "stage3"):
            row[key] = int(row[key] or 0)
    keys = ["received", "resolved_informally", "stage1", "responded1", "stage2", "responded2", "stage3",
            "declined", "withdrawn", "referred", "open"]

    def derive(row):
        row["rate_1_2"] = percent(row["stage2"], row["responded1"])
        row["rate_2_3"] = percent(row["stage3"], row["responded2"])

    table = Table("complaints", "Complaints received: stages reached and escalation", [
        _dim_column(f),
        Column("received", "Received"),
        Column("resolved_informally", "Resolved informally"),
        Column("stage1", "Reached Stage 1"),
        Column("responded1", "Stage 1 responses"),
        Column("stage2", "Escalated to Stage 2"),
        Column("rate_1_2", "Escalation rate Stage 1 → 2 (%)", "percent"),
        Column("responded2", "Stage 2 responses"),
        Column("stage3", "Escalated to Stage 3"),
        Column("rate_2_3", "Escalation rate Stage 2 → 3 (%)", "percent"),
        Column("declined", "Declined (out of scope)"),
        Column("withdrawn", "Withdrawn"),
        Column("referred", "Referred to the Ombudsman"),
        Column("open", "Still open"),
    ], notes=[
        "Escalation rate: complaints escalated to the next stage as a share of those given a response at the stage before.",
    ])
    return _finish(f, table, rows, keys, derive)


def fetch_informal(f: ReportFilters) -> Table:
    """Informal resolution and its outcomes: resolved / forwarded to Service Recovery / did not
    need triage (004 §10.1; the pilot's "closed cases by outcome")."""
    dialect = dialect_name()
    inf = K.alias("inf")
    # The start_stage1 event, if any: the case went on to a formal complaint, and why.
    started = E.alias("started")
    reason = started.c.data[("fields", "reason")].as_string()
    resolved = inf.c.met_on.is_not(None)
    formal = started.c.id.is_not(None)
    forwarded = and_(not_(resolved), formal)
    dim = case_dimension(f, dialect, stage=literal("informal")) if f.by != "stage" else literal("informal")
    measures = [
        func.count().label("informal"),
        func.count().filter(resolved).label("resolved"),
        func.count().filter(and_(resolved, inf.c.met_on <= inf.c.due_on)).label("resolved_in_time"),
        func.count().filter(forwarded).label("forwarded"),
        func.count().filter(and_(forwarded, reason == "not_resolved")).label("fwd_not_resolved"),
        func.count().filter(and_(forwarded, reason == "not_appropriate")).label("fwd_not_appropriate"),
        func.count().filter(and_(forwarded, reason == "resident_insists")).label("fwd_resident_insists"),
        func.count().filter(and_(not_(resolved), not_(formal), C.c.is_open.is_(False))).label("no_triage"),
        func.count().filter(and_(not_(resolved), not_(formal), C.c.is_open.is_(True))).label("open"),
    ]
    select_from = (
        case_from(f)
        .join(inf, and_(inf.c.case_id == C.c.id, inf.c.name == "informal.resolve"))
        .outerjoin(started, and_(started.c.case_id == C.c.id, started.c.action == "start_stage1"))
    )
    conditions = [COMPLAINT, *case_conditions(f, stage=False)]
    if f.stage and f.stage != "informal":
        conditions.append(literal(False))
    rows = _grouped_counts(f, select_from, conditions, measures, dim=None if f.by == "none" else dim)
    keys = ["informal", "resolved", "resolved_in_time", "forwarded", "fwd_not_resolved", "fwd_not_appropriate",
            "fwd_resident_insists", "no_triage", "open"]

    def derive(row):
        row["resolved_rate"] = percent(row["resolved"], row["informal"])

    table = Table("informal", "Informal resolution and its outcomes", [
        _dim_column(f),
        Column("informal", "Dealt with informally"),
        Column("resolved", "Resolved"),
        Column("resolved_rate", "Resolved (%)", "percent"),
        Column("resolved_in_time", "Resolved within 3 working days"),
        Column("forwarded", "Forwarded to Service Recovery (Stage 1)"),
        Column("fwd_not_resolved", "… could not be resolved"),
        Column("fwd_not_appropriate", "… not appropriate: fast-tracked"),
        Column("fwd_resident_insists", "… resident asked for a formal complaint"),
        Column("no_triage", "Did not need triage (declined, withdrawn, passed on)"),
        Column("open", "Still informal"),
    ])
    return _finish(f, table, rows, keys, derive)


def _option_labels(list_name: str) -> dict:
    for policy in current_policies().values():
        options = policy.lists.get(list_name) if policy.lists else None
        if options:
            return {o.value: o.label for o in options}
    return {}


def fetch_declines(f: ReportFilters) -> Table:
    """Complaints declined as outside the policy, by reason (004 §9.1)."""
    dialect = dialect_name()
    reason = func.coalesce(C.c.details["decline_reason"].as_string(), "not_recorded")
    dim = case_dimension(f, dialect)
    columns = ([dim.label("dim")] if dim is not None else []) + [reason.label("reason"), func.count().label("declined")]
    stmt = (
        select(*columns)
        .select_from(case_from(f))
        .where(COMPLAINT, C.c.state == "declined", *case_conditions(f))
        .group_by(*([dim] if dim is not None else []), reason)
    )
    rows = _rows(stmt)
    labels = _option_labels("out_of_scope")
    total = sum(r["declined"] for r in rows)
    for row in rows:
        row["reason"] = labels.get(row["reason"], str(row["reason"]).replace("_", " "))
        row["share"] = percent(row["declined"], total)
    if dim is not None:
        rows = _sort_rows(f, _label_rows(f, rows))
    else:
        rows.sort(key=lambda r: (-r["declined"], r["reason"]))
    columns = ([_dim_column(f)] if dim is not None else []) + [
        Column("reason", "Reason", "label"), Column("declined", "Declined"), Column("share", "Share of declines (%)", "percent"),
    ]
    table = Table("declines", "Out-of-scope declines, by reason", columns, rows)
    table.total = {"dim": "Total", "reason": "Total", "declined": total, "share": 100.0 if total else None, "is_total": True}
    return table


# --- timeliness ------------------------------------------------------------------------------

def _judgements(f: ReportFilters):
    """Each clock's verdict, exactly as ClockState.is_breached judges it, as of f.as_of."""
    running = and_(K.c.met_on.is_(None), K.c.stopped_on.is_(None))
    judged_running = func.coalesce(K.c.paused_since, f.as_of)
    return {
        "on_time": and_(K.c.met_on.is_not(None), K.c.met_on <= K.c.due_on),
        "late_met": and_(K.c.met_on.is_not(None), K.c.met_on > K.c.due_on),
        "late_stopped": and_(K.c.met_on.is_(None), K.c.stopped_on.is_not(None), K.c.stopped_on > K.c.due_on),
        "late_open": and_(running, judged_running > K.c.due_on),
        "pending": and_(running, judged_running <= K.c.due_on),
    }


def _clock_base(f: ReportFilters, names, dialect: str, extra_columns=()):
    """Deadline clocks of the given names started in the period, with the case filters."""
    dim = clock_dimension(f, dialect)
    who = case((C.c.procedure == "lgsco", literal("ombudsman")), else_=C.c.kind)
    select_from = case_from(f, base=K.join(C, C.c.id == K.c.case_id))
    return dim, who, select_from, [K.c.kind == "deadline", K.c.name.in_(names), *clock_conditions(f)]


def _working_days_expression(dialect: str, starts, ends):
    """Working days from `starts` to `ends` (the day after the start is day 1), by the table.

    Procedures whose policy counts council closure days as working days use the other column.
    """
    counting = sorted(key for key, p in current_policies().items() if p.counting.closure_days_count)
    plain = ends.c.n - starts.c.n
    if not counting:
        return plain
    return case((C.c.procedure.in_(counting), ends.c.n_with_closures - starts.c.n_with_closures), else_=plain)


def fetch_timeliness(f: ReportFilters, names=None) -> Table:
    """Acknowledged and answered within the standard, late (open cases past due count as late),
    with and without extensions; mean and 90th percentile working days (004 §14.1)."""
    dialect = dialect_name()
    names = tuple(names or sorted({m[0] for m in MEASURES}))
    dim, who, select_from, conditions = _clock_base(f, names, dialect)
    ws, wm, wo = WD.alias("ws"), WD.alias("wm"), WD.alias("wo")
    select_from = (
        select_from.outerjoin(ws, ws.c.day == K.c.started_on)
        .outerjoin(wm, wm.c.day == K.c.met_on)
        .outerjoin(wo, wo.c.day == K.c.original_due_on)
    )
    j = _judgements(f)
    flag = lambda condition: case((condition, 1), else_=0)  # noqa: E731
    extended = json_array_length(K.c.extensions, dialect) > 0
    base_columns = [
        K.c.name.label("clock"),
        who.label("who"),
        flag(j["on_time"]).label("on_time"),
        flag(j["late_met"]).label("late_met"),
        flag(j["late_stopped"]).label("late_stopped"),
        flag(j["late_open"]).label("late_open"),
        flag(j["pending"]).label("pending"),
        flag(and_(j["on_time"], or_(K.c.met_on <= K.c.original_due_on, not_(extended)))).label("on_time_unextended"),
        flag(extended).label("extended"),
        case((K.c.met_on.is_not(None), _working_days_expression(dialect, ws, wm))).label("wd"),
        # The standard each clock started with (before extensions and pauses moved its date).
        _working_days_expression(dialect, ws, wo).label("standard_days"),
    ]
    if dim is not None:
        base_columns.insert(0, dim.label("dim"))
    base = select(*base_columns).select_from(select_from).where(*conditions).subquery("clock")
    measures = [
        func.min(base.c.standard_days).label("days_min"),
        func.max(base.c.standard_days).label("days_max"),
        func.sum(base.c.on_time).label("on_time"),
        func.sum(base.c.late_met).label("late_met"),
        func.sum(base.c.late_stopped).label("late_stopped"),
        func.sum(base.c.late_open).label("late_open"),
        func.sum(base.c.pending).label("pending"),
        func.sum(base.c.on_time_unextended).label("on_time_unextended"),
        func.sum(base.c.extended).label("extended"),
        func.avg(base.c.wd).label("wd_mean"),
    ]
    keys = (["dim"] if dim is not None else []) + ["clock", "who"]
    rows = _rows(aggregate_with_percentile(base, keys, measures, value="wd", dialect=dialect))
    return _timeliness_table(f, rows, dim is not None)


def _dim_then_measure(f: ReportFilters, rows: list[dict], order: dict) -> list[dict]:
    rows = _sort_rows(f, _label_rows(f, rows))
    dims = {d: i for i, d in enumerate(dict.fromkeys(r["dim"] for r in rows))}
    return sorted(rows, key=lambda r: (dims[r["dim"]], order[(r["clock"], r["who"])]))


def _timeliness_table(f: ReportFilters, rows: list[dict], by_dim: bool) -> Table:
    order = {(clock, who): i for i, (clock, who, _) in enumerate(MEASURES)}
    rows = [r for r in rows if (r["clock"], r["who"]) in order]
    for row in rows:
        for key in ("on_time", "late_met", "late_stopped", "late_open", "pending", "on_time_unextended", "extended"):
            row[key] = int(row[key] or 0)
        row["measure"] = MEASURE_TITLES[(row["clock"], row["who"])]
        low, high = row["days_min"], row["days_max"]
        row["standard"] = "" if low is None else (str(low) if low == high else f"{low}–{high}")
        row["late"] = row["late_met"] + row["late_stopped"] + row["late_open"]
        row["counted"] = row["on_time"] + row["late"]
        row["on_time_rate"] = percent(row["on_time"], row["counted"])
        row["on_time_unextended_rate"] = percent(row["on_time_unextended"], row["counted"])
        row["wd_mean"] = one_dp(row["wd_mean"])
        row["p90"] = one_dp(row["p90"])
    if by_dim:
        rows = _dim_then_measure(f, rows, order)
    else:
        rows.sort(key=lambda r: order[(r["clock"], r["who"])])
        for row in rows:
            row["dim"] = "Whole council"
    columns = ([_dim_column(f)] if by_dim else []) + [
        Column("measure", "Measure", "label"),
        Column("standard", "Standard (working days)", "text"),
        Column("counted", "Due (met, late or overdue)"),
        Column("on_time", "Within the standard"),
        Column("on_time_rate", "Within the standard (%)", "percent"),
        Column("on_time_unextended_rate", "Within the standard without an extension (%)", "percent"),
        Column("late_met", "Answered late"),
        Column("late_open", "Open and past due (late)"),
        Column("late_stopped", "Closed after the due date without an answer"),
        Column("pending", "Open, not yet due"),
        Column("extended", "Extended"),
        Column("wd_mean", "Average working days", "number"),
        Column("p90", "90th percentile working days", "number"),
    ]
    return Table("timeliness", "Timeliness: acknowledgements and responses", columns, rows, notes=[
        f"Clocks started in the period. Open cases already past their due date on {f.as_of.day} {f.as_of:%B %Y} are counted as late.",
        "Working days run from the day the clock started to the day it was met (the day after the start is day 1).",
    ])


def fetch_extensions(f: ReportFilters) -> Table:
    """Extensions, holding replies and pauses taken on response deadlines (004 §11.2, §14.1)."""
    dialect = dialect_name()
    dim, who, select_from, conditions = _clock_base(f, RESPONSE_CLOCKS, dialect)
    n_ext = json_array_length(K.c.extensions, dialect)
    n_pause = json_array_length(K.c.pauses, dialect)
    holding = case((n_ext > 0, json_count_where(K.c.extensions, "kind", "holding_reply", dialect)), else_=0)
    paused_days = case((n_pause > 0, json_sum_of(K.c.pauses, "days", dialect)), else_=0)
    base_columns = [
        K.c.name.label("clock"), who.label("who"),
        n_ext.label("n_ext"), holding.label("holding"), n_pause.label("n_pause"), paused_days.label("paused_days"),
        case((and_(K.c.met_on.is_not(None), K.c.met_on <= K.c.due_on), 1), else_=0).label("on_time"),
    ]
    if dim is not None:
        base_columns.insert(0, dim.label("dim"))
    base = select(*base_columns).select_from(select_from).where(*conditions).subquery("clock")
    measures = [
        func.count().label("clocks"),
        func.count().filter(base.c.n_ext > 0).label("extended"),
        func.sum(base.c.n_ext - base.c.holding).label("extensions"),
        func.sum(base.c.holding).label("holding_replies"),
        func.count().filter(base.c.n_pause > 0).label("paused"),
        func.sum(base.c.n_pause).label("pauses"),
        func.sum(base.c.paused_days).label("paused_days"),
        func.count().filter(and_(base.c.n_ext > 0, base.c.on_time == 1)).label("extended_on_time"),
    ]
    keys = (["dim"] if dim is not None else []) + ["clock", "who"]
    group = [base.c[k] for k in keys]
    rows = _rows(select(*group, *measures).group_by(*group))
    order = {(clock, who): i for i, (clock, who, _) in enumerate(MEASURES)}
    rows = [r for r in rows if (r["clock"], r["who"]) in order]
    for row in rows:
        row["measure"] = MEASURE_TITLES[(row["clock"], row["who"])]
        for key in ("extensions", "holding_replies", "pauses", "paused_days"):
            row[key] = int(row[key] or 0)
        row["extended_rate"] = percent(row["extended"], row["clocks"])
    if dim is not None:
        rows = _dim_then_measure(f, rows, order)
    else:
        rows.sort(key=lambda r: order[(r["clock"], r["who"])])
    columns = ([_dim_column(f)] if dim is not None else []) + [
        Column("measure", "Deadline", "label"),
        Column("clocks", "Started"),
        Column("extended", "Extended or given a new date"),
        Column("extended_rate", "Extended (%)", "percent"),
        Column("extensions", "Extensions"),
        Column("holding_replies", "Holding or interim replies"),
        Column("extended_on_time", "Extended and met by the new date"),
        Column("paused", "Paused"),
        Column("pauses", "Pauses"),
        Column("paused_days", "Working days paused"),
    ]
    return Table("extensions", "Extensions, holding replies and pauses", columns, rows)


def fetch_extension_reasons(f: ReportFilters, limit: int = 30) -> Table:
    """Why deadlines were extended or paused: the reasons given, most frequent first."""
    dialect = dialect_name()
    _, _, select_from, conditions = _clock_base(f, RESPONSE_CLOCKS, dialect)
    parts = []
    for column, kind_expr in ((K.c.extensions, "kind"), (K.c.pauses, None)):
        elements = json_elements(column, dialect)
        kind = (func.coalesce(json_element_text(elements.c.value, "kind", dialect), "extension") if kind_expr
                else literal("pause"))
        reason = func.coalesce(json_element_text(elements.c.value, "reason", dialect), "")
        parts.append(
            select(kind.label("kind"), func.trim(reason).label("reason"))
            .select_from(select_from.join(elements, literal(True)) if dialect == "postgresql" else select_from.join(elements, literal(1) == 1))
            .where(*conditions, json_array_length(column, dialect) > 0)
        )
    both = union_all(*parts).subquery("reasons")
    stmt = (
        select(both.c.kind, both.c.reason, func.count().label("times"))
        .group_by(both.c.kind, both.c.reason)
        .order_by(func.count().desc(), both.c.kind, both.c.reason)
        .limit(limit)
    )
    titles = {"extension": "Extension", "holding_reply": "Holding reply", "pause": "Pause"}
    rows = _rows(stmt)
    for row in rows:
        row["kind"] = titles.get(row["kind"], row["kind"])
    return Table("extension_reasons", "Reasons given for extensions and pauses", [
        Column("kind", "Type", "label"), Column("reason", "Reason given", "text"), Column("times", "Times"),
    ], rows, notes=[f"The {limit} most frequent reasons, as recorded." if limit else "Every reason, as recorded."])


# --- outcomes --------------------------------------------------------------------------------

def fetch_outcomes(f: ReportFilters) -> Table:
    """Upheld, partially upheld, not upheld; remedies, compensation, lessons (004 §17)."""
    has_remedy = json_array_length(C.c.remedies, dialect_name()) > 0
    measures = [
        func.count().label("decided"),
        func.count().filter(C.c.outcome == "upheld").label("upheld"),
        func.count().filter(C.c.outcome == "partially_upheld").label("partially_upheld"),
        func.count().filter(C.c.outcome == "not_upheld").label("not_upheld"),
        func.count().filter(has_remedy).label("with_remedy"),
        func.count().filter(C.c.compensation > 0).label("compensated"),
        func.coalesce(func.sum(C.c.compensation), 0).label("compensation"),
        func.count().filter(and_(C.c.lessons_learned.is_not(None), C.c.lessons_learned != "")).label("lessons"),
    ]
    conditions = [COMPLAINT, C.c.outcome.is_not(None), *case_conditions(f)]
    rows = _grouped_counts(f, case_from(f), conditions, measures)
    keys = ["decided", "upheld", "partially_upheld", "not_upheld", "with_remedy", "compensated", "compensation", "lessons"]

    def derive(row):
        row["compensation"] = money(row["compensation"])
        row["upheld_rate"] = percent((row["upheld"] or 0) + (row["partially_upheld"] or 0), row["decided"])

    table = Table("outcomes", "Outcomes of complaints", [
        _dim_column(f),
        Column("decided", "Complaints with an outcome"),
        Column("upheld", "Upheld"),
        Column("partially_upheld", "Partially upheld"),
        Column("not_upheld", "Not upheld"),
        Column("upheld_rate", "Upheld or partially upheld (%)", "percent"),
        Column("with_remedy", "Remedy offered"),
        Column("compensated", "Compensation offered"),
        Column("compensation", "Compensation (£)", "money"),
        Column("lessons", "Lessons learned recorded"),
    ], notes=["The latest outcome of each complaint received in the period (a Stage 2 outcome replaces Stage 1's)."])
    return _finish(f, table, rows, keys, derive)


def fetch_remedies(f: ReportFilters) -> Table:
    """Remedies offered, by type (004 §17.5–17.8)."""
    dialect = dialect_name()
    elements = json_elements(C.c.remedies, dialect)
    remedy = json_element_text(elements.c.value, None, dialect)
    join_on = literal(True) if dialect == "postgresql" else literal(1) == 1
    stmt = (
        select(remedy.label("remedy"), func.count().label("times"))
        .select_from(case_from(f).join(elements, join_on))
        .where(COMPLAINT, C.c.outcome.is_not(None), json_array_length(C.c.remedies, dialect) > 0, *case_conditions(f))
        .group_by(remedy)
        .order_by(func.count().desc(), remedy)
    )
    labels = _option_labels("remedies")
    rows = _rows(stmt)
    for row in rows:
        row["remedy"] = labels.get(row["remedy"], str(row["remedy"]).replace("_", " "))
    return Table("remedies", "Remedies offered, by type", [
        Column("remedy", "Remedy", "label"), Column("times", "Complaints"),
    ], rows)


def lessons_statement(f: ReportFilters):
    """Each lesson learned, newest first (a list, not a count: the service improvements)."""
    area = func.coalesce(SA.c.name, "No service area")
    joined = case_from(f)
    if not f.needs_service_area:
        joined = joined.outerjoin(SA, SA.c.id == C.c.service_area_id)
    return (
        select(C.c.reference, C.c.received_at, area.label("service_area"), C.c.outcome, C.c.lessons_learned)
        .select_from(joined)
        .where(COMPLAINT, C.c.lessons_learned.is_not(None), C.c.lessons_learned != "", *case_conditions(f))
        .order_by(C.c.received_at.desc(), C.c.id.desc())
    )


def fetch_lessons(f: ReportFilters, limit: int | None = 50) -> Table:
    stmt = lessons_statement(f)
    if limit:
        stmt = stmt.limit(limit)
    rows = _rows(stmt)
    outcome_titles = {"upheld": "Upheld", "partially_upheld": "Partially upheld", "not_upheld": "Not upheld"}
    for row in rows:
        row["received_on"] = row.pop("received_at").date()
        row["outcome"] = outcome_titles.get(row["outcome"], row["outcome"] or "")
    return Table("lessons", "Lessons learned and service improvements", [
        Column("reference", "Complaint", "label"), Column("received_on", "Received", "date"),
        Column("service_area", "Service area", "text"), Column("outcome", "Outcome", "text"),
        Column("lessons_learned", "Lesson learned or improvement", "text"),
    ], rows, notes=[f"The {limit} most recent; the export has them all."] if limit else [])


# --- the Ombudsman ---------------------------------------------------------------------------

def _period_instants(f: ReportFilters, column):
    return and_(column >= f.period.utc_start, column < f.period.utc_end)


def fetch_ombudsman(f: ReportFilters) -> Table:
    """Ombudsman cases received and decided, upheld rate, satisfactory remedy, compliance."""
    dialect = dialect_name()
    dim = case_dimension(f, dialect)
    if f.by == "month":
        dim = None  # decisions and remedies have their own dates; a month breakdown would mislead
    group = [dim] if dim is not None else []
    head = [dim.label("dim")] if dim is not None else []
    received = _rows(
        select(*head, func.count().label("received"))
        .select_from(case_from(f)).where(OMBUDSMAN_CASE, *case_conditions(f)).group_by(*group)
    )
    referred = _rows(
        select(*head, func.count(func.distinct(C.c.id)).label("referred"))
        .select_from(case_from(f, base=C.join(E, E.c.case_id == C.c.id)))
        .where(E.c.action == "refer_to_lgsco", _period_instants(f, E.c.at), *case_conditions(f, period=False))
        .group_by(*group)
    )
    outcome = C.c.details["lgsco_outcome"].as_string()
    upheld = outcome.in_(LGSCO_UPHELD)
    decided = _rows(
        select(
            *head,
            func.count(func.distinct(C.c.id)).label("decided"),
            func.count(func.distinct(C.c.id)).filter(outcome == "not_investigated").label("not_investigated"),
            func.count(func.distinct(C.c.id)).filter(upheld).label("upheld"),
            func.count(func.distinct(C.c.id)).filter(outcome == "not_upheld").label("not_upheld"),
            func.count(func.distinct(C.c.id)).filter(outcome == "upheld_remedied").label("remedied"),
        )
        .select_from(case_from(f, base=C.join(E, E.c.case_id == C.c.id)))
        .where(OMBUDSMAN_CASE, E.c.action == "final_decision", _period_instants(f, E.c.at),
               *case_conditions(f, period=False))
        .group_by(*group)
    )
    select_from = case_from(f, base=K.join(C, C.c.id == K.c.case_id))
    running = and_(K.c.met_on.is_(None), K.c.stopped_on.is_(None))
    remedies = _rows(
        select(
            *head,
            func.count().label("remedies_due"),
            func.count().filter(and_(K.c.met_on.is_not(None), K.c.met_on <= K.c.due_on)).label("complied_on_time"),
            func.count().filter(and_(K.c.met_on.is_not(None), K.c.met_on > K.c.due_on)).label("complied_late"),
            func.count().filter(and_(running, K.c.due_on < f.as_of)).label("overdue"),
            func.count().filter(and_(running, K.c.due_on >= f.as_of)).label("not_yet_due"),
        )
        .select_from(select_from)
        .where(K.c.name == "lgsco.remedy", K.c.due_on >= f.period.start, K.c.due_on <= f.period.end,
               *case_conditions(f, period=False, stage=False))
        .group_by(*group)
    )
    merged: OrderedDict = OrderedDict()
    for part in (received, referred, decided, remedies):
        for row in part:
            key = row.get("dim", "Whole council")
            merged.setdefault(key, {"dim": key}).update({k: v for k, v in row.items() if k != "dim"})
    keys = ["received", "referred", "decided", "not_investigated", "upheld", "not_upheld", "remedied",
            "remedies_due", "complied_on_time", "complied_late", "overdue", "not_yet_due"]
    rows = list(merged.values()) or [{"dim": "Whole council"}]
    for row in rows:
        for key in keys:
            row[key] = int(row.get(key) or 0)

    def derive(row):
        row["upheld_rate"] = percent(row["upheld"], row["upheld"] + row["not_upheld"])
        row["remedied_rate"] = percent(row["remedied"], row["upheld"])
        complied = row["complied_on_time"] + row["complied_late"]
        row["compliance_rate"] = percent(complied, complied + row["overdue"])
        row["on_time_compliance_rate"] = percent(row["complied_on_time"], complied + row["overdue"])

    if dim is None:
        f = f.with_(by="none")
    table = Table("ombudsman", "The Ombudsman (LGSCO)", [
        _dim_column(f),
        Column("received", "Ombudsman cases opened"),
        Column("referred", "Complainants referred to the Ombudsman"),
        Column("decided", "Decisions"),
        Column("not_investigated", "Not investigated"),
        Column("upheld", "Upheld"),
        Column("not_upheld", "Not upheld"),
        Column("upheld_rate", "Upheld rate (%)", "percent"),
        Column("remedied", "Council had already put it right"),
        Column("remedied_rate", "Satisfactory remedy by the council (% of upheld)", "percent"),
        Column("remedies_due", "Remedies due"),
        Column("complied_on_time", "Complied on time"),
        Column("complied_late", "Complied late"),
        Column("overdue", "Not complied, past due"),
        Column("compliance_rate", "Compliance (%)", "percent"),
        Column("on_time_compliance_rate", "Compliance on time (%)", "percent"),
    ], notes=[
        "Decisions recorded in the period; upheld rate is upheld ÷ (upheld + not upheld), as the Ombudsman counts it "
        "(decisions not to investigate are left out). Remedies due in the period; past-due ones not yet complied with count against compliance.",
    ])
    return _finish(f, table, rows, keys, derive)


# --- councillors and MPs ---------------------------------------------------------------------

def fetch_enquiries(f: ReportFilters) -> Table:
    """Councillor and MP enquiries: acknowledged and answered on time, holding replies,
    escalations (001 §7.1; 003 §4.7; 004 Appendix C)."""
    dialect = dialect_name()
    ka, kr = K.alias("ack"), K.alias("answer")
    dim = case_dimension(f, dialect)
    select_from = (
        case_from(f)
        .outerjoin(ka, and_(ka.c.case_id == C.c.id, ka.c.name == "enquiry.acknowledge"))
        .outerjoin(kr, and_(kr.c.case_id == C.c.id, kr.c.name == "enquiry.respond"))
    )

    def verdicts(k):
        running = and_(k.c.id.is_not(None), k.c.met_on.is_(None), k.c.stopped_on.is_(None))
        judged = func.coalesce(k.c.paused_since, f.as_of)
        on_time = and_(k.c.met_on.is_not(None), k.c.met_on <= k.c.due_on)
        late = or_(and_(k.c.met_on.is_not(None), k.c.met_on > k.c.due_on),
                   and_(k.c.met_on.is_(None), k.c.stopped_on > k.c.due_on),
                   and_(running, judged > k.c.due_on))
        return on_time, late, and_(running, judged > k.c.due_on)

    ack_on_time, ack_late, _ = verdicts(ka)
    ans_on_time, ans_late, ans_overdue = verdicts(kr)
    holding = case((json_array_length(kr.c.extensions, dialect) > 0,
                    json_count_where(kr.c.extensions, "kind", "holding_reply", dialect)), else_=0)
    escalated = exists().where(E.c.case_id == C.c.id, E.c.action == "escalate_to_senior_officer")
    head = ([dim.label("dim")] if dim is not None else []) + [C.c.kind.label("kind")]
    group = ([dim] if dim is not None else []) + [C.c.kind]
    stmt = (
        select(
            *head,
            func.count().label("received"),
            func.count().filter(ack_on_time).label("ack_on_time"),
            func.count().filter(ack_late).label("ack_late"),
            func.count().filter(ans_on_time).label("answered_on_time"),
            func.count().filter(and_(ans_late, not_(ans_overdue))).label("answered_late"),
            func.count().filter(ans_overdue).label("overdue"),
            func.count().filter(holding > 0).label("holding_replies"),
            func.count().filter(escalated).label("escalated"),
            func.count().filter(C.c.state == "ruled_inappropriate").label("inappropriate"),
            func.count().filter(C.c.state == "converted").label("converted"),
        )
        .select_from(select_from)
        .where(C.c.kind.in_(("member_enquiry", "mp_enquiry")), *case_conditions(f))
        .group_by(*group)
    )
    rows = _rows(stmt)
    kinds = {"member_enquiry": "Councillor", "mp_enquiry": "MP"}
    keys = ["received", "ack_on_time", "ack_late", "answered_on_time", "answered_late", "overdue",
            "holding_replies", "escalated", "inappropriate", "converted"]

    def derive(row):
        row["ack_rate"] = percent(row["ack_on_time"], row["ack_on_time"] + row["ack_late"])
        row["answered_rate"] = percent(row["answered_on_time"],
                                       row["answered_on_time"] + row["answered_late"] + row["overdue"])

    for row in rows:
        row["kind"] = kinds.get(row["kind"], row["kind"])
        derive(row)
    if dim is not None:
        rows = _sort_rows(f, _label_rows(f, rows))
        rows.sort(key=lambda r: (str(r["dim"]) if f.by != "month" else r["dim_value"], r["kind"]))
    else:
        rows.sort(key=lambda r: r["kind"])
        for row in rows:
            row["dim"] = "Whole council"
    table = Table("enquiries", "Councillor and MP enquiries", [
        *([_dim_column(f)] if dim is not None else []),
        Column("kind", "From", "label"),
        Column("received", "Received"),
        Column("ack_on_time", "Acknowledged on time"),
        Column("ack_rate", "Acknowledged on time (%)", "percent"),
        Column("answered_on_time", "Answered on time"),
        Column("answered_late", "Answered late"),
        Column("overdue", "Open and past due (late)"),
        Column("answered_rate", "Answered on time (%)", "percent"),
        Column("holding_replies", "Holding replies"),
        Column("escalated", "Escalated to a senior officer"),
        Column("inappropriate", "Ruled inappropriate"),
        Column("converted", "Passed on as a complaint or request"),
    ], rows)
    total = _sum_total(rows, keys)
    total["kind"] = "All"
    derive(total)
    table.total = total
    return table


# --- equality monitoring ---------------------------------------------------------------------

def _by_characteristic(cohort, missing, missing_label: str, measures) -> list[dict]:
    """Rows of (characteristic, answer, measures...) for a cohort CTE carrying the equality
    columns: one GROUP BY per protected characteristic in one UNION ALL; the answer is
    `missing_label` where `missing` (no equality answers at all), "prefer not to say" where
    declined, "not given" where that question was left blank. Sorted by characteristic, then
    answers, then those three; answers in words."""
    from .records import EQUALITY_ANSWER_WORDS

    parts = []
    for column, title in EQUALITY_CHARACTERISTICS:
        value = case(
            (missing, literal(missing_label)),
            (cohort.c.declined.is_(True), literal(PREFER_NOT)),
            else_=func.coalesce(cohort.c[column], literal(NOT_GIVEN)),
        )
        parts.append(
            select(literal(title).label("characteristic"), cast(value, String).label("value"), *measures(cohort.c))
            .group_by(value)
        )
    rows = _rows(union_all(*parts))
    order = [title for _, title in EQUALITY_CHARACTERISTICS]
    tail = {NOT_GIVEN: 1, PREFER_NOT: 2, missing_label: 3}
    rows.sort(key=lambda r: (order.index(r["characteristic"]), tail.get(r["value"], 0), str(r["value"])))
    for row in rows:
        row["value"] = EQUALITY_ANSWER_WORDS.get(row["value"], row["value"])
    return rows


def fetch_equality(f: ReportFilters) -> Table:
    """Who complains, by protected characteristic, with counts under 5 suppressed (004 §5.4, GH9; 000 §1.4)."""
    # The period's complainants and their answers, read once (a CTE) and grouped once per characteristic.
    cohort = (
        select(
            C.c.person_id,
            C.c.outcome,
            (EM.c.person_id.is_(None)).label("not_returned"),
            EM.c.declined,
            *[EM.c[column] for column, _ in EQUALITY_CHARACTERISTICS],
        )
        .select_from(case_from(f).outerjoin(EM, EM.c.person_id == C.c.person_id))
        .where(COMPLAINT, C.c.person_id.is_not(None), *case_conditions(f))
        .cte("complainants")
    )
    rows = _by_characteristic(cohort, cohort.c.not_returned, NOT_RETURNED, lambda c: [
        func.count(func.distinct(c.person_id)).label("people"),
        func.count().label("complaints"),
        func.count().filter(c.outcome.in_(("upheld", "partially_upheld"))).label("upheld"),
    ])
    totals = {}
    for row in rows:
        totals[row["characteristic"]] = totals.get(row["characteristic"], 0) + row["people"]
    for row in rows:
        row["share"] = percent(row["people"], totals[row["characteristic"]])
    hidden = suppress_small_numbers(rows, ["people", "complaints", "upheld"], group_key="characteristic")
    for row in rows:
        if row["people"] == "<5":
            row["share"] = "<5"
    table = Table("equality", "Equality monitoring: complainants by protected characteristic", [
        Column("characteristic", "Characteristic", "label"),
        Column("value", "Answer", "text"),
        Column("people", "Complainants"),
        Column("share", "Share (%)", "percent"),
        Column("complaints", "Complaints"),
        Column("upheld", "Upheld or partially upheld"),
    ], rows, suppressed=hidden, notes=[
        "Counts from 1 to 4 are shown as <5, and where one count in a group is hidden the next smallest is hidden too, "
        "so that no one can be identified. Answering is voluntary (004 §5.4).",
        "This table is not broken down further: the numbers would be too small to show.",
    ])
    return table


# --- satisfaction ----------------------------------------------------------------------------

def _sampled_cases_only():
    """Redundant with the join, but it lets SQLite start from the (small) surveys table and look
    cases up by id, instead of scanning every case: cases has no closed_at index and SQLite has no
    statistics for an empty or new surveys table (measured: 1M cases, 380 ms -> under 1 ms)."""
    return C.c.id.in_(select(SV.c.case_id))


def fetch_satisfaction(f: ReportFilters) -> Table:
    """Resident satisfaction forms for complaints closed in the period (004 §16)."""
    dialect = dialect_name()
    dim = case_dimension(f, dialect)
    if f.by == "month":
        dim = None
    satisfied = lambda column: func.count().filter(SV.c[column] >= 4)  # noqa: E731
    answered = lambda column: func.count(SV.c[column])  # noqa: E731
    measures = [
        func.count().label("sampled"),
        func.count(SV.c.sent_on).label("sent"),
        func.count(SV.c.returned_on).label("returned"),
    ]
    for column, _ in SURVEY_QUESTIONS:
        measures += [satisfied(column).label(f"{column}_satisfied"), answered(column).label(f"{column}_answered"),
                     func.avg(SV.c[column]).label(f"{column}_mean")]
    conditions = [_period_instants(f, C.c.closed_at), _sampled_cases_only(), *case_conditions(f, period=False)]
    rows = _grouped_counts(f, case_from(f, base=SV.join(C, C.c.id == SV.c.case_id)), conditions, measures, dim=dim)
    rows = [r for r in rows if r["sampled"]]
    count_keys = ["sampled", "sent", "returned"] + [f"{c}_{s}" for c, _ in SURVEY_QUESTIONS for s in ("satisfied", "answered")]

    def derive(row):
        row["response_rate"] = percent(row["returned"], row["sent"])
        for column, _ in SURVEY_QUESTIONS:
            row[f"{column}_rate"] = percent(row[f"{column}_satisfied"], row[f"{column}_answered"])
            if f"{column}_mean" in row:
                row[f"{column}_mean"] = one_dp(row[f"{column}_mean"])

    if dim is None:
        f = f.with_(by="none")
    table = Table("satisfaction", "Resident satisfaction", [
        _dim_column(f),
        Column("sampled", "Sampled"), Column("sent", "Forms sent"), Column("returned", "Returned"),
        Column("response_rate", "Response rate (%)", "percent"),
        *[Column(f"{c}_rate", f"{t} (% agreeing)", "percent") for c, t in SURVEY_QUESTIONS],
    ], notes=["Complaints closed in the period and sampled for a satisfaction form (not Ombudsman cases, 004 §16.2). "
              "Agreeing: 4 or 5 on the five-point scale."])
    table = _finish(f, table, rows, count_keys, derive)
    return table


NO_SURVEY_EQUALITY = "Equality questions left out"


def fetch_satisfaction_equality(f: ReportFilters) -> Table:
    """Returned satisfaction forms by the equality answers given on them (004 §16.2: "to help the
    Council make sure that all groups of people access and use the Complaints Procedure and are
    treated fairly"), with counts under 5 suppressed. Not broken down further."""
    cohort = (
        select(
            SV.c.overall,
            SV.c.accessible,
            (SE.c.survey_id.is_(None)).label("left_out"),
            SE.c.declined,
            *[SE.c[column] for column, _ in EQUALITY_CHARACTERISTICS],
        )
        .select_from(case_from(f, base=SV.join(C, C.c.id == SV.c.case_id)).outerjoin(SE, SE.c.survey_id == SV.c.id))
        .where(SV.c.returned_on.is_not(None), _period_instants(f, C.c.closed_at), _sampled_cases_only(),
               *case_conditions(f, period=False))
        .cte("returned_forms")
    )
    rows = _by_characteristic(cohort, cohort.c.left_out, NO_SURVEY_EQUALITY, lambda c: [
        func.count().label("returned"),
        func.count(c.overall).label("overall_answered"),
        func.count().filter(c.overall >= 4).label("overall_satisfied"),
        func.count(c.accessible).label("accessible_answered"),
        func.count().filter(c.accessible >= 4).label("accessible_satisfied"),
    ])
    for row in rows:
        row["overall_rate"] = percent(row["overall_satisfied"], row["overall_answered"])
        row["accessible_rate"] = percent(row["accessible_satisfied"], row["accessible_answered"])
    hidden = suppress_small_numbers(rows, ["returned", "overall_satisfied", "accessible_satisfied"], group_key="characteristic")
    for row in rows:
        # A share of a hidden count, or of fewer than 5 answers, would give the count away.
        for rate, answered, satisfied in (("overall_rate", "overall_answered", "overall_satisfied"),
                                          ("accessible_rate", "accessible_answered", "accessible_satisfied")):
            if SUPPRESSED in (row["returned"], row[satisfied]) or 0 < row[answered] < SUPPRESS_BELOW:
                row[rate] = SUPPRESSED
                hidden = True
    return Table("satisfaction_equality", "Resident satisfaction by equality monitoring answers", [
        Column("characteristic", "Characteristic", "label"),
        Column("value", "Answer", "text"),
        Column("returned", "Forms returned"),
        Column("overall_satisfied", "Satisfied overall"),
        Column("overall_rate", "Satisfied overall (%)", "percent"),
        Column("accessible_satisfied", "Found it easy to find out how to complain"),
        Column("accessible_rate", "Found it easy to find out how to complain (%)", "percent"),
    ], rows, suppressed=hidden, notes=[
        "Returned satisfaction forms for complaints closed in the period, by the answers to the form's voluntary "
        "equality monitoring questions (004 §16.2). Satisfied: 4 or 5 on the five-point scale; shares are of "
        "those who answered the question.",
        "Counts from 1 to 4 are shown as <5, and where one count in a group is hidden the next smallest is hidden too; "
        "a share is hidden with its count. Not broken down further: the numbers would be too small to show.",
    ])


# --- everything ------------------------------------------------------------------------------

SECTIONS = OrderedDict([
    ("contacts", fetch_contacts),
    ("complaints", fetch_complaints),
    ("informal", fetch_informal),
    ("declines", fetch_declines),
    ("timeliness", fetch_timeliness),
    ("extensions", fetch_extensions),
    ("extension_reasons", fetch_extension_reasons),
    ("outcomes", fetch_outcomes),
    ("remedies", fetch_remedies),
    ("lessons", fetch_lessons),
    ("ombudsman", fetch_ombudsman),
    ("enquiries", fetch_enquiries),
    ("equality", fetch_equality),
    ("satisfaction", fetch_satisfaction),
    ("satisfaction_equality", fetch_satisfaction_equality),
])


def fetch_table(key: str, f: ReportFilters, **kwargs) -> Table:
    from .workdays import prepare_report_session

    if key not in SECTIONS:
        raise KeyError(key)
    prepare_report_session()
    return SECTIONS[key](f, **kwargs)


def fetch_all(f: ReportFilters, keys=None) -> dict[str, Table]:
    from .workdays import prepare_report_session

    prepare_report_session()
    return {key: SECTIONS[key](f) for key in (keys or SECTIONS)}


__all__ = ["SECTIONS", "fetch_all", "fetch_table", "lessons_statement"]
