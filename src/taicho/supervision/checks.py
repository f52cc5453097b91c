"""Substantive checks ("thực chất", domain.md §1: the province inspects that the practice is real, not only on
paper). For each on-the-spot procedure, the share of its dossiers that went through all five steps at the center
within the on-the-spot time; and flags a person can act on, each with the list of what is behind it (the
dossiers, procedures or officers), every list linking to the dossier or procedure page.

Counts come from the daily roll-ups (fast for any period); the lists from the per-dossier facts through partial
indexes on the same conditions (stats.FLAG_CONDITIONS).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from taicho.catalog.models import OnTheSpotDesignation, OnTheSpotStatus, Procedure
from taicho.org.models import Agency, Staff
from taicho.supervision.models import AgencyDailyStat, DossierFacts, OfficerDailyStat
from taicho.supervision.stats import FLAG_CONDITIONS, period_sums, received_counts
from taicho.supervision.tables import Light, Link, Table

# Thresholds for "low satisfaction" [? not fixed by law: kept here, in one place, to be tuned by the province].
MIN_RATINGS = 5  # fewer ratings than this say nothing
LOW_AVERAGE = 3.5  # average overall rating (1–5) below this is low
LIST_LIMIT = 500  # rows shown on a drill-down page (the xlsx export has them all up to EXPORT_LIMIT)
EXPORT_LIMIT = 20000


@dataclass(frozen=True)
class Flag:
    key: str
    title: str
    description: str
    count: int
    severity: str  # "red" when something is found, "green" when nothing is

    @property
    def url(self) -> str:
        return f"/giam-sat/thuc-chat/{self.key}/"


FLAG_KEYS = (
    "no_dossiers",
    "left_center",
    "over_spot_time",
    "late_no_apology",
    "supplement_excess",
    "low_satisfaction_officer",
    "low_satisfaction_agency",
)


def _titles() -> dict[str, tuple[str, str]]:
    return {
        "no_dossiers": (
            _("Thủ tục 5 tại chỗ không phát sinh hồ sơ"),
            _("Đã đưa vào thực hiện 5 tại chỗ nhưng không tiếp nhận hồ sơ nào trong kỳ."),
        ),
        "left_center": (
            _("Hồ sơ 5 tại chỗ bị chuyển xử lý ngoài Trung tâm"),
            _("Có bước thẩm định, phê duyệt hoặc đóng dấu do cán bộ không làm việc tại Trung tâm thực hiện."),
        ),
        "over_spot_time": (
            _("Hồ sơ 5 tại chỗ vượt thời gian giải quyết tại chỗ"),
            _("Thời gian xử lý (giờ làm việc) vượt thời gian giải quyết tại chỗ đã phê duyệt."),
        ),
        "late_no_apology": (
            _("Hồ sơ trễ hạn không có văn bản xin lỗi"),
            _(
                "Trễ hạn (đã giải quyết trong kỳ hoặc đang quá hạn) mà chưa có Phiếu xin lỗi và hẹn lại (Mẫu 04)."
            ),
        ),
        "supplement_excess": (
            _("Yêu cầu bổ sung vượt quy định"),
            _("Một cơ quan yêu cầu bổ sung hồ sơ quá số lần cho phép (một lần)."),
        ),
        "low_satisfaction_officer": (
            _("Cán bộ có mức hài lòng thấp"),
            _("Điểm hài lòng trung bình dưới %(avg)s trên ít nhất %(n)s lượt đánh giá.")
            % {"avg": str(LOW_AVERAGE).replace(".", ","), "n": MIN_RATINGS},
        ),
        "low_satisfaction_agency": (
            _("Cơ quan có mức hài lòng thấp"),
            _("Điểm hài lòng trung bình dưới %(avg)s trên ít nhất %(n)s lượt đánh giá.")
            % {"avg": str(LOW_AVERAGE).replace(".", ","), "n": MIN_RATINGS},
        ),
    }


def flag_title(key: str) -> tuple[str, str]:
    return _titles()[key]


def _designations(end: date, agency_ids: list[int]) -> QuerySet[OnTheSpotDesignation]:
    return OnTheSpotDesignation.objects.filter(
        agency_id__in=agency_ids,
        status__in=[OnTheSpotStatus.ACTIVE, OnTheSpotStatus.APPROVED],
    ).filter(Q(effective_from__isnull=True) | Q(effective_from__lte=end))


def _silent_pairs(start: date, end: date, agency_ids: list[int]) -> list[tuple[int, int]]:
    received = received_counts(start, end, agency_ids)
    pairs = set(_designations(end, agency_ids).values_list("agency_id", "procedure_id"))
    return sorted(p for p in pairs if p not in received)


def _officer_rows(start: date, end: date, agency_ids: list[int]) -> list[dict[str, Any]]:
    rows = (
        OfficerDailyStat.objects.filter(day__gte=start, day__lte=end, agency_id__in=agency_ids)
        .values("officer_id")
        .annotate(r=Sum("ratings"), s=Sum("rating_sum"), low=Sum("low_ratings"), n=Sum("returned"))
    )
    return [r for r in rows if (r["r"] or 0) >= MIN_RATINGS and r["s"] / r["r"] < LOW_AVERAGE]


def _agency_rows(start: date, end: date, agency_ids: list[int]) -> list[dict[str, Any]]:
    rows = (
        AgencyDailyStat.objects.filter(day__gte=start, day__lte=end, agency_id__in=agency_ids)
        .values("agency_id")
        .annotate(r=Sum("ratings"), s=Sum("rating_sum"), low=Sum("low_ratings"), sat=Sum("satisfied"))
    )
    return [r for r in rows if (r["r"] or 0) >= MIN_RATINGS and r["s"] / r["r"] < LOW_AVERAGE]


def _open_late(agency_ids: list[int]) -> QuerySet[DossierFacts]:
    return DossierFacts.objects.filter(
        in_process=True, agency_id__in=agency_ids, due_at__lt=timezone.now(), apologised=False
    )


def flags(start: date, end: date, agencies: QuerySet[Agency]) -> list[Flag]:
    ids = list(agencies.values_list("pk", flat=True))
    sums = AgencyDailyStat.objects.filter(day__gte=start, day__lte=end, agency_id__in=ids).aggregate(
        left_center=Sum("left_center"),
        over_spot_time=Sum("over_spot_time"),
        late_no_apology=Sum("late_no_apology"),
        supplement_excess=Sum("supplement_excess"),
    )
    counts = {
        "no_dossiers": len(_silent_pairs(start, end, ids)),
        "left_center": sums["left_center"] or 0,
        "over_spot_time": sums["over_spot_time"] or 0,
        "late_no_apology": (sums["late_no_apology"] or 0) + _open_late(ids).count(),
        "supplement_excess": sums["supplement_excess"] or 0,
        "low_satisfaction_officer": len(_officer_rows(start, end, ids)),
        "low_satisfaction_agency": len(_agency_rows(start, end, ids)),
    }
    titles = _titles()
    return [
        Flag(key, titles[key][0], titles[key][1], counts[key], "red" if counts[key] else "green")
        for key in FLAG_KEYS
    ]


NEWEST_FIRST = ("-finished_on", "-pk")
LONGEST_OVERDUE_FIRST = ("due_at", "pk")  # open dossiers, along their partial index


def _dossier_table(
    key: str, title: str, parts: Sequence[tuple[QuerySet[DossierFacts], tuple[str, ...]]], limit: int
) -> Table:
    """The dossiers of one or more lists (each read through its own partial index), newest first."""
    found: list[DossierFacts] = []
    for part, ordering in parts:
        if len(found) < limit:
            query = part.select_related("dossier", "agency", "procedure").order_by(*ordering)
            found.extend(query[: limit - len(found)])
    rows = []
    for f in found:
        d = f.dossier
        hours = round(f.working_seconds / 3600, 1) if f.working_seconds is not None else None
        rows.append(
            [
                Link(d.code, f"/ho-so/{d.code}/"),
                f.procedure.code,
                f.procedure.name,
                f.agency.name,
                timezone.localtime(d.received_at) if d.received_at else None,
                timezone.localtime(d.due_at) if d.due_at else None,
                timezone.localtime(d.finished_at) if d.finished_at else None,
                hours,
                f.get_timing_display() if f.timing else _("Đang xử lý"),
                f.supplements,
                f.rating_overall,
            ]
        )
    return Table(
        key=key,
        title=title,
        columns=[
            _("Mã hồ sơ"),
            _("Mã thủ tục"),
            _("Thủ tục"),
            _("Cơ quan"),
            _("Tiếp nhận"),
            _("Hẹn trả"),
            _("Có kết quả"),
            _("Giờ làm việc đã dùng"),
            _("Tiến độ"),
            _("Số lần bổ sung"),
            _("Đánh giá"),
        ],
        rows=rows,
        numeric=frozenset({7, 9, 10}),
        empty=_("Không có hồ sơ nào."),
    )


def flag_items(
    key: str, start: date, end: date, agencies: QuerySet[Agency], *, export: bool = False
) -> Table:
    """What is behind a flag: the dossiers, procedures, officers or agencies."""
    if key not in FLAG_KEYS:
        raise KeyError(key)
    limit = EXPORT_LIMIT if export else LIST_LIMIT
    ids = list(agencies.values_list("pk", flat=True))
    title = _titles()[key][0]
    if key in ("left_center", "over_spot_time", "late_no_apology", "supplement_excess"):
        facts = DossierFacts.objects.filter(
            FLAG_CONDITIONS[key], finished_on__gte=start, finished_on__lte=end
        )
        if len(ids) < Agency.objects.count():  # a filter on every agency only keeps the planner off the index
            facts = facts.filter(agency_id__in=ids)
        parts = [(facts, NEWEST_FIRST)]
        if key == "late_no_apology":  # still waiting, past the appointment: listed first
            parts.insert(0, (_open_late(ids), LONGEST_OVERDUE_FIRST))
        return _dossier_table(key, title, parts, limit)
    if key == "no_dossiers":
        pairs = _silent_pairs(start, end, ids)[:limit]
        agencies_by_id = Agency.objects.in_bulk([a for a, _p in pairs])
        procedures = Procedure.objects.in_bulk([p for _a, p in pairs])
        designation = {
            (d.agency_id, d.procedure_id): d
            for d in _designations(end, ids).filter(procedure_id__in=procedures)
        }
        rows = []
        for a, p in pairs:
            d = designation.get((a, p))
            rows.append(
                [
                    procedures[p].code,
                    Link(procedures[p].name, f"/giam-sat/ra-soat/?co_quan={a}"),
                    agencies_by_id[a].name,
                    d.decision_number if d else "",
                    d.effective_from if d else None,
                ]
            )
        return Table(
            key=key,
            title=title,
            columns=[_("Mã thủ tục"), _("Thủ tục"), _("Cơ quan"), _("Quyết định"), _("Hiệu lực từ")],
            rows=rows,
            empty=_("Mọi thủ tục 5 tại chỗ đều có hồ sơ trong kỳ."),
        )
    if key == "low_satisfaction_officer":
        found = _officer_rows(start, end, ids)
        staff = Staff.objects.select_related("agency").in_bulk([r["officer_id"] for r in found])
        rows = [
            [
                staff[r["officer_id"]].get_full_name() or staff[r["officer_id"]].username,
                getattr(staff[r["officer_id"]].agency, "name", ""),
                r["n"],
                r["r"],
                round(r["s"] / r["r"], 2),
                r["low"],
            ]
            for r in sorted(found, key=lambda r: r["s"] / r["r"])
        ]
        return Table(
            key=key,
            title=title,
            columns=[
                _("Cán bộ"),
                _("Cơ quan"),
                _("Hồ sơ đã trả"),
                _("Lượt đánh giá"),
                _("Điểm TB"),
                _("Lượt 1–2 điểm"),
            ],
            rows=rows,
            numeric=frozenset({2, 3, 4, 5}),
            empty=_("Không có cán bộ nào dưới ngưỡng."),
        )
    found = _agency_rows(start, end, ids)
    names = Agency.objects.in_bulk([r["agency_id"] for r in found])
    rows = [
        [names[r["agency_id"]].name, r["r"], round(r["s"] / r["r"], 2), r["low"], r["sat"]]
        for r in sorted(found, key=lambda r: r["s"] / r["r"])
    ]
    return Table(
        key=key,
        title=title,
        columns=[
            _("Cơ quan"),
            _("Lượt đánh giá"),
            _("Điểm TB"),
            _("Lượt 1–2 điểm"),
            _("Lượt hài lòng (4–5)"),
        ],
        rows=rows,
        numeric=frozenset({1, 2, 3, 4}),
        empty=_("Không có cơ quan nào dưới ngưỡng."),
    )


def real_share_table(start: date, end: date, agencies: QuerySet[Agency], limit: int = 300) -> Table:
    """Per on-the-spot procedure: its dossiers finished in the period, those that really went through all five
    steps at the center within the on-the-spot time, and the share — weakest first."""
    ids = list(agencies.values_list("pk", flat=True))
    sums = period_sums(
        start,
        end,
        ids,
        ("agency_id", "procedure_id"),
        ("on_the_spot", "on_the_spot_real", "left_center", "over_spot_time"),
        on_the_spot__gt=0,
    )
    rows = [
        {
            "agency_id": a,
            "procedure_id": p,
            "n": v["on_the_spot"],
            "real": v["on_the_spot_real"],
            "left": v["left_center"],
            "over": v["over_spot_time"],
        }
        for (a, p), v in sums.items()
    ]
    for r in rows:
        r["rate"] = round(100.0 * r["real"] / r["n"], 1) if r["n"] else None
    rows.sort(key=lambda r: (r["rate"] if r["rate"] is not None else 101, -r["n"]))
    rows = rows[:limit]
    procedures = Procedure.objects.in_bulk([r["procedure_id"] for r in rows])
    names = Agency.objects.in_bulk([r["agency_id"] for r in rows])
    table_rows = []
    for r in rows:
        rate = r["rate"]
        color = (
            "green"
            if rate is not None and rate >= 90
            else "yellow"
            if rate is not None and rate >= 70
            else "red"
        )
        table_rows.append(
            [
                procedures[r["procedure_id"]].code,
                procedures[r["procedure_id"]].name,
                names[r["agency_id"]].name,
                r["n"],
                r["real"],
                Light(color, f"{rate:.1f} %".replace(".", ",") if rate is not None else "—"),
                r["left"],
                r["over"],
            ]
        )
    return Table(
        key="real",
        title=_("Mức độ thực chất theo thủ tục 5 tại chỗ (thấp nhất trước)"),
        columns=[
            _("Mã thủ tục"),
            _("Thủ tục"),
            _("Cơ quan"),
            _("Hồ sơ đã giải quyết"),
            _("Đủ 5 bước tại Trung tâm, đúng thời gian tại chỗ"),
            _("Tỷ lệ"),
            _("Xử lý ngoài Trung tâm"),
            _("Vượt thời gian tại chỗ"),
        ],
        rows=table_rows,
        numeric=frozenset({3, 4, 6, 7}),
        empty=_("Chưa có hồ sơ 5 tại chỗ nào được giải quyết trong kỳ."),
    )


__all__ = ["Flag", "flag_items", "flags", "real_share_table"]
