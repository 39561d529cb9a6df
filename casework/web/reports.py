"""Reports for managers: the dashboard, figures for any period, the annual report, exports,
satisfaction samples and the committee's outstanding issues (issue 8; POLICY.md §9).

Thin views: parse the query string into ReportFilters, call casework.reports, render. Only
the managers' roles see them (service recovery, directors, administrators).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import click
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, stream_with_context, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from ..extensions import db
from ..models import CommitteeIssue, SatisfactionSurvey
from ..models.enums import Channel
from ..operations.errors import InvalidField
from ..operations.policies import current_policies
from ..reports import charts, exports
from ..reports.annual import annual_extra_tables, committee_issues_table, fetch_annual_report
from ..reports.dashboard import dashboard_tables, fetch_dashboard
from ..reports.figures import SECTIONS, SURVEY_QUESTIONS, fetch_all, fetch_table
from ..reports.period import Period
from ..reports.records import (
    EQUALITY_QUESTIONS,
    EQUALITY_SECTION_CHOICES,
    LETTER_FIELDS,
    count_eligible_for_survey,
    fetch_committee_issues,
    fetch_ombudsman_letter,
    fetch_sample_surveys,
    fetch_samples,
    fetch_survey_equality,
    mark_sample_sent,
    record_survey_answers,
    sample_for_survey,
    save_committee_issue,
    save_ombudsman_letter,
)
from ..reports.tables import SUPPRESSED
from ..reports.scope import CHANNEL_TITLES, DIMENSIONS, STAGES, ReportFilters, fetch_choices
from ..workdays import london_date, utc_now
from .permissions import Permission, can, requires

bp = Blueprint("reports", __name__, url_prefix="/reports")

# Who may see the reports: casework/web/permissions.py, VIEW_REPORTS (managers: service
# recovery, directors, administrators).
requires_manager = requires(Permission.VIEW_REPORTS)


@bp.app_template_global()
def can_see_reports(user) -> bool:
    return can(user, Permission.VIEW_REPORTS)


@bp.app_template_global()
def report_value(value, kind: str = "count") -> Markup:
    """A figure as the tables show it: 1,234 / 12.5% / £1,234.00 / "fewer than 5" / –."""
    if value is None or value == "":
        return Markup('<span aria-label="none">–</span>')
    if value == SUPPRESSED:
        return Markup('&lt;5<span class="govuk-visually-hidden"> (fewer than 5, not shown)</span>')
    if kind == "percent" and isinstance(value, (int, float, Decimal)):
        return Markup(f"{float(value):.1f}%")
    if kind == "money" and isinstance(value, (int, float, Decimal)):
        return Markup(f"£{Decimal(value):,.2f}")
    if kind == "number" and isinstance(value, (int, float, Decimal)):
        return Markup(f"{float(value):,.1f}")
    if kind == "count" and isinstance(value, int):
        return Markup(f"{value:,}")
    if kind == "date" and isinstance(value, date):
        return Markup(f"{value.day}&nbsp;{value:%b}&nbsp;{value.year}")
    return escape(str(value))


@bp.app_template_filter()
def financial_year_option(year: int) -> tuple[int, str]:
    return year, Period.financial_year(year).label


@bp.app_template_filter()
def policy_option(item) -> tuple[str, str]:
    key, policy = item
    return key, policy.title


# --- filters from the query string -----------------------------------------------------------

def _today() -> date:
    return london_date(utc_now())


def _current_financial_year(today: date) -> int:
    return today.year if today.month >= 4 else today.year - 1


def _int(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _date(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_filters(*, default_by: str = "none") -> tuple[ReportFilters, list[dict]]:
    """ReportFilters from the query string, and any errors to show (bad values are ignored)."""
    today = _today()
    errors = []
    year = _int("year")
    start, end = _date("from"), _date("to")
    if request.args.get("from") and start is None:
        errors.append({"text": "Enter the start date as year-month-day, for example 2025-04-01", "href": "#from"})
    if request.args.get("to") and end is None:
        errors.append({"text": "Enter the end date as year-month-day, for example 2026-03-31", "href": "#to"})
    if start or end:
        start = start or date(today.year, 1, 1)
        end = end or today
        if end < start:
            errors.append({"text": "The end date must be on or after the start date", "href": "#to"})
            start, end = end, start
        period = Period(start, end)
    else:
        fy = year if year and 2000 <= year <= today.year else _current_financial_year(today)
        period = Period.financial_year(fy)
    by = request.args.get("by", default_by)
    if by not in DIMENSIONS:
        by = default_by
    procedure = request.args.get("procedure") or None
    if procedure not in current_policies():
        procedure = None
    stage = request.args.get("stage") or None
    if stage not in STAGES:
        stage = None
    channel = request.args.get("channel") or None
    if channel not in set(Channel) | {"not_recorded"}:
        channel = None
    as_of = _date("as_of") or today
    return ReportFilters(
        period=period, by=by, directorate_id=_int("directorate"), service_area_id=_int("service_area"),
        procedure=procedure, stage=stage, channel=channel, ward_id=_int("ward"), as_of=as_of,
    ), errors


def filter_args(f: ReportFilters) -> dict:
    """The query string that gives these filters back (for export links)."""
    args = {"from": f.period.start.isoformat(), "to": f.period.end.isoformat(), "by": f.by}
    for key, value in (("directorate", f.directorate_id), ("service_area", f.service_area_id),
                       ("procedure", f.procedure), ("stage", f.stage), ("channel", f.channel), ("ward", f.ward_id)):
        if value is not None:
            args[key] = value
    if f.as_of != _today():
        args["as_of"] = f.as_of.isoformat()
    return args


def _form_context(f: ReportFilters) -> dict:
    today = _today()
    return {
        "filters": f,
        "dimensions": DIMENSIONS,
        "stages": STAGES,
        "channels": CHANNEL_TITLES,
        "policies": current_policies(),
        "choices": fetch_choices(db.session),
        "years": list(range(_current_financial_year(today), _current_financial_year(today) - 11, -1)),
        "query": urlencode(filter_args(f)),
    }


# --- pages -----------------------------------------------------------------------------------

@bp.get("/")
@requires_manager
def index():
    f, errors = parse_filters()
    tables = fetch_all(f)
    return render_template("reports/index.html", tables=tables, errors=errors, sections=SECTIONS,
                           charts=_section_charts(f, tables), **_form_context(f))


@bp.get("/figures/<key>")
@requires_manager
def section(key: str):
    if key not in SECTIONS:
        abort(404)
    f, errors = parse_filters()
    table = fetch_table(key, f)
    return render_template("reports/section.html", table=table, errors=errors, key=key,
                           charts=_section_charts(f, {key: table}), **_form_context(f))


def _section_charts(f: ReportFilters, tables: dict) -> dict:
    """A chart for the tables where a picture helps: a breakdown of one main figure."""
    out = {}
    if f.by == "none":
        return out
    picks = {
        "contacts": ("total", "Contacts received", ""),
        "complaints": ("received", "Complaints received", ""),
        "outcomes": ("upheld_rate", "Upheld or partially upheld", "%"),
    }
    for key, (column, title, unit) in picks.items():
        table = tables.get(key)
        if table is None or not table.rows or len(table.rows) > 40:
            continue
        labels = [str(r.get("dim")) for r in table.rows]
        values = [r.get(column) if isinstance(r.get(column), (int, float)) else None for r in table.rows]
        chart = (charts.line_chart(f"chart-{key}", f"{title} by {DIMENSIONS[f.by].lower()}", labels, {title: values}, unit=unit)
                 if f.by == "month" else
                 charts.bar_chart(f"chart-{key}", f"{title} by {DIMENSIONS[f.by].lower()}", labels, values, unit=unit))
        out[key] = chart
    return out


@bp.get("/dashboard")
@requires_manager
def dashboard():
    f, errors = parse_filters()
    today = _today()
    board = fetch_dashboard(f, today)
    received = board.received
    timeliness = board.timeliness
    labels = [r["month"] for r in received.rows]
    received_chart = charts.bar_chart("chart-received", "Complaints received each month", labels,
                                      [r["complaint"] for r in received.rows])
    enquiries_chart = charts.line_chart("chart-enquiries", "Councillor and MP enquiries received each month", labels,
                                        {"Councillor enquiries": [r["member_enquiry"] for r in received.rows],
                                         "MP enquiries": [r["mp_enquiry"] for r in received.rows]})
    series = {name: [r.get(name) for r in timeliness.rows]
              for name in ("Stage 1 responses", "Stage 2 responses", "Councillor and MP enquiries")}
    timeliness_chart = charts.line_chart("chart-timeliness", "Answered within the standard, by month the deadline started",
                                         [r["month"] for r in timeliness.rows], series, unit="%", height=320)
    return render_template("reports/dashboard.html", board=board, errors=errors, received_chart=received_chart,
                           enquiries_chart=enquiries_chart, timeliness_chart=timeliness_chart, **_form_context(f))


def _annual(year: int):
    today = _today()
    if not 2000 <= year <= _current_financial_year(today):
        abort(404)
    return fetch_annual_report(year, today)


def _annual_queries(report) -> dict:
    base = {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()}
    return {"council_query": urlencode(base), "area_query": urlencode({**base, "by": "service_area"})}


def _trend_chart(report):
    return charts.bar_chart("chart-trend", "Complaints received each year", [r["year"] for r in report.trend.rows],
                            [r["received"] for r in report.trend.rows])


@bp.get("/annual")
@requires_manager
def annual():
    # By default the last complete financial year.
    year = _int("year") or _current_financial_year(_today()) - 1
    report = _annual(year)
    return render_template("reports/annual.html", report=report, trend_chart=_trend_chart(report), printing=False,
                           **_annual_queries(report), years=list(range(_current_financial_year(_today()), _current_financial_year(_today()) - 11, -1)))


@bp.get("/annual.pdf")
@requires_manager
def annual_pdf():
    from ..reports.pdf import PdfUnavailable, html_to_pdf, inline_stylesheets

    year = _int("year") or _current_financial_year(_today()) - 1
    report = _annual(year)
    html = render_template("reports/annual.html", report=report, trend_chart=_trend_chart(report), printing=True, years=[],
                           **_annual_queries(report))
    html = inline_stylesheets(html, current_app.static_folder, current_app.static_url_path)
    try:
        pdf = html_to_pdf(html)
    except PdfUnavailable as error:
        current_app.logger.warning("Annual report PDF failed: %s", error)
        flash("The PDF could not be made on this server. Use your browser's print option on this page instead.", "error")
        return redirect(url_for("reports.annual", year=year))
    filename = f"complaints-annual-report-{year}-{str(year + 1)[2:]}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/annual/letter", methods=["GET", "POST"])
@requires_manager
def letter():
    year = _int("year") or _current_financial_year(_today()) - 1
    if request.method == "POST":
        try:
            year = int(request.form.get("year", ""))
            save_ombudsman_letter(year, request.form.to_dict())
        except (ValueError, InvalidField) as error:
            db.session.rollback()
            message = error.message if isinstance(error, InvalidField) else "Enter the year, for example 2025"
            field = error.field if isinstance(error, InvalidField) else "year"
            return render_template("reports/letter.html", year=year, values=request.form, fields=LETTER_FIELDS,
                                   errors=[{"text": message, "href": f"#{field}"}]), 400
        db.session.commit()
        flash(f"The Ombudsman's letter figures for {Period.financial_year(year).label} are saved.", "success")
        return redirect(url_for("reports.annual", year=year))
    existing = fetch_ombudsman_letter(year)
    values = {name: getattr(existing, name) for name in LETTER_FIELDS} if existing else {}
    if existing and existing.notes:
        values["notes"] = existing.notes
    return render_template("reports/letter.html", year=year, values=values, fields=LETTER_FIELDS, errors=[])


# --- exports ---------------------------------------------------------------------------------

@bp.get("/export/<key>.<fmt>")
@requires_manager
def export_table(key: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    f, _ = parse_filters()
    if key == "cases":
        return _export_cases(f, fmt)
    if key == "committee":
        include_closed = request.args.get("all") == "1"
        table = committee_issues_table(fetch_committee_issues(include_closed), "Committee issues")
        return _send_table(table, "committee-issues" + ("-all" if include_closed else ""), fmt)
    if key not in SECTIONS:
        abort(404)
    table = fetch_table(key, f, limit=None) if key in ("lessons", "extension_reasons") else fetch_table(key, f)
    return _send_table(table, f"{key}-{f.period.start}-to-{f.period.end}", fmt)


def _send_table(table, filename: str, fmt: str):
    if fmt == "csv":
        return Response(exports.table_csv(table), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})
    return send_file(exports.table_xlsx(table), as_attachment=True, download_name=f"{filename}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/export/dashboard/<key>.<fmt>")
@requires_manager
def export_dashboard_table(key: str, fmt: str):
    """The dashboard's tables (due, most overdue, the 12-month trends), with its filters."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    f, _ = parse_filters()
    today = _today()
    tables = dashboard_tables(fetch_dashboard(f, today))
    if key not in tables:
        abort(404)
    return _send_table(tables[key], f"dashboard-{key}-{today}", fmt)


