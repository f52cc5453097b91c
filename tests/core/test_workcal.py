"""Tests of the working-time calendar engine (``taicho.core.workcal``), domain.md §3 and §8.

The calendar used here layers the official schedule
(``shared/data/holidays/vn-public-servants-2024-2026.csv``) over the ``holidays`` package over the weekdays.
What the package (version 0.109, country "VN") lists for 2024–2026 differs from the official schedule as
follows — which is why the schedule must be loaded as overrides:

* **Missing from the package**
  - 2026-01-02 (Fri), day off swapped with Saturday 2026-01-10 (VPCP 12729/VPCP-KGVX): without the override it
    would be a working day.
  - All make-up Saturdays: 2024-05-04, 2025-04-26, 2026-01-10, 2026-08-22. The package only lists days off
    (it mentions the Saturday in the name of the swapped day, e.g. "Ngày nghỉ (thay cho ngày 26/04/2025)"), so
    without the override these Saturdays would be closed.
* **In the package but not a day off in the official schedule**
  - 2026-11-24 (Tue) "Ngày Văn hóa Việt Nam": the CSV marks it ``pending-legislation`` (needs an amendment
    of Bộ luật Lao động Điều 112, not in force), so the loader returns it as a WORKING_DAY override that
    cancels the package's holiday.
  - 2025-02-01 (Sat) "Mùng bốn Tết Nguyên Đán": not a row of the CSV (it falls inside the official break
    25/1–2/2/2025 on a Saturday); no effect with a Saturday–Sunday weekend.
* **Same date closed, different kind or name** (no effect on the count, only on ``day_kind_reason``)
  - 2024-02-13/14: package "Mùng bốn/năm Tết Nguyên Đán" (holidays), CSV compensatory days off "Nghỉ bù Tết".
  - 2025-01-27: package "29 Tết" (holiday), CSV day off "Nghỉ Tết Âm lịch (28 tháng Chạp)" (split unverified).
  - 2024-04-29, 2025-05-02, 2026-08-31: package "Ngày nghỉ (thay cho …)", CSV "Hoán đổi ngày làm việc".
  - Names in general: package "Tết Nguyên Đán", "Ngày Giỗ Tổ Hùng Vương"…, CSV "Tết Âm lịch (mùng 1)"…
* Every other closed day of 2024–2026 agrees. The 2026 swap 31/8 ↔ 22/8 is only as good as the package: the
  CSV took it from there (status ``unverified``).
"""

from __future__ import annotations

import io
import time as time_module
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taicho.core.workcal import (
    VN_TZ,
    CalendarError,
    DayKind,
    Season,
    Session,
    TimeLimit,
    TimeUnit,
    WorkingCalendar,
    load_official_schedule_csv,
)

H = timedelta(hours=1)
WINTER = Season((10, 15), (Session(time(7, 30), time(11, 30)), Session(time(13, 0), time(17, 0))))
SUMMER = Season((4, 15), (Session(time(7, 0), time(11, 0)), Session(time(13, 30), time(17, 30))))


def vn(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=VN_TZ)


def days(n: Decimal | int) -> TimeLimit:
    return TimeLimit(Decimal(n), TimeUnit.WORKING_DAYS)


# Fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schedule_path() -> Path:
    """The official schedule: ../shared/data beside the repository, else the copy the package ships."""
    root = Path(__file__).resolve().parents[2]
    for path in (
        root.parent / "shared" / "data" / "holidays" / "vn-public-servants-2024-2026.csv",
        root / "src" / "taicho" / "core" / "data" / "vn-public-servants-2024-2026.csv",
    ):
        if path.exists():
            return path
    pytest.fail("official holiday schedule not found (neither ../shared/data nor package data)")


@pytest.fixture(scope="module")
def official(schedule_path: Path) -> dict[date, tuple[str, str]]:
    return load_official_schedule_csv(schedule_path)


@pytest.fixture(scope="module")
def cal(official: dict[date, tuple[str, str]]) -> WorkingCalendar:
    """The standard center calendar with the official 2024–2026 schedule."""
    return WorkingCalendar.default(overrides=official)


@pytest.fixture(scope="module")
def cutoff_cal(official: dict[date, tuple[str, str]]) -> WorkingCalendar:
    return WorkingCalendar.default(overrides=official, cutoff=time(15, 0))


@pytest.fixture(scope="module")
def seasonal_cal(official: dict[date, tuple[str, str]]) -> WorkingCalendar:
    return WorkingCalendar(seasons=[WINTER, SUMMER], overrides=official)


@pytest.fixture(scope="module", params=["standard", "seasons+cutoff"])
def any_cal(request: pytest.FixtureRequest, official: dict[date, tuple[str, str]]) -> WorkingCalendar:
    """The calendars the properties are checked on."""
    if request.param == "standard":
        return WorkingCalendar.default(overrides=official)
    return WorkingCalendar(seasons=[SUMMER, WINTER], overrides=official, cutoff=time(15, 30))


# The official schedule --------------------------------------------------------------------------------------


