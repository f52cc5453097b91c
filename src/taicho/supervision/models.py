"""Supervision of the province's "5 tại chỗ" plan (domain.md §1, §7): which procedures each agency moves on the
spot and by when (plans, phases, targets, roadmaps), the history of every designation, inspections and reform
proposals, staff assignments at the center, and the read models the dashboards use (per-dossier facts derived
from the dossier events, and daily roll-ups of them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taicho.org.models import Agency

STAFF = settings.AUTH_USER_MODEL


# --- plans, phases, targets --------------------------------------------------------------------------------


class Plan(models.Model):
    """A province's plan for "5 tại chỗ": phases with targets per agency level, and the criteria by which
    procedures are reviewed. Kept as data so another province's plan needs no code (domain.md §1)."""

    name = models.CharField(_("tên kế hoạch"), max_length=300)
    decision_number = models.CharField(_("số quyết định / kế hoạch"), max_length=64, blank=True)
    decision_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuer = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_default = models.BooleanField(
        _("kế hoạch mặc định"), default=False, help_text=_("Kế hoạch hiển thị đầu tiên trên bảng điều khiển.")
    )
    # Review criteria (item 1 of the plan: simple, short, one agency, frequent).
    simple_max_components = models.PositiveSmallIntegerField(
        _("đơn giản: số thành phần hồ sơ tối đa"), default=3
    )
    short_max_days = models.DecimalField(
        _("ngắn: thời hạn giải quyết tối đa (ngày làm việc)"), max_digits=5, decimal_places=2, default=3
    )
    frequent_min_dossiers = models.PositiveIntegerField(
        _("thường xuyên: số hồ sơ tối thiểu trong 12 tháng"), default=12
    )
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("kế hoạch “5 tại chỗ”")
        verbose_name_plural = _("kế hoạch “5 tại chỗ”")
        ordering = ["-is_default", "-decision_date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_plan"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="phases"
    )
    ordinal = models.PositiveSmallIntegerField(_("giai đoạn số"))
    name = models.CharField(_("tên giai đoạn"), max_length=200)
    starts = models.DateField(_("từ ngày"))
    ends = models.DateField(_("đến ngày"))

    class Meta:
        verbose_name = _("giai đoạn")
        verbose_name_plural = _("giai đoạn")
        ordering = ["plan_id", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "ordinal"], name="phase_unique_ordinal"),
            models.CheckConstraint(condition=Q(ends__gte=models.F("starts")), name="phase_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.name}"


class Metric(models.TextChoices):
    ON_THE_SPOT = "on_the_spot", _("Tỷ lệ thủ tục thực hiện 5 tại chỗ")
    DELEGATED = (
        "delegated",
        _("Tỷ lệ thủ tục phân cấp, ủy quyền cho cán bộ tiếp nhận thẩm định hoặc phê duyệt"),
    )


class Base(models.TextChoices):
    ALL = "all", _("Trên tổng số thủ tục của cơ quan")
    ELIGIBLE_WITH_DOSSIERS = "eligible_with_dossiers", _("Trên số thủ tục đủ điều kiện và có phát sinh hồ sơ")
    ON_THE_SPOT = "on_the_spot", _("Trên số thủ tục thực hiện 5 tại chỗ")


class Target(models.Model):
    """E.g. phase 1: provincial departments ≥ 30 % of their procedures on the spot (domain.md §1)."""

    phase = models.ForeignKey(
        Phase, verbose_name=_("giai đoạn"), on_delete=models.CASCADE, related_name="targets"
    )
    level = models.CharField(_("cấp cơ quan"), max_length=16, choices=Agency.Level.choices)
    metric = models.CharField(_("chỉ tiêu"), max_length=16, choices=Metric.choices)
    base = models.CharField(_("cách tính"), max_length=32, choices=Base.choices, default=Base.ALL)
    percent = models.DecimalField(_("tỷ lệ tối thiểu (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["phase_id", "level", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "level", "metric"], name="target_unique"),
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="target_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} — {self.get_metric_display()} ≥ {self.percent} %"


# --- roadmaps ----------------------------------------------------------------------------------------------


class Roadmap(models.Model):
    """An agency's committed roadmap under a plan; its head is accountable (domain.md §1)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="roadmaps"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    head = models.ForeignKey(
        STAFF, verbose_name=_("thủ trưởng chịu trách nhiệm"), on_delete=models.SET_NULL, null=True, blank=True
    )
    head_name = models.CharField(_("họ tên thủ trưởng"), max_length=200, blank=True)
    committed_on = models.DateField(_("ngày cam kết"), null=True, blank=True)
    document = models.CharField(_("văn bản cam kết"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("lộ trình của cơ quan")
        verbose_name_plural = _("lộ trình của cơ quan")
        ordering = ["plan_id", "agency__code"]
        constraints = [models.UniqueConstraint(fields=["plan", "agency"], name="roadmap_unique")]

    def __str__(self) -> str:
        return f"{self.agency} — {self.plan}"


class Milestone(models.Model):
    roadmap = models.ForeignKey(
        Roadmap, verbose_name=_("lộ trình"), on_delete=models.CASCADE, related_name="milestones"
    )
    due = models.DateField(_("mốc thời gian"))
    on_the_spot_count = models.PositiveIntegerField(_("số thủ tục thực hiện 5 tại chỗ cam kết"))
    delegated_count = models.PositiveIntegerField(_("số thủ tục phân cấp, ủy quyền cam kết"), default=0)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("mốc lộ trình")
        verbose_name_plural = _("mốc lộ trình")
        ordering = ["roadmap_id", "due"]

    def __str__(self) -> str:
        return f"{self.due:%d/%m/%Y}: {self.on_the_spot_count} / {self.delegated_count}"


# --- history of designations -------------------------------------------------------------------------------


class DesignationEvent(models.Model):
    """Append-only: every change of a procedure's on-the-spot status at an agency, with who and why (item 1)."""

    designation = models.ForeignKey(
        "catalog.OnTheSpotDesignation", on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("hành động"), max_length=32)
    from_status = models.CharField(_("từ trạng thái"), max_length=16, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=16)
    actor = models.ForeignKey(STAFF, verbose_name=_("người thực hiện"), on_delete=models.PROTECT, null=True)
    at = models.DateTimeField(_("lúc"))
    reason = models.TextField(_("lý do"))
    detail = models.JSONField(_("chi tiết"), default=dict, blank=True)

    class Meta:
        verbose_name = _("diễn biến trạng thái 5 tại chỗ")
        verbose_name_plural = _("diễn biến trạng thái 5 tại chỗ")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.designation_id}: {self.from_status} → {self.to_status}"


# --- inspections, reform, assignments ----------------------------------------------------------------------


class Inspection(models.Model):
    class FollowUp(models.TextChoices):
        OPEN = "open", _("Chưa khắc phục")
        IN_PROGRESS = "in_progress", _("Đang khắc phục")
        DONE = "done", _("Đã khắc phục")

    inspected_on = models.DateField(_("ngày kiểm tra"))
    team = models.CharField(_("đoàn kiểm tra"), max_length=300)
    decision_number = models.CharField(_("quyết định kiểm tra"), max_length=64, blank=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan được kiểm tra"), on_delete=models.PROTECT, null=True, blank=True
    )
    center = models.ForeignKey(
        "org.Center", verbose_name=_("trung tâm"), on_delete=models.PROTECT, null=True, blank=True
    )
    scope = models.TextField(_("phạm vi, nội dung kiểm tra"))
    findings = models.TextField(_("kết quả, phát hiện"), blank=True)
    required_actions = models.TextField(_("yêu cầu khắc phục"), blank=True)
    follow_up_due = models.DateField(_("hạn khắc phục"), null=True, blank=True)
    follow_up_status = models.CharField(
        _("tình trạng khắc phục"), max_length=16, choices=FollowUp.choices, default=FollowUp.OPEN
    )
    follow_up_note = models.TextField(_("kết quả khắc phục"), blank=True)
    created_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("cuộc kiểm tra")
        verbose_name_plural = _("kiểm tra, thanh tra")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.inspected_on:%d/%m/%Y} — {self.team}"


class Recommendation(models.Model):
    """A recommendation to amend or simplify a procedure (domain.md §1: procedures are reviewed and amendments
    recommended)."""

    class Kind(models.TextChoices):
        SIMPLIFY = "simplify", _("Đơn giản hóa")
        AMEND = "amend", _("Sửa đổi, bổ sung")
        ABOLISH = "abolish", _("Bãi bỏ")
        DELEGATE = "delegate", _("Phân cấp, ủy quyền")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        SUBMITTED = "submitted", _("Đã gửi")
        ACCEPTED = "accepted", _("Được chấp nhận")
        REJECTED = "rejected", _("Không chấp nhận")
        IMPLEMENTED = "implemented", _("Đã thực thi")

    procedure = models.ForeignKey("catalog.Procedure", verbose_name=_("thủ tục"), on_delete=models.PROTECT)
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan kiến nghị"), on_delete=models.PROTECT, null=True, blank=True
    )
    kind = models.CharField(_("loại kiến nghị"), max_length=16, choices=Kind.choices, default=Kind.SIMPLIFY)
    proposal = models.TextField(_("nội dung kiến nghị"))
    reason = models.TextField(_("lý do"))
    addressed_to = models.CharField(_("gửi cơ quan"), max_length=300, blank=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    submitted_on = models.DateField(_("ngày gửi"), null=True, blank=True)
    answer = models.TextField(_("trả lời"), blank=True)
    answered_on = models.DateField(_("ngày trả lời"), null=True, blank=True)
    created_by = models.ForeignKey(STAFF, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("kiến nghị sửa đổi, đơn giản hóa thủ tục")
        verbose_name_plural = _("kiến nghị sửa đổi, đơn giản hóa thủ tục")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.procedure_id}: {self.get_kind_display()}"


class StaffAssignment(models.Model):
    """Who is stationed at which counter of the center, for which agency, from when to when."""

    staff = models.ForeignKey(
        STAFF, verbose_name=_("cán bộ"), on_delete=models.PROTECT, related_name="assignments"
    )
    center = models.ForeignKey("org.Center", verbose_name=_("trung tâm"), on_delete=models.PROTECT)
    counter = models.ForeignKey(
        "org.Counter", verbose_name=_("quầy"), on_delete=models.PROTECT, null=True, blank=True
    )
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan cử"), on_delete=models.PROTECT)
    duties = models.CharField(_("nhiệm vụ"), max_length=300, blank=True)
    starts = models.DateField(_("từ ngày"))
    ends = models.DateField(_("đến ngày"), null=True, blank=True)
    trained_on = models.DateField(_("ngày được tập huấn"), null=True, blank=True)

    class Meta:
        verbose_name = _("phân công cán bộ tại trung tâm")
        verbose_name_plural = _("phân công cán bộ tại trung tâm")
        ordering = ["center_id", "counter_id", "-starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | Q(ends__gte=models.F("starts")),
                name="assignment_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} @ {self.counter or self.center}"


# --- read models for dashboards ----------------------------------------------------------------------------


class Timing(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class DossierFacts(models.Model):
    """What supervision needs to know about one dossier, derived from its events (`stats.facts_for`) and
    refreshed whenever it has new events or a rating. Rebuildable at any time from the events."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, primary_key=True, related_name="facts"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT, related_name="+")
    center = models.ForeignKey("org.Center", on_delete=models.PROTECT, null=True, related_name="+")
    received_on = models.DateField(_("ngày tiếp nhận"), null=True)
    finished_on = models.DateField(_("ngày có kết quả"), null=True)
    # Outcome: done (result issued), refused, stopped/withdrawn — "finished" for the on-time rate.
    outcome = models.CharField(_("kết quả xử lý"), max_length=16, blank=True)
    timing = models.CharField(_("đúng hạn"), max_length=8, choices=Timing.choices, blank=True)
    working_seconds = models.PositiveIntegerField(_("thời gian xử lý (giây làm việc)"), null=True)
    on_the_spot = models.BooleanField(_("thủ tục 5 tại chỗ"), default=False)
    all_at_center = models.BooleanField(_("đủ 5 bước tại Trung tâm"), default=False)
    within_spot_time = models.BooleanField(_("trong thời gian giải quyết tại chỗ"), default=False)
    left_center = models.BooleanField(_("có bước xử lý ngoài Trung tâm"), default=False)
    apologised = models.BooleanField(_("đã xin lỗi"), default=False)
    supplements = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    supplement_excess = models.BooleanField(_("yêu cầu bổ sung vượt quy định"), default=False)
    components = models.PositiveSmallIntegerField(_("số thành phần"), default=0)
    digitized = models.PositiveSmallIntegerField(_("số thành phần số hóa khi tiếp nhận"), default=0)
    reused = models.PositiveSmallIntegerField(_("số thành phần tái sử dụng"), default=0)
    result_electronic = models.BooleanField(_("kết quả điện tử"), default=False)
    in_process = models.BooleanField(_("đang xử lý"), default=False)
    due_at = models.DateTimeField(_("hẹn trả"), null=True)
    rating_overall = models.PositiveSmallIntegerField(_("đánh giá chung"), null=True)
    rating_points = models.PositiveSmallIntegerField(_("điểm 11 tiêu chí"), null=True)
    receiving_officer = models.ForeignKey(STAFF, on_delete=models.SET_NULL, null=True, related_name="+")
    returning_officer = models.ForeignKey(STAFF, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("số liệu hồ sơ (giám sát)")
        verbose_name_plural = _("số liệu hồ sơ (giám sát)")
        indexes = [
            models.Index(fields=["finished_on", "agency"]),
            models.Index(fields=["received_on", "agency"]),
            models.Index(fields=["agency", "procedure", "finished_on"]),
            models.Index(fields=["in_process", "agency"]),
            # The flags' drill-down lists (checks.py): small partial indexes, newest first.
            models.Index(
                fields=["finished_on"], condition=Q(on_the_spot=True, left_center=True), name="facts_left"
            ),
            models.Index(
                fields=["finished_on"],
                condition=Q(on_the_spot=True, within_spot_time=False) & ~Q(outcome=""),
                name="facts_over_spot",
            ),
            models.Index(
                fields=["finished_on"], condition=Q(timing="late", apologised=False), name="facts_late"
            ),
            models.Index(
                fields=["finished_on"], condition=Q(supplement_excess=True), name="facts_supplement"
            ),
            models.Index(fields=["finished_on"], condition=Q(rating_overall__lte=2), name="facts_low_rating"),
            # Dossiers in process now, and past their appointment: a few thousand among millions.
            models.Index(fields=["agency", "due_at"], condition=Q(in_process=True), name="facts_open"),
        ]

    def __str__(self) -> str:
        return str(self.dossier_id)


class StatCounts(models.Model):
    """The counts every indicator is computed from (item 6), shared by the daily, monthly and per-agency
    roll-ups. Received counts by the day of reception; everything else by the day the dossier was finished."""

    received = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    early = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    working_seconds = models.BigIntegerField(default=0)
    timed = models.PositiveIntegerField(default=0)  # finished dossiers with a known processing time
    on_the_spot = models.PositiveIntegerField(default=0)
    on_the_spot_real = models.PositiveIntegerField(default=0)  # all five steps at the center, within the time
    components = models.PositiveIntegerField(default=0)
    digitized = models.PositiveIntegerField(default=0)
    reused = models.PositiveIntegerField(default=0)
    results = models.PositiveIntegerField(default=0)
    results_electronic = models.PositiveIntegerField(default=0)
    ratings = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)  # overall rating 4 or 5
    # Flags (checks.py), counted by the day the dossier was finished.
    left_center = models.PositiveIntegerField(default=0)
    over_spot_time = models.PositiveIntegerField(default=0)
    late_no_apology = models.PositiveIntegerField(default=0)
    supplement_excess = models.PositiveIntegerField(default=0)
    low_ratings = models.PositiveIntegerField(default=0)  # overall rating 1 or 2

    class Meta:
        abstract = True


STAT_COUNTS = tuple(f.name for f in StatCounts._meta.local_fields)


class DailyStat(StatCounts):
    """One day × agency × procedure."""

    day = models.DateField()
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("số liệu tổng hợp theo ngày")
        verbose_name_plural = _("số liệu tổng hợp theo ngày")
        constraints = [
            models.UniqueConstraint(fields=["day", "agency", "procedure"], name="daily_stat_unique")
        ]
        indexes = [
            models.Index(fields=["agency", "day"]),
            # "Dossiers in the last 12 months" per procedure of an agency (review, compliance): an index seek each.
            models.Index(fields=["agency", "procedure", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.procedure_id}"


class MonthlyStat(StatCounts):
    """DailyStat summed per calendar month (`month` is its first day): a period's sums are its whole months from
    here and the days at its edges from DailyStat — the same numbers, a tenth of the rows."""

    month = models.DateField()
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("số liệu tổng hợp theo tháng")
        verbose_name_plural = _("số liệu tổng hợp theo tháng")
        constraints = [
            models.UniqueConstraint(fields=["month", "agency", "procedure"], name="monthly_stat_unique")
        ]
        indexes = [models.Index(fields=["agency", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.agency_id} {self.procedure_id}"


class AgencyDailyStat(StatCounts):
    """The same counts summed over procedures: the center and agency pages read this (40 rows a day)."""

    day = models.DateField()
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("số liệu tổng hợp theo ngày và cơ quan")
        verbose_name_plural = _("số liệu tổng hợp theo ngày và cơ quan")
        constraints = [models.UniqueConstraint(fields=["day", "agency"], name="agency_daily_stat_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id}"


class OfficerDailyStat(models.Model):
    """Ratings per officer who handed the result over, per day (low satisfaction per officer, item 5)."""

    day = models.DateField()
    officer = models.ForeignKey(STAFF, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    returned = models.PositiveIntegerField(default=0)
    ratings = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    low_ratings = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("đánh giá theo cán bộ và ngày")
        verbose_name_plural = _("đánh giá theo cán bộ và ngày")
        constraints = [
            models.UniqueConstraint(fields=["day", "officer", "agency"], name="officer_daily_stat_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.officer_id}"


class StatsCursor(models.Model):
    """How far the read models have consumed the append-only events and ratings (one row)."""

    last_event_id = models.BigIntegerField(default=0)
    last_rating_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.last_event_id}/{self.last_rating_id}"


class ReportRun(models.Model):
    """A report prepared in the background: a row a person can see (design.md rule on long jobs)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang lập")
        DONE = "done", _("Đã lập")
        FAILED = "failed", _("Lỗi")

    kind = models.CharField(_("loại báo cáo"), max_length=16, default="monthly")
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    plan = models.ForeignKey(Plan, on_delete=models.SET_NULL, null=True, blank=True)
    center = models.ForeignKey("org.Center", on_delete=models.PROTECT, null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    pdf = models.FileField(_("báo cáo PDF"), upload_to="reports/%Y/", blank=True)
    xlsx = models.FileField(_("số liệu xlsx"), upload_to="reports/%Y/", blank=True)
    sent_to = models.JSONField(_("đã gửi tới"), default=list, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    requested_by = models.ForeignKey(
        STAFF, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("báo cáo định kỳ")
        verbose_name_plural = _("báo cáo định kỳ")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "center", "period_start", "period_end"], name="report_run_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_start:%m/%Y}"
