from datetime import timedelta

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taicho.catalog.forms import CatalogImportForm
from taicho.catalog.models import (
    Component,
    Fee,
    ImportRun,
    OnTheSpotDesignation,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    ResultType,
    Sector,
)
from taicho.catalog.services import ImportFailed, create_version, import_catalog
from taicho.org.models import Role


def may_import(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and (user.is_superuser or user.has_role(Role.ADMINISTRATOR)))


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    list_display = ["name", "procedure_count"]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).annotate(n=Count("procedure"))

    @admin.display(description=gettext_lazy("số thủ tục"), ordering="n")
    def procedure_count(self, obj: Sector) -> int:
        return obj.n  # type: ignore[attr-defined]


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ("number", "effective_from", "name", "origin", "needs_review", "link")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    @admin.display(description="")
    def link(self, obj: ProcedureVersion) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:catalog_procedureversion_change", args=[obj.pk]), _("Xem")
        )


class OnTheSpotInline(admin.TabularInline):
    """Read-only here: a designation changes only through the review services, each change an event with who
    and why (supervision, /giam-sat/ra-soat/)."""

    model = OnTheSpotDesignation
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "agency",
        "case_name",
        "status",
        "counter_appraises",
        "counter_approves",
        "on_the_spot_hours",
        "decision_number",
        "decision_date",
        "effective_from",
    )

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sector", "version_count", "flagged"]
    list_filter = ["sector", "versions__needs_review", "on_the_spot__status"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["sector"]
    filter_horizontal = ["agencies"]
    inlines = [VersionInline, OnTheSpotInline]
    list_select_related = ["sector"]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_versions=Count("versions", distinct=True),
                n_flagged=Count("versions", filter=Q(versions__needs_review=True), distinct=True),
            )
        )

    @admin.display(description=gettext_lazy("số phiên bản"), ordering="n_versions")
    def version_count(self, obj: Procedure) -> int:
        return obj.n_versions  # type: ignore[attr-defined]

    @admin.display(description=gettext_lazy("cần rà soát"), boolean=True)
    def flagged(self, obj: Procedure) -> bool:
        return bool(obj.n_flagged)  # type: ignore[attr-defined]


class InForceReadOnly:
    """A version already in force is frozen: dossiers may pin it. Changes go into a new version (action below),
    editable until its effective date."""

    def _frozen(self, obj: object) -> bool:
        version = obj if isinstance(obj, ProcedureVersion) else getattr(obj, "version", None)
        return version is not None and version.effective_from <= timezone.localdate()

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return super().has_change_permission(request, obj) and not (obj is not None and self._frozen(obj))  # type: ignore[misc]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        if not isinstance(self, admin.options.InlineModelAdmin):
            return False  # versions and cases are made by the import or by "new version", never from scratch
        return super().has_add_permission(request, obj) and not (obj is not None and self._frozen(obj))  # type: ignore[misc]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return super().has_delete_permission(request, obj) and not (obj is not None and self._frozen(obj))  # type: ignore[misc]


class CaseInline(InForceReadOnly, admin.TabularInline):
    model = ProcedureCase
    fields = [
        "ordinal",
        "channel",
        "name",
        "time_limit_value",
        "time_limit_unit",
        "time_limit_text",
        "fees_display",
    ]
    readonly_fields = ["fees_display"]
    extra = 0
    show_change_link = True

    @admin.display(description=gettext_lazy("phí, lệ phí"))
    def fees_display(self, obj: ProcedureCase) -> str:
        return "; ".join(str(f) for f in obj.fees.all()) or "—"


class ComponentInline(InForceReadOnly, admin.TabularInline):
    model = Component
    fields = ["ordinal", "name", "group", "originals", "certified_copies", "copies", "required", "form_name"]
    extra = 0


