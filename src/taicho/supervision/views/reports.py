"""Reports page (item 8): the monthly reports prepared in the background (each a row with its status, design.md
rule 5) with their files, the button that queues one, and the province summary PDF for the page's filters.

Everything is scoped (design.md rule 6): the runs are those of the user's center (`reports.runs_visible_to`),
the summary covers the agencies the user may see.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taicho.core.errors import DomainError
from taicho.org.models import Agency, Center
from taicho.supervision import reports, stats
from taicho.supervision.access import is_supervisor, supervision_view, supervisor_only
from taicho.supervision.filters import Filters, read_filters, today
from taicho.supervision.models import ReportRun
from taicho.supervision.tables import Light, Link, Table
from taicho.supervision.tasks import monthly_report
from taicho.supervision.views.common import page

STATUS_COLORS = {
    ReportRun.Status.QUEUED: "yellow",
    ReportRun.Status.RUNNING: "yellow",
    ReportRun.Status.DONE: "green",
    ReportRun.Status.FAILED: "red",
}


def user_center(user: Any) -> Center | None:
    """The center whose reports the user works with: their own; for an agency's leader without one, a center
    serving the agency; for a superuser without one, the first center."""
    if getattr(user, "center_id", None):
        return Center.objects.select_related("agency").get(pk=user.center_id)
    centers = Center.objects.select_related("agency").order_by("code")
    if getattr(user, "agency_id", None):
        serving = centers.filter(served_agencies=user.agency_id).first()
        if serving is not None:
            return serving
    return centers.first() if getattr(user, "is_superuser", False) else None


def runs_table(runs: list[ReportRun]) -> Table:
    table = Table(
        key="bao-cao",
        title=_("Báo cáo định kỳ đã lập"),
        columns=[
            _("Kỳ báo cáo"),
            _("Trung tâm"),
            _("Trạng thái"),
            _("Yêu cầu lúc"),
            _("Xong lúc"),
            _("Báo cáo PDF"),
            _("Số liệu xlsx"),
            _("Đã gửi tới"),
            _("Lỗi"),
        ],
        empty=_("Chưa có báo cáo nào."),
    )
    for run in runs:
        done = run.status == ReportRun.Status.DONE
        period = (
            _("Tháng %(m)s") % {"m": f"{run.period_start:%m/%Y}"}
            if run.kind == reports.MONTHLY
            else f"{run.period_start:%d/%m/%Y} – {run.period_end:%d/%m/%Y}"
        )
        table.rows.append(
            [
                period,
                str(run.center) if run.center else "",
                Light(STATUS_COLORS[ReportRun.Status(run.status)], str(run.get_status_display())),
                _local(run.created_at),
                _local(run.finished_at),
                Link(_("Tải PDF"), reverse("supervision:report_pdf", args=[run.pk]))
                if done and run.pdf
                else "",
                Link(_("Tải xlsx"), reverse("supervision:report_xlsx", args=[run.pk]))
                if done and run.xlsx
                else "",
                ", ".join(run.sent_to or []),
                run.error,
            ]
        )
    return table


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


@supervision_view
def reports_page(request: HttpRequest) -> HttpResponse:
    filters = read_filters(request)
    runs = list(reports.runs_visible_to(request.user).order_by("-period_start", "-created_at")[:120])
    year, month = reports.previous_month(today())
    summary_query = filters.query()
    return page(
        request,
        "supervision/reports.html",
        "reports",
        [runs_table(runs)],
        filters,
        filename="bao-cao",
        heading=_("Báo cáo"),
        can_request=is_supervisor(request.user) and user_center(request.user) is not None,
        default_month=f"{year:04d}-{month:02d}",
        summary_url=reverse("supervision:summary_pdf") + (f"?{summary_query}" if summary_query else ""),
    )


@require_POST
@supervisor_only
def request_report(request: HttpRequest) -> HttpResponse:
    center = user_center(request.user)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", request.POST.get("thang", "").strip())
    try:
        if center is None:
            raise DomainError(_("Tài khoản chưa gắn với trung tâm nào."))
        if match is None:
            raise DomainError(_("Chọn tháng báo cáo (dạng năm-tháng, ví dụ 2026-10)."))
        year, month = int(match[1]), int(match[2])
        with transaction.atomic():
            run, queued = reports.request_monthly_report(
                center=center,
                year=year,
                month=month,
                requested_by=request.user,  # type: ignore[arg-type]
            )
            if queued:
                # The worker reads the row: enqueue only once it is committed (design.md rule 5).
                transaction.on_commit(partial(monthly_report.enqueue, center.pk, year, month))
    except DomainError as exc:
        messages.error(request, exc.message, extra_tags="danger")
        return redirect("supervision:reports")
    label = f"{run.period_start:%m/%Y}"
    if queued:
        messages.success(
            request,
            _("Đã đưa báo cáo tháng %(m)s vào hàng chờ lập; tải về khi trạng thái là “Đã lập”.")
            % {"m": label},
        )
    elif run.status == ReportRun.Status.DONE:
        messages.info(request, _("Báo cáo tháng %(m)s đã được lập trước đó.") % {"m": label})
    else:
        messages.info(request, _("Báo cáo tháng %(m)s đang được lập.") % {"m": label})
    return redirect("supervision:reports")


def _serve(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    run = get_object_or_404(reports.runs_visible_to(request.user), pk=pk, status=ReportRun.Status.DONE)
    field = run.pdf if kind == "pdf" else run.xlsx
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = "application/pdf" if kind == "pdf" else reports.XLSX_TYPE
    base = reports.file_base(run.center, run.period_start, run.period_end)
    return FileResponse(
        handle, content_type=content_type, filename=f"{base}.{kind}", as_attachment=kind != "pdf"
    )


@supervisor_only
def report_pdf(request: HttpRequest, pk: int) -> Any:  # a FileResponse
    return _serve(request, pk, "pdf")


@supervisor_only
def report_xlsx(request: HttpRequest, pk: int) -> Any:  # a FileResponse
    return _serve(request, pk, "xlsx")


def summary_agencies(filters: Filters, center: Center) -> QuerySet[Agency]:
    """The agencies the user chose (agency or level), else those the user may see among the center's."""
    if filters.agency is not None or filters.level:
        return filters.agencies
    return filters.agencies.filter(pk__in=reports.report_agencies(center).values("pk"))


@supervision_view
def summary_pdf(request: HttpRequest) -> HttpResponse:
    filters = read_filters(request)
    center = user_center(request.user)
    if center is None:
        raise Http404(_("Tài khoản chưa gắn với trung tâm nào."))
    stats.ensure_fresh()
    data = reports.summary_data(
        center, filters.start, filters.end, filters.plan, filters.phase, summary_agencies(filters, center)
    )
    response = HttpResponse(reports.summary_pdf(data), content_type="application/pdf")
    base = reports.file_base(center, filters.start, filters.end)
    response["Content-Disposition"] = f'inline; filename="{base}.pdf"'
    return response


urlpatterns: list[URLPattern] = [
    path("bao-cao/", reports_page, name="reports"),
    path("bao-cao/lap", request_report, name="report_request"),
    path("bao-cao/<int:pk>/pdf", report_pdf, name="report_pdf"),
    path("bao-cao/<int:pk>/xlsx", report_xlsx, name="report_xlsx"),
    path("bao-cao/tong-hop.pdf", summary_pdf, name="summary_pdf"),
]