def test_schedule_loads_every_row(official: dict[date, tuple[str, str]]) -> None:
    assert len(official) == 45  # every data row of the file, one per date
    assert official[date(2026, 2, 17)] == (DayKind.HOLIDAY, "Tết Âm lịch (mùng 1)")
    assert official[date(2025, 4, 26)][0] == DayKind.MAKEUP_WORKING_DAY
    assert official[date(2026, 1, 2)][0] == DayKind.DAY_OFF
    # Announced but not in force: kept as a working day so that it cancels the package's holiday.
    assert official[date(2026, 11, 24)] == (DayKind.WORKING_DAY, "Ngày Văn hóa Việt Nam")


def test_layered_calendar_matches_official_schedule_every_day(
    cal: WorkingCalendar, official: dict[date, tuple[str, str]]
) -> None:
    """Overrides over package over weekdays gives exactly the official schedule for 2024–2026."""
    day = date(2024, 1, 1)
    while day <= date(2026, 12, 31):
        if day in official:
            expected = official[day][0] in (DayKind.MAKEUP_WORKING_DAY, DayKind.WORKING_DAY)
        else:
            expected = day.weekday() < 5
        assert cal.is_working_day(day) is expected, (day, cal.day_kind_reason(day))
        day += timedelta(days=1)


def test_package_differences_from_official_schedule(official: dict[date, tuple[str, str]]) -> None:
    """The differences listed in the module docstring, for the package version they were checked with."""
    if holidays.__version__ != "0.109":
        pytest.skip(
            f"differences were checked with holidays 0.109, not {holidays.__version__}: re-check them"
        )
    package = set(holidays.country_holidays("VN", years=[2024, 2025, 2026]))
    closed = {d for d, (kind, _) in official.items() if kind in (DayKind.HOLIDAY, DayKind.DAY_OFF)}
    opened = {
        d for d, (kind, _) in official.items() if kind in (DayKind.MAKEUP_WORKING_DAY, DayKind.WORKING_DAY)
    }
    assert closed - package == {date(2026, 1, 2)}
    assert package - closed == {date(2025, 2, 1), date(2026, 11, 24)}
    assert opened == {
        date(2024, 5, 4),
        date(2025, 4, 26),
        date(2026, 1, 10),
        date(2026, 8, 22),
        date(2026, 11, 24),
    }
    assert not opened & (package - {date(2026, 11, 24)})


def test_schedule_csv_from_file_objects(schedule_path: Path) -> None:
    text = schedule_path.read_text(encoding="utf-8")
    expected = load_official_schedule_csv(str(schedule_path))
    assert load_official_schedule_csv(io.StringIO(text)) == expected
    binary = io.BytesIO(text.encode("utf-8-sig"))  # with a BOM, as spreadsheets export it
    assert load_official_schedule_csv(binary) == expected
    assert not binary.closed  # the caller's stream is left open


HEADER = "date,weekday,kind,name,detail,official_break_range,status,source\n"


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("2025-13-01,Mon,holiday,X,,,confirmed,", "dòng 3: ngày “2025-13-01” không hợp lệ"),
        ("1/5/2025,Thu,holiday,X,,,confirmed,", "dòng 3: ngày “1/5/2025” không hợp lệ"),
        (",Thu,holiday,X,,,confirmed,", "dòng 3: ngày “” không hợp lệ"),
        ("2025-05-01,Thu,vacation,X,,,confirmed,", "dòng 3: loại ngày “vacation” không hợp lệ"),
        ("2025-05-01,Fri,holiday,X,,,confirmed,", "dòng 3: thứ “Fri” không khớp"),
        ("2025-04-30,Wed,holiday,Lặp,,,confirmed,", "dòng 3: ngày 30/04/2025 xuất hiện hai lần"),
    ],
)
def test_schedule_csv_malformed_rows(row: str, fragment: str) -> None:
    good = "2025-04-30,Wed,holiday,Ngày Chiến thắng,,,confirmed,\n"
    with pytest.raises(CalendarError, match=fragment):
        load_official_schedule_csv(io.StringIO(HEADER + good + row + "\n"))


def test_schedule_csv_missing_column() -> None:
    with pytest.raises(CalendarError, match="thiếu cột: kind"):
        load_official_schedule_csv(io.StringIO("date,name\n2025-04-30,X\n"))


# Working days -----------------------------------------------------------------------------------------------


def test_swap_30_4_2025(cal: WorkingCalendar) -> None:
    assert cal.is_working_day(date(2025, 4, 26)) is True  # make-up Saturday
    assert cal.is_working_day(date(2025, 5, 2)) is False  # the Friday it was swapped with
    assert [cal.is_working_day(date(2025, 4, d)) for d in (28, 29, 30)] == [True, True, False]
    assert not any(cal.is_working_day(date(2025, 5, d)) for d in (1, 2, 3, 4))
    assert cal.is_working_day(date(2025, 5, 5)) is True


def test_swap_2_1_2026(cal: WorkingCalendar) -> None:
    assert cal.is_working_day(date(2026, 1, 2)) is False
    assert cal.is_working_day(date(2026, 1, 10)) is True
    assert cal.is_working_day(date(2026, 1, 1)) is False


