"""Working-time calendar engine: when a dossier is due and how much working time a step used.

Pure Python (stdlib + the ``holidays`` package), no Django imports, so it can be used by models, services,
commands and benchmarks alike.

Rules (domain.md §3 and §8):

* A **working day** is decided in three layers, the first that has an opinion wins:

  1. ``overrides`` — the official schedule announced by the government and whatever an administrator
     adds (``DayKind.HOLIDAY`` / ``DayKind.DAY_OFF``: closed; ``DayKind.MAKEUP_WORKING_DAY`` /
     ``DayKind.WORKING_DAY``: open, e.g. a make-up Saturday, or a date that cancels a holiday the package
     adds);
  2. the ``holidays`` package for country ``VN`` (statutory holidays; when ``statutory_holidays`` is on);
  3. the weekday: open unless it is in ``weekend`` (Saturday and Sunday by default).

* **Working time** is the time inside the sessions (e.g. 07:30–11:30 and 13:00–17:00) of working days; lunch
  breaks and nights are not counted. Sessions are set per season (month/day of the year it starts).
* All public methods take **timezone-aware** datetimes (naive ones raise :class:`CalendarError`) and return
  aware datetimes in the calendar's ``tz``. Callers store UTC; sessions are local wall-clock times. Internally
  instants are kept in UTC so that durations are real elapsed time and ``elapsed`` / ``add_working_time`` are
  exact inverses of each other, to the microsecond (nothing is rounded).

Every error is a :class:`CalendarError` (a ``ValueError``) with a Vietnamese message.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from functools import lru_cache
from itertools import pairwise
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "VN_TZ",
    "CalendarError",
    "DayKind",
    "Season",
    "Session",
    "TimeLimit",
    "TimeUnit",
    "WorkingCalendar",
    "load_official_schedule_csv",
]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
_MICROSECONDS_PER_HOUR = Decimal(3_600_000_000)
# A calendar without a single working day for this long is misconfigured; searching further would only hang.
_MAX_IDLE_DAYS = 3660


class CalendarError(ValueError):
    """Invalid calendar configuration, input or time limit. The message is Vietnamese, for end users."""


class DayKind:
    """Kinds of days in the official schedule (the ``kind`` column of the CSV) and in ``overrides``."""

    HOLIDAY = "holiday"
    DAY_OFF = "day-off"
    MAKEUP_WORKING_DAY = "make-up-working-day"
    WORKING_DAY = "working-day"

    ALL = frozenset({HOLIDAY, DAY_OFF, MAKEUP_WORKING_DAY, WORKING_DAY})
    WORKING = frozenset({MAKEUP_WORKING_DAY, WORKING_DAY})


class TimeUnit:
    """Units of a time limit; the values are the ones the catalog stores."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    WORKING_HOURS = "working_hours"
    WITHIN_DAY = "within_day"

    ALL = frozenset({WORKING_DAYS, CALENDAR_DAYS, WORKING_HOURS, WITHIN_DAY})


# Accepted spellings of the units, after NFC + casefold + whitespace collapsing. "ngày" alone means calendar
# days and "giờ" working hours, as in the procedure catalog (domain.md §3).
_UNIT_WORDS: dict[str, str] = {
    "working days": TimeUnit.WORKING_DAYS,
    "working day": TimeUnit.WORKING_DAYS,
    "ngày làm việc": TimeUnit.WORKING_DAYS,
    TimeUnit.WORKING_DAYS: TimeUnit.WORKING_DAYS,
    "calendar days": TimeUnit.CALENDAR_DAYS,
    "calendar day": TimeUnit.CALENDAR_DAYS,
    "ngày": TimeUnit.CALENDAR_DAYS,
    TimeUnit.CALENDAR_DAYS: TimeUnit.CALENDAR_DAYS,
    "working hours": TimeUnit.WORKING_HOURS,
    "working hour": TimeUnit.WORKING_HOURS,
    "giờ": TimeUnit.WORKING_HOURS,
    "giờ làm việc": TimeUnit.WORKING_HOURS,
    TimeUnit.WORKING_HOURS: TimeUnit.WORKING_HOURS,
}
_WITHIN_DAY_WORDS = frozenset({"within the day", "within a day", "trong ngày", TimeUnit.WITHIN_DAY})
_LIMIT_RE = re.compile(r"(?P<number>[+-]?\d+(?:[.,]\d+)?)\s*(?P<unit>\S.*)")
_UNIT_LABELS_VI = {
    TimeUnit.WORKING_DAYS: "ngày làm việc",
    TimeUnit.CALENDAR_DAYS: "ngày",
    TimeUnit.WORKING_HOURS: "giờ",
}


