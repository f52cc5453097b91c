"""Micro-benchmark of the working-time calendar engine (``taicho.core.workcal``).

Run: ``.venv/bin/python benchmarks/bench_calendar.py``. Prints the median time, in microseconds, of ``due()``
for 1, 10 and 60 working days and of ``elapsed()`` over a one-year span, both on a warm calendar (per-day
sessions cached, the steady state in a server process) and on a cold one (a new calendar for every call; the
``holidays`` package's per-year table stays cached at module level, as it does in a server process).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from taicho.core.workcal import (  # noqa: E402 - after the sys.path tweak
    VN_TZ,
    TimeLimit,
    TimeUnit,
    WorkingCalendar,
    load_official_schedule_csv,
)

SCHEDULE = ROOT.parent / "shared" / "data" / "holidays" / "vn-public-servants-2024-2026.csv"
REPEAT = 2000


def median_us(function, repeat: int = REPEAT) -> float:
    samples = []
    for _ in range(repeat):
        began = time.perf_counter_ns()
        function()
        samples.append(time.perf_counter_ns() - began)
    return statistics.median(samples) / 1000


def main() -> None:
    overrides = load_official_schedule_csv(SCHEDULE) if SCHEDULE.exists() else {}
    source = "official schedule CSV" if overrides else "holidays package only (CSV not found)"
    warm = WorkingCalendar.default(overrides=overrides)
    start = datetime(2025, 12, 15, 9, 40, tzinfo=VN_TZ)  # crosses the New Year 2026 swap and Tết 2026
    year_end = start + timedelta(days=365)
    print(f"taicho.core.workcal benchmark — {source}; median of {REPEAT} runs, µs")
    print(f"{'case':<34}{'warm':>10}{'cold':>10}")
    for n in (1, 10, 60):
        limit = TimeLimit(Decimal(n), TimeUnit.WORKING_DAYS)
        warm.due(start, limit)
        hot = median_us(lambda limit=limit: warm.due(start, limit))
        cold = median_us(
            lambda limit=limit: WorkingCalendar.default(overrides=overrides).due(start, limit),
            repeat=REPEAT // 4,
        )
        print(f"{f'due({n} working days)':<34}{hot:>10.1f}{cold:>10.1f}")
    warm.elapsed(start, year_end)
    hot = median_us(lambda: warm.elapsed(start, year_end))
    cold = median_us(
        lambda: WorkingCalendar.default(overrides=overrides).elapsed(start, year_end), REPEAT // 4
    )
    print(f"{'elapsed(1-year span)':<34}{hot:>10.1f}{cold:>10.1f}")


if __name__ == "__main__":
    main()