def test_day_kind_reasons(cal: WorkingCalendar) -> None:
    assert cal.day_kind_reason(date(2026, 2, 17)) == "Nghỉ lễ: Tết Âm lịch (mùng 1)"
    assert cal.day_kind_reason(date(2025, 5, 2)) == "Ngày nghỉ: Hoán đổi ngày làm việc"
    assert cal.day_kind_reason(date(2025, 4, 26)) == "Làm bù cho thứ Sáu 2/5/2025"
    assert cal.day_kind_reason(date(2026, 11, 24)) == "Ngày làm việc (không nghỉ: Ngày Văn hóa Việt Nam)"
    assert cal.day_kind_reason(date(2025, 3, 8)) == "Thứ Bảy"
    assert cal.day_kind_reason(date(2025, 3, 9)) == "Chủ nhật"
    assert cal.day_kind_reason(date(2025, 3, 10)) == "Ngày làm việc"
    bare = WorkingCalendar.default(
        overrides={date(2025, 3, 10): DayKind.DAY_OFF, date(2025, 3, 8): "make-up-working-day"}
    )
    assert bare.day_kind_reason(date(2025, 3, 10)) == "Ngày nghỉ"
    assert bare.day_kind_reason(date(2025, 3, 8)) == "Làm bù"
    # Without overrides the package names the holiday.
    assert WorkingCalendar.default().day_kind_reason(date(2025, 9, 2)).startswith("Nghỉ lễ: ")


def test_working_day_override_cancels_package_holiday() -> None:
    assert WorkingCalendar.default().is_working_day(date(2025, 9, 2)) is False
    cancelled = WorkingCalendar.default(overrides={date(2025, 9, 2): DayKind.WORKING_DAY})
    assert cancelled.is_working_day(date(2025, 9, 2)) is True
    assert WorkingCalendar.default(statutory_holidays=False).is_working_day(date(2025, 9, 2)) is True


def test_next_working_day(cal: WorkingCalendar) -> None:
    assert cal.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert cal.next_working_day(date(2025, 4, 25)) == date(2025, 4, 26)
    assert cal.next_working_day(date(2025, 12, 31)) == date(2026, 1, 5)
    assert cal.next_working_day(date(2025, 3, 10)) == date(2025, 3, 11)  # strictly after


def test_sessions_on(cal: WorkingCalendar) -> None:
    assert cal.sessions_on(date(2025, 3, 10)) == [
        (vn(2025, 3, 10, 7, 30), vn(2025, 3, 10, 11, 30)),
        (vn(2025, 3, 10, 13), vn(2025, 3, 10, 17)),
    ]
    assert cal.sessions_on(date(2025, 3, 9)) == []
    assert cal.sessions_on(date(2026, 2, 18)) == []
    assert all(s.tzinfo is VN_TZ for pair in cal.sessions_on(date(2025, 4, 26)) for s in pair)


def test_weekend_is_configurable() -> None:
    six_day = WorkingCalendar.default(weekend=frozenset({6}), statutory_holidays=False)
    assert six_day.is_working_day(date(2025, 3, 8)) is True
    assert six_day.is_working_day(date(2025, 3, 9)) is False


# Due: the worked examples -----------------------------------------------------------------------------------


def test_due_across_tet_2026(cal: WorkingCalendar) -> None:
    # Fri 13/2: 10:00–11:30 + 13:00–17:00 = 5.5 h; break Sat 14/2–Sun 22/2; Mon 23/2 8 h (13.5 h);
    # Tue 24/2 8 h (21.5 h); Wed 25/2 07:30 + 2.5 h = 10:00 (24 h = 3 working days).
    start = vn(2026, 2, 13, 10)
    due = cal.due(start, TimeLimit.parse("3 ngày làm việc"))
    assert due == vn(2026, 2, 25, 10)
    assert due.tzinfo is VN_TZ
    assert cal.elapsed(start, due) == 24 * H


def test_due_accepts_utc_and_returns_local(cal: WorkingCalendar) -> None:
    due = cal.due(datetime(2026, 2, 13, 3, 0, tzinfo=UTC), days(3))
    assert due == vn(2026, 2, 25, 10)
    assert due.tzinfo is VN_TZ
    assert due.utcoffset() == timedelta(hours=7)


def test_due_crossing_make_up_saturday_26_4_2025(cal: WorkingCalendar) -> None:
    # Fri 25/4 15:00–17:00 = 2 h; Sat 26/4 is worked: 07:30–11:30 (6 h), 13:00 + 2 h = 15:00.
    assert cal.due(vn(2025, 4, 25, 15), days(1)) == vn(2025, 4, 26, 15)


def test_due_crossing_30_4_to_4_5_2025(cal: WorkingCalendar) -> None:
    # Tue 29/4 13:00–17:00 = 4 h; 30/4–4/5 closed; Mon 5/5 8 h (12 h); Tue 6/5 07:30 + 4 h = 11:30, the end of
    # the morning session (earliest instant), not 13:00.
    assert cal.due(vn(2025, 4, 29, 13), days(2)) == vn(2025, 5, 6, 11, 30)


