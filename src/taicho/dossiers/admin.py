from django.contrib import admin

from taicho.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierPaper, Rating


class EventInline(admin.TabularInline):
    model = DossierEvent
    extra = 0
    can_delete = False
    fields = (
        "at",
        "action",
        "step",
        "from_status",
        "to_status",
        "actor",
        "reason",
        "budget_seconds",
        "used_seconds",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # append-only: written by the services


class ComponentInline(admin.TabularInline):
    model = DossierComponent
    extra = 0
    can_delete = False
    fields = ("component", "provided_as", "count", "digitized", "digitization_code", "reused_from")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class PaperInline(admin.TabularInline):
    model = DossierPaper
    extra = 0
    can_delete = False
    readonly_fields = ["form", "file", "sha256", "created_at", "created_by"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Read-only: dossiers change only through the step services (the staff workspace or the API)."""

    list_display = [
        "code",
        "procedure",
        "agency",
        "owner_name",
        "status",
        "received_at",
        "due_at",
        "returned_at",
    ]
    list_filter = ["status", "agency", "on_the_spot", "channel"]
    search_fields = ["code", "owner_name", "owner_id", "applicant_name"]
    date_hierarchy = "received_at"
    list_select_related = ["procedure", "agency"]
    inlines = [ComponentInline, PaperInline, EventInline]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return (
            super().get_queryset(request).filter(pk__in=Dossier.objects.visible_to(request.user).values("pk"))
        )

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["dossier", "overall", "officer", "created_at"]
    list_filter = ["overall"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