def _normalize_text(text: str) -> str:
    folded = unicodedata.normalize("NFC", text).casefold()
    return " ".join(unicodedata.normalize("NFC", folded).split())


@dataclass(frozen=True)
class TimeLimit:
    """A time limit of a procedure or a step: ``value`` in ``unit`` (a :class:`TimeUnit` value).

    ``value`` is a non-negative ``Decimal`` and may be fractional (``Decimal("0.5")`` working days = 4 working
    hours with an 8-hour day); ints are accepted and converted. Calendar days must be whole (checked by
    :meth:`parse` and :meth:`WorkingCalendar.due`). For ``WITHIN_DAY`` the value is ignored; :meth:`parse`
    stores 0.
    """

    value: Decimal
    unit: str

    def __post_init__(self) -> None:
        value: Any = self.value
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
            object.__setattr__(self, "value", value)
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            raise CalendarError(f"Giá trị thời hạn không hợp lệ: “{self.value}” (cần một số không âm).")
        if self.unit not in TimeUnit.ALL:
            raise CalendarError(f"Đơn vị thời gian không hợp lệ: “{self.unit}”.")

    @classmethod
    def parse(cls, text: str) -> TimeLimit:
        """Read a limit as written in the catalog, in Vietnamese or English.

        Accepted: ``"3 ngày làm việc"`` / ``"3 working days"``, ``"10 ngày"`` / ``"10 calendar days"``,
        ``"4 giờ"`` / ``"4 working hours"``, ``"trong ngày"`` / ``"within the day"``, the catalog unit codes
        (``"3 working_days"``), and decimal values with a point or a comma (``"0,5 ngày làm việc"``).
        Case, Unicode composition and extra spaces do not matter. Anything else — an unknown unit, a negative
        or unreadable value, fractional calendar days — raises :class:`CalendarError`.
        """
        if not isinstance(text, str):
            raise CalendarError(f"Đơn vị thời gian không hợp lệ: “{text}”.")
        normalized = _normalize_text(text)
        if normalized in _WITHIN_DAY_WORDS:
            return cls(Decimal(0), TimeUnit.WITHIN_DAY)
        match = _LIMIT_RE.fullmatch(normalized)
        unit = _UNIT_WORDS.get(match["unit"]) if match else None
        if match is None or unit is None:
            raise CalendarError(f"Đơn vị thời gian không hợp lệ: “{text.strip()}”.")
        try:
            value = Decimal(match["number"].replace(",", "."))
        except InvalidOperation as exc:  # pragma: no cover - the regex only lets valid numbers through
            raise CalendarError(f"Đơn vị thời gian không hợp lệ: “{text.strip()}”.") from exc
        if value < 0:
            raise CalendarError(f"Đơn vị thời gian không hợp lệ: “{text.strip()}” (giá trị âm).")
        if unit == TimeUnit.CALENDAR_DAYS and value != value.to_integral_value():
            raise CalendarError(
                f"Đơn vị thời gian không hợp lệ: “{text.strip()}” (số ngày theo lịch phải là số nguyên)."
            )
        return cls(value, unit)

    def __str__(self) -> str:
        """Vietnamese rendering, e.g. ``3 ngày làm việc``, ``0,5 ngày làm việc``, ``trong ngày``."""
        if self.unit == TimeUnit.WITHIN_DAY:
            return "trong ngày"
        number = format(self.value.normalize(), "f").replace(".", ",")
        return f"{number} {_UNIT_LABELS_VI[self.unit]}"


