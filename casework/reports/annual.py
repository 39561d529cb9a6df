"""The annual complaints report for the scrutiny committee (004 §20, GH21; LGSCO Code ch.9).

A financial year (April–March), by service area so that issues can be referred to the right
scrutiny board (GH21), with the previous year beside it, five years of trend, the
Ombudsman's annual letter figures next to the council's own, the self-assessment against
the Complaint Handling Code, lessons learned and the committee's outstanding issues.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, literal, select

from ..extensions import db
from ..operations.policies import current_policies
from .figures import (
    COMPLAINT,
    _judgements,
    fetch_complaints,
    fetch_contacts,
    fetch_declines,
    fetch_enquiries,
    fetch_equality,
    fetch_extension_reasons,
    fetch_extensions,
    fetch_informal,
    fetch_lessons,
    fetch_ombudsman,
    fetch_outcomes,
    fetch_remedies,
    fetch_satisfaction,
    fetch_satisfaction_equality,
    fetch_timeliness,
)
from .period import Period, london_midnight_utc
from .records import fetch_committee_issues, fetch_ombudsman_letter, population
from .scope import C, K, ReportFilters
from .tables import Column, Table, percent

TREND_YEARS = 5


@dataclass
class AnnualReport:
    year: int
    period: Period
    as_of: date
    headline: list[dict]
    by_area: dict[str, Table]
    council: dict[str, Table]
    trend: Table
    letter_rows: list[dict]
    letter: object
    self_assessment: list[dict]
    committee_issues: list
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.period.label


def _first(table: Table) -> dict:
    return table.rows[0] if table.rows else {}


def _measure(table: Table, title: str) -> dict:
    return next((r for r in table.rows if r.get("measure") == title), {})


def fetch_trend(as_of: date, last_year: int, years: int = TREND_YEARS) -> Table:
    """Complaints received and Stage 1 answered within the standard, per financial year: two
    queries, each grouped by a year bucket."""
    first = last_year - years + 1
    starts = [date(y, 4, 1) for y in range(first, last_year + 2)]
    bucket = case(
        *[(C.c.received_at < london_midnight_utc(starts[i + 1]), literal(first + i)) for i in range(years)],
        else_=literal(None),
    )
    received = dict(db.session.execute(
        select(bucket, func.count())
        .where(COMPLAINT, C.c.received_at >= london_midnight_utc(starts[0]), C.c.received_at < london_midnight_utc(starts[-1]))
        .group_by(bucket)
    ).all())
    j = _judgements(ReportFilters(period=Period(starts[0], starts[-1]), as_of=as_of))
    clock_bucket = case(*[(K.c.started_on < starts[i + 1], literal(first + i)) for i in range(years)], else_=literal(None))
    timeliness = {
        r[0]: r for r in db.session.execute(
            select(clock_bucket, func.count().filter(j["on_time"]),
                   func.count().filter(j["late_met"] | j["late_stopped"] | j["late_open"]))
            .select_from(K.join(C, C.c.id == K.c.case_id))
            .where(K.c.name == "stage1.respond", COMPLAINT, K.c.started_on >= starts[0], K.c.started_on < starts[-1])
            .group_by(clock_bucket)
        )
    }
    rows = []
    for i in range(years):
        year = first + i
        t = timeliness.get(year)
        on_time, late = (t[1], t[2]) if t else (0, 0)
        rows.append({
            "year": Period.financial_year(year).label,
            "received": received.get(year, 0),
            "stage1_due": on_time + late,
            "stage1_rate": percent(on_time, on_time + late),
        })
    return Table("trend", "Five years of complaints", [
        Column("year", "Year", "label"), Column("received", "Complaints received"),
        Column("stage1_due", "Stage 1 responses due"), Column("stage1_rate", "Stage 1 within the standard (%)", "percent"),
    ], rows)


def _headline(this: dict, last: dict) -> list[dict]:
    def change(a, b):
        if a is None or b in (None, 0):
            return None
        return round(100.0 * (float(a) - float(b)) / float(b), 1)

    out = []
    for key, title, kind in (
        ("received", "Complaints received", "count"),
        ("informal_rate", "Resolved informally (%)", "percent"),
        ("stage1_rate", "Stage 1 answered within the standard (%)", "percent"),
        ("stage2_rate", "Stage 2 answered within the standard (%)", "percent"),
        ("upheld_rate", "Upheld or partially upheld (%)", "percent"),
        ("escalation_rate", "Escalated from Stage 1 to Stage 2 (%)", "percent"),
        ("compensation", "Compensation offered (£)", "money"),
        ("ombudsman_upheld", "Ombudsman decisions upheld", "count"),
    ):
        a, b = this.get(key), last.get(key)
        out.append({"measure": title, "kind": kind, "this": a, "last": b,
                    "change": change(a, b) if kind in ("count", "money") else (None if a is None or b is None else round(float(a) - float(b), 1))})
    return out


def _headline_figures(f: ReportFilters) -> dict:
    complaints = _first(fetch_complaints(f))
    informal = _first(fetch_informal(f))
    timeliness = fetch_timeliness(f, names=("stage1.respond", "stage2.respond"))
    outcomes = _first(fetch_outcomes(f))
    ombudsman = _first(fetch_ombudsman(f))
    return {
        "received": complaints.get("received", 0),
        "informal_rate": informal.get("resolved_rate"),
        "stage1_rate": _measure(timeliness, "Stage 1 response").get("on_time_rate"),
        "stage2_rate": _measure(timeliness, "Stage 2 response").get("on_time_rate"),
        "upheld_rate": outcomes.get("upheld_rate"),
        "escalation_rate": complaints.get("rate_1_2"),
        "compensation": outcomes.get("compensation"),
        "ombudsman_upheld": ombudsman.get("upheld", 0),
    }


def _letter_rows(year: int, ours: dict, letter, residents: int | None) -> list[dict]:
    per_100k = None
    if residents:
        per_100k = round(ours.get("upheld", 0) * 100_000 / residents, 1)
    theirs = {}
    if letter is not None:
        theirs = {
            "received": letter.complaints_received, "decided": letter.decisions, "upheld": letter.upheld,
            "upheld_rate": letter.upheld_rate, "compliance_rate": letter.compliance_rate,
            "remedied_rate": letter.satisfactory_remedy_rate, "per_100k": letter.upheld_per_100k,
        }
    rows = [
        ("received", "Complaints and enquiries received (ours: Ombudsman cases opened)", "count"),
        ("decided", "Decisions made", "count"),
        ("upheld", "Decisions upheld", "count"),
        ("upheld_rate", "Upheld rate (%)", "percent"),
        ("compliance_rate", "Compliance with recommendations (%)", "percent"),
        ("remedied_rate", "Satisfactory remedy provided by the council (% of upheld)", "percent"),
        ("per_100k", "Upheld decisions per 100,000 residents", "number"),
    ]
    values = dict(ours, per_100k=per_100k)
    return [{"measure": title, "kind": kind, "ours": values.get(key), "letter": theirs.get(key)} for key, title, kind in rows]


def _complaint_procedures_with_informal_stage() -> list[str]:
    out = []
    for policy in current_policies().values():
        if "complaint" in policy.kinds and policy.key != "lgsco" and any(
            getattr(s, "stage", None) == "informal" for s in policy.states.values()
        ):
            out.append(policy.title)
    return out


def _self_assessment(f: ReportFilters, tables: dict, council: dict) -> list[dict]:
    """The Complaint Handling Code's sections, with the evidence Casework holds for each.

    Where the data can say whether a provision is met it says so; otherwise the row is for
    the council to complete, with the figures that bear on it.
    """
    contacts = _first(council["contacts"])
    complaints = _first(council["complaints"])
    timeliness = council["timeliness"]
    ack1, resp1 = _measure(timeliness, "Stage 1 acknowledgement"), _measure(timeliness, "Stage 1 response")
    ack2, resp2 = _measure(timeliness, "Stage 2 acknowledgement"), _measure(timeliness, "Stage 2 response")
    informal = _first(council["informal"])
    outcomes = _first(council["outcomes"])
    remedies = council["remedies"]
    letter = council.get("letter")
    informal_procedures = _complaint_procedures_with_informal_stage()

    def rate(row, key="on_time_rate"):
        value = row.get(key)
        return "no cases" if value is None else f"{value:.1f}% of {row.get('counted', 0):,}"

    def status_for(value, target=100.0):
        if value is None:
            return "Council to confirm"
        return "Met" if value >= target else "Partly met"

    declines = council["declines"]
    top_reasons = ", ".join(f"{r['reason'].lower()} ({r['declined']})" for r in declines.rows[:3]) or "none"
    return [
        {"section": "1. Definitions", "provision": "1.2–1.8",
         "requirement": "Complaints and service requests are defined as the Code does and recorded separately; a complaint can run while a service request is open.",
         "evidence": f"{contacts.get('service_request', 0):,} service requests and {contacts.get('complaint', 0):,} complaints recorded separately in the year.",
         "status": "Met" if contacts.get("service_request") is not None else "Council to confirm"},
        {"section": "2. Exclusions", "provision": "2.2–2.5",
         "requirement": "Complaints accepted within 12 months of the issue (with discretion); a refusal gives reasons and the right to go to the Ombudsman; no blanket exclusions.",
         "evidence": f"{complaints.get('declined', 0):,} complaints declined ({percent(complaints.get('declined', 0), complaints.get('received', 0)) or 0:.1f}%); most often: {top_reasons}. Every decline letter gives the reason and signposting.",
         "status": "Council to confirm"},
        {"section": "3. Accessibility and awareness", "provision": "3.1–3.5",
         "requirement": "Complaints can be made in many ways; reasonable adjustments are made and recorded.",
         "evidence": "Channels used in the year: see “Contacts received”; preferred formats and accessibility needs are recorded on each person.",
         "status": "Council to confirm"},
        {"section": "4. Complaint handling staff", "provision": "4.1–4.3",
         "requirement": "A complaint officer or team with the authority and training to act.",
         "evidence": "The Service Recovery Team handles formal complaints (004 §10.2).",
         "status": "Council to confirm"},
        {"section": "5. The complaint handling process", "provision": "5.1–5.2",
         "requirement": "One complaints policy with two stages: no informal or “stage 0” stage.",
         "evidence": (f"Procedures with an informal stage: {', '.join(informal_procedures)}; "
                      f"{informal.get('informal', 0):,} complaints went through it this year." if informal_procedures
                      else "No complaint procedure has an informal stage."),
         "status": "Not met" if informal_procedures and informal.get("informal") else "Met"},
        {"section": "5. The complaint handling process", "provision": "5.7",
         "requirement": "No refusal to escalate without a valid reason.",
         "evidence": f"{complaints.get('stage2', 0):,} complaints escalated to Stage 2 ({complaints.get('rate_1_2') or 0:.1f}% of Stage 1 responses).",
         "status": "Council to confirm"},
        {"section": "6. Complaint stages: Stage 1", "provision": "6.2–6.5",
         "requirement": "Acknowledged within 5 working days; answered within 10 working days of acknowledgement; extensions of no more than 10 working days, with reasons.",
         "evidence": f"Acknowledged within the standard: {rate(ack1)}; answered within the standard: {rate(resp1)}; extended: {resp1.get('extended', 0):,}.",
         "status": status_for(resp1.get("on_time_rate"))},
        {"section": "6. Complaint stages: Stage 2", "provision": "6.11–6.17",
         "requirement": "Acknowledged within 5 working days of the escalation request; answered within 20 working days of acknowledgement.",
         "evidence": f"Acknowledged within the standard: {rate(ack2)}; answered within the standard: {rate(resp2)}.",
         "status": status_for(resp2.get("on_time_rate"))},
        {"section": "7. Putting things right", "provision": "7.1–7.5",
         "requirement": "Remedies proportionate to the impact, saying what will be done and by when.",
         "evidence": (f"{outcomes.get('with_remedy', 0):,} complaints with a remedy; "
                      + (", ".join(f"{r['remedy'].lower()} {r['times']:,}" for r in remedies.rows[:5]) or "none")
                      + f"; compensation £{outcomes.get('compensation', 0):,}."),
         "status": "Council to confirm"},
        {"section": "8. Self-assessment, reporting and compliance", "provision": "8.1–8.2",
         "requirement": "An annual complaints performance and service improvement report, with this self-assessment and the Ombudsman's annual letter, reported through governance and published.",
         "evidence": "This report. " + ("The Ombudsman's annual letter figures are recorded below." if letter is not None
                                        else "The Ombudsman's annual letter figures have not been recorded yet."),
         "status": "Met" if letter is not None else "Partly met"},
        {"section": "9. Scrutiny and oversight", "provision": "9.4–9.7",
         "requirement": "A Member Responsible for Complaints receives regular information on volumes, categories, outcomes and trends; lessons are learned.",
         "evidence": f"Figures for any period are available to managers in Casework; {outcomes.get('lessons', 0):,} lessons learned recorded this year.",
         "status": "Council to confirm"},
    ]


def fetch_annual_report(year: int, as_of: date) -> AnnualReport:
    from .workdays import prepare_report_session

    prepare_report_session()
    period = Period.financial_year(year)
    f = ReportFilters(period=period, as_of=as_of)
    by_area = f.with_(by="service_area")
    area_tables = {
        "contacts": fetch_contacts(by_area),
        "complaints": fetch_complaints(by_area),
        "timeliness": fetch_timeliness(by_area, names=("stage1.acknowledge", "stage1.respond", "stage2.respond")),
        "outcomes": fetch_outcomes(by_area),
    }
    council = {
        # The whole council's counts are the by-area tables' totals: no second pass over the year.
        "contacts": _whole_council(area_tables["contacts"]),
        "complaints": _whole_council(area_tables["complaints"]),
        "informal": fetch_informal(f),
        "declines": fetch_declines(f),
        "timeliness": fetch_timeliness(f),
        "extensions": fetch_extensions(f),
        "extension_reasons": fetch_extension_reasons(f, limit=10),
        "outcomes": _whole_council(area_tables["outcomes"]),
        "remedies": fetch_remedies(f),
        "ombudsman": fetch_ombudsman(f),
        "enquiries": fetch_enquiries(f.with_(by="service_area")),
        "equality": fetch_equality(f),
        "satisfaction": fetch_satisfaction(f),
        "satisfaction_equality": fetch_satisfaction_equality(f),
        "lessons": fetch_lessons(f, limit=100),
    }
    this = _headline_figures_from(council)
    last = _headline_figures(f.with_(period=period.previous_year()))
    letter = fetch_ombudsman_letter(year)
    council["letter"] = letter
    ombudsman = _first(council["ombudsman"])
    ours = {
        "received": ombudsman.get("received", 0), "decided": ombudsman.get("decided", 0),
        "upheld": ombudsman.get("upheld", 0), "upheld_rate": ombudsman.get("upheld_rate"),
        "compliance_rate": ombudsman.get("compliance_rate"), "remedied_rate": ombudsman.get("remedied_rate"),
    }
    return AnnualReport(
        year=year,
        period=period,
        as_of=as_of,
        headline=_headline(this, last),
        by_area=area_tables,
        council=council,
        trend=fetch_trend(as_of, year),
        letter_rows=_letter_rows(year, ours, letter, population()),
        letter=letter,
        self_assessment=_self_assessment(f, area_tables, council),
        committee_issues=fetch_committee_issues(),
    )


def _change_words(row: dict) -> str:
    change = row["change"]
    if change is None:
        return ""
    if change == 0:
        return "no change"
    unit = "%" if row["kind"] in ("count", "money") else " points"
    return f"{'up' if change > 0 else 'down'} {abs(change):.1f}{unit}"


def annual_extra_tables(report: AnnualReport) -> dict[str, Table]:
    """The annual report's own tables (the figures tables are exported as figures), as Tables so
    that each downloads as CSV and XLSX like every other: summary, the Ombudsman's letter beside
    our records, the five-year trend, the self-assessment and the committee's outstanding issues."""
    label = report.label
    summary = Table("summary", f"{label} compared with the year before", [
        Column("measure", "Measure", "label"), Column("this", label, "number"), Column("last", "Year before", "number"),
        Column("change_words", "Change", "text"),
    ], [dict(r, change_words=_change_words(r)) for r in report.headline])
    letter = Table("letter", f"The Ombudsman's annual letter for {label} and our own records", [
        Column("measure", "Measure", "label"), Column("letter", "Ombudsman's letter", "number"),
        Column("ours", "Our records", "number"),
    ], [dict(r) for r in report.letter_rows])
    assessment = Table("self_assessment", "Self-assessment against the Complaint Handling Code", [
        Column("section", "Section", "label"), Column("provision", "Code provision", "text"),
        Column("requirement", "Requirement", "text"), Column("evidence", "Evidence", "text"), Column("status", "Status", "text"),
    ], [dict(r) for r in report.self_assessment])
    return {"summary": summary, "letter": letter, "trend": report.trend, "self_assessment": assessment,
            "issues": committee_issues_table(report.committee_issues)}


