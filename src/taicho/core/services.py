"""Writes of the core app: the gapless counters behind dossier codes and registers, and the official calendar."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from taicho.core import calendar as calendar_selectors
from taicho.core.codes import format_dossier_code, parse_agency_identifier
from taicho.core.models import CalendarDay, DailyCounter, DayKind
from taicho.core.workcal import CalendarError, load_official_schedule_csv


def next_daily_number(*, scope: str, day: date) -> int:
    """Hand out the next ordinal (1, 2, …) of ``scope`` on ``day``.

    One UPSERT … RETURNING statement (PostgreSQL ≥ 9.5, SQLite ≥ 3.35): the row lock it takes is held until the
    caller's transaction ends, so concurrent callers queue and each gets the next number, and a caller that
    rolls back gives its number back — no gaps, no duplicates (domain.md §4: never reused, never changed).
    Must run inside the transaction that stores what the number is for.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("next_daily_number must run inside the transaction that uses the number")
    table = connection.ops.quote_name(DailyCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, day, last_value) VALUES (%s, %s, 1) "  # noqa: S608 - table name is ours
            f"ON CONFLICT (scope, day) DO UPDATE SET last_value = {table}.last_value + 1 "
            "RETURNING last_value",
            [scope, day],
        )
        return int(cursor.fetchone()[0])


def next_yearly_number(*, scope: str, year: int) -> int:
    """Hand out the next ordinal (1, 2, …) of ``scope`` in ``year``: a register whose numbers run through the
    year and start again at 1 the next (e.g. an agency's certification register). The same counter and guarantees
    as `next_daily_number`, kept on the year's first day."""
    return next_daily_number(scope=scope, day=date(year, 1, 1))


def allocate_dossier_code(*, agency_identifier: str, day: date) -> str:
    """The next dossier code `{agency identifier}-{YYMMDD}-{NNNN}` of the agency for ``day`` (local date)."""
    parse_agency_identifier(agency_identifier)
    ordinal = next_daily_number(scope=f"dossier:{agency_identifier}", day=day)
    return format_dossier_code(agency_identifier, day, ordinal)


@dataclass(frozen=True)
class CalendarLoadResult:
    created: int
    updated: int
    unchanged: int


def load_official_calendar(*, source: str | Path | IO[str]) -> CalendarLoadResult:
    """Load an official schedule CSV (date, weekday, kind, name, detail, official_break_range, status, source)
    into the calendar. All or nothing: a malformed row raises ValidationError naming the row, and nothing is
    written. Dates already present are updated to what the file says."""
    try:
        rows = _read_schedule(source)
    except CalendarError as exc:
        raise ValidationError(str(exc)) from exc
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {
            day.date: day for day in CalendarDay.objects.select_for_update().filter(date__in=list(rows))
        }
        for day, values in sorted(rows.items()):
            current = existing.get(day)
            if current is None:
                CalendarDay.objects.create(date=day, **values)
                created += 1
                continue
            if all(getattr(current, field) == value for field, value in values.items()):
                unchanged += 1
                continue
            for field, value in values.items():
                setattr(current, field, value)
            current.full_clean()
            current.save()
            updated += 1
        transaction.on_commit(calendar_selectors.invalidate)
    return CalendarLoadResult(created, updated, unchanged)


def _read_schedule(source: str | Path | IO[str]) -> dict[date, dict[str, str]]:
    if isinstance(source, (str, Path)):
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CalendarError(
                _("Không đọc được tệp lịch “%(path)s”: %(error)s") % {"path": source, "error": exc}
            ) from exc
    else:
        text = source.read()
    kinds_names = load_official_schedule_csv(io.StringIO(text))
    details = {}
    for row in csv.DictReader(io.StringIO(text)):
        details[date.fromisoformat(row["date"].strip())] = row
    result: dict[date, dict[str, str]] = {}
    for day, (kind, name) in kinds_names.items():
        row = details.get(day, {})
        result[day] = {
            "kind": DayKind(kind).value,
            "name": name,
            "detail": (row.get("detail") or "").strip(),
            "status": (row.get("status") or "").strip(),
            "source": (row.get("source") or "").strip(),
        }
    return result
