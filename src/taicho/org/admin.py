from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from taicho.org.models import (
    AdministrativeUnit,
    Agency,
    ApiToken,
    Center,
    Counter,
    Delegation,
    Staff,
    StaffRole,
)
from taicho.org.services import validate_delegation


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "division_type", "province"]
    list_filter = ["kind", "division_type"]
    search_fields = ["name", "=code"]
    list_select_related = ["province"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # loaded from the vietnam-provinces package (`taicho load-units`)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "valid_from", "valid_to", "successor"]
    list_filter = ["level"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["parent", "successor", "administrative_unit", "head"]
    list_select_related = ["parent", "successor"]
    fieldsets = [
        (None, {"fields": ["code", "name", "short_name", "level", "parent", "administrative_unit"]}),
        (_("Liên hệ"), {"fields": ["address", "phone", "email"]}),
        (_("Hiệu lực và kế thừa"), {"fields": ["valid_from", "valid_to", "successor"]}),
        (_("Ký số và con dấu"), {"fields": ["head", "seal_image", "organisation_certificate"]}),
    ]


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0
    filter_horizontal = ["agencies"]


@admin.register(Center)
class CenterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "agency", "reception_cutoff"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["agency"]
    filter_horizontal = ["served_agencies"]
    inlines = [CounterInline]


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "center", "is_active"]
    list_filter = ["center", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["agencies"]


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 1


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    list_display = ["username", "full_name", "title", "agency", "roles_display", "is_active"]
    list_filter = ["roles__role", "agency", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "personal_id"]
    autocomplete_fields = ["agency"]
    inlines = [StaffRoleInline]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Thông tin cán bộ"), {"fields": ["full_name", "title", "personal_id", "email", "phone"]}),
        (_("Nơi làm việc"), {"fields": ["agency", "center", "counter"]}),
        (_("Ký số"), {"fields": ["signature_image", "certificate"]}),
        (_("Quyền"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Thời điểm"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["username", "full_name", "agency", "password1", "password2"]},
        ),
    ]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).select_related("agency").prefetch_related("roles")

    @admin.display(description=_("vai trò"))
    def roles_display(self, obj: Staff) -> str:
        return ", ".join(str(r.get_role_display()) for r in obj.roles.all())


class DelegationForm(forms.ModelForm):
    class Meta:
        model = Delegation
        fields = [
            "agency",
            "decision_number",
            "decision_date",
            "delegator",
            "delegate",
            "delegate_role",
            "procedures",
            "can_appraise",
            "can_approve",
            "formula",
            "signer_title",
            "valid_from",
            "valid_to",
            "revoked_at",
        ]

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        if not self.errors and cleaned.get("delegator") and cleaned.get("agency"):
            candidate = Delegation(
                agency=cleaned["agency"],
                delegator=cleaned["delegator"],
                delegate=cleaned.get("delegate"),
                delegate_role=cleaned.get("delegate_role") or "",
                formula=cleaned.get("formula") or "",
            )
            try:
                validate_delegation(candidate, cleaned.get("procedures") or [])
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc
        return cleaned


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    form = DelegationForm
    list_display = [
        "decision_number",
        "decision_date",
        "agency",
        "delegator",
        "delegate",
        "delegate_role",
        "can_appraise",
        "can_approve",
        "formula",
        "valid_from",
        "valid_to",
        "revoked_at",
    ]
    list_filter = ["agency", "formula", "can_appraise", "can_approve"]
    search_fields = ["decision_number", "delegate__full_name", "delegator__full_name"]
    autocomplete_fields = ["agency", "delegator", "delegate", "procedures"]
    date_hierarchy = "valid_from"
    list_select_related = ["agency", "delegator", "delegate"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by `taicho api-token USERNAME`; here they can be seen and revoked."""

    list_display = ["name", "staff", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["staff", "name", "prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