def committee_issues_table(issues, title: str = "Items the committee asked to come back") -> Table:
    """Committee issues as the pages list them (000 Outstanding Issues report)."""
    return Table("issues", title, [
        Column("subject", "Subject", "label"), Column("meeting", "Committee and meeting", "text"),
        Column("lead_officer", "Lead officer", "text"), Column("due_meeting", "Due", "date"), Column("status", "Status", "text"),
    ], [{"subject": i.subject + (f" — {i.requested}" if i.requested else ""),
         "meeting": f"{i.committee}, {i.raised_on.day} {i.raised_on:%B %Y}",
         "lead_officer": i.lead_officer or "", "due_meeting": i.due_meeting, "status": i.status.replace("_", " ").capitalize()}
        for i in issues])


def _whole_council(table: Table) -> Table:
    """A by-area table's total row as the whole council's one-row table."""
    total = dict(table.total or {})
    total.pop("is_total", None)
    total["dim"] = "Whole council"
    columns = [Column("dim", "Whole council", "label")] + table.columns[1:]
    return Table(table.key, table.title, columns, [total] if table.total else [], notes=list(table.notes))


def _headline_figures_from(council: dict) -> dict:
    complaints = _first(council["complaints"])
    informal = _first(council["informal"])
    outcomes = _first(council["outcomes"])
    ombudsman = _first(council["ombudsman"])
    timeliness = council["timeliness"]
    return {
        "received": complaints.get("received", 0),
        "informal_rate": informal.get("resolved_rate"),
        "stage1_rate": _measure(timeliness, "Stage 1 response").get("on_time_rate"),
        "stage2_rate": _measure(timeliness, "Stage 2 response").get("on_time_rate"),
        "upheld_rate": outcomes.get("upheld_rate"),
        "escalation_rate": complaints.get("rate_1_2"),
        "compensation": outcomes.get("compensation"),
        "ombudsman_upheld": ombudsman.get("upheld", 0),
    }


__all__ = ["AnnualReport", "annual_extra_tables", "fetch_annual_report", "fetch_trend"]
