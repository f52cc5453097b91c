from django.contrib import admin

from taicho.signing.models import SigningCredential, TrustedRoot


@admin.register(TrustedRoot)
class TrustedRootAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "added_at"]


@admin.register(SigningCredential)
class SigningCredentialAdmin(admin.ModelAdmin):
    list_display = ["label", "holder", "kind", "staff", "agency", "not_after", "is_active"]
    list_filter = ["holder", "kind", "is_active"]
    search_fields = ["label", "subject", "serial", "staff__full_name", "agency__name"]
    autocomplete_fields = ["staff", "agency"]
    readonly_fields = ["subject", "serial", "not_before", "not_after", "created_at"]
    exclude = ["p12_password"]