def test_due_across_new_year_2026(cal: WorkingCalendar) -> None:
    # Wed 31/12/2025 15:00–17:00 = 2 h; 1/1 holiday, 2/1 swapped day off, 3–4/1 weekend; Mon 5/1 8 h (10 h);
    # Tue 6/1 07:30–11:30 (14 h), 13:00 + 2 h = 15:00.
    assert cal.due(vn(2025, 12, 31, 15), TimeLimit.parse("2 working days")) == vn(2026, 1, 6, 15)
    # Fri 9/1 13:00–17:00 = 4 h; the make-up Saturday 10/1 gives the other 4 h.
    assert cal.due(vn(2026, 1, 9, 13), days(1)) == vn(2026, 1, 10, 11, 30)


def test_whole_days_from_opening_end_at_closing(cal: WorkingCalendar) -> None:
    monday = vn(2025, 3, 10, 7, 30)
    assert cal.due(monday, days(1)) == vn(2025, 3, 10, 17)
    assert cal.due(monday, days(2)) == vn(2025, 3, 11, 17)
    assert cal.due(monday, TimeLimit.parse("0,5 ngày làm việc")) == vn(2025, 3, 10, 11, 30)
    assert cal.due(monday, TimeLimit.parse("0.5 working days")) == vn(2025, 3, 10, 11, 30)
    assert cal.due(monday, days(0)) == monday


def test_due_working_hours(cal: WorkingCalendar) -> None:
    # 10:00–11:30 = 1.5 h, 13:00 + 2.5 h = 15:30.
    assert cal.due(vn(2025, 3, 10, 10), TimeLimit.parse("4 giờ")) == vn(2025, 3, 10, 15, 30)
    assert cal.due(vn(2025, 3, 10, 16), TimeLimit.parse("4 working hours")) == vn(2025, 3, 11, 10, 30)


def test_due_received_on_holiday_counts_from_next_opening(cal: WorkingCalendar) -> None:
    assert cal.due(vn(2024, 1, 1, 9), days(1)) == vn(2024, 1, 2, 17)
    assert cal.due(vn(2026, 2, 18, 9), TimeLimit.parse("trong ngày")) == vn(2026, 2, 23, 17)


# Start of count, cut-off, lunch -----------------------------------------------------------------------------


def test_cutoff_within_day(cutoff_cal: WorkingCalendar) -> None:
    within = TimeLimit.parse("trong ngày")
    assert cutoff_cal.due(vn(2025, 3, 10, 15, 30), within) == vn(2025, 3, 11, 17)
    assert cutoff_cal.due(vn(2025, 3, 10, 10), within) == vn(2025, 3, 10, 17)
    assert cutoff_cal.due(vn(2025, 3, 10, 14, 59, 59, 999_999), within) == vn(2025, 3, 10, 17)
    assert cutoff_cal.due(vn(2025, 3, 10, 15), within) == vn(2025, 3, 11, 17)  # at the cut-off: next day


def test_cutoff_on_friday_counts_from_next_working_day(cutoff_cal: WorkingCalendar) -> None:
    assert cutoff_cal.start_of_count(vn(2025, 3, 14, 16)) == vn(2025, 3, 17, 7, 30)
    assert cutoff_cal.start_of_count(vn(2025, 3, 14, 15, 10)) == vn(2025, 3, 17, 7, 30)
    # Before a make-up Saturday the next working day is that Saturday.
    assert cutoff_cal.start_of_count(vn(2025, 4, 25, 16)) == vn(2025, 4, 26, 7, 30)
    # Before a long break: the first day after it.
    assert cutoff_cal.start_of_count(vn(2026, 2, 13, 15, 30)) == vn(2026, 2, 23, 7, 30)


def test_start_of_count_without_cutoff(cal: WorkingCalendar) -> None:
    assert cal.start_of_count(vn(2025, 3, 10, 9, 15, 1, 7)) == vn(2025, 3, 10, 9, 15, 1, 7)
    assert cal.start_of_count(vn(2025, 3, 10, 12)) == vn(2025, 3, 10, 13)  # lunch
    assert cal.start_of_count(vn(2025, 3, 10, 11, 30)) == vn(2025, 3, 10, 13)  # end of the morning session
    assert cal.start_of_count(vn(2025, 3, 10, 6)) == vn(2025, 3, 10, 7, 30)  # before opening: same day
    assert cal.start_of_count(vn(2025, 3, 10, 17)) == vn(2025, 3, 11, 7, 30)  # at closing: next day
    assert cal.start_of_count(vn(2025, 3, 10, 23, 59)) == vn(2025, 3, 11, 7, 30)
    assert cal.start_of_count(vn(2025, 3, 8, 10)) == vn(2025, 3, 10, 7, 30)  # Saturday


def test_lunch_is_not_counted(cal: WorkingCalendar) -> None:
    assert cal.due(vn(2025, 3, 10, 12), TimeLimit.parse("1 giờ")) == vn(2025, 3, 10, 14)
    assert cal.elapsed(vn(2025, 3, 10, 11), vn(2025, 3, 10, 14)) == 1.5 * H
    assert cal.elapsed(vn(2025, 3, 10, 11, 45), vn(2025, 3, 10, 12, 45)) == timedelta(0)
    assert cal.elapsed(vn(2025, 3, 10, 7, 30), vn(2025, 3, 10, 17)) == 8 * H
    assert cal.elapsed(vn(2025, 3, 10), vn(2025, 3, 17)) == 40 * H  # a week, nights and weekend excluded


