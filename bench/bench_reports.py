"""Benchmark: the reports at council scale, beside the same figures from one hand-written query.

    .venv/bin/python bench/bench_reports.py URL [--year 2025] [--runs 5] [--dashboard-runs 60] [--export]

URL is a database built by bench/make_bench_db.py (PostgreSQL) or bench/copy_to_sqlite.py.
Measures, after one warm-up run of each:

* the annual report (financial year --year): the app assembling every figure
  (casework.reports.annual.fetch_annual_report), the whole page over HTTP (Flask test client,
  signed in), and bench/sql/annual_<dialect>.sql — every figure in one hand-written statement;
* the dashboard likewise (bench/sql/dashboard_<dialect>.sql), and the page's p50/p95 latency;
* with --export, a CSV of every case (all ten years) streamed through the app in a separate
  process, reporting its peak resident memory (ru_maxrss).

Before timing, a few figures from the hand-written queries are compared with the app's, so the
two really compute the same thing. Prints a Markdown table for bench/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
SQL_DIR = Path(__file__).resolve().parent / "sql"
AS_OF = None  # today in London


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    if len(values) == 1:
        return values[0]
    position = (len(values) - 1) * q
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}" if seconds >= 0.1 else f"{seconds * 1000:,.1f}"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}, Python {platform.python_version()}"


def hand_query(name: str, dialect: str, params: dict):
    from sqlalchemy import text

    from casework.extensions import db

    sql = (SQL_DIR / f"{name}_{dialect}.sql").read_text()
    # Comments name the parameters (":start"), which text() would take for placeholders.
    sql = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    statement = text(sql)
    if dialect == "sqlite":  # bind dates and instants as SQLAlchemy stores them (ISO text)
        params = {k: (v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else
                      v.isoformat() if isinstance(v, date) else v) for k, v in params.items()}

    def run():
        if dialect == "postgresql":  # the same session settings the app's reports use
            from casework.reports.workdays import REPORT_SETTINGS

            for name_, value in REPORT_SETTINGS:
                db.session.execute(text(f"SET LOCAL {name_} = '{value}'"))
        rows = db.session.execute(statement, params).all()
        db.session.rollback()
        out: dict = {}
        for section, data in rows:
            out.setdefault(section, []).append(json.loads(data))
        return out

    return run


def london_midnight(day: date):
    from casework.reports.period import london_midnight_utc

    return london_midnight_utc(day).replace(tzinfo=None)


def annual_params(year: int, as_of: date) -> dict:
    from casework.reports.period import Period

    period = Period.financial_year(year)
    previous = period.previous_year()
    return {
        "year": year, "as_of": as_of,
        "start": period.start, "end": period.end,
        "start_utc": london_midnight(period.start), "end_utc": london_midnight(period.end + timedelta(days=1)),
        "prev_start": previous.start, "prev_end": previous.end,
        "prev_start_utc": london_midnight(previous.start), "prev_end_utc": london_midnight(previous.end + timedelta(days=1)),
        "trend_start": date(year - 4, 4, 1), "trend_end": date(year + 1, 4, 1),
        "trend_start_utc": london_midnight(date(year - 4, 4, 1)), "trend_end_utc": london_midnight(date(year + 1, 4, 1)),
        **{f"y{i}": london_midnight(date(year - 4 + i, 4, 1)) for i in range(6)},
        **{f"d{i}": date(year - 4 + i, 4, 1) for i in range(6)},
    }


def dashboard_params(today: date) -> dict:
    from casework.operations.calendar import fetch_calendar
    from casework.reports.period import Period, add_months

    period = Period.last_months(today, 12)
    months = period.months()
    params = {
        "today": today, "soon": fetch_calendar().add_working_days(today, 5),
        "start": period.start, "end": period.end,
        "start_utc": london_midnight(period.start), "end_utc": london_midnight(period.end + timedelta(days=1)),
    }
    for i, month in enumerate(months):
        params[f"m{i}"] = london_midnight(add_months(month, 1))
        params[f"d{i}"] = add_months(month, 1)
    return params


def check_annual(report, hand: dict) -> list[str]:
    """The hand-written query and the app agree on the figures (a sample of them)."""
    problems = []
    total = next(r for r in hand["complaints"] if r["area"] == "Total")
    if total["received"] != report.council["complaints"].rows[0]["received"]:
        problems.append(f"complaints received: hand {total['received']} app {report.council['complaints'].rows[0]['received']}")
    app_stage1 = next(r for r in report.council["timeliness"].rows if r["measure"] == "Stage 1 response")
    hand_stage1 = next(r for r in hand["timeliness"] if r["name"] == "stage1.respond" and r["who"] == "complaint")
    for key in ("on_time", "late_met", "late_open", "pending", "p90", "wd_mean"):
        a, b = app_stage1[key], hand_stage1[key]
        if (a is None) != (b is None) or (a is not None and abs(float(a) - float(b)) > 0.05):
            problems.append(f"stage 1 {key}: hand {b} app {a}")
    hand_om = hand["ombudsman"][0]
    app_om = report.council["ombudsman"].rows[0]
    for key in ("received", "decided", "upheld", "remedies_due", "overdue"):
        if hand_om[key] != app_om[key]:
            problems.append(f"ombudsman {key}: hand {hand_om[key]} app {app_om[key]}")
    if len(hand["equality"]) != len(report.council["equality"].rows):
        problems.append("equality rows differ")
    area_totals = {r["area"]: r["total"] for r in hand["contacts"]}
    for row in report.by_area["contacts"].rows:
        if area_totals.get(row["dim"]) != row["total"]:
            problems.append(f"contacts {row['dim']}: hand {area_totals.get(row['dim'])} app {row['total']}")
    return problems


def check_dashboard(board, hand: dict) -> list[str]:
    problems = []
    overdue = sum(r["overdue"] for r in hand["due"])
    if overdue != board.totals["overdue"]:
        problems.append(f"overdue: hand {overdue} app {board.totals['overdue']}")
    received = sum(r["n"] for r in hand["received"])
    if received != sum(r["complaint"] + r["member_enquiry"] + r["mp_enquiry"] for r in board.received.rows):
        problems.append("received differs")
    if [r["reference"] for r in hand["most_overdue"]] != [r["reference"] for r in board.overdue_cases]:
        problems.append("most overdue differs")
    return problems


def sign_in(client):
    from casework.demo import DEMO_PASSWORD

    response = client.post("/sign-in", data={"email": "recovery@demo.casework.test", "password": DEMO_PASSWORD})
    if response.status_code != 302:
        raise SystemExit("Could not sign in as the demo Service Recovery user (is this a demo database?)")


def export_memory(url: str) -> dict:
    """Stream every case as CSV in a fresh process; its peak RSS and time."""
    code = f"""