@bp.get("/export/annual/<key>.<fmt>")
@requires_manager
def export_annual_table(key: str, fmt: str):
    """The annual report's own tables (summary, letter, trend, self-assessment, committee issues)."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    year = _int("year") or _current_financial_year(_today()) - 1
    tables = annual_extra_tables(_annual(year))
    if key not in tables:
        abort(404)
    return _send_table(tables[key], f"annual-{key}-{year}-{str(year + 1)[2:]}", fmt)


def _export_cases(f: ReportFilters, fmt: str):
    """Every case received in the period, one row each, streamed (no personal details)."""
    from ..reports.workdays import prepare_report_session

    prepare_report_session()
    filename = f"cases-{f.period.start}-to-{f.period.end}"
    if fmt == "csv":
        body = stream_with_context(exports.csv_lines(exports.case_header(), exports.case_rows(f)))
        return Response(body, mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})
    handle = exports.xlsx_file([("Cases", exports.case_header(), exports.case_rows(f))])
    return send_file(handle, as_attachment=True, download_name=f"{filename}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- satisfaction (004 §16) ------------------------------------------------------------------

@bp.get("/satisfaction")
@requires_manager
def satisfaction():
    f, errors = parse_filters()
    results = fetch_table("satisfaction", f)
    equality_results = fetch_table("satisfaction_equality", f)
    return render_template("reports/satisfaction.html", samples=fetch_samples(), results=results, errors=errors,
                           equality_results=equality_results,
                           eligible=count_eligible_for_survey(f.period), **_form_context(f))


@bp.post("/satisfaction/samples")
@requires_manager
def draw_sample():
    f, _ = parse_filters()
    size = request.form.get("size", "").strip()
    percent = request.form.get("percent", "").strip()
    try:
        seed = int(request.form.get("seed") or 1)
        result = sample_for_survey(
            f.period,
            size=int(size) if size else None,
            percent=float(percent) if percent else None,
            seed=seed,
            actor=current_user,
            label=request.form.get("label") or None,
        )
    except ValueError:
        db.session.rollback()
        flash("Enter a whole number of complaints, or a percentage", "error")
        return redirect(url_for("reports.satisfaction", **filter_args(f)))
    except InvalidField as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("reports.satisfaction", **filter_args(f)))
    db.session.commit()
    flash(f"{result.sampled:,} of {result.eligible:,} closed complaints were sampled as “{result.sample}”.", "success")
    return redirect(url_for("reports.sample", name=result.sample))


@bp.get("/satisfaction/samples/<path:name>")
@requires_manager
def sample(name: str):
    page = _int("page") or 1
    rows, total = fetch_sample_surveys(name, page)
    if not total:
        abort(404)
    return render_template("reports/sample.html", name=name, rows=rows, total=total, page=page, per_page=50)


@bp.post("/satisfaction/samples/<path:name>/sent")
@requires_manager
def sample_sent(name: str):
    try:
        sent_on = date.fromisoformat(request.form.get("sent_on", "").strip())
    except ValueError:
        flash("Enter the date the forms were sent as year-month-day, for example 2026-04-20", "error")
        return redirect(url_for("reports.sample", name=name))
    count = mark_sample_sent(name, sent_on)
    db.session.commit()
    flash(f"{count:,} forms marked as sent.", "success")
    return redirect(url_for("reports.sample", name=name))


@bp.route("/satisfaction/surveys/<int:survey_id>", methods=["GET", "POST"])
@requires_manager
def survey(survey_id: int):
    record = db.session.get(SatisfactionSurvey, survey_id)
    if record is None:
        abort(404)
    errors = []
    if request.method == "POST":
        try:
            returned_on = date.fromisoformat(request.form.get("returned_on", "").strip())
        except ValueError:
            errors.append({"text": "Enter the date the form came back as year-month-day, for example 2026-05-02",
                           "href": "#returned_on"})
        else:
            try:
                record_survey_answers(record, request.form.to_dict(), returned_on=returned_on, actor=current_user)
            except InvalidField as error:
                db.session.rollback()
                errors.append({"text": error.message, "href": f"#{error.field}"})
            else:
                db.session.commit()
                flash("The answers are saved.", "success")
                return redirect(url_for("reports.sample", name=record.sample))
    values = request.form if request.method == "POST" else None
    # The equality section as stored (004 §16.2), to show again; nothing when it was left out.
    stored = fetch_survey_equality(record)
    equality = {}
    if stored is not None:
        equality = {"eq_section": "declined" if stored.declined else "answered",
                    **{f"eq_{column}": getattr(stored, column) or "" for column, _, _ in EQUALITY_QUESTIONS}}
    return render_template("reports/survey.html", survey=record, questions=SURVEY_QUESTIONS, errors=errors, values=values,
                           equality_questions=EQUALITY_QUESTIONS, equality_sections=EQUALITY_SECTION_CHOICES,
                           equality=equality), (400 if errors else 200)


# --- committee outstanding issues (000; 002) -------------------------------------------------

@bp.get("/committee")
@requires_manager
def committee():
    include_closed = request.args.get("all") == "1"
    return render_template("reports/committee.html", issues=fetch_committee_issues(include_closed),
                           include_closed=include_closed)


@bp.route("/committee/new", methods=["GET", "POST"], defaults={"issue_id": None})
@bp.route("/committee/<int:issue_id>", methods=["GET", "POST"])
@requires_manager
def committee_issue(issue_id: int | None):
    issue = db.session.get(CommitteeIssue, issue_id) if issue_id is not None else None
    if issue_id is not None and issue is None:
        abort(404)
    errors = []
    if request.method == "POST":
        values = request.form.to_dict()
        for name in ("raised_on", "due_meeting"):
            raw = (values.get(name) or "").strip()
            try:
                values[name] = date.fromisoformat(raw) if raw else None
            except ValueError:
                errors.append({"text": "Enter the date as year-month-day, for example 2026-06-17", "href": f"#{name}"})
                values[name] = None
        if not errors:
            try:
                save_committee_issue(values, issue)
            except InvalidField as error:
                db.session.rollback()
                errors.append({"text": error.message, "href": f"#{error.field}"})
            else:
                db.session.commit()
                flash("The committee issue is saved.", "success")
                return redirect(url_for("reports.committee"))
    return render_template("reports/committee_issue.html", issue=issue, errors=errors,
                           values=request.form if request.method == "POST" else None), (400 if errors else 200)


# --- command line ----------------------------------------------------------------------------

@bp.cli.command("refresh-calendar")
def refresh_calendar_command():
    """Rebuild the working-day number table from the calendar (normally automatic)."""
    from ..reports.workdays import refresh_working_day_numbers

    refresh_working_day_numbers(force=True)
    print("Working-day numbers rebuilt.")


@bp.cli.command("annual-pdf")
@click.option("--year", type=int, required=True, help="2025 for 2025/26")
@click.option("--out", type=click.Path(dir_okay=False), required=True)
def annual_pdf_command(year: int, out: str):
    """Write the annual complaints report for a year as a PDF."""
    from ..reports.pdf import html_to_pdf, inline_stylesheets

    with current_app.test_request_context("/reports/annual.pdf"):
        report = fetch_annual_report(year, _today())
        html = render_template("reports/annual.html", report=report, trend_chart=_trend_chart(report), printing=True,
                               years=[], **_annual_queries(report))
        html = inline_stylesheets(html, current_app.static_folder, current_app.static_url_path)
    with open(out, "wb") as handle:
        handle.write(html_to_pdf(html))
    print(f"Wrote {out}")


@bp.cli.command("set-population")
@click.argument("residents", type=int)
def set_population_command(residents: int):
    """Residents, for the Ombudsman's "upheld decisions per 100,000 residents"."""
    from ..reports.records import set_population

    set_population(residents)
    db.session.commit()
    print(f"Population set to {residents:,}.")
