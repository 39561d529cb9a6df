"""Build the reporting benchmark database: demo cases spread over ten years.

The demo loader (casework/demo.py) makes a council's cases over the two years before its
`now`. Ten years are five loads, each "as of" a date two years after the last, so the
database looks like a council that has used Casework since 2016:

    .venv/bin/python bench/make_bench_db.py postgresql+psycopg://postgres@127.0.0.1:5432/casework_bench
    .venv/bin/python bench/make_bench_db.py sqlite:////tmp/casework_bench.sqlite3

Options: --cases (default 1,000,000), --loads (default 5), --seed. The database is created
(PostgreSQL) or the file replaced (SQLite) and built by the real migrations, then the demo is
loaded and the planner statistics refreshed (VACUUM ANALYZE / ANALYZE).

Cases still open at the end of an earlier load stay open (nobody closed them): a few thousand
long-overdue cases, which makes the dashboard's overdue figures heavier, not lighter.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

END = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def create_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    base, name = url.rsplit("/", 1)
    engine = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="add to an existing database")
    args = parser.parse_args()

    if not args.keep:
        create_database(args.url)
    os.environ["DATABASE_URL"] = args.url
    from flask_migrate import upgrade
    from sqlalchemy import text

    from casework import create_app
    from casework.demo import load_demo
    from casework.extensions import db

    app = create_app({"CASEWORK_SCHEDULER": False, "SQLALCHEMY_DATABASE_URI": args.url})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        per_load = args.cases // args.loads
        for i in range(args.loads):
            years_back = 2 * (args.loads - 1 - i)
            now = END.replace(year=END.year - years_back)
            n = per_load if i < args.loads - 1 else args.cases - per_load * (args.loads - 1)
            print(f"Load {i + 1}/{args.loads}: {n:,} cases as of {now:%Y-%m-%d}", flush=True)
            load_demo(n, seed=args.seed + i, now=now, echo=lambda m: print("  " + m, flush=True))
            db.session.remove()
        print(f"Loaded in {time.perf_counter() - started:.0f} s; analysing", flush=True)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"))
        print(f"Done in {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
