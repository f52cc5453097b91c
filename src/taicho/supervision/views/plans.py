"""The plan's pages: live compliance with the targets (and the procedures behind each number), and the agencies'
roadmaps with what is late. Read-only; every agency within what the user may see (design.md rule 6)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from taicho.supervision.access import agencies_for, supervision_view
from taicho.supervision.compliance import (
    COUNTED,
    EXCLUDED,
    KIND_LABELS,
    MISSING,
    base_label,
    behind_table,
    compliance,
    compliance_tables,
    procedures_behind,
)
from taicho.supervision.filters import read_filters
from taicho.supervision.models import Base, Metric, Roadmap
from taicho.supervision.roadmaps import agencies_without_roadmap, roadmap_progress, roadmap_tables
from taicho.supervision.views.common import page


@supervision_view
def compliance_page(request: HttpRequest) -> HttpResponse:
    from taicho.supervision.stats import ensure_fresh

    ensure_fresh()
    filters = read_filters(request)
    result = None
    tables = []
    if filters.plan is not None and filters.phase is not None:
        result = compliance(filters.plan, filters.phase, filters.end, filters.agencies)
        tables = compliance_tables(result)
    targets = filters.phase.targets.order_by("level", "metric") if filters.phase is not None else []
    return page(
        request,
        "supervision/compliance.html",
        "compliance",
        tables,
        filters=filters,
        filename="chi-tieu-ke-hoach",
        heading=_("Thực hiện chỉ tiêu kế hoạch “5 tại chỗ”"),
        result=result,
        targets=[(t, base_label(t.base)) for t in targets],
    )


@supervision_view
def compliance_agency_page(request: HttpRequest, agency_id: int) -> HttpResponse:
    filters = read_filters(request)
    agency = get_object_or_404(agencies_for(request.user), pk=agency_id)
    metric = request.GET.get("chi_tieu", "")
    metric = metric if metric in Metric.values else Metric.ON_THE_SPOT
    base = request.GET.get("co_so", "")
    base = base if base in Base.values else ""
    kind = request.GET.get("loai", "")
    kind = kind if kind in KIND_LABELS else ""
    rows = []
    if filters.plan is not None:
        rows = procedures_behind(agency, metric, filters.end, filters.plan, filters.phase, base or None)
    counts = {k: sum(1 for r in rows if r.kind == k) for k in (COUNTED, MISSING, EXCLUDED)}
    keep = {k: v for k, v in request.GET.items() if k not in ("loai", "xlsx")}
    links = [
        (k, str(KIND_LABELS[k][1]), counts[k], "?" + urlencode({**keep, "loai": k}))
        for k in (COUNTED, MISSING, EXCLUDED)
        if counts[k]
    ]
    back = {
        "ke_hoach": filters.plan.pk if filters.plan else "",
        "giai_doan": filters.phase.pk if filters.phase else "",
    }
    back_query = urlencode({"den": filters.end.isoformat(), **{k: v for k, v in back.items() if v}})
    return page(
        request,
        "supervision/compliance_agency.html",
        "compliance",
        [behind_table(agency, metric, rows, kind)],
        filters=filters,
        filename=f"thu-tuc-{agency.code}",
        heading=_("Các thủ tục sau số liệu: %(agency)s") % {"agency": agency.name},
        agency=agency,
        metric_label=Metric(metric).label,
        base_label=base_label(base) if base else "",
        kind=kind,
        links=links,
        all_url="?" + urlencode(keep),
        total=len(rows),
        back_url=f"{reverse('supervision:compliance')}?{back_query}",
    )


@supervision_view
def roadmaps_page(request: HttpRequest) -> HttpResponse:
    filters = read_filters(request)
    today = timezone.localdate()
    progress = []
    missing = []
    if filters.plan is not None:
        progress = roadmap_progress(
            Roadmap.objects.filter(plan=filters.plan, agency__in=filters.agencies), today
        )
        missing = agencies_without_roadmap(filters.plan, filters.agencies, today)
    return page(
        request,
        "supervision/roadmaps.html",
        "roadmaps",
        roadmap_tables(progress, missing),
        filters=filters,
        filename="lo-trinh",
        heading=_("Lộ trình thực hiện “5 tại chỗ” của các cơ quan"),
        progress=progress,
        late=sum(len(p.late) for p in progress),
        today=today,
    )


urlpatterns = [
    path("chi-tieu/", compliance_page, name="compliance"),
    path("chi-tieu/<int:agency_id>/", compliance_agency_page, name="compliance_agency"),
    path("lo-trinh/", roadmaps_page, name="roadmaps"),
]
