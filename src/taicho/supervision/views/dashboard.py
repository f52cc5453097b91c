"""The director's pages: the overview, the service indicators, the substantive checks and their flags."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _

from taicho.supervision import charts, checks, indicators, stats
from taicho.supervision.access import supervision_view
from taicho.supervision.filters import Filters, read_filters
from taicho.supervision.tables import Table
from taicho.supervision.views.common import page


def _weekly(start: date, end: date, filters: Filters) -> list[tuple[str, list[float]]]:
    weeks: OrderedDict[date, list[float]] = OrderedDict()
    for day, value in indicators.by_day(start, end, filters.agencies):
        monday = day - timedelta(days=day.weekday())
        bucket = weeks.setdefault(monday, [0.0, 0.0, 0.0])
        bucket[0] += value.received
        bucket[1] += value.finished
        bucket[2] += value.late
    return [(f"{monday:%d/%m}", values) for monday, values in weeks.items()]


def _compliance(filters: Filters) -> Any:
    if filters.plan is None or filters.phase is None:
        return None
    from taicho.supervision.compliance import compliance

    return compliance(filters.plan, filters.phase, filters.end, filters.agencies)


def _compliance_chart(result: Any) -> Any:
    if result is None:
        return None
    from taicho.supervision.models import Metric

    bars = []
    for row in result.rows:
        measure = row.measures.get(Metric.ON_THE_SPOT)
        if measure is None or measure.target is None:
            continue
        share = float(measure.share) if measure.share is not None else None
        bars.append(
            charts.Bar(
                row.label, share, measure.light.color, _(" (chỉ tiêu %(t)s %%)") % {"t": measure.target}
            )
        )
    if not bars:
        return None
    return charts.hbar(
        bars,
        title=_("Tỷ lệ thủ tục thực hiện 5 tại chỗ so với chỉ tiêu của giai đoạn"),
        maximum=100,
        unit=" %",
    )


@supervision_view
def dashboard(request: HttpRequest) -> HttpResponse:
    refreshed = stats.ensure_fresh()
    filters = read_filters(request)
    rows, total = indicators.by_agency(filters.start, filters.end, filters.agencies)
    result = _compliance(filters)
    tables: list[Table] = []
    if result is not None:
        from taicho.supervision.compliance import compliance_tables

        tables.extend(compliance_tables(result)[:2])  # province and levels; agencies on the compliance page
    tables.extend(indicators.indicators_tables(rows, total, filters.query()))
    flag_list = checks.flags(filters.start, filters.end, filters.agencies)
    on_time = charts.hbar(
        [
            charts.Bar(
                a.short_name or a.name,
                i.on_time_rate,
                "green"
                if (i.on_time_rate or 0) >= 95
                else "yellow"
                if (i.on_time_rate or 0) >= 85
                else "red",
            )
            for a, i in rows
            if i.finished
        ][:40],
        title=_("Tỷ lệ giải quyết đúng hạn theo cơ quan"),
        maximum=100,
        unit=" %",
    )
    weekly = charts.columns(
        _weekly(filters.start, filters.end, filters),
        title=_("Hồ sơ theo tuần"),
        series=[_("Tiếp nhận"), _("Đã giải quyết"), _("Quá hạn")],
    )
    return page(
        request,
        "supervision/dashboard.html",
        "dashboard",
        tables,
        filters,
        filename="tong-quan",
        heading=_("Tổng quan thực hiện “5 tại chỗ”"),
        total=total,
        compliance=result,
        compliance_chart=_compliance_chart(result),
        on_time_chart=on_time,
        weekly_chart=weekly,
        flags=flag_list,
        refreshed=refreshed,
    )


@supervision_view
def indicator_page(request: HttpRequest) -> HttpResponse:
    refreshed = stats.ensure_fresh()
    filters = read_filters(request)
    rows, total = indicators.by_agency(filters.start, filters.end, filters.agencies)
    tables = indicators.indicators_tables(rows, total, filters.query(co_quan=""))
    procedure_rows = indicators.by_procedure(filters.start, filters.end, filters.agencies)
    tables.append(indicators.procedure_table(procedure_rows, limit=5000 if request.GET.get("xlsx") else 200))
    return page(
        request,
        "supervision/indicators.html",
        "indicators",
        tables,
        filters,
        filename="chi-so-phuc-vu",
        heading=_("Chỉ số phục vụ (Quyết định 766/QĐ-TTg)"),
        total=total,
        refreshed=refreshed,
        digitization_chart=charts.hbar(
            [
                charts.Bar(_("Thành phần số hóa khi tiếp nhận"), total.digitized_rate, "blue"),
                charts.Bar(_("Kết quả điện tử"), total.electronic_rate, "blue"),
                charts.Bar(_("Tái sử dụng giấy tờ đã số hóa"), total.reuse_rate, "blue"),
                charts.Bar(_("Người dân hài lòng (4–5)"), total.satisfied_rate, "green"),
                charts.Bar(_("Giải quyết đúng hạn"), total.on_time_rate, "green"),
            ],
            title=_("Số hóa, kết quả điện tử, hài lòng — toàn kỳ"),
            maximum=100,
            unit=" %",
        ),
    )


@supervision_view
def check_page(request: HttpRequest) -> HttpResponse:
    refreshed = stats.ensure_fresh()
    filters = read_filters(request)
    flag_list = checks.flags(filters.start, filters.end, filters.agencies)
    flag_table = Table(
        key="flags",
        title=_("Các dấu hiệu cần xử lý"),
        columns=[_("Dấu hiệu"), _("Mô tả"), _("Số lượng")],
        rows=[[f.title, f.description, f.count] for f in flag_list],
        numeric=frozenset({2}),
    )
    tables = [flag_table, checks.real_share_table(filters.start, filters.end, filters.agencies)]
    return page(
        request,
        "supervision/checks.html",
        "checks",
        tables,
        filters,
        filename="kiem-tra-thuc-chat",
        heading=_("Kiểm tra thực chất"),
        flags=flag_list,
        refreshed=refreshed,
    )


@supervision_view
def flag_page(request: HttpRequest, key: str) -> HttpResponse:
    if key not in checks.FLAG_KEYS:
        raise Http404(_("Không có dấu hiệu này."))
    stats.ensure_fresh()
    filters = read_filters(request)
    table = checks.flag_items(
        key, filters.start, filters.end, filters.agencies, export=bool(request.GET.get("xlsx"))
    )
    title, description = checks.flag_title(key)
    return page(
        request,
        "supervision/flag.html",
        "checks",
        [table],
        filters,
        filename=f"dau-hieu-{key}",
        heading=title,
        description=description,
        limit=checks.LIST_LIMIT,
    )


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("chi-so/", indicator_page, name="indicators"),
    path("thuc-chat/", check_page, name="checks"),
    path("thuc-chat/<str:key>/", flag_page, name="flag"),
]
