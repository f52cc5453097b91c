"""Dossiers (hồ sơ): what the citizen brought, the procedure version pinned at reception, the clock, every paper
digitized, and the append-only history of every step."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taicho.core.codes import validate_personal_id
from taicho.core.prepared import Prepared
from taicho.dossiers.states import IN_PROCESS, NATIONAL_CODE, Status


def _scope(user) -> tuple[Any, ...]:  # type: ignore[no-untyped-def]
    """Which dossiers ``user`` sees: ("all",), ("center", center_id), ("agency", agency_id, counter_id) or
    ("none",) — the rule of `DossierQuerySet.visible_to`."""
    from taicho.org.models import Role

    if not getattr(user, "is_authenticated", False):
        return ("none",)
    if user.is_superuser:
        return ("all",)
    if user.role_set & {Role.CENTER_DIRECTOR, Role.INSPECTOR} and user.center_id:
        return ("center", user.center_id)
    if user.agency_id:
        return ("agency", user.agency_id, user.counter_id)
    return ("none",)


def _agency_scope(agency: Any, counter: Any) -> Q:
    """An agency's staff see its dossiers and those received at their counter."""
    return Q(agency_id=agency) | Q(counter_id=counter, counter__isnull=False)


class DossierQuerySet(models.QuerySet["Dossier"]):
    def visible_to(self, user) -> DossierQuerySet:  # type: ignore[no-untyped-def]
        """Authorization at the query (design.md rule 6): staff see their agency's dossiers (and those at their
        counter); the center's director and inspectors see the center's; an officer of another agency sees
        nothing."""
        kind, *key = _scope(user)
        if kind == "all":
            return self
        if kind == "center":
            return self.filter(center_id=key[0])
        if kind == "agency":
            return self.filter(_agency_scope(*key))
        return self.none()

    def visible_id(self, user, code: str) -> int | None:  # type: ignore[no-untyped-def]
        """The id of the dossier ``code`` if ``user`` may see it (`visible_to`), else None — what every step
        asks first. For an agency's staff (nearly every request) the query is compiled once per connection
        (`core.prepared`); it equals ``visible_to(user).filter(code=code)`` (tested)."""
        kind, *key = _scope(user)
        if kind != "agency":
            return self.visible_to(user).filter(code=code).values_list("id", flat=True).first()
        agency, counter = key
        if counter is not None:
            rows = _VISIBLE_AT_COUNTER.rows(agency, counter, code)
        else:
            rows = _VISIBLE_IN_AGENCY.rows(agency, code)
        return rows[0][0] if rows else None

    def in_process(self) -> DossierQuerySet:
        return self.filter(status__in=list(IN_PROCESS))