# Calendar days ----------------------------------------------------------------------------------------------


def test_calendar_days(cal: WorkingCalendar) -> None:
    assert cal.due(vn(2025, 3, 10, 10), TimeLimit.parse("1 ngày")) == vn(2025, 3, 11, 17)
    # Wed 5/3 + 4 = Sun 9/3 → Monday 10/3 (Bộ luật Dân sự 2015 Điều 148 khoản 5).
    assert cal.due(vn(2025, 3, 5, 10), TimeLimit.parse("4 ngày")) == vn(2025, 3, 10, 17)
    # Tue 10/2/2026 + 7 = Tue 17/2, inside Tết → Mon 23/2.
    assert cal.due(vn(2026, 2, 10, 9), TimeLimit.parse("7 calendar days")) == vn(2026, 2, 23, 17)
    # Received on Saturday: counted from Monday 10/3.
    assert cal.due(vn(2025, 3, 8, 9), TimeLimit.parse("2 ngày")) == vn(2025, 3, 12, 17)
    # Landing on the make-up Saturday 26/4/2025: it is a working day.
    assert cal.due(vn(2025, 4, 21, 9), TimeLimit.parse("5 ngày")) == vn(2025, 4, 26, 17)


def test_fractional_calendar_days_rejected(cal: WorkingCalendar) -> None:
    with pytest.raises(CalendarError, match="số nguyên"):
        cal.due(vn(2025, 3, 10, 10), TimeLimit(Decimal("1.5"), TimeUnit.CALENDAR_DAYS))
    with pytest.raises(CalendarError, match="Đơn vị thời gian không hợp lệ"):
        TimeLimit.parse("1,5 ngày")


# Elapsed with pauses ---------------------------------------------------------------------------------------


def test_elapsed_with_pauses(cal: WorkingCalendar) -> None:
    start, end = vn(2025, 3, 10, 7, 30), vn(2025, 3, 10, 17)
    # Overlapping pauses 08:00–09:00 and 08:30–10:00 are one pause 08:00–10:00.
    pauses = [(vn(2025, 3, 10, 8), vn(2025, 3, 10, 9)), (vn(2025, 3, 10, 8, 30), vn(2025, 3, 10, 10))]
    assert cal.elapsed(start, end, pauses) == 6 * H
    # The same pause twice is subtracted once.
    assert cal.elapsed(start, end, pauses[:1] * 2) == 7 * H
    # Sticking out before the start: only 07:30–08:30 counts.
    assert cal.elapsed(start, end, [(vn(2025, 3, 9, 12), vn(2025, 3, 10, 8, 30))]) == 7 * H
    # Sticking out after the end, and over lunch: 11:00–11:30 and 13:00–17:00.
    assert cal.elapsed(start, end, [(vn(2025, 3, 10, 11), vn(2025, 3, 12))]) == 3.5 * H
    # Entirely outside: no change. Covering everything: nothing left.
    assert cal.elapsed(start, end, [(vn(2025, 3, 11, 8), vn(2025, 3, 11, 9))]) == 8 * H
    assert cal.elapsed(start, end, [(vn(2025, 3, 1), vn(2025, 4, 1))]) == timedelta(0)
    # Empty pause: nothing.
    assert cal.elapsed(start, end, [(vn(2025, 3, 10, 9), vn(2025, 3, 10, 9))]) == 8 * H
    # Over several days: Mon 13:00 → Wed 11:30 paused Tue all day (8 h) → 4 + 4 = 8 h.
    assert (
        cal.elapsed(vn(2025, 3, 10, 13), vn(2025, 3, 12, 11, 30), [(vn(2025, 3, 11, 6), vn(2025, 3, 11, 18))])
        == 8 * H
    )


def test_elapsed_edge_cases(cal: WorkingCalendar) -> None:
    assert cal.elapsed(vn(2025, 3, 10, 17), vn(2025, 3, 10, 9)) == timedelta(0)
    assert cal.elapsed(vn(2025, 3, 10, 9), vn(2025, 3, 10, 9)) == timedelta(0)
    with pytest.raises(CalendarError, match="trước khi bắt đầu"):
        cal.elapsed(vn(2025, 3, 10, 8), vn(2025, 3, 10, 17), [(vn(2025, 3, 10, 10), vn(2025, 3, 10, 9))])
    # Different zones of the same instants do not matter.
    assert cal.elapsed(datetime(2025, 3, 10, 0, 30, tzinfo=UTC), vn(2025, 3, 10, 17)) == 8 * H


def test_elapsed_over_tet_2026(cal: WorkingCalendar) -> None:
    # Fri 13/2 whole day 8 h, break, Mon 23/2 whole day 8 h.
    assert cal.elapsed(vn(2026, 2, 13), vn(2026, 2, 24)) == 16 * H


# Seasons ---------------------------------------------------------------------------------------------------


