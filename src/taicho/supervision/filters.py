"""The filters every supervision page shares (item 8): period, agency, level, plan and phase, read from the query
string with defaults (this year so far; the default plan; its phase in force today)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils import timezone

from taicho.org.models import Agency
from taicho.supervision.access import agencies_for
from taicho.supervision.models import Phase, Plan


def today() -> date:
    return timezone.localdate()  # Asia/Ho_Chi_Minh: what people see


def _date(value: str | None, default: date) -> date:
    if not value:
        return default
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return default


@dataclass
class Filters:
    start: date
    end: date
    plan: Plan | None
    phase: Phase | None
    agency: Agency | None
    level: str
    agencies: Any  # QuerySet[Agency]: the agencies the user may see, narrowed by agency and level

    def query(self, **overrides: Any) -> str:
        values = {
            "tu": self.start.isoformat(),
            "den": self.end.isoformat(),
            "ke_hoach": self.plan.pk if self.plan else "",
            "giai_doan": self.phase.pk if self.phase else "",
            "co_quan": self.agency.pk if self.agency else "",
            "cap": self.level,
        }
        values.update(overrides)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def read_filters(request: HttpRequest) -> Filters:
    now = today()
    start = _date(request.GET.get("tu"), date(now.year, 1, 1))
    end = _date(request.GET.get("den"), now)
    if end < start:
        start, end = end, start
    plans = Plan.objects.all()
    plan = None
    if request.GET.get("ke_hoach", "").isdigit():
        plan = plans.filter(pk=int(request.GET["ke_hoach"])).first()
    plan = plan or plans.filter(is_default=True).first() or plans.first()
    phase = None
    if plan is not None:
        phases = Phase.objects.filter(plan=plan)
        if request.GET.get("giai_doan", "").isdigit():
            phase = phases.filter(pk=int(request.GET["giai_doan"])).first()
        phase = (
            phase
            or phases.filter(starts__lte=end, ends__gte=end).first()
            or phases.filter(ends__lt=end).order_by("-ends").first()
            or phases.order_by("starts").first()
        )
    visible = agencies_for(request.user)
    agency = None
    if request.GET.get("co_quan", "").isdigit():
        agency = visible.filter(pk=int(request.GET["co_quan"])).first()
    level = request.GET.get("cap", "")
    if level not in Agency.Level.values:
        level = ""
    agencies = visible
    if agency is not None:
        agencies = agencies.filter(pk=agency.pk)
    if level:
        agencies = agencies.filter(level=level)
    return Filters(start, end, plan, phase, agency, level, agencies)
