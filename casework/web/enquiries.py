"""The weekly monitoring of MP and councillor enquiries (004 Appendix C: "weekly monitoring in
place to ensure MP enquiries are resolved in a timely manner"), for managers (VIEW_REPORTS).

For a chosen week (Monday to Sunday; this week by default), by service area with totals: received,
open, due this week, overdue, answered on time and answered late — the same SQL aggregation as
the Monday e-mail digest (jobs.digests.fetch_enquiry_figures), and a CSV download.
"""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Blueprint, Response, render_template, request

from ..jobs.digests import FIGURE_NAMES, EnquiryFigures, enquiry_totals, fetch_enquiry_figures
from ..models import CaseKind
from .helpers import format_date, today_london
from .permissions import Permission, requires

bp = Blueprint("enquiries", __name__, url_prefix="/enquiries")

WEEKS_SHOWN = 52
TABLES = ((str(CaseKind.MP_ENQUIRY), "MP enquiries"), (str(CaseKind.MEMBER_ENQUIRY), "Councillor (member) enquiries"))
COLUMNS = {
    "received": "Received",
    "open": "Open",
    "due": "Due this week",
    "overdue": "Overdue",
    "answered_on_time": "Answered on time",
    "answered_late": "Answered late",
}


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_figures(week_start: date, today: date) -> dict:
    """The week's figures: received and answered in the week; open, overdue and "due this week"
    (answer due Monday to Sunday, still unanswered) as of today, or as of the end of a past week."""
    week_end = week_start + timedelta(days=6)
    as_of = min(today, week_end)
    figures = fetch_enquiry_figures(period_start=week_start, period_end=week_end, as_of=as_of,
                                    due_from=week_start, due_to=week_end)
    tables = []
    for kind, title in TABLES:
        rows = figures[kind]
        tables.append({"kind": kind, "title": title, "rows": rows, "totals": enquiry_totals(rows)})
    return {"week_start": week_start, "week_end": week_end, "as_of": as_of, "tables": tables}


def _csv(result: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Week beginning", "Enquiries", "Service area", *COLUMNS.values()])
    for table in result["tables"]:
        rows: list[EnquiryFigures] = [*table["rows"], table["totals"]]
        for row in rows:
            area = row.area
            if area[:1] in ("=", "+", "-", "@"):
                area = "'" + area  # never a formula in a spreadsheet
            writer.writerow([result["week_start"].isoformat(), table["title"], area, *(getattr(row, n) for n in FIGURE_NAMES)])
    return out.getvalue()


@bp.get("/weekly")
@requires(Permission.VIEW_REPORTS)
def weekly():
    today = today_london()
    this_week = monday_of(today)
    weeks = [this_week - timedelta(weeks=n) for n in range(WEEKS_SHOWN)]
    errors = []
    chosen = this_week
    raw = request.args.get("week")
    if raw:
        try:
            chosen = monday_of(date.fromisoformat(raw))
        except ValueError:
            errors.append({"text": "Choose a week from the list", "href": "#week"})
        else:
            if chosen > this_week:
                errors.append({"text": "Choose this week or an earlier week", "href": "#week"})
                chosen = this_week
    if errors:
        chosen = this_week
    result = weekly_figures(chosen, today)
    if request.args.get("format") == "csv" and not errors:
        return Response(_csv(result), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="enquiries-week-{chosen.isoformat()}.csv"'})
    options = [{"value": w.isoformat(), "text": ("This week, beginning " if w == this_week else "Week beginning ") + format_date(w),
                "selected": w == chosen} for w in weeks]
    if chosen not in weeks:
        options.append({"value": chosen.isoformat(), "text": "Week beginning " + format_date(chosen), "selected": True})
    return render_template("enquiries/weekly.html", result=result, columns=COLUMNS, figure_names=FIGURE_NAMES,
                           options=options, errors=errors, this_week=chosen == this_week, today=today), (400 if errors else 200)
