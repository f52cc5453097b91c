"""Admin of the registers (inspections, recommendations, assignments) and of the prepared reports.

The admin is for corrections by administrators; the rules of the services still hold: an assignment may not
overlap another of the same staff member, a recommendation is not accepted or rejected without an answer, and
a follow-up due date needs the actions required (`registers.py`). Report runs are written only by the
background job (`reports.prepare_report`), so they are read-only here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from taicho.core.errors import DomainError
from taicho.supervision import registers
from taicho.supervision.models import Inspection, Recommendation, ReportRun, StaffAssignment


class InspectionAdminForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = [
            "inspected_on",
            "team",
            "decision_number",
            "agency",
            "center",
            "scope",
            "findings",
            "required_actions",
            "follow_up_due",
            "follow_up_status",
            "follow_up_note",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        due, inspected = data.get("follow_up_due"), data.get("inspected_on")
        if due and inspected and due < inspected:
            self.add_error("follow_up_due", _("Hạn khắc phục không được trước ngày kiểm tra."))
        if due and not (data.get("required_actions") or "").strip():
            self.add_error("required_actions", _("Có hạn khắc phục thì phải ghi rõ yêu cầu khắc phục."))
        return data


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    form = InspectionAdminForm
    list_display = ["inspected_on", "team", "agency", "follow_up_due", "follow_up_status"]
    list_filter = ["follow_up_status", "agency__level"]
    search_fields = ["team", "decision_number", "scope", "findings", "agency__name"]
    date_hierarchy = "inspected_on"
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request: HttpRequest, obj: Inspection, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


class RecommendationAdminForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = [
            "procedure",
            "agency",
            "kind",
            "proposal",
            "reason",
            "addressed_to",
            "status",
            "submitted_on",
            "answer",
            "answered_on",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status = data.get("status")
        answered = (
            Recommendation.Status.ACCEPTED,
            Recommendation.Status.REJECTED,
            Recommendation.Status.IMPLEMENTED,
        )
        if status in answered and not (data.get("answer") or "").strip():
            self.add_error("answer", _("Phải ghi nội dung trả lời của cơ quan có thẩm quyền."))
        if status != Recommendation.Status.DRAFT and not data.get("submitted_on"):
            self.add_error("submitted_on", _("Kiến nghị đã gửi phải có ngày gửi."))
        return data


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    form = RecommendationAdminForm
    list_display = ["procedure", "agency", "kind", "status", "submitted_on", "answered_on"]
    list_filter = ["status", "kind"]
    search_fields = ["procedure__code", "procedure__name", "proposal", "addressed_to"]
    list_select_related = ["procedure", "agency"]
    autocomplete_fields = ["procedure", "agency"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request: HttpRequest, obj: Recommendation, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


class StaffAssignmentAdminForm(forms.ModelForm):
    class Meta:
        model = StaffAssignment
        fields = ["staff", "center", "counter", "agency", "duties", "starts", "ends", "trained_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or not all(data.get(k) for k in ("staff", "center", "agency", "starts")):
            return data
        candidate = StaffAssignment(
            pk=self.instance.pk,
            staff=data["staff"],
            center=data["center"],
            counter=data.get("counter"),
            agency=data["agency"],
            starts=data["starts"],
            ends=data.get("ends"),
        )
        try:
            registers.check_assignment(candidate)  # the same overlap rule as the pages
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return data


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(admin.ModelAdmin):
    form = StaffAssignmentAdminForm
    list_display = ["staff", "center", "counter", "agency", "starts", "ends", "trained_on"]
    list_filter = ["center", "agency"]
    search_fields = ["staff__full_name", "staff__username", "agency__name", "duties"]
    list_select_related = ["staff", "center", "counter", "agency"]
    autocomplete_fields = ["staff", "agency"]
    date_hierarchy = "starts"


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = ["kind", "center", "period_start", "period_end", "status", "created_at", "finished_at"]
    list_filter = ["status", "kind", "center"]
    date_hierarchy = "period_start"
    list_select_related = ["center"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by the monthly job or the "Lập báo cáo tháng" button

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
