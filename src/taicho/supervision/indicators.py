"""Service indicators in the spirit of Decision 766/QĐ-TTg (domain.md §7), per agency, per procedure and for the
center, for any period: one set of numbers, computed from the read models (which come from the events), shown on
the dashboards and in the reports.

- on-time rate = (early + on time) / finished (Decision 766: progress);
- average processing time in working hours (clock paused while waiting for the citizen);
- dossiers in process, and those past their appointment, now;
- components digitized at reception, results issued electronically, reuse of digitized papers (digitization);
- satisfaction: average overall rating (1–5) and share satisfied (4–5);
- "thực chất": share of on-the-spot dossiers that went through all five steps at the center within the
  on-the-spot time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from taicho.catalog.models import Procedure
from taicho.org.models import Agency
from taicho.supervision.models import STAT_COUNTS, AgencyDailyStat, DossierFacts
from taicho.supervision.tables import Link, Table

SUMMED = STAT_COUNTS


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class Indicators:
    received: int = 0
    finished: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    working_seconds: int = 0
    timed: int = 0
    on_the_spot: int = 0
    on_the_spot_real: int = 0
    components: int = 0
    digitized: int = 0
    reused: int = 0
    results: int = 0
    results_electronic: int = 0
    ratings: int = 0
    rating_sum: int = 0
    satisfied: int = 0
    left_center: int = 0
    over_spot_time: int = 0
    late_no_apology: int = 0
    supplement_excess: int = 0
    low_ratings: int = 0
    in_process: int = 0
    past_due: int = 0

    def add(self, other: Indicators) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def on_time_rate(self) -> float | None:
        return _pct(self.early + self.on_time, self.early + self.on_time + self.late)

    @property
    def avg_hours(self) -> float | None:
        return round(self.working_seconds / self.timed / 3600, 1) if self.timed else None

    @property
    def digitized_rate(self) -> float | None:
        return _pct(self.digitized, self.components)

    @property
    def electronic_rate(self) -> float | None:
        return _pct(self.results_electronic, self.results)

    @property
    def reuse_rate(self) -> float | None:
        return _pct(self.reused, self.components)

    @property
    def satisfaction(self) -> float | None:
        return round(self.rating_sum / self.ratings, 2) if self.ratings else None

    @property
    def satisfied_rate(self) -> float | None:
        return _pct(self.satisfied, self.ratings)

    @property
    def real_rate(self) -> float | None:
        return _pct(self.on_the_spot_real, self.on_the_spot)

    @property
    def past_due_rate(self) -> float | None:
        return _pct(self.past_due, self.in_process)


def _from_row(row: dict[str, Any]) -> Indicators:
    return Indicators(**{k: int(row.get(f"s_{k}") or 0) for k in SUMMED})


def _sums() -> dict[str, Any]:
    return {f"s_{k}": Sum(k) for k in SUMMED}


def _open_counts(agency_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Dossiers in process now, and those past their appointment (live: time passes without events)."""
    now = timezone.now()
    return {
        r["agency_id"]: (r["n"], r["late"])
        for r in DossierFacts.objects.filter(in_process=True, agency_id__in=list(agency_ids))
        .values("agency_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(due_at__lt=now)))
    }


def by_agency(
    start: date, end: date, agencies: QuerySet[Agency]
) -> tuple[list[tuple[Agency, Indicators]], Indicators]:
    """Each agency's indicators for the period (days inclusive) and the total of all of them (the center)."""
    agency_list = list(agencies.order_by("level", "code"))
    ids = [a.pk for a in agency_list]
    sums = {
        r["agency_id"]: _from_row(r)
        for r in AgencyDailyStat.objects.filter(day__gte=start, day__lte=end, agency_id__in=ids)
        .values("agency_id")
        .annotate(**_sums())
    }
    open_counts = _open_counts(ids)
    total = Indicators()
    rows = []
    for agency in agency_list:
        value = sums.get(agency.pk, Indicators())
        value.in_process, value.past_due = open_counts.get(agency.pk, (0, 0))
        total.add(value)
        rows.append((agency, value))
    return rows, total


def by_procedure(start: date, end: date, agencies: QuerySet[Agency]) -> list[tuple[Procedure, Indicators]]:
    """Per procedure over the given agencies (average processing time per procedure), busiest first."""
    from taicho.supervision.stats import period_sums

    sums = {
        key[0]: Indicators(**row)
        for key, row in period_sums(
            start, end, agencies.values_list("pk", flat=True), ("procedure_id",)
        ).items()
    }
    procedures = Procedure.objects.only("pk", "code", "name").in_bulk(list(sums))
    rows = [(procedures[pk], value) for pk, value in sums.items() if pk in procedures]
    rows.sort(key=lambda r: (-r[1].received - r[1].finished, r[0].code))
    return rows


def by_day(start: date, end: date, agencies: QuerySet[Agency]) -> list[tuple[date, Indicators]]:
    """The center's figures day by day (for the charts)."""
    ids = list(agencies.values_list("pk", flat=True))
    return [
        (r["day"], _from_row(r))
        for r in AgencyDailyStat.objects.filter(day__gte=start, day__lte=end, agency_id__in=ids)
        .values("day")
        .annotate(**_sums())
        .order_by("day")
    ]


# --- tables ------------------------------------------------------------------------------------------------


def columns() -> list[str]:
    return [
        _("Tiếp nhận"),
        _("Đã giải quyết"),
        _("Trước hạn"),
        _("Đúng hạn"),
        _("Quá hạn"),
        _("Tỷ lệ đúng hạn (%)"),
        _("Thời gian TB (giờ làm việc)"),
        _("Đang xử lý"),
        _("Đang quá hạn"),
        _("Số hóa khi tiếp nhận (%)"),
        _("Kết quả điện tử (%)"),
        _("Tái sử dụng (%)"),
        _("Hài lòng TB (1–5)"),
        _("Hài lòng (%)"),
        _("5 tại chỗ thực chất (%)"),
    ]


def values(i: Indicators) -> list[Any]:
    return [
        i.received,
        i.finished,
        i.early,
        i.on_time,
        i.late,
        i.on_time_rate,
        i.avg_hours,
        i.in_process,
        i.past_due,
        i.digitized_rate,
        i.electronic_rate,
        i.reuse_rate,
        i.satisfaction,
        i.satisfied_rate,
        i.real_rate,
    ]


def indicators_tables(
    rows: list[tuple[Agency, Indicators]], total: Indicators, query: str = ""
) -> list[Table]:
    head = [_("Cơ quan"), _("Cấp")]
    numeric = frozenset(range(len(head), len(head) + len(columns())))
    agency_table = Table(
        key="agencies",
        title=_("Chỉ số phục vụ theo cơ quan"),
        columns=[*head, *columns()],
        rows=[
            [Link(a.name, f"/giam-sat/chi-so/?{query}&co_quan={a.pk}"), a.get_level_display(), *values(i)]
            for a, i in rows
        ],
        numeric=numeric,
        footer=[_("Toàn Trung tâm"), "", *values(total)],
    )
    return [agency_table]


def procedure_table(rows: list[tuple[Procedure, Indicators]], limit: int = 200) -> Table:
    head = [_("Mã thủ tục"), _("Tên thủ tục")]
    return Table(
        key="procedures",
        title=_("Chỉ số theo thủ tục (nhiều hồ sơ nhất trước)"),
        columns=[*head, *columns()],
        rows=[[p.code, p.name, *values(i)] for p, i in rows[:limit]],
        numeric=frozenset(range(len(head), len(head) + len(columns()))),
    )
