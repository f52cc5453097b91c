"""The calendar as the system uses it: the official schedule in the database, per-center hours and cut-offs,
the `taicho calendar` command."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from taicho.core.calendar import calendar_for, due_at, working_time_between
from taicho.core.models import CalendarDay, DayKind, WorkingSeason
from taicho.core.services import load_official_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def test_migrate_ships_the_official_schedule_and_default_hours():
    assert CalendarDay.objects.filter(date=date(2026, 1, 10), kind=DayKind.MAKEUP_WORKING_DAY).exists()
    assert CalendarDay.objects.filter(date=date(2026, 1, 2), kind=DayKind.DAY_OFF).exists()
    season = WorkingSeason.objects.get(center__isnull=True)
    assert (season.morning_start, season.afternoon_end) == (time(7, 30), time(17, 0))


def test_tet_2026_three_working_days():
    # Fri 13/2 10:00 → 5.5 h that day; Tết break 14–22/2; Mon 23/2 and Tue 24/2 8 h each; Wed 25/2 2.5 h.
    assert due_at(at("2026-02-13 10:00"), "3 ngày làm việc") == at("2026-02-25 10:00")


def test_make_up_saturday_26_4_2025_is_worked_and_2_5_2025_is_not():
    cal = calendar_for()
    assert cal.is_working_day(date(2025, 4, 26))
    assert not cal.is_working_day(date(2025, 5, 2))
    # Fri 25/4 09:30 + 2 working days: rest of Fri (6 h), Sat 26/4 (8 h), Mon 28/4 07:30 + 2 h.
    assert due_at(at("2025-04-25 09:30"), "2 ngày làm việc") == at("2025-04-28 09:30")
    # Tue 29/4 13:00 + 1 working day: 4 h that day, then 30/4–4/5 off, Mon 5/5 07:30 + 4 h = 11:30.
    assert due_at(at("2025-04-29 13:00"), "1 ngày làm việc") == at("2025-05-05 11:30")


def test_swap_of_2_1_2026_with_make_up_saturday_10_1_2026():
    cal = calendar_for()
    assert not cal.is_working_day(date(2026, 1, 2))
    assert cal.is_working_day(date(2026, 1, 10))
    # Fri 9/1 10:00 + 1 working day: 5.5 h Fri, Sat 10/1 07:30 + 2.5 h = 10:00.
    assert due_at(at("2026-01-09 10:00"), "1 ngày làm việc") == at("2026-01-10 10:00")


def test_an_administrator_edit_changes_the_next_computation():
    assert calendar_for().is_working_day(date(2026, 12, 30))
    CalendarDay.objects.create(date=date(2026, 12, 30), kind=DayKind.DAY_OFF, name="Nghỉ thử")
    from taicho.core.calendar import invalidate

    invalidate()
    assert not calendar_for().is_working_day(date(2026, 12, 30))


def test_center_hours_and_cutoff(province):
    from taicho.org.models import Center

    center = Center.objects.create(code="C1", name="Trung tâm", agency=province, reception_cutoff=time(15, 0))
    WorkingSeason.objects.create(
        center=center,
        name="Mùa hè",
        starts_month=1,
        starts_day=1,
        morning_start=time(7, 0),
        morning_end=time(11, 0),
        afternoon_start=time(13, 30),
        afternoon_end=time(17, 30),
    )
    # Mon 23/11/2026 15:30 is after the cut-off: counts from Tue 07:00; within the day → Tue 17:30.
    assert due_at(at("2026-11-23 15:30"), "trong ngày", center=center) == at("2026-11-24 17:30")
    assert due_at(at("2026-11-23 10:00"), "trong ngày", center=center) == at("2026-11-23 17:30")
    # The default calendar (no cut-off, 17:00 close) is unaffected.
    assert due_at(at("2026-11-23 15:30"), "trong ngày") == at("2026-11-23 17:00")


def test_working_time_between_with_a_pause():
    spent = working_time_between(
        at("2026-11-23 08:00"),
        at("2026-11-24 08:00"),
        pauses=[(at("2026-11-23 13:00"), at("2026-11-23 15:00"))],
    )
    # Mon 08:00–11:30 (3.5 h) + 13:00–17:00 (4 h) − 2 h pause + Tue 07:30–08:00 (0.5 h) = 6 h.
    assert spent == timedelta(hours=6)


def test_load_is_all_or_nothing():
    before = CalendarDay.objects.count()
    bad = io.StringIO(
        "date,weekday,kind,name,detail,official_break_range,status,source\n"
        "2027-01-01,Fri,holiday,Tết Dương lịch,,,confirmed,\n"
        "2027-13-01,Fri,holiday,Ngày sai,,,confirmed,\n"
    )
    with pytest.raises(ValidationError) as exc:
        load_official_calendar(source=bad)
    assert "3" in exc.value.messages[0]  # the failing row is named
    assert CalendarDay.objects.count() == before
    assert not CalendarDay.objects.filter(date=date(2027, 1, 1)).exists()


def test_reloading_the_shipped_schedule_changes_nothing():
    from tests.conftest import PACKAGE_DATA

    result = load_official_calendar(
        source=PACKAGE_DATA / "core" / "data" / "vn-public-servants-2024-2026.csv"
    )
    assert result.created == 0 and result.updated == 0 and result.unchanged > 40


def test_calendar_command_prints_the_due_instant():
    out = io.StringIO()
    call_command("calendar", "due", "2026-02-13 10:00", "3 working days", stdout=out)
    assert out.getvalue().strip() == "2026-02-25T10:00:00+07:00"


def test_calendar_command_refuses_an_unknown_unit_in_vietnamese():
    with pytest.raises(CommandError, match="Đơn vị thời gian"):
        call_command("calendar", "due", "2026-02-13 10:00", "3 tuần", stdout=io.StringIO())
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("calendar", "due", "13/02/2026 10h", "3 working days", stdout=io.StringIO())


def test_calendar_command_load(tmp_path):
    path = tmp_path / "lich.csv"
    path.write_text(
        "date,weekday,kind,name,detail,official_break_range,status,source\n"
        "2027-02-05,Fri,day-off,Nghỉ Tết Âm lịch,,,confirmed,VPCP\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("calendar", "load", str(path), stdout=out)
    assert "1 ngày mới" in out.getvalue()
    assert not calendar_for().is_working_day(date(2027, 2, 5))