def test_season_in_force(seasonal_cal: WorkingCalendar) -> None:
    assert seasonal_cal.season_on(date(2025, 1, 10)) == WINTER  # before the first start: wraps
    assert seasonal_cal.season_on(date(2025, 4, 14)) == WINTER
    assert seasonal_cal.season_on(date(2025, 4, 15)) == SUMMER
    assert seasonal_cal.season_on(date(2025, 10, 14)) == SUMMER
    assert seasonal_cal.season_on(date(2025, 10, 15)) == WINTER
    assert seasonal_cal.season_on(date(2025, 12, 31)) == WINTER
    assert seasonal_cal.sessions_on(date(2025, 4, 14))[0][0] == vn(2025, 4, 14, 7, 30)
    assert seasonal_cal.sessions_on(date(2025, 4, 15))[0][0] == vn(2025, 4, 15, 7)
    assert seasonal_cal.sessions_on(date(2025, 4, 15))[1] == (
        vn(2025, 4, 15, 13, 30),
        vn(2025, 4, 15, 17, 30),
    )


def test_due_across_season_switch(seasonal_cal: WorkingCalendar) -> None:
    # Mon 14/4/2025 (winter) 15:00–17:00 = 2 h; Tue 15/4 (summer) 07:00–11:00 (6 h), 13:30 + 2 h = 15:30.
    assert seasonal_cal.due(vn(2025, 4, 14, 15), days(1)) == vn(2025, 4, 15, 15, 30)
    # Tue 14/10 (summer) 16:30–17:30 = 1 h; Wed 15/10 (winter) 07:30 + 3 h = 10:30.
    assert seasonal_cal.due(vn(2025, 10, 14, 16, 30), TimeLimit.parse("4 giờ")) == vn(2025, 10, 15, 10, 30)
    # Summer lunch is 11:00–13:30.
    assert seasonal_cal.start_of_count(vn(2025, 6, 2, 13)) == vn(2025, 6, 2, 13, 30)
    assert seasonal_cal.due(vn(2025, 6, 2, 12), TimeLimit.parse("trong ngày")) == vn(2025, 6, 2, 17, 30)


# add_working_time -------------------------------------------------------------------------------------------


def test_add_working_time_earliest_instant(cal: WorkingCalendar) -> None:
    monday = vn(2025, 3, 10, 7, 30)
    assert cal.add_working_time(monday, 4 * H) == vn(2025, 3, 10, 11, 30)
    assert cal.add_working_time(monday, 8 * H) == vn(2025, 3, 10, 17)
    assert cal.add_working_time(monday, 8 * H + timedelta(microseconds=1)) == vn(2025, 3, 11, 7, 30, 0, 1)
    assert cal.add_working_time(monday, timedelta(microseconds=1)) == vn(2025, 3, 10, 7, 30, 0, 1)
    # Starting outside working time: counting begins at the next session.
    assert cal.add_working_time(vn(2025, 3, 8, 20), H) == vn(2025, 3, 10, 8, 30)


def test_add_working_time_zero_and_negative(cal: WorkingCalendar) -> None:
    saturday_night = datetime(2025, 3, 8, 13, 0, tzinfo=UTC)
    assert cal.add_working_time(saturday_night, timedelta(0)) == saturday_night
    assert cal.add_working_time(saturday_night, timedelta(0)).tzinfo is VN_TZ
    with pytest.raises(CalendarError, match="không được âm"):
        cal.add_working_time(saturday_night, -H)


def test_microsecond_precision(cal: WorkingCalendar) -> None:
    # 0.0000001 h = 360 µs exactly; nothing is rounded to minutes.
    start = vn(2025, 3, 10, 9)
    assert cal.due(start, TimeLimit(Decimal("0.0000001"), TimeUnit.WORKING_HOURS)) == start + timedelta(
        microseconds=360
    )
    # Below a microsecond timedelta cannot go: rounded up, never early.
    assert cal.due(start, TimeLimit(Decimal("1e-12"), TimeUnit.WORKING_HOURS)) == start + timedelta(
        microseconds=1
    )


def test_long_span_is_fast(cal: WorkingCalendar) -> None:
    # 250 working days ≈ one year: must not loop minute by minute.
    start = vn(2024, 1, 2, 7, 30)
    began = time_module.perf_counter()
    due = cal.due(start, days(250))
    spent = cal.elapsed(start, due)
    took = time_module.perf_counter() - began
    assert spent == 2000 * H
    assert due.time() == time(17) and cal.is_working_day(due.date())
    assert took < 0.25, f"one year of working time took {took * 1000:.1f} ms"


# Validation -------------------------------------------------------------------------------------------------


def test_naive_datetimes_rejected(cal: WorkingCalendar) -> None:
    naive = datetime(2025, 3, 10, 9)
    with pytest.raises(CalendarError, match="không có múi giờ"):
        cal.due(naive, days(1))
    with pytest.raises(CalendarError, match="không có múi giờ"):
        cal.start_of_count(naive)
    with pytest.raises(CalendarError, match="không có múi giờ"):
        cal.add_working_time(naive, H)
    with pytest.raises(CalendarError, match="không có múi giờ"):
        cal.elapsed(vn(2025, 3, 10, 8), naive)
    with pytest.raises(CalendarError, match="không có múi giờ"):
        cal.elapsed(vn(2025, 3, 10, 8), vn(2025, 3, 10, 9), [(naive, vn(2025, 3, 10, 10))])


