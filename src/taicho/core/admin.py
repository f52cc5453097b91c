from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from taicho.core import calendar
from taicho.core.models import CalendarDay, DailyCounter, WorkingSeason


class InvalidatesCalendar(admin.ModelAdmin):
    """Edits of the calendar make every process rebuild its working calendars after commit."""

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        transaction.on_commit(calendar.invalidate)

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        super().delete_model(request, obj)
        transaction.on_commit(calendar.invalidate)

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        super().delete_queryset(request, queryset)
        transaction.on_commit(calendar.invalidate)


@admin.register(CalendarDay)
class CalendarDayAdmin(InvalidatesCalendar):
    list_display = ["date", "weekday", "kind", "name", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "detail", "source"]
    date_hierarchy = "date"

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarDay) -> str:
        return ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"][
            obj.date.weekday()
        ]


@admin.register(WorkingSeason)
class WorkingSeasonAdmin(InvalidatesCalendar):
    list_display = [
        "name",
        "center",
        "starts_day",
        "starts_month",
        "morning_start",
        "morning_end",
        "afternoon_start",
        "afternoon_end",
    ]
    list_filter = ["center"]


@admin.register(DailyCounter)
class DailyCounterAdmin(admin.ModelAdmin):
    list_display = ["scope", "day", "last_value"]
    search_fields = ["scope"]
    date_hierarchy = "day"

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # numbers once handed out are never changed (domain.md §4)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