import resource, sys, time
sys.path.insert(0, {str(REPO_ROOT)!r})
from casework import create_app
app = create_app({{"SQLALCHEMY_DATABASE_URI": {url!r}, "CASEWORK_SCHEDULER": False, "WTF_CSRF_ENABLED": False}})
client = app.test_client()
from casework.demo import DEMO_PASSWORD
client.post("/sign-in", data={{"email": "recovery@demo.casework.test", "password": DEMO_PASSWORD}})
def rss_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
before = rss_kb()
peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
highest = before
started = time.perf_counter()
response = client.get("/reports/export/cases.csv?from=2010-01-01&to=2030-12-31", buffered=False)
size = lines = chunks = 0
for chunk in response.response:
    size += len(chunk)
    lines += chunk.count(b"\\n")
    chunks += 1
    if chunks % 20 == 0:
        highest = max(highest, rss_kb())
response.close()
highest = max(highest, rss_kb())
print(lines - 1, size, time.perf_counter() - started, before, highest, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, peak_before)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "CASEWORK_SCHEDULER": "0"})
    rows, size, seconds, before, highest, maxrss, peak_before = out.stdout.strip().splitlines()[-1].split()
    return {"rows": int(rows), "mb": int(size) / 1e6, "seconds": float(seconds), "rss_before_mb": int(before) / 1024,
            "rss_during_mb": int(highest) / 1024, "rss_peak_mb": int(maxrss) / 1024,
            "rss_peak_before_mb": int(peak_before) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dashboard-runs", type=int, default=60)
    parser.add_argument("--export", action="store_true")
    parser.add_argument("--skip-annual", action="store_true")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.url
    from sqlalchemy import func, select

    from casework import create_app
    from casework.extensions import db
    from casework.models import Case
    from casework.reports.annual import fetch_annual_report
    from casework.reports.dashboard import fetch_dashboard
    from casework.reports.scope import ReportFilters
    from casework.reports.period import Period
    from casework.workdays import london_date, utc_now

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "CASEWORK_SCHEDULER": False, "WTF_CSRF_ENABLED": False})
    results = []
    with app.app_context():
        dialect = db.engine.dialect.name
        version = db.session.execute(select(func.version())).scalar() if dialect == "postgresql" else \
            "SQLite " + db.session.execute(select(func.sqlite_version())).scalar()
        n_cases = db.session.execute(select(func.count()).select_from(Case)).scalar_one()
        today = london_date(utc_now())
        print(f"{machine()}\n{version.split(' on ')[0]}; {n_cases:,} cases; as of {today}", flush=True)

        # --- annual report ---
        if not args.skip_annual:
            year = args.year
            hand = hand_query("annual", dialect, annual_params(year, today))

            def app_annual():
                report = fetch_annual_report(year, today)
                db.session.remove()
                return report

            report = app_annual()
            hand_result = hand()
            problems = check_annual(report, hand_result)
            print("annual: figures agree" if not problems else "annual: FIGURES DIFFER: " + "; ".join(problems), flush=True)
            app_times = timed(app_annual, args.runs)
            hand_times = timed(hand, args.runs)
            client = app.test_client()
            sign_in(client)
            client.get(f"/reports/annual?year={year}")
            page_times = timed(lambda: client.get(f"/reports/annual?year={year}"), args.runs)
            results.append(("Annual report " + Period.financial_year(year).label, app_times, hand_times, page_times))

        # --- dashboard ---
        hand = hand_query("dashboard", dialect, dashboard_params(today))

        def app_dashboard():
            board = fetch_dashboard(ReportFilters(period=Period(today, today), as_of=today), today)
            db.session.remove()
            return board

        from casework.reports.dashboard import forget_dashboard_trends

        def cold(fn):
            def run():
                forget_dashboard_trends()
                return fn()
            return run

        forget_dashboard_trends()
        board = app_dashboard()
        problems = check_dashboard(board, hand())
        print("dashboard: figures agree" if not problems else "dashboard: FIGURES DIFFER: " + "; ".join(problems), flush=True)
        cold_times = timed(cold(app_dashboard), args.runs * 4)
        app_times = timed(app_dashboard, args.runs * 4)
        hand_times = timed(hand, args.runs * 4)
        client = app.test_client()
        sign_in(client)
        for _ in range(3):
            client.get("/reports/dashboard")
        cold_page = timed(cold(lambda: client.get("/reports/dashboard")), max(10, args.dashboard_runs // 3))
        page_times = timed(lambda: client.get("/reports/dashboard"), args.dashboard_runs)
        results.append(("Dashboard, every figure read live", cold_times, hand_times, cold_page))
        results.append(("Dashboard, past months' trends kept 10 minutes", app_times, hand_times, page_times))

    print()
    print("| report | app: figures (median ms) | one hand-written query (median ms) | ratio | page over HTTP: median / p95 ms |")
    print("|---|---:|---:|---:|---:|")
    for name, app_times, hand_times, page_times in results:
        a, h = statistics.median(app_times), statistics.median(hand_times)
        print(f"| {name} | {ms(a)} | {ms(h)} | {a / h:.2f} | {ms(statistics.median(page_times))} / {ms(p(page_times, 0.95))} |")
    if args.export:
        e = export_memory(args.url)
        print(f"\nCSV export of every case: {e['rows']:,} rows, {e['mb']:,.0f} MB in {e['seconds']:.0f} s; "
              f"peak RSS of the process {e['rss_peak_mb']:.0f} MB (before the export: {e['rss_peak_before_mb']:.0f} MB); "
              f"resident memory {e['rss_before_mb']:.0f} MB before the export, at most {e['rss_during_mb']:.0f} MB during it")


if __name__ == "__main__":
    main()