def test_configuration_errors() -> None:
    with pytest.raises(CalendarError, match="phải trước giờ kết thúc"):
        Session(time(13), time(11, 30))
    with pytest.raises(CalendarError, match="không chồng lên nhau"):
        Season((1, 1), (Session(time(7), time(12)), Session(time(11), time(17))))
    with pytest.raises(CalendarError, match="ít nhất một phiên"):
        Season((1, 1), ())
    with pytest.raises(CalendarError, match="Ngày bắt đầu mùa không hợp lệ"):
        Season((2, 30), (Session(time(7), time(11)),))
    with pytest.raises(CalendarError, match="ít nhất một mùa"):
        WorkingCalendar(seasons=[])
    with pytest.raises(CalendarError, match="cùng một ngày"):
        WorkingCalendar(seasons=[WINTER, WINTER])
    with pytest.raises(CalendarError, match="bảy ngày"):
        WorkingCalendar.default(weekend=frozenset(range(7)))
    with pytest.raises(CalendarError, match="Loại ngày “closed”"):
        WorkingCalendar.default(overrides={date(2025, 1, 1): "closed"})
    with pytest.raises(CalendarError, match="TimeLimit"):
        WorkingCalendar.default().due(vn(2025, 3, 10, 9), "3 ngày")  # type: ignore[arg-type]


def test_default_calendar() -> None:
    default = WorkingCalendar.default()
    assert default.seasons == (
        Season((1, 1), (Session(time(7, 30), time(11, 30)), Session(time(13), time(17)))),
    )
    assert default.cutoff is None
    assert default.statutory_holidays is True
    assert default.tz is VN_TZ
    assert not default.overrides
    assert default.is_working_day(date(2025, 4, 30)) is False  # from the package


# TimeLimit.parse --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("3 working days", "3", TimeUnit.WORKING_DAYS),
        ("1 working day", "1", TimeUnit.WORKING_DAYS),
        ("3 ngày làm việc", "3", TimeUnit.WORKING_DAYS),
        ("  3   Ngày Làm Việc ", "3", TimeUnit.WORKING_DAYS),
        ("3 nga\u0300y la\u0300m vie\u0323\u0302c", "3", TimeUnit.WORKING_DAYS),  # decomposed (NFD) input
        ("0.5 working days", "0.5", TimeUnit.WORKING_DAYS),
        ("0,5 ngày làm việc", "0.5", TimeUnit.WORKING_DAYS),
        ("3 working_days", "3", TimeUnit.WORKING_DAYS),
        ("10 calendar days", "10", TimeUnit.CALENDAR_DAYS),
        ("10 ngày", "10", TimeUnit.CALENDAR_DAYS),
        ("4 working hours", "4", TimeUnit.WORKING_HOURS),
        ("4 giờ", "4", TimeUnit.WORKING_HOURS),
        ("1,5 giờ", "1.5", TimeUnit.WORKING_HOURS),
        ("within the day", "0", TimeUnit.WITHIN_DAY),
        ("Trong ngày", "0", TimeUnit.WITHIN_DAY),
        ("0 ngày làm việc", "0", TimeUnit.WORKING_DAYS),
    ],
)
def test_time_limit_parse(text: str, value: str, unit: str) -> None:
    assert TimeLimit.parse(text) == TimeLimit(Decimal(value), unit)


@pytest.mark.parametrize(
    "text",
    ["3 tháng", "abc", "-1 ngày", "", "ngày làm việc", "3", "3.5.1 ngày", "1e3 ngày", "3 days", "trong tuần"],
)
def test_time_limit_parse_errors(text: str) -> None:
    with pytest.raises(CalendarError, match=r"^Đơn vị thời gian không hợp lệ: "):
        TimeLimit.parse(text)


def test_time_limit_validation_and_str() -> None:
    assert TimeLimit(3, TimeUnit.WORKING_DAYS).value == Decimal(3)
    assert str(TimeLimit.parse("0,5 ngày làm việc")) == "0,5 ngày làm việc"
    assert str(TimeLimit.parse("10 calendar days")) == "10 ngày"
    assert str(TimeLimit.parse("within the day")) == "trong ngày"
    with pytest.raises(CalendarError):
        TimeLimit(Decimal(-1), TimeUnit.WORKING_DAYS)
    with pytest.raises(CalendarError):
        TimeLimit(Decimal("NaN"), TimeUnit.WORKING_DAYS)
    with pytest.raises(CalendarError, match="Đơn vị thời gian không hợp lệ"):
        TimeLimit(Decimal(1), "months")


# Properties -------------------------------------------------------------------------------------------------

PROPERTY = settings(max_examples=200, deadline=None)
starts = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2026, 12, 31, 23, 59, 59),
    timezones=st.sampled_from([VN_TZ, UTC]),
)
MAX_AMOUNT_US = 30 * 8 * 3600 * 10**6
amounts = st.integers(min_value=0, max_value=MAX_AMOUNT_US).map(lambda us: timedelta(microseconds=us))
offsets = st.integers(min_value=0, max_value=60 * 86400 * 10**6).map(lambda us: timedelta(microseconds=us))


