"""The two calendar functions every part of taicho uses — the due instant of a time limit, and the working time
between two instants — on the working calendar of a center (its hours by season, its reception cut-off) over
the official schedule of days off and make-up working days (domain.md §3).

Building a calendar reads the database, so it is cached per process and per center; every write to the
calendar bumps a stamp in the shared cache, which makes every process rebuild on its next call.
"""

from __future__ import annotations

import threading
import time as monotonic_time
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.core.cache import cache

from taicho.core.workcal import Season, Session, TimeLimit, WorkingCalendar

if TYPE_CHECKING:
    from taicho.org.models import Center

_STAMP_KEY = "taicho:calendar-stamp"
_lock = threading.Lock()
_built: dict[int | None, tuple[object, float, WorkingCalendar]] = {}
# Without a shared cache (several processes on the embedded locmem cache) a stale calendar lives at most this long.
MAX_AGE_SECONDS = 300.0

DEFAULT_SESSIONS = (Session(time(7, 30), time(11, 30)), Session(time(13, 0), time(17, 0)))


def invalidate() -> None:
    """Make every process rebuild its calendars (call after any change to days, seasons or cut-offs)."""
    try:
        cache.incr(_STAMP_KEY)
    except ValueError:
        cache.set(_STAMP_KEY, 1, timeout=None)
    with _lock:
        _built.clear()


def calendar_for(center: Center | None = None) -> WorkingCalendar:
    """The working calendar of ``center`` (or the default one when None)."""
    from taicho.core.models import CalendarDay, WorkingSeason

    key = center.pk if center is not None else None
    stamp = cache.get(_STAMP_KEY, 0)
    with _lock:
        hit = _built.get(key)
        if hit is not None and hit[0] == stamp and monotonic_time.monotonic() - hit[1] < MAX_AGE_SECONDS:
            return hit[2]
    rows = list(WorkingSeason.objects.filter(center=center)) if center is not None else []
    if not rows:
        rows = list(WorkingSeason.objects.filter(center__isnull=True))
    seasons = [
        Season(
            starts=(row.starts_month, row.starts_day),
            sessions=(
                Session(row.morning_start, row.morning_end),
                Session(row.afternoon_start, row.afternoon_end),
            ),
        )
        for row in rows
    ] or [Season(starts=(1, 1), sessions=DEFAULT_SESSIONS)]
    overrides = {
        day: (kind, name) for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name")
    }
    built = WorkingCalendar(
        seasons=seasons,
        overrides=overrides,
        cutoff=center.reception_cutoff if center is not None else None,
    )
    with _lock:
        _built[key] = (stamp, monotonic_time.monotonic(), built)
    return built


def due_at(start: datetime, limit: TimeLimit | str, *, center: Center | None = None) -> datetime:
    """The due instant of ``limit`` (a TimeLimit or text such as "3 ngày làm việc") started at ``start``."""
    if isinstance(limit, str):
        limit = TimeLimit.parse(limit)
    return calendar_for(center).due(start, limit)


def working_time_between(
    start: datetime,
    end: datetime,
    *,
    pauses: Iterable[tuple[datetime, datetime]] = (),
    center: Center | None = None,
) -> timedelta:
    """Working time between two instants, not counting ``pauses`` (e.g. waiting for a supplement)."""
    return calendar_for(center).elapsed(start, end, pauses)
