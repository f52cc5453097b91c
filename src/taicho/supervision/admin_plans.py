"""Admin of plans (with their phases, each phase with its targets), roadmaps (with milestones) and the read-only
history of designations. A province's plan is data (domain.md §1): a second plan with other percentages, dates
and levels is entered here, without code."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taicho.supervision.models import DesignationEvent, Milestone, Phase, Plan, Roadmap, Target


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 1
    fields = ("ordinal", "name", "starts", "ends", "target_summary")
    readonly_fields = ("target_summary",)
    show_change_link = True

    @admin.display(description=gettext_lazy("chỉ tiêu (sửa trong trang giai đoạn)"))
    def target_summary(self, obj: Phase) -> str:
        if obj.pk is None:
            return ""
        return "; ".join(str(t) for t in obj.targets.all()) or "—"


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "decision_number", "decision_date", "is_default", "phase_count"]
    list_filter = ["is_default"]
    search_fields = ["name", "decision_number"]
    autocomplete_fields = ["issuer"]
    inlines = [PhaseInline]
    fieldsets = [
        (None, {"fields": ["name", "decision_number", "decision_date", "issuer", "is_default", "note"]}),
        (
            gettext_lazy("Tiêu chí lựa chọn thủ tục (đơn giản, ngắn, thường xuyên)"),
            {"fields": ["simple_max_components", "short_max_days", "frequent_min_dossiers"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("phases")

    @admin.display(description=gettext_lazy("số giai đoạn"))
    def phase_count(self, obj: Plan) -> int:
        return len(obj.phases.all())


class TargetInline(admin.TabularInline):
    model = Target
    extra = 3
    fields = ("level", "metric", "base", "percent")


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "ordinal", "starts", "ends"]
    list_filter = ["plan"]
    list_select_related = ["plan"]
    search_fields = ["name", "plan__name"]
    inlines = [TargetInline]
    fields = ["plan", "ordinal", "name", "starts", "ends"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 2
    fields = ("due", "on_the_spot_count", "delegated_count", "note")


@admin.register(Roadmap)
class RoadmapAdmin(admin.ModelAdmin):
    list_display = ["agency", "plan", "head_display", "committed_on", "document"]
    list_filter = ["plan", "agency__level"]
    list_select_related = ["agency", "plan", "head"]
    search_fields = ["agency__name", "agency__code", "head_name", "document"]
    autocomplete_fields = ["agency", "head"]
    inlines = [MilestoneInline]

    @admin.display(description=gettext_lazy("thủ trưởng chịu trách nhiệm"))
    def head_display(self, obj: Roadmap) -> str:
        return obj.head.get_full_name() if obj.head is not None else obj.head_name


@admin.register(DesignationEvent)
class DesignationEventAdmin(admin.ModelAdmin):
    """Append-only (design.md rule 4): shown, never added, changed or deleted here; the review pages write it
    through the services."""

    list_display = ["at", "procedure", "agency", "action", "from_status", "to_status", "actor", "reason"]
    list_filter = ["action", "to_status"]
    list_select_related = ["designation__procedure", "designation__agency", "actor"]
    search_fields = ["designation__procedure__code", "designation__agency__name", "reason"]
    date_hierarchy = "at"
    fields = readonly_fields = (
        "designation_link",
        "action",
        "from_status",
        "to_status",
        "actor",
        "at",
        "reason",
        "detail",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("thủ tục"), ordering="designation__procedure__code")
    def procedure(self, obj: DesignationEvent) -> str:
        return obj.designation.procedure.code

    @admin.display(description=gettext_lazy("cơ quan"))
    def agency(self, obj: DesignationEvent) -> str:
        return str(obj.designation.agency.name)

    @admin.display(description=gettext_lazy("thủ tục 5 tại chỗ"))
    def designation_link(self, obj: DesignationEvent) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("supervision:review_designation", args=[obj.designation_id]),
            _("%(code)s tại %(agency)s")
            % {"code": obj.designation.procedure.code, "agency": obj.designation.agency.name},
        )