class Dossier(models.Model):
    """A dossier received at the center. Its procedure version is pinned at reception; its code never changes
    (domain.md §4)."""

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("Trực tiếp")
        ONLINE = "online", _("Trực tuyến")
        POST = "post", _("Bưu chính")

    class Delivery(models.TextChoices):
        CENTER = "center", _("Tại Trung tâm")
        POST = "post", _("Qua bưu chính")
        ONLINE = "online", _("Trực tuyến")

    code = models.CharField(_("mã hồ sơ"), max_length=64, unique=True)
    procedure = models.ForeignKey("catalog.Procedure", verbose_name=_("thủ tục"), on_delete=models.PROTECT)
    version = models.ForeignKey(
        "catalog.ProcedureVersion", verbose_name=_("phiên bản thủ tục"), on_delete=models.PROTECT
    )
    case = models.ForeignKey(
        "catalog.ProcedureCase", verbose_name=_("trường hợp"), on_delete=models.PROTECT, null=True, blank=True
    )
    agency = models.ForeignKey("org.Agency", verbose_name=_("cơ quan giải quyết"), on_delete=models.PROTECT)
    center = models.ForeignKey(
        "org.Center", verbose_name=_("trung tâm"), on_delete=models.PROTECT, null=True, blank=True
    )
    counter = models.ForeignKey(
        "org.Counter", verbose_name=_("quầy"), on_delete=models.PROTECT, null=True, blank=True
    )
    channel = models.CharField(
        _("hình thức nộp"), max_length=16, choices=Channel.choices, default=Channel.IN_PERSON
    )
    status = models.CharField(_("trạng thái"), max_length=24, choices=Status.choices, db_index=True)
    on_the_spot = models.BooleanField(_("thực hiện 5 tại chỗ"), default=False)

    applicant_name = models.CharField(_("người nộp hồ sơ"), max_length=200)
    applicant_id = models.CharField(
        _("số định danh người nộp"), max_length=12, validators=[validate_personal_id]
    )
    applicant_address = models.CharField(_("địa chỉ người nộp"), max_length=300, blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    owner_name = models.CharField(_("chủ hồ sơ"), max_length=200)
    owner_id = models.CharField(
        _("số định danh chủ hồ sơ"),
        max_length=12,
        blank=True,
        validators=[validate_personal_id],
        db_index=True,
    )
    owner_address = models.CharField(_("địa chỉ chủ hồ sơ"), max_length=300, blank=True)
    content = models.TextField(_("nội dung yêu cầu"), blank=True)
    sets = models.PositiveSmallIntegerField(_("số bộ hồ sơ"), default=1)
    result_delivery = models.CharField(
        _("nơi nhận kết quả"), max_length=16, choices=Delivery.choices, default=Delivery.CENTER
    )

    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    received_by = models.ForeignKey(
        "org.Staff", verbose_name=_("cán bộ tiếp nhận"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    clock_started_at = models.DateTimeField(_("bắt đầu tính thời hạn"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả"), null=True, blank=True, db_index=True)
    original_due_at = models.DateTimeField(_("hẹn trả ban đầu"), null=True, blank=True)
    paused_since = models.DateTimeField(_("tạm dừng tính thời hạn từ"), null=True, blank=True)
    finished_at = models.DateTimeField(_("có kết quả lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)

    fee_amount = models.BigIntegerField(_("phí, lệ phí (đồng)"), default=0)
    fee_paid = models.BigIntegerField(_("đã thu (đồng)"), default=0)
    fee_receipt = models.CharField(_("số biên lai"), max_length=64, blank=True)

    result = models.OneToOneField(
        "documents.IssuedDocument",
        verbose_name=_("kết quả"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossier",
    )
    printed_copies = models.PositiveSmallIntegerField(_("số bản in"), default=0)
    physical_seal = models.BooleanField(_("đã đóng dấu đỏ trên bản in"), default=False)

    receiver_name = models.CharField(_("người nhận kết quả"), max_length=200, blank=True)
    receiver_id = models.CharField(_("số định danh người nhận"), max_length=12, blank=True)
    receiver_relation = models.CharField(_("quan hệ với chủ hồ sơ"), max_length=100, blank=True)
    originals_returned = models.BooleanField(_("đã trả lại bản chính"), default=False)
    guidance = models.JSONField(_("thành phần đã hướng dẫn bổ sung"), default=list, blank=True)
    row_version = models.PositiveIntegerField(_("phiên bản dòng"), default=0)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "status"]), models.Index(fields=["center", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_amount__gte=0) & Q(fee_paid__gte=0), name="dossier_fees_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def national_status(self) -> int:
        return NATIONAL_CODE[Status(self.status)]


class DossierComponent(models.Model):
    """A paper of the dossier, one per component of the pinned procedure version: how it was provided, its
    digitized PDF, or the earlier digitized paper it reuses (Circular 01/2023: never ask twice)."""

    class ProvidedAs(models.TextChoices):
        ORIGINAL = "original", _("Bản chính")
        CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực")
        COPY = "copy", _("Bản sao")
        ELECTRONIC = "electronic", _("Bản điện tử")
        MISSING = "missing", _("Chưa có")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey("catalog.Component", verbose_name=_("thành phần"), on_delete=models.PROTECT)
    provided_as = models.CharField(_("hình thức"), max_length=16, choices=ProvidedAs.choices)
    count = models.PositiveSmallIntegerField(_("số bản"), default=1)
    digitized = models.FileField(_("bản số hóa (PDF)"), upload_to="digitized/%Y/%m/", blank=True)
    digitized_sha256 = models.CharField(_("SHA-256 bản số hóa"), max_length=64, blank=True)
    digitization_code = models.CharField(_("mã số hóa"), max_length=80, blank=True)
    reused_from = models.ForeignKey(
        "self",
        verbose_name=_("dùng lại từ"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reuses",
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ đã nộp")
        verbose_name_plural = _("thành phần hồ sơ đã nộp")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "component"], name="dossier_component_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier.code}: {self.component}"


class ComponentCheck(models.Model):
    """The appraiser's verdict on one paper of the dossier (kiểm tra thành phần hồ sơ khi thẩm định): "Đạt" or
    "Không đạt" with a note saying what is wrong, by whom and when. The current verdict only: every recording
    is also an append-only DossierEvent. It belongs to the paper it judged: when a supplement replaces that
    paper (a new DossierComponent row) the verdict goes with the old one, and the new paper is checked again."""

    dossier_component = models.OneToOneField(
        DossierComponent,
        verbose_name=_("thành phần hồ sơ"),
        on_delete=models.CASCADE,
        related_name="appraisal_check",
    )
    passed = models.BooleanField(_("đạt"))
    note = models.TextField(_("ghi chú"), blank=True)
    checked_by = models.ForeignKey(
        "org.Staff", verbose_name=_("người kiểm tra"), on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("kiểm tra lúc"))

    class Meta:
        verbose_name = _("kết quả kiểm tra thành phần hồ sơ")
        verbose_name_plural = _("kết quả kiểm tra thành phần hồ sơ")
        constraints = [
            # A paper found wanting says why: the note becomes the supplement request's content (form 02).
            models.CheckConstraint(
                condition=Q(passed=True) | ~Q(note=""), name="component_check_failed_has_note"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_component_id}: {_('Đạt') if self.passed else _('Không đạt')}"


class OriginalFile(models.Model):
    """The bytes the officer scanned or the citizen uploaded, kept as they came, with their SHA-256."""

    dossier_component = models.ForeignKey(
        DossierComponent, on_delete=models.CASCADE, related_name="originals"
    )
    file = models.FileField(_("tệp gốc"), upload_to="originals/%Y/%m/")
    name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("loại"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("kích thước"))

    class Meta:
        verbose_name = _("tệp gốc")
        verbose_name_plural = _("tệp gốc")

    def __str__(self) -> str:
        return self.name


class DossierEvent(models.Model):
    """Append-only: one row per transition, written in the same transaction (design.md rule 4). The timeline,
    the control slip (form 06), the logbook (form 07) and the dashboards read these."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("hành động"), max_length=32)
    step = models.CharField(_("bước"), max_length=16)
    from_status = models.CharField(_("từ trạng thái"), max_length=24, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=24)
    actor = models.ForeignKey(
        "org.Staff", verbose_name=_("người thực hiện"), on_delete=models.PROTECT, null=True
    )
    agency = models.ForeignKey("org.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, null=True)
    at = models.DateTimeField(_("lúc"), db_index=True)
    reason = models.TextField(_("lý do"), blank=True)
    budget_seconds = models.PositiveIntegerField(_("thời gian cho bước (giây làm việc)"), null=True)
    used_seconds = models.PositiveIntegerField(_("thời gian đã dùng (giây làm việc)"), null=True)
    detail = models.JSONField(_("chi tiết"), default=dict, blank=True)

    class Meta:
        verbose_name = _("diễn biến hồ sơ")
        verbose_name_plural = _("diễn biến hồ sơ")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action} {self.at:%d/%m/%Y %H:%M}"


class DossierPaper(models.Model):
    """An official form issued for the dossier (01 receipt, 02 guidance, 03 refusal, 04 apology, 05 stop, 06
    control slip) as the PDF that was printed."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="papers")
    form = models.CharField(_("mẫu"), max_length=2)
    file = models.FileField(_("tệp"), upload_to="papers/%Y/%m/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)
    created_by = models.ForeignKey("org.Staff", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("biểu mẫu đã lập")
        verbose_name_plural = _("biểu mẫu đã lập")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Mẫu {self.form} — {self.dossier_id}"


class Rating(models.Model):
    """The citizen's evaluation at hand-over (domain.md §7): 11 criteria scored 2/1/0 and a five-level overall."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    scores = models.JSONField(_("điểm theo tiêu chí"))
    overall = models.PositiveSmallIntegerField(_("đánh giá chung (1–5)"))
    comment = models.TextField(_("ý kiến"), blank=True)
    officer = models.ForeignKey("org.Staff", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("đánh giá của người dân")
        verbose_name_plural = _("đánh giá của người dân")
        constraints = [
            models.CheckConstraint(condition=Q(overall__gte=1, overall__lte=5), name="rating_overall_range")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.overall}"


#: `DossierQuerySet.visible_id` for an agency's staff, at a counter or not (`visible_to`'s filter).
_VISIBLE_AT_COUNTER: Prepared[Dossier] = Prepared(
    lambda agency, counter, code: Dossier.objects.filter(
        _agency_scope(agency, counter), code=code
    ).values_list("id"),
    models.IntegerField(),
    models.IntegerField(),
    models.CharField(),
)
_VISIBLE_IN_AGENCY: Prepared[Dossier] = Prepared(
    lambda agency, code: Dossier.objects.filter(_agency_scope(agency, None), code=code).values_list("id"),
    models.IntegerField(),
    models.CharField(),
)
