"""Benchmark: working-day arithmetic in casework.workdays against numpy.

Times add_working_days(d, 20) for many random start dates (a third of them
weekends or bank holidays) and numpy.busday_offset given the same non-working
weekday dates, per call and vectorised, after checking that every answer agrees.

    .venv/bin/python bench/bench_workdays.py [--samples 20000] [--repeat 5]

Semantics: Calendar.add_working_days(d, n) counts d as day 0, so from a
Saturday, +1 is Monday.  busday_offset rolls the start first and then offsets;
the equivalent is roll="backward" for n >= 1 (Saturday -> Friday, +1 -> Monday)
and roll="forward" for n <= 0 (n = 0 rolls a non-working day forward; n < 0
counts back from the next working day, which has the same working days before
it as d has).
"""

from __future__ import annotations

import argparse
import platform
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from casework.workdays import Calendar  # noqa: E402
from casework.workdays import calendar as calendar_module  # noqa: E402

N_DAYS = 20


def best_of(repeat, fn):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def numpy_roll(n: int) -> str:
    return "backward" if n >= 1 else "forward"


def sample_starts(cal: Calendar, samples: int, seed: int) -> list[date]:
    """Random dates; at least a third of them non-working, to exercise rolling."""
    rng = random.Random(seed)
    first, last = cal.first_day + timedelta(days=60), cal.last_day - timedelta(days=400)
    span = (last - first).days
    starts = []
    non_working = [
        first + timedelta(days=i)
        for i in range(span)
        if not cal.is_working_day(first + timedelta(days=i))
    ]
    while len(starts) < samples:
        if len(starts) % 3 == 0:
            starts.append(rng.choice(non_working))
        else:
            starts.append(first + timedelta(days=rng.randrange(span)))
    return starts


def construction_times(repeat: int) -> dict[str, float]:
    cold_code = (
        "import time; t0 = time.perf_counter(); "
        "from casework.workdays import Calendar; t1 = time.perf_counter(); "
        "Calendar(); t2 = time.perf_counter(); "
        "print(t1 - t0, t2 - t1)"
    )
    cold_runs = [
        tuple(map(float, subprocess.run(
            [sys.executable, "-c", cold_code], cwd=REPO_ROOT, capture_output=True,
            text=True, check=True,
        ).stdout.split()))
        for _ in range(repeat)
    ]
    cold_import = min(r[0] for r in cold_runs)
    cold_first = min(r[1] for r in cold_runs)

    def fresh():
        calendar_module._bank_holidays.cache_clear()
        Calendar()

    fresh()  # import the holidays package and its GB module
    return {
        "fresh process: import casework.workdays": cold_import,
        "fresh process: first Calendar() (imports the holidays package)": cold_first,
        "Calendar(), holidays package loaded, holiday cache cleared": best_of(repeat, fresh),
        "Calendar(), holiday table cached (same years)": best_of(repeat, Calendar),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    cal = Calendar()
    starts = sample_starts(cal, args.samples, args.seed)

    # The same non-working weekday dates for numpy (weekends come from its weekmask).
    span = (cal.last_day - cal.first_day).days + 1
    every_day = [cal.first_day + timedelta(days=i) for i in range(span)]
    holidays = np.array(
        [d for d in every_day if d.weekday() < 5 and not cal.is_working_day(d)],
        dtype="datetime64[D]",
    )
    busdaycal = np.busdaycalendar(weekmask="1111100", holidays=holidays)
    starts_np = np.array(starts, dtype="datetime64[D]")
    working_np = np.array(
        [d for d in every_day if cal.is_working_day(d)], dtype="datetime64[D]"
    )

    # -- correctness first: all methods agree on every sampled date, for several n.
    for n in (N_DAYS, 0, 1, 3, 65, -1, -20):
        ours = [cal.add_working_days(d, n) for d in starts]
        per_call = [
            np.busday_offset(d, n, roll=numpy_roll(n), busdaycal=busdaycal).astype(date)
            for d in starts_np[:2000]
        ]
        vectorised = np.busday_offset(
            starts_np, n, roll=numpy_roll(n), busdaycal=busdaycal
        ).astype(date).tolist()
        assert per_call == ours[:2000], f"busday_offset per call differs at n={n}"
        assert vectorised == ours, f"busday_offset vectorised differs at n={n}"
    print(f"agreement: {len(starts)} start dates x n in (20, 0, 1, 3, 65, -1, -20): identical")

    # -- timing
    ords = np.array([d.toordinal() for d in starts])
    working_ords = np.array([d.toordinal() for d in working_np.astype(date).tolist()])
    add = cal.add_working_days

    def ours_per_call():
        for d in starts:
            add(d, N_DAYS)

    def numpy_per_call_holidays():
        for d in starts_np:
            np.busday_offset(d, N_DAYS, roll="backward", holidays=holidays)

    def numpy_per_call_busdaycal():
        for d in starts_np:
            np.busday_offset(d, N_DAYS, roll="backward", busdaycal=busdaycal)

    def numpy_vectorised():
        np.busday_offset(starts_np, N_DAYS, roll="backward", busdaycal=busdaycal)

    def searchsorted_vectorised():
        return working_ords[np.searchsorted(working_ords, ords, side="right") + N_DAYS - 1]

    assert searchsorted_vectorised().tolist() == [
        d.toordinal() for d in (cal.add_working_days(s, N_DAYS) for s in starts)
    ]

    per_call_samples = min(len(starts), 5_000)  # holidays= per call is slow
    rows = []
    n = len(starts)
    rows.append(("Calendar.add_working_days (bisect), per call", best_of(args.repeat, ours_per_call) / n))
    numpy_holidays_subset = starts_np[:per_call_samples]

    def numpy_per_call_holidays_subset():
        for d in numpy_holidays_subset:
            np.busday_offset(d, N_DAYS, roll="backward", holidays=holidays)

    rows.append((
        "numpy.busday_offset(holidays=...), per call",
        best_of(args.repeat, numpy_per_call_holidays_subset) / per_call_samples,
    ))
    rows.append(("numpy.busday_offset(busdaycal=...), per call", best_of(args.repeat, numpy_per_call_busdaycal) / n))
    rows.append(("numpy.busday_offset, vectorised", best_of(args.repeat, numpy_vectorised) / n))
    rows.append(("bisect table via numpy.searchsorted, vectorised", best_of(args.repeat, searchsorted_vectorised) / n))

    other = [
        ("Calendar.is_working_day", lambda: [cal.is_working_day(d) for d in starts]),
        ("Calendar.working_days_between(d, d + 30 days)",
         lambda: [cal.working_days_between(d, d + timedelta(days=30)) for d in starts]),
    ]

    base = rows[0][1]
    print()
    print(f"Python {platform.python_version()}, numpy {np.__version__}, "
          f"{platform.machine()}, {len_cpus()} CPUs; {n} start dates, n = {N_DAYS}, "
          f"best of {args.repeat}; table {cal.first_day}..{cal.last_day}")
    print()
    print("| method | µs per date | × bisect |")
    print("|---|---:|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds * 1e6:.3f} | {seconds / base:.1f} |")
    for name, fn in other:
        seconds = best_of(args.repeat, fn) / n
        print(f"| {name} | {seconds * 1e6:.3f} | {seconds / base:.1f} |")
    print()
    print("| construction | ms |")
    print("|---|---:|")
    for name, seconds in construction_times(args.repeat).items():
        print(f"| {name} | {seconds * 1e3:.1f} |")


def len_cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    main()
