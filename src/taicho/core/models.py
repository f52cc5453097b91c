"""Core data: the official calendar of days off and make-up working days, the centers' working hours by season,
and the per-day counters behind dossier codes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Nghỉ lễ, Tết")
    DAY_OFF = "day-off", _("Ngày nghỉ (nghỉ bù, hoán đổi)")
    MAKEUP_WORKING_DAY = "make-up-working-day", _("Ngày làm bù")
    WORKING_DAY = "working-day", _("Ngày làm việc bình thường")


class CalendarDay(models.Model):
    """One date of the official schedule for public servants, layered over the statutory holidays that the
    `holidays` package computes (domain.md §3, §8). A HOLIDAY/DAY_OFF date is not worked; a MAKEUP_WORKING_DAY
    (e.g. Saturday 26/4/2025) or WORKING_DAY date is worked even when the package or the weekend says otherwise."""

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại ngày"), max_length=24, choices=DayKind.choices)
    name = models.CharField(_("tên"), max_length=200)
    detail = models.TextField(_("chi tiết"), blank=True)
    status = models.CharField(_("tình trạng xác nhận"), max_length=64, blank=True)
    source = models.TextField(_("nguồn (văn bản thông báo)"), blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("ngày trong lịch nghỉ chính thức")
        verbose_name_plural = _("lịch nghỉ lễ và ngày làm bù")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.name}"


class WorkingSeason(models.Model):
    """The working hours of a center from a month/day until the next season starts (domain.md §3: hours are set
    per center and season; lunch is not counted). A row without a center is the default for every center."""

    center = models.ForeignKey(
        "org.Center",
        verbose_name=_("trung tâm"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="seasons",
    )
    name = models.CharField(_("tên mùa"), max_length=100)
    starts_month = models.PositiveSmallIntegerField(_("từ tháng"))
    starts_day = models.PositiveSmallIntegerField(_("từ ngày"))
    morning_start = models.TimeField(_("buổi sáng từ"))
    morning_end = models.TimeField(_("buổi sáng đến"))
    afternoon_start = models.TimeField(_("buổi chiều từ"))
    afternoon_end = models.TimeField(_("buổi chiều đến"))

    class Meta:
        verbose_name = _("giờ làm việc theo mùa")
        verbose_name_plural = _("giờ làm việc theo mùa")
        ordering = ["center_id", "starts_month", "starts_day"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "starts_month", "starts_day"], name="season_unique_start_per_center"
            ),
            models.UniqueConstraint(
                fields=["starts_month", "starts_day"],
                condition=Q(center__isnull=True),
                name="season_unique_default_start",
            ),
            models.CheckConstraint(
                condition=Q(starts_month__gte=1, starts_month__lte=12, starts_day__gte=1, starts_day__lte=31),
                name="season_valid_month_day",
            ),
            models.CheckConstraint(
                condition=Q(morning_start__lt=models.F("morning_end"))
                & Q(morning_end__lte=models.F("afternoon_start"))
                & Q(afternoon_start__lt=models.F("afternoon_end")),
                name="season_sessions_ordered",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.name} (từ {self.starts_day:02d}/{self.starts_month:02d}): "
            f"{self.morning_start:%H:%M}–{self.morning_end:%H:%M}, {self.afternoon_start:%H:%M}–{self.afternoon_end:%H:%M}"
        )


class DailyCounter(models.Model):
    """The last ordinal handed out for a (scope, day) — e.g. the dossier codes of one agency on one day.
    Incremented by a single atomic UPSERT inside the caller's transaction, so a rolled-back reception
    leaves no gap and two receptions never get the same number (domain.md §4)."""

    scope = models.CharField(_("phạm vi"), max_length=64)
    day = models.DateField(_("ngày"))
    last_value = models.PositiveIntegerField(_("số cuối đã cấp"), default=0)

    class Meta:
        verbose_name = _("bộ đếm số thứ tự trong ngày")
        verbose_name_plural = _("bộ đếm số thứ tự trong ngày")
        constraints = [models.UniqueConstraint(fields=["scope", "day"], name="daily_counter_unique")]

    def __str__(self) -> str:
        return f"{self.scope} {self.day}: {self.last_value}"
