"""The catalog of administrative procedures (TTHC): procedures with versions by effective date, the cases of a
version with their time limits and fees, the components of the dossier, the result types, the on-the-spot
designation per agency, and the record of each import."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taicho.core.codes import validate_result_code, validate_tthc_code


class Sector(models.Model):
    """A field (lĩnh vực) such as "Hộ tịch" or "Chứng thực"."""

    name = models.CharField(_("tên lĩnh vực"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """An administrative procedure by its national TTHC code. What it requires lives in its versions; a dossier
    pins the version in force when it was received, so a later change never alters an old dossier."""

    code = models.CharField(_("mã thủ tục"), max_length=40, unique=True, validators=[validate_tthc_code])
    name = models.CharField(_("tên thủ tục (phiên bản hiện hành)"), max_length=500)
    sector = models.ForeignKey(
        Sector, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, null=True, blank=True
    )
    agencies = models.ManyToManyField(
        "org.Agency", verbose_name=_("cơ quan thực hiện tại tỉnh"), blank=True, related_name="procedures"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def version_on(self, day) -> ProcedureVersion | None:
        """The version in force on ``day``: the latest one whose effective date is not after it."""
        return self.versions.filter(effective_from__lte=day).order_by("-effective_from", "-number").first()


class ProcedureVersion(models.Model):
    """The content of a procedure from an effective date on. Versions are never edited once a dossier uses them;
    a change creates a new version (see `catalog.services.create_version`)."""

    class Origin(models.TextChoices):
        PORTAL_DETAIL = "portal_detail", _("Trang chi tiết Cổng DVCQG")
        PORTAL_LIST = "portal_list", _("Danh sách TTHC (xlsx) Cổng DVCQG")
        MANUAL = "manual", _("Nhập tay")

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("phiên bản số"))
    effective_from = models.DateField(_("áp dụng từ ngày"))
    name = models.CharField(_("tên thủ tục"), max_length=500)
    sector_name = models.CharField(_("lĩnh vực"), max_length=200, blank=True)
    levels = models.JSONField(_("cấp thực hiện"), default=list, blank=True)
    issuing_agency = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    competent_agency = models.TextField(_("cơ quan có thẩm quyền"), blank=True)
    performing_agency = models.TextField(_("cơ quan thực hiện"), blank=True)
    coordinating_agency = models.TextField(_("cơ quan phối hợp"), blank=True)
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list, blank=True)
    steps_text = models.TextField(_("trình tự thực hiện"), blank=True)
    conditions_text = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    decision_number = models.CharField(_("quyết định công bố"), max_length=100, blank=True)
    source_url = models.URLField(_("nguồn"), max_length=500, blank=True)
    origin = models.CharField(
        _("nguồn dữ liệu"), max_length=16, choices=Origin.choices, default=Origin.MANUAL
    )
    source_hash = models.CharField(_("dấu vân tay nguồn (SHA-256)"), max_length=64, blank=True, db_index=True)
    source_record = models.JSONField(_("bản ghi gốc"), null=True, blank=True)
    needs_review = models.BooleanField(_("cần rà soát"), default=False)
    review_notes = models.JSONField(_("điểm cần rà soát"), default=list, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["procedure", "number"], name="version_unique_number")]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} ({self.effective_from:%d/%m/%Y})"


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POST = "post", _("Dịch vụ bưu chính")


class TimeUnit(models.TextChoices):
    # domain.md §3: N working days, N calendar days, N working hours, or within the day.
    WORKING_DAYS = "working_days", _("ngày làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    WITHIN_DAY = "within_day", _("trong ngày")


class ProcedureCase(models.Model):
    """A case (trường hợp) of a version for one channel: its time limit and fees. The portal publishes one row per
    channel and case; a value that could not be read is kept as text and the version is flagged for review."""

    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("phiên bản"), on_delete=models.CASCADE, related_name="cases"
    )
    ordinal = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("trường hợp"), max_length=500, blank=True)
    channel = models.CharField(_("hình thức nộp"), max_length=16, choices=Channel.choices)
    time_limit_value = models.DecimalField(
        _("thời hạn"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    time_limit_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=16, choices=TimeUnit.choices, blank=True
    )
    time_limit_text = models.CharField(_("thời hạn (nguyên văn)"), max_length=500, blank=True)
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        verbose_name = _("trường hợp, thời hạn và phí")
        verbose_name_plural = _("trường hợp, thời hạn và phí")
        ordering = ["version_id", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["version", "ordinal"], name="case_unique_ordinal"),
            models.CheckConstraint(
                condition=(Q(time_limit_value__isnull=True) & Q(time_limit_unit=""))
                | (Q(time_limit_value__isnull=False) & ~Q(time_limit_unit="") & Q(time_limit_value__gte=0)),
                name="case_time_limit_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.time_limit_display()}"

    def time_limit_display(self) -> str:
        if self.time_limit_value is None:
            return self.time_limit_text or "—"
        if self.time_limit_unit == TimeUnit.WITHIN_DAY:
            return str(TimeUnit.WITHIN_DAY.label)
        value = self.time_limit_value.normalize()
        return f"{value:f} {TimeUnit(self.time_limit_unit).label}"


class Fee(models.Model):
    """A fee or charge of a case, in integer đồng (or whole units of a foreign currency where the law says so),
    possibly per unit ("per page", "per copy")."""

    case = models.ForeignKey(
        ProcedureCase, verbose_name=_("trường hợp"), on_delete=models.CASCADE, related_name="fees"
    )
    kind = models.CharField(_("loại (phí / lệ phí)"), max_length=32, blank=True)
    amount = models.BigIntegerField(_("số tiền"))
    currency = models.CharField(_("tiền tệ"), max_length=3, default="VND")
    per_unit = models.CharField(_("tính theo"), max_length=64, blank=True, help_text=_("Ví dụ: trang, bản"))
    text = models.TextField(_("nguyên văn"), blank=True)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="fee_non_negative")]

    def __str__(self) -> str:
        amount = f"{self.amount:,}".replace(",", ".")
        unit = "đồng" if self.currency == "VND" else self.currency
        return f"{amount} {unit}" + (f"/{self.per_unit}" if self.per_unit else "")


class Component(models.Model):
    """A paper of the dossier (thành phần hồ sơ) with how many originals / certified copies / copies are needed.
    Officers may not ask for anything outside this list (domain.md §2)."""

    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("phiên bản"), on_delete=models.CASCADE, related_name="components"
    )
    case = models.ForeignKey(
        ProcedureCase,
        verbose_name=_("chỉ cho trường hợp"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="components",
    )
    ordinal = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.TextField(_("tên giấy tờ"))
    group = models.CharField(_("nhóm"), max_length=300, blank=True)
    originals = models.PositiveSmallIntegerField(_("bản chính"), default=0)
    certified_copies = models.PositiveSmallIntegerField(_("bản sao chứng thực"), default=0)
    copies = models.PositiveSmallIntegerField(_("bản sao"), default=0)
    required = models.BooleanField(_("bắt buộc"), default=True)
    form_name = models.CharField(_("mẫu đơn, tờ khai"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["version_id", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["version", "ordinal"], name="component_unique_ordinal")
        ]

    def __str__(self) -> str:
        return self.name[:120]


class ResultType(models.Model):
    """A result the procedure issues (e.g. "Giấy khai sinh", KQ.G15.000031) and the template that renders it."""

    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("phiên bản"), on_delete=models.CASCADE, related_name="result_types"
    )
    code = models.CharField(_("mã kết quả"), max_length=32, blank=True, validators=[validate_result_code])
    name = models.CharField(_("tên kết quả"), max_length=500)
    template = models.CharField(_("mẫu trình bày"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("loại kết quả")
        verbose_name_plural = _("loại kết quả")
        ordering = ["version_id", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name


class OnTheSpotStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Đề xuất")
    APPROVED = "approved", _("Đã phê duyệt")
    ACTIVE = "active", _("Đang thực hiện")
    SUSPENDED = "suspended", _("Tạm dừng")
    NOT_ELIGIBLE = "not_eligible", _("Không đủ điều kiện")


class OnTheSpotDesignation(models.Model):
    """Whether an agency runs a procedure (or one case of it) under "5 tại chỗ", from which date, by which
    decision, and which steps it delegates to the counter. It belongs to the procedure, not to a version, so it
    survives a new version of the procedure."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="on_the_spot"
    )
    agency = models.ForeignKey(
        "org.Agency", verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="on_the_spot"
    )
    case_name = models.CharField(
        _("chỉ trường hợp"), max_length=500, blank=True, help_text=_("Để trống: áp dụng cho mọi trường hợp")
    )
    status = models.CharField(
        _("trạng thái 5 tại chỗ"),
        max_length=16,
        choices=OnTheSpotStatus.choices,
        default=OnTheSpotStatus.CANDIDATE,
    )
    # Phase 2 of the plan (domain.md §1): ≥ 50 % of procedures delegated or authorised to the receiving officer
    # to appraise or approve.
    counter_appraises = models.BooleanField(_("giao cán bộ tiếp nhận thẩm định"), default=False)
    counter_approves = models.BooleanField(_("giao cán bộ tiếp nhận phê duyệt"), default=False)
    on_the_spot_hours = models.DecimalField(
        _("thời gian giải quyết tại chỗ (giờ làm việc)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    decision_number = models.CharField(_("quyết định phê duyệt"), max_length=64, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    effective_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("thủ tục thực hiện 5 tại chỗ")
        verbose_name_plural = _("thủ tục thực hiện 5 tại chỗ")
        ordering = ["agency_id", "procedure_id"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "agency", "case_name"], name="on_the_spot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} @ {self.agency.code}: {self.get_status_display()}"


class ImportRun(models.Model):
    """One catalog import: who ran it, on which files, and its outcome — a row a person can see."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Đang chạy")
        SUCCEEDED = "succeeded", _("Thành công")
        FAILED = "failed", _("Thất bại (không thay đổi dữ liệu)")

    started_at = models.DateTimeField(_("bắt đầu"), auto_now_add=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    files = models.JSONField(_("tệp"), default=list)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    created = models.PositiveIntegerField(_("tạo mới"), default=0)
    new_versions = models.PositiveIntegerField(_("phiên bản mới"), default=0)
    unchanged = models.PositiveIntegerField(_("không đổi"), default=0)
    flagged = models.PositiveIntegerField(_("cần rà soát"), default=0)
    report = models.JSONField(_("báo cáo"), default=list, blank=True)
    error = models.TextField(_("lỗi"), blank=True)

    class Meta:
        verbose_name = _("lần nhập danh mục")
        verbose_name_plural = _("lịch sử nhập danh mục")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%d/%m/%Y %H:%M} — {self.get_status_display()}"