class ResultTypeInline(InForceReadOnly, admin.TabularInline):
    model = ResultType
    fields = ["code", "name", "template"]
    extra = 0


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(InForceReadOnly, admin.ModelAdmin):
    list_display = ["procedure", "number", "effective_from", "origin", "needs_review"]
    list_filter = ["needs_review", "origin", "effective_from"]
    search_fields = ["procedure__code", "name"]
    readonly_fields = ["procedure", "number", "origin", "source_hash", "source_url", "created_at"]
    exclude = ["source_record"]
    inlines = [CaseInline, ComponentInline, ResultTypeInline]
    actions = ["new_version"]
    list_select_related = ["procedure"]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("cases__fees")

    @admin.action(
        description=gettext_lazy("Tạo phiên bản mới (áp dụng từ ngày mai) từ các phiên bản đã chọn")
    )
    def new_version(self, request: HttpRequest, queryset) -> None:  # type: ignore[no-untyped-def]
        tomorrow = timezone.localdate() + timedelta(days=1)
        for version in queryset:
            create_version(
                source=version, effective_from=tomorrow, origin=ProcedureVersion.Origin.MANUAL, source_hash=""
            )
        self.message_user(
            request,
            _("Đã tạo %(n)d phiên bản mới áp dụng từ %(day)s; chỉnh sửa được cho tới ngày áp dụng.")
            % {"n": queryset.count(), "day": tomorrow.strftime("%d/%m/%Y")},
            messages.SUCCESS,
        )


class FeeInline(InForceReadOnly, admin.TabularInline):
    model = Fee
    extra = 0


@admin.register(ProcedureCase)
class ProcedureCaseAdmin(InForceReadOnly, admin.ModelAdmin):
    list_display = ["version", "ordinal", "channel", "name"]
    search_fields = ["version__procedure__code", "name"]
    inlines = [FeeInline]
    readonly_fields = ["version"]


@admin.register(OnTheSpotDesignation)
class OnTheSpotDesignationAdmin(admin.ModelAdmin):
    list_display = [
        "procedure",
        "agency",
        "case_name",
        "status",
        "counter_appraises",
        "counter_approves",
        "decision_number",
        "effective_from",
    ]
    list_filter = ["status", "agency", "counter_appraises", "counter_approves"]
    search_fields = ["procedure__code", "procedure__name", "decision_number"]
    list_select_related = ["procedure", "agency"]

    # Read-only: status, decision and delegation change through the review services, which record who and why
    # (supervision/services.py; the page /giam-sat/ra-soat/).
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "started_by", "status", "created", "new_versions", "unchanged", "flagged"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]
    change_list_template = "admin/catalog/importrun/change_list.html"

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def get_urls(self):  # type: ignore[no-untyped-def]
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="catalog_importrun_upload"),
            *super().get_urls(),
        ]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """The administrators' page to upload portal files (thin: parse the form, call the import service)."""
        if not may_import(request):
            messages.error(request, _("Chỉ quản trị hệ thống được nhập danh mục thủ tục."))
            return redirect("admin:index")
        form = CatalogImportForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            files = [(f.name, f.read()) for f in form.cleaned_data["uploads"]]
            try:
                run = import_catalog(
                    files=files,
                    started_by=request.user,  # type: ignore[arg-type]  # may_import() saw a signed-in Staff
                    effective_from=form.cleaned_data["effective_from"],
                )
            except ImportFailed as exc:
                problems = exc.problems
                messages.error(request, _("Không nhập được, dữ liệu không thay đổi. Xem chi tiết bên dưới."))
            else:
                messages.success(
                    request,
                    _(
                        "Đã nhập: %(created)d thủ tục mới, %(versions)d phiên bản mới, %(unchanged)d không đổi, %(flagged)d cần rà soát."
                    )
                    % {
                        "created": run.created,
                        "versions": run.new_versions,
                        "unchanged": run.unchanged,
                        "flagged": run.flagged,
                    },
                )
                return redirect("admin:catalog_importrun_change", run.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Nhập danh mục thủ tục hành chính"),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/importrun/upload.html", context)

    def has_view_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return super().has_view_permission(request, obj) or may_import(request)

    def has_module_permission(self, request):  # type: ignore[no-untyped-def]
        return super().has_module_permission(request) or may_import(request)
