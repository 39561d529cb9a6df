"""Copy the PostgreSQL benchmark database into a SQLite file, row for row.

The demo loader writes about 1,400 cases/s to PostgreSQL but under 400/s to SQLite, so a
million cases would take the better part of an hour; copying the same rows takes a few
minutes and gives both databases identical data, which is what a side-by-side comparison
wants. The SQLite file is built by the real migrations first.

    .venv/bin/python bench/copy_to_sqlite.py postgresql+psycopg://postgres@127.0.0.1:5432/casework_bench \
        /tmp/casework_bench.sqlite3
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

BATCH = 20_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source")
    parser.add_argument("target", help="path of the SQLite file (replaced)")
    args = parser.parse_args()

    from sqlalchemy import create_engine, event, func, insert, select, text

    from casework.extensions import db
    from tests.conftest import migrate_to_head

    target_path = Path(args.target)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(target_path) + suffix).unlink(missing_ok=True)
    target_url = f"sqlite:///{target_path}"
    migrate_to_head(target_url)

    source = create_engine(args.source)
    target = create_engine(target_url)

    @event.listens_for(target, "connect")
    def _fast(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    started = time.perf_counter()
    with source.connect() as src, target.begin() as dst:
        for table in db.metadata.sorted_tables:
            if table.name in ("alembic_version", "working_day_numbers", "report_settings"):
                continue
            n = src.execute(select(func.count()).select_from(table)).scalar_one()
            if not n:
                continue
            dst.execute(text(f'DELETE FROM "{table.name}"'))
            t = time.perf_counter()
            result = src.execution_options(yield_per=BATCH).execute(select(table))
            for batch in result.mappings().partitions(BATCH):
                dst.execute(insert(table), [dict(r) for r in batch])
            print(f"{table.name}: {n:,} rows in {time.perf_counter() - t:.0f} s", flush=True)
    with target.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    print(f"Copied in {time.perf_counter() - started:.0f} s; {target_path.stat().st_size / 1e6:,.0f} MB")


if __name__ == "__main__":
    main()