@dataclass(frozen=True)
class Session:
    """One working session of a day, in local wall-clock time (no tzinfo); ``start < end``."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if not isinstance(self.start, time) or not isinstance(self.end, time):
            raise CalendarError("Phiên làm việc phải có giờ bắt đầu và giờ kết thúc.")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise CalendarError("Giờ của phiên làm việc là giờ địa phương, không kèm múi giờ.")
        if self.start >= self.end:
            raise CalendarError(
                f"Phiên làm việc không hợp lệ: giờ bắt đầu {self.start:%H:%M} phải trước giờ kết thúc "
                f"{self.end:%H:%M}."
            )

    @property
    def duration(self) -> timedelta:
        """Wall-clock length of the session."""
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)


@dataclass(frozen=True)
class Season:
    """Working hours in force from ``starts`` = (month, day), inclusive, until the next season starts.

    Seasons wrap over the new year: before the first season's start date, the last season of the year applies.
    ``sessions`` are sorted and do not overlap (touching is allowed); a season has at least one session.
    """

    starts: tuple[int, int]
    sessions: tuple[Session, ...]

    def __post_init__(self) -> None:
        starts = tuple(self.starts)
        try:
            month, day = starts
            date(2000, month, day)  # a leap year, so that (2, 29) is a valid start
        except (TypeError, ValueError) as exc:
            raise CalendarError(f"Ngày bắt đầu mùa không hợp lệ: {self.starts} (cần (tháng, ngày)).") from exc
        object.__setattr__(self, "starts", (month, day))
        sessions = tuple(self.sessions)
        object.__setattr__(self, "sessions", sessions)
        if not sessions:
            raise CalendarError(f"Mùa bắt đầu {day}/{month} phải có ít nhất một phiên làm việc.")
        if not all(isinstance(s, Session) for s in sessions):
            raise CalendarError("Các phiên làm việc của một mùa phải là Session.")
        for before, after in pairwise(sessions):
            if after.start < before.end:
                raise CalendarError(
                    f"Các phiên làm việc của mùa bắt đầu {day}/{month} phải theo thứ tự và không chồng lên "
                    f"nhau ({before.start:%H:%M}–{before.end:%H:%M} và "
                    f"{after.start:%H:%M}–{after.end:%H:%M})."
                )


DEFAULT_SEASONS: tuple[Season, ...] = (
    Season((1, 1), (Session(time(7, 30), time(11, 30)), Session(time(13, 0), time(17, 0)))),
)

_WEEKDAY_NAMES_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
_EMPTY_OVERRIDES: Mapping[date, Any] = MappingProxyType({})


@lru_cache(maxsize=128)
def _statutory_holidays(year: int) -> Mapping[date, str]:
    """Holidays the ``holidays`` package lists for Vietnam in ``year`` (Vietnamese names), cached per year.

    The neighbouring years are generated too and filtered, so that a day the package derives from a holiday of
    another year (an observed day crossing the new year) is not missed.
    """
    generated = holidays.country_holidays("VN", years=(year - 1, year, year + 1), language="vi")
    return MappingProxyType({d: name for d, name in generated.items() if d.year == year})


def _aware(value: Any, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise CalendarError(f"{what} phải là một thời điểm (datetime), không phải “{value!r}”.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(
            f"{what} “{value.isoformat()}” không có múi giờ; cần datetime có múi giờ (aware)."
        )
    return value


class WorkingCalendar:
    """The working calendar of a center: working days, working hours and time-limit arithmetic.

    ``seasons``: working hours per season (at least one). ``overrides``: date → ``DayKind`` value, or
    date → ``(kind, name)`` as returned by :func:`load_official_schedule_csv` (the name is used in
    :meth:`day_kind_reason`). ``weekend``: weekday numbers (Monday = 0) that are closed.
    ``statutory_holidays``: consult the ``holidays`` package. ``cutoff``: local time after which a reception
    counts from the next working day. ``hours_per_day``: working hours in a working day when converting
    working days to hours.

    Instances are immutable after construction; per-day session bounds are cached.
    """

    def __init__(
        self,
        *,
        seasons: Sequence[Season],
        overrides: Mapping[date, str | tuple[str, str]] = _EMPTY_OVERRIDES,
        weekend: frozenset[int] = frozenset({5, 6}),
        statutory_holidays: bool = True,
        cutoff: time | None = None,
        tz: ZoneInfo = VN_TZ,
        hours_per_day: Decimal = Decimal(8),
    ) -> None:
        seasons = tuple(seasons)
        if not seasons:
            raise CalendarError("Lịch làm việc phải có ít nhất một mùa (giờ làm việc).")
        if not all(isinstance(s, Season) for s in seasons):
            raise CalendarError("Các mùa của lịch làm việc phải là Season.")
        seasons = tuple(sorted(seasons, key=lambda s: s.starts))
        starts = [s.starts for s in seasons]
        if len(set(starts)) != len(starts):
            raise CalendarError("Hai mùa của lịch làm việc không được bắt đầu cùng một ngày.")

        normalized: dict[date, tuple[str, str]] = {}
        for day, entry in overrides.items():
            if isinstance(day, datetime) or not isinstance(day, date):
                raise CalendarError(f"Ngày điều chỉnh “{day!r}” phải là một ngày (date).")
            try:
                kind, name = (entry, "") if isinstance(entry, str) else tuple(entry)
            except (TypeError, ValueError) as exc:
                raise CalendarError(
                    f"Điều chỉnh của ngày {day:%d/%m/%Y} phải là loại ngày hoặc cặp (loại ngày, tên)."
                ) from exc
            if kind not in DayKind.ALL:
                raise CalendarError(f"Loại ngày “{kind}” của ngày {day:%d/%m/%Y} không hợp lệ.")
            normalized[day] = (kind, name or "")

        weekend = frozenset(weekend)
        if not weekend <= set(range(7)):
            raise CalendarError(
                "Ngày nghỉ hằng tuần phải là số thứ trong tuần từ 0 (Thứ Hai) đến 6 (Chủ nhật)."
            )
        if len(weekend) == 7:
            raise CalendarError("Lịch làm việc không thể nghỉ cả bảy ngày trong tuần.")
        if cutoff is not None and (not isinstance(cutoff, time) or cutoff.tzinfo is not None):
            raise CalendarError("Giờ chốt nhận hồ sơ phải là giờ địa phương (time, không kèm múi giờ).")
        if not isinstance(hours_per_day, Decimal | int) or hours_per_day <= 0:
            raise CalendarError("Số giờ làm việc trong một ngày phải là số dương.")

        self._seasons = seasons
        self._season_starts = starts
        self._overrides: Mapping[date, tuple[str, str]] = MappingProxyType(normalized)
        self._weekend = weekend
        self._statutory = bool(statutory_holidays)
        self._cutoff = cutoff
        self._tz = tz
        self._hours_per_day = Decimal(hours_per_day)
        # date -> (session bounds in UTC, total working time of the day); filled lazily.
        self._days: dict[date, tuple[tuple[tuple[datetime, datetime], ...], timedelta]] = {}

    @classmethod
    def default(cls, **kwargs: Any) -> WorkingCalendar:
        """The standard center calendar: one season 07:30–11:30 and 13:00–17:00, statutory holidays, no
        overrides, no cut-off, Asia/Ho_Chi_Minh. Keyword arguments replace any of these settings."""
        kwargs.setdefault("seasons", DEFAULT_SEASONS)
        return cls(**kwargs)

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(seasons={len(self._seasons)}, overrides={len(self._overrides)}, "
            f"weekend={sorted(self._weekend)}, statutory_holidays={self._statutory}, cutoff={self._cutoff}, "
            f"tz={self._tz})"
        )

    # Read-only configuration -------------------------------------------------------------------------------

    @property
    def seasons(self) -> tuple[Season, ...]:
        return self._seasons

    @property
    def overrides(self) -> Mapping[date, tuple[str, str]]:
        """date → (kind, name), read-only."""
        return self._overrides

    @property
    def weekend(self) -> frozenset[int]:
        return self._weekend

    @property
    def statutory_holidays(self) -> bool:
        return self._statutory

    @property
    def cutoff(self) -> time | None:
        return self._cutoff

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    @property
    def hours_per_day(self) -> Decimal:
        return self._hours_per_day

    # Days ---------------------------------------------------------------------------------------------------

    def _local_date(self, d: date) -> date:
        # A datetime is a date too; taking its date part blindly would use the wrong zone, so convert.
        if isinstance(d, datetime):
            return _aware(d, "Ngày").astimezone(self._tz).date()
        if not isinstance(d, date):
            raise CalendarError(f"“{d!r}” không phải là một ngày (date).")
        return d

    def _is_working(self, d: date) -> bool:
        # Layer 1: the official schedule / administrator (domain.md §3: "load it as data and let an
        # administrator add days"); layer 2: statutory holidays from the package; layer 3: the weekday.
        entry = self._overrides.get(d)
        if entry is not None:
            return entry[0] in DayKind.WORKING
        if self._statutory and d in _statutory_holidays(d.year):
            return False
        return d.weekday() not in self._weekend

    def is_working_day(self, d: date) -> bool:
        """True when the center works on ``d`` (overrides, then statutory holidays, then the weekend)."""
        return self._is_working(self._local_date(d))

    def day_kind_reason(self, d: date) -> str:
        """Why ``d`` is (not) a working day, in Vietnamese, for the UI and the control slip.

        ``"Nghỉ lễ: Tết Âm lịch (mùng 1)"`` / ``"Ngày nghỉ: Hoán đổi ngày làm việc"`` (override with a name),
        ``"Làm bù"`` or the schedule's own ``"Làm bù cho thứ Sáu 2/5/2025"``, ``"Ngày làm việc (không nghỉ:
        …)"`` (a holiday cancelled), ``"Nghỉ lễ: <package name>"``, ``"Thứ Bảy"`` / ``"Chủ nhật"`` (weekend),
        ``"Ngày làm việc"``.
        """
        d = self._local_date(d)
        entry = self._overrides.get(d)
        if entry is not None:
            kind, name = entry
            label = {
                DayKind.HOLIDAY: "Nghỉ lễ",
                DayKind.DAY_OFF: "Ngày nghỉ",
                DayKind.MAKEUP_WORKING_DAY: "Làm bù",
                DayKind.WORKING_DAY: "Ngày làm việc",
            }[kind]
            if not name:
                return label
            if kind == DayKind.WORKING_DAY:
                # A working-day override cancels a holiday: say which one is not taken.
                return f"{label} (không nghỉ: {name})"
            if _normalize_text(name).startswith(_normalize_text(label)):
                return name  # "Làm bù cho thứ Sáu 2/5/2025" already says it
            return f"{label}: {name}"
        if self._statutory:
            holiday_name = _statutory_holidays(d.year).get(d)
            if holiday_name is not None:
                return f"Nghỉ lễ: {holiday_name}"
        if d.weekday() in self._weekend:
            return _WEEKDAY_NAMES_VI[d.weekday()]
        return "Ngày làm việc"

    def season_on(self, d: date) -> Season:
        """The season in force on ``d``: the latest ``starts`` ≤ (month, day), wrapping over the new year."""
        d = self._local_date(d)
        index = bisect_right(self._season_starts, (d.month, d.day)) - 1
        return self._seasons[index]  # index -1 = before the first start: last season of the previous year

    def _day(self, d: date) -> tuple[tuple[tuple[datetime, datetime], ...], timedelta]:
        cached = self._days.get(d)
        if cached is None:
            bounds: list[tuple[datetime, datetime]] = []
            if self._is_working(d):
                for session in self.season_on(d).sessions:
                    start = datetime.combine(d, session.start, tzinfo=self._tz).astimezone(UTC)
                    end = datetime.combine(d, session.end, tzinfo=self._tz).astimezone(UTC)
                    if end > start:  # only a DST jump could swallow a session; Vietnam has none
                        bounds.append((start, end))
            cached = (tuple(bounds), sum((e - s for s, e in bounds), _ZERO))
            self._days[d] = cached
        return cached

    def sessions_on(self, d: date) -> list[tuple[datetime, datetime]]:
        """The working sessions of ``d`` as (start, end) aware datetimes in ``tz``; ``[]`` on a non-working
        day."""
        tz = self._tz
        return [(s.astimezone(tz), e.astimezone(tz)) for s, e in self._day(self._local_date(d))[0]]

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d = self._local_date(d)
        for _ in range(_MAX_IDLE_DAYS):
            d += _ONE_DAY
            if self._day(d)[0]:
                return d
        raise self._no_working_day(d)

    @staticmethod
    def _no_working_day(d: date) -> CalendarError:
        return CalendarError(
            f"Không tìm thấy ngày làm việc nào trong {_MAX_IDLE_DAYS} ngày tính đến {d:%d/%m/%Y}; "
            "hãy kiểm tra cấu hình lịch làm việc."
        )

    def _day_end(self, d: date) -> datetime:
        """End of the last session of working day ``d`` (UTC)."""
        return self._day(d)[0][-1][1]

    # Instants -----------------------------------------------------------------------------------------------

    def start_of_count(self, received_at: datetime) -> datetime:
        """The instant from which a time limit counts for a dossier received at ``received_at``.

        * Inside a session, before the cut-off (if any): ``received_at`` itself.
        * Before the cut-off but between sessions (lunch) or before the day's opening: the start of the next
          session of the same day (domain.md §3: outside working hours counts from the next opening).
        * After the day's last session, on a non-working day, or at/after the cut-off: the start of the first
          session of the next working day (domain.md §3: reception after the cut-off counts from the next
          working session).
        """
        received = _aware(received_at, "Thời điểm tiếp nhận")
        local = received.astimezone(self._tz)
        day = local.date()
        if self._cutoff is None or local.time() < self._cutoff:
            instant = received.astimezone(UTC)
            for start, end in self._day(day)[0]:
                if instant < end:
                    return max(start, instant).astimezone(self._tz)
        return self._day(self.next_working_day(day))[0][0][0].astimezone(self._tz)

    def due(self, start: datetime, limit: TimeLimit) -> datetime:
        """When a limit counted from ``start`` (a reception instant) expires; counts from
        ``start_of_count(start)``.

        * ``WORKING_HOURS``: that many hours of working time later (:meth:`add_working_time`).
        * ``WORKING_DAYS``: ``value × hours_per_day`` hours of working time later — production systems store
          hours, 8 h = 1 working day (domain.md §3). By the earliest-instant rule of :meth:`add_working_time`,
          a count of whole days started at an opening ends at a closing (07:30 Mon + 1 day → 17:00 Mon).
        * ``WITHIN_DAY``: the end of the last session of the day the count starts.
        * ``CALENDAR_DAYS`` (whole numbers only): the day ``value`` days after the day the count starts
          (the first day is not counted, Bộ luật Dân sự 2015 Điều 147 khoản 2), moved to the next working day
          when it is a weekend day or a holiday (Điều 148 khoản 5); due at the end of that day's last session
          (the center's closing time, rather than the civil-law 24:00 of Điều 148 khoản 6, so that a due is
          always a working instant).
        """
        if not isinstance(limit, TimeLimit):
            raise CalendarError(f"Thời hạn “{limit!r}” phải là TimeLimit.")
        origin = self.start_of_count(start)
        unit = limit.unit
        if unit == TimeUnit.WORKING_HOURS:
            return self.add_working_time(origin, _hours(limit.value))
        if unit == TimeUnit.WORKING_DAYS:
            return self.add_working_time(origin, _hours(limit.value * self._hours_per_day))
        if unit == TimeUnit.WITHIN_DAY:
            return self._day_end(origin.date()).astimezone(self._tz)
        # CALENDAR_DAYS
        if limit.value != limit.value.to_integral_value():
            raise CalendarError(f"Số ngày theo lịch phải là số nguyên, không phải {limit.value}.")
        last_day = origin.date() + timedelta(days=int(limit.value))
        if not self._day(last_day)[0]:
            last_day = self.next_working_day(last_day)
        return self._day_end(last_day).astimezone(self._tz)

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant ``t ≥ start`` with ``elapsed(start, t) == amount``.

        ``start`` may lie outside working time (counting then begins at the next session). ``amount`` 0
        returns ``start`` (converted to ``tz``). Because the instant is the *earliest* one, a positive amount
        never ends at the start of a session: it ends at the end of the previous one instead. Iterates over
        days and sessions, not minutes, so a year of working time costs a few hundred steps.
        """
        origin = _aware(start, "Thời điểm bắt đầu")
        if not isinstance(amount, timedelta):
            raise CalendarError(f"Lượng thời gian làm việc “{amount!r}” phải là timedelta.")
        if amount < _ZERO:
            raise CalendarError("Lượng thời gian làm việc cần cộng không được âm.")
        if amount == _ZERO:
            return origin.astimezone(self._tz)
        cursor = origin.astimezone(UTC)
        remaining = amount
        day = cursor.astimezone(self._tz).date()
        idle = 0
        while True:
            bounds, total = self._day(day)
            if not bounds:
                idle += 1
                if idle > _MAX_IDLE_DAYS:
                    raise self._no_working_day(day)
            elif cursor <= bounds[0][0] and remaining > total:
                remaining -= total  # the whole day fits; skip its sessions one by one
                idle = 0
            else:
                idle = 0
                for session_start, session_end in bounds:
                    if session_end <= cursor:
                        continue
                    begin = max(session_start, cursor)
                    available = session_end - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(self._tz)
                    remaining -= available
            day += _ONE_DAY

    def _working_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time inside [start, end]; both UTC, ``start < end``."""
        tz = self._tz
        first = start.astimezone(tz).date()
        last = end.astimezone(tz).date()
        total = _ZERO
        day = first
        while day <= last:
            bounds, day_total = self._day(day)
            if bounds:
                if start <= bounds[0][0] and bounds[-1][1] <= end:
                    total += day_total
                else:
                    for session_start, session_end in bounds:
                        low = max(session_start, start)
                        high = min(session_end, end)
                        if high > low:
                            total += high - low
            day += _ONE_DAY
        return total

    def elapsed(
        self, start: datetime, end: datetime, pauses: Iterable[tuple[datetime, datetime]] = ()
    ) -> timedelta:
        """Working time between ``start`` and ``end`` (zero when ``end ≤ start``), minus the working time
        inside ``pauses`` (e.g. waiting for the applicant to supplement a dossier).

        Pauses may overlap one another and stick out of [start, end]: they are clipped to it and merged first,
        so no working time is subtracted twice. A pause whose end is before its start raises
        :class:`CalendarError`.
        """
        low = _aware(start, "Thời điểm bắt đầu").astimezone(UTC)
        high = _aware(end, "Thời điểm kết thúc").astimezone(UTC)
        clipped: list[tuple[datetime, datetime]] = []
        for pause in pauses:
            try:
                pause_start, pause_end = pause
            except (TypeError, ValueError) as exc:
                raise CalendarError(f"Khoảng tạm dừng “{pause!r}” phải là cặp (bắt đầu, kết thúc).") from exc
            pause_start = _aware(pause_start, "Thời điểm bắt đầu tạm dừng").astimezone(UTC)
            pause_end = _aware(pause_end, "Thời điểm kết thúc tạm dừng").astimezone(UTC)
            if pause_end < pause_start:
                raise CalendarError(
                    f"Khoảng tạm dừng kết thúc ({pause_end.isoformat()}) trước khi bắt đầu "
                    f"({pause_start.isoformat()})."
                )
            pause_start, pause_end = max(pause_start, low), min(pause_end, high)
            if pause_end > pause_start:
                clipped.append((pause_start, pause_end))
        if high <= low:
            return _ZERO
        total = self._working_between(low, high)
        # Merge the clipped pauses into disjoint intervals so that overlaps are subtracted once.
        clipped.sort()
        merged: list[list[datetime]] = []
        for pause_start, pause_end in clipped:
            if merged and pause_start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], pause_end)
            else:
                merged.append([pause_start, pause_end])
        for pause_start, pause_end in merged:
            total -= self._working_between(pause_start, pause_end)
        return total


def _hours(value: Decimal) -> timedelta:
    """``value`` hours as a timedelta. Exact whenever it is a whole number of microseconds; otherwise rounded
    up to the next microsecond (timedelta cannot hold less), so that a due is never early."""
    microseconds = (value * _MICROSECONDS_PER_HOUR).to_integral_value(rounding=ROUND_CEILING)
    return timedelta(microseconds=int(microseconds))


# Official schedule CSV --------------------------------------------------------------------------------------

_CSV_REQUIRED_COLUMNS = ("date", "kind", "name")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WEEKDAY_ABBREVIATIONS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A row in this status is announced but not in force (e.g. a holiday that still needs a law amendment): the
# date stays a working day, and the row is kept so that an override cancels the package's holiday of that
# date.
_STATUS_NOT_IN_FORCE = "pending-legislation"


def load_official_schedule_csv(
    path_or_file: str | PathLike[str] | IO[str] | IO[bytes],
) -> dict[date, tuple[str, str]]:
    """Read the official schedule (``shared/data/holidays/*.csv``) into ``{date: (kind, name)}``.

    Columns used: ``date`` (YYYY-MM-DD), ``kind`` (a :class:`DayKind` value), ``name``, and optionally
    ``status`` and ``weekday`` (English three-letter abbreviation, checked against the date when present).
    Rows whose status includes ``pending-legislation`` are returned as ``DayKind.WORKING_DAY``: they are not
    in force, and must cancel the holiday the ``holidays`` package may already list. A malformed row (bad
    date, unknown kind, weekday not matching, date listed twice) raises :class:`CalendarError` naming its line
    number in the file (the header is line 1).
    """
    if isinstance(path_or_file, str | PathLike):
        with Path(path_or_file).open(encoding="utf-8-sig", newline="") as text_file:
            return _read_schedule(text_file)
    stream: Any = path_or_file
    if isinstance(stream.read(0), bytes):
        # A binary stream: decode it, tolerating the BOM that spreadsheet exports add.
        wrapper = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        try:
            return _read_schedule(wrapper)
        finally:
            wrapper.detach()  # leave the caller's stream open
    return _read_schedule(stream)


def _read_schedule(handle: IO[str]) -> dict[date, tuple[str, str]]:
    reader = csv.DictReader(handle)
    columns = [(name or "").strip() for name in reader.fieldnames or ()]
    missing = [column for column in _CSV_REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise CalendarError(f"Tệp lịch nghỉ thiếu cột: {', '.join(missing)}.")
    reader.fieldnames = columns
    schedule: dict[date, tuple[str, str]] = {}
    for row in reader:
        line = reader.line_num
        raw_date = (row.get("date") or "").strip()
        try:
            if not _DATE_RE.fullmatch(raw_date):
                raise ValueError(raw_date)
            day = date.fromisoformat(raw_date)
        except ValueError as exc:
            raise CalendarError(
                f"Tệp lịch nghỉ, dòng {line}: ngày “{raw_date}” không hợp lệ (cần dạng YYYY-MM-DD)."
            ) from exc
        kind = (row.get("kind") or "").strip()
        if kind not in DayKind.ALL:
            raise CalendarError(
                f"Tệp lịch nghỉ, dòng {line}: loại ngày “{kind}” không hợp lệ (cần một trong "
                f"{', '.join(sorted(DayKind.ALL))})."
            )
        weekday = (row.get("weekday") or "").strip().casefold()
        if weekday in _WEEKDAY_ABBREVIATIONS and _WEEKDAY_ABBREVIATIONS.index(weekday) != day.weekday():
            raise CalendarError(
                f"Tệp lịch nghỉ, dòng {line}: thứ “{row.get('weekday', '').strip()}” không khớp với ngày "
                f"{day:%d/%m/%Y} ({_WEEKDAY_NAMES_VI[day.weekday()]})."
            )
        if day in schedule:
            raise CalendarError(f"Tệp lịch nghỉ, dòng {line}: ngày {day:%d/%m/%Y} xuất hiện hai lần.")
        statuses = {part.strip().casefold() for part in (row.get("status") or "").split(";")}
        if _STATUS_NOT_IN_FORCE in statuses:
            kind = DayKind.WORKING_DAY
        name = unicodedata.normalize("NFC", (row.get("name") or "").strip())
        schedule[day] = (kind, name)
    return schedule
