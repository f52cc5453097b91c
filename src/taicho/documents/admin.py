from django.contrib import admin

from taicho.documents.models import DocumentEvent, IssuedDocument


class EventInline(admin.TabularInline):
    model = DocumentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "action", "actor", "from_status", "to_status", "detail"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # append-only: written by the services


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "number",
        "agency",
        "dossier_code",
        "status",
        "signed_by",
        "sealed_by",
        "released_at",
    ]
    list_filter = ["status", "template", "agency"]
    search_fields = ["title", "number", "dossier_code", "verification_code"]
    inlines = [EventInline]
    list_select_related = ["agency", "signed_by", "sealed_by"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # changes go through the signing services only

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