def _in_or_at_end_of_session(calendar: WorkingCalendar, instant: datetime) -> bool:
    return any(s <= instant <= e for s, e in calendar.sessions_on(instant.astimezone(calendar.tz).date()))


@PROPERTY
@given(start=starts, amount=amounts)
def test_prop_elapsed_inverts_add(any_cal: WorkingCalendar, start: datetime, amount: timedelta) -> None:
    end = any_cal.add_working_time(start, amount)
    assert end >= start
    assert end.tzinfo is any_cal.tz
    assert any_cal.elapsed(start, end) == amount
    if amount:
        # Earliest instant: strictly inside a session or at its end, never at the start of one.
        local_day = end.astimezone(any_cal.tz).date()
        assert any(s < end <= e for s, e in any_cal.sessions_on(local_day))


@PROPERTY
@given(start=starts, a=amounts, b=amounts)
def test_prop_add_is_monotone(any_cal: WorkingCalendar, start: datetime, a: timedelta, b: timedelta) -> None:
    low, high = sorted((a, b))
    assert any_cal.add_working_time(start, low) <= any_cal.add_working_time(start, high)
    if low < high:
        assert any_cal.add_working_time(start, low) < any_cal.add_working_time(start, high)


@PROPERTY
@given(start=starts, n=st.integers(min_value=0, max_value=30))
def test_prop_more_days_is_later(any_cal: WorkingCalendar, start: datetime, n: int) -> None:
    assert any_cal.due(start, days(n + 1)) > any_cal.due(start, days(n))


@PROPERTY
@given(a=starts, x=offsets, y=offsets)
def test_prop_elapsed_is_additive(any_cal: WorkingCalendar, a: datetime, x: timedelta, y: timedelta) -> None:
    b = a + x
    c = b + y
    assert any_cal.elapsed(a, c) == any_cal.elapsed(a, b) + any_cal.elapsed(b, c)


@PROPERTY
@given(
    start=starts,
    value=st.one_of(
        st.integers(min_value=0, max_value=30).map(lambda n: TimeLimit(Decimal(n), TimeUnit.CALENDAR_DAYS)),
        st.integers(min_value=0, max_value=60).map(
            lambda n: TimeLimit(Decimal(n) / 2, TimeUnit.WORKING_DAYS)
        ),
        st.just(TimeLimit(Decimal(0), TimeUnit.WITHIN_DAY)),
        st.integers(min_value=0, max_value=240).map(lambda n: TimeLimit(Decimal(n), TimeUnit.WORKING_HOURS)),
    ),
)
def test_prop_due_is_a_working_instant(any_cal: WorkingCalendar, start: datetime, value: TimeLimit) -> None:
    due = any_cal.due(start, value)
    assert due.tzinfo is any_cal.tz
    assert any_cal.is_working_day(due.date())
    assert _in_or_at_end_of_session(any_cal, due)
    assert due >= any_cal.start_of_count(start) >= start


@PROPERTY
@given(received=starts)
def test_prop_start_of_count_is_a_working_instant(any_cal: WorkingCalendar, received: datetime) -> None:
    origin = any_cal.start_of_count(received)
    assert origin >= received
    assert any_cal.is_working_day(origin.date())
    assert any(s <= origin < e for s, e in any_cal.sessions_on(origin.date()))
    if any_cal.cutoff is not None:
        assert origin.time() < any_cal.cutoff or origin.date() > received.astimezone(any_cal.tz).date()
    # Nothing of working time is skipped when there is no cut-off.
    if any_cal.cutoff is None:
        assert any_cal.elapsed(received, origin) == timedelta(0)


@PROPERTY
@given(
    start=starts,
    length=offsets,
    pauses=st.lists(st.tuples(starts, offsets), max_size=4),
)
def test_prop_pauses_never_add_time(
    any_cal: WorkingCalendar, start: datetime, length: timedelta, pauses: list[tuple[datetime, timedelta]]
) -> None:
    end = start + length
    intervals = [(p, p + d) for p, d in pauses]
    with_pauses = any_cal.elapsed(start, end, intervals)
    assert timedelta(0) <= with_pauses <= any_cal.elapsed(start, end)
    if len(intervals) == 1:
        (p0, p1) = intervals[0]
        low, high = max(p0, start), min(p1, end)
        paused = any_cal.elapsed(low, high) if high > low else timedelta(0)
        assert with_pauses == any_cal.elapsed(start, end) - paused


@PROPERTY
@given(start=starts, length=offsets, gaps=st.lists(st.tuples(offsets, offsets), max_size=3))
def test_prop_pauses_outside_change_nothing(
    any_cal: WorkingCalendar, start: datetime, length: timedelta, gaps: list[tuple[timedelta, timedelta]]
) -> None:
    end = start + length
    outside = []
    for gap, size in gaps:
        outside.append((start - gap - size, start - gap))  # ends at or before start
        outside.append((end + gap, end + gap + size))  # starts at or after end
    assert any_cal.elapsed(start, end, outside) == any_cal.elapsed(start, end)
