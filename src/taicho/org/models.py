"""The organisation: administrative units, agencies (a tree of any depth, with history), the center and its
counters, staff and their roles, and delegations of appraisal/approval."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taicho.core.codes import parse_agency_identifier, validate_agency_identifier, validate_personal_id
from taicho.core.prepared import Prepared


class AdministrativeUnit(models.Model):
    """A province or commune of Vietnam after 1 July 2025 (34 provinces, 3,321 communes), loaded from the
    `vietnam-provinces` package by `taicho load-units` (and by migrate). Codes are the GSO codes."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Tỉnh, thành phố")
        COMMUNE = "commune", _("Xã, phường, đặc khu")

    code = models.PositiveIntegerField(_("mã đơn vị hành chính"))
    kind = models.CharField(_("cấp"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("tên"), max_length=200)
    division_type = models.CharField(_("loại đơn vị"), max_length=64)
    province = models.ForeignKey(
        "self",
        verbose_name=_("tỉnh, thành phố"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="communes",
    )

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="admin_unit_unique_code")]

    def __str__(self) -> str:
        if self.province_id and self.province:
            return f"{self.name}, {self.province.name}"
        return self.name


class AgencyQuerySet(models.QuerySet["Agency"]):
    def valid_on(self, day: date) -> AgencyQuerySet:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class Agency(models.Model):
    """A state agency — ministry, province, department, district or commune authority — in a tree of any depth.
    An agency merged away keeps its row and code (old dossiers keep pointing to it) with `valid_to` and its
    `successor` (the mergers of 2025)."""

    class Level(models.TextChoices):
        CENTRAL = "central", _("Trung ương (bộ, ngành)")
        PROVINCE = "province", _("Cấp tỉnh")
        DEPARTMENT = "department", _("Sở, ban, ngành cấp tỉnh")
        DISTRICT = "district", _("Cấp huyện (trước 1/7/2025)")
        COMMUNE = "commune", _("Cấp xã")
        OTHER = "other", _("Khác")

    code = models.CharField(
        _("mã định danh (QCVN 102)"), max_length=32, unique=True, validators=[validate_agency_identifier]
    )
    name = models.CharField(_("tên cơ quan"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=64, blank=True)
    level = models.CharField(_("cấp"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    administrative_unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("địa bàn"), on_delete=models.PROTECT, null=True, blank=True
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan kế thừa"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    seal_image = models.ImageField(_("hình con dấu (PNG nền trong suốt)"), upload_to="seals/", blank=True)
    organisation_certificate = models.CharField(
        _("chứng thư số của cơ quan (tham chiếu)"), max_length=255, blank=True
    )
    head = models.ForeignKey(
        "org.Staff",
        verbose_name=_("thủ trưởng"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_agencies",
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="agency_validity_ordered",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="agency_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    def ancestors(self) -> list[Agency]:
        """Parents from the nearest up to the root (one query per level; trees are a few levels deep)."""
        chain: list[Agency] = []
        node = self.parent
        seen = {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        parent = self.parent if self.parent_id is not None else None
        if parent is not None:
            # A cycle would make the tree endless: the parent may not be this agency or one of its descendants.
            if self.pk is not None and (
                self.parent_id == self.pk or any(a.pk == self.pk for a in parent.ancestors())
            ):
                errors.setdefault("parent", []).append(
                    ValidationError(
                        _("Cơ quan cấp trên không được là chính cơ quan này hoặc cơ quan cấp dưới của nó.")
                    )
                )
            elif self.code:
                # QCVN 102:2016: a subordinate agency's identifier refines its parent's (same upper levels).
                try:
                    mine, theirs = (
                        parse_agency_identifier(self.code),
                        parse_agency_identifier(parent.code),
                    )
                except ValidationError:
                    pass  # the field validator reports a malformed code
                else:
                    if not (mine.is_within(theirs) and mine.depth > theirs.depth):
                        errors.setdefault("code", []).append(
                            ValidationError(
                                _(
                                    "Mã định danh “%(code)s” không thuộc nhánh của cơ quan cấp trên “%(parent)s”."
                                ),
                                params={"code": self.code, "parent": parent.code},
                            )
                        )
        if self.successor_id is not None and self.successor_id == self.pk:
            errors.setdefault("successor", []).append(
                ValidationError(_("Cơ quan không thể kế thừa chính nó."))
            )
        if self.successor_id is not None and self.valid_to is None:
            errors.setdefault("valid_to", []).append(
                ValidationError(_("Cơ quan đã có cơ quan kế thừa phải có ngày hết hiệu lực."))
            )
        if errors:
            raise ValidationError(errors)


class Center(models.Model):
    """A Public Administration Service Center (Trung tâm Phục vụ Hành chính công) and the agencies it serves."""

    code = models.CharField(_("mã trung tâm"), max_length=32, unique=True)
    name = models.CharField(_("tên trung tâm"), max_length=255)
    agency = models.ForeignKey(
        Agency, verbose_name=_("trực thuộc"), on_delete=models.PROTECT, related_name="centers"
    )
    served_agencies = models.ManyToManyField(
        Agency,
        verbose_name=_("cơ quan tiếp nhận tại trung tâm"),
        blank=True,
        related_name="served_at_centers",
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    # domain.md §3: reception after a cut-off counts from the next working session [? configurable per center].
    reception_cutoff = models.TimeField(
        _("giờ chốt tiếp nhận trong ngày"),
        null=True,
        blank=True,
        help_text=_("Hồ sơ tiếp nhận từ giờ này trở đi được tính từ buổi làm việc tiếp theo (ví dụ 15:00)."),
    )

    class Meta:
        verbose_name = _("trung tâm phục vụ hành chính công")
        verbose_name_plural = _("trung tâm phục vụ hành chính công")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """A reception counter (quầy) at a center, serving one or more agencies."""

    center = models.ForeignKey(
        Center, verbose_name=_("trung tâm"), on_delete=models.CASCADE, related_name="counters"
    )
    number = models.PositiveSmallIntegerField(_("số quầy"))
    name = models.CharField(_("tên quầy"), max_length=200)
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("cơ quan phụ trách"), blank=True, related_name="counters"
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("quầy tiếp nhận")
        verbose_name_plural = _("quầy tiếp nhận")
        ordering = ["center_id", "number"]
        constraints = [models.UniqueConstraint(fields=["center", "number"], name="counter_unique_number")]

    def __str__(self) -> str:
        return f"Quầy {self.number} — {self.name}"


class Role(models.TextChoices):
    RECEIVING_OFFICER = "receiving_officer", _("Cán bộ tiếp nhận")
    APPRAISER = "appraiser", _("Cán bộ thẩm định")
    APPROVER = "approver", _("Lãnh đạo phê duyệt")
    SEAL_CLERK = "seal_clerk", _("Văn thư giữ con dấu")
    CENTER_DIRECTOR = "center_director", _("Giám đốc trung tâm")
    INSPECTOR = "inspector", _("Thanh tra, kiểm tra")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")


class StaffManager(UserManager["Staff"]):
    pass


class Staff(AbstractUser):
    """A staff account: a Django user tied to an agency, with roles, and — for those who sign — the handwritten
    signature image and the reference of their personal certificate."""

    full_name = models.CharField(_("họ và tên"), max_length=150)
    title = models.CharField(_("chức vụ"), max_length=150, blank=True, help_text=_("Ví dụ: Phó Giám đốc"))
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    center = models.ForeignKey(
        Center,
        verbose_name=_("làm việc tại trung tâm"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
    )
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("quầy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
    )
    personal_id = models.CharField(
        _("số định danh cá nhân"), max_length=12, blank=True, validators=[validate_personal_id]
    )
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    signature_image = models.ImageField(
        _("hình chữ ký (PNG nền trong suốt)"), upload_to="signatures/", blank=True
    )
    certificate = models.CharField(_("chứng thư số cá nhân (tham chiếu)"), max_length=255, blank=True)

    objects = StaffManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("cán bộ")
        verbose_name_plural = _("cán bộ")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()

    @property
    def role_set(self) -> frozenset[str]:
        """The roles of this account, read once per instance (list pages prefetch `roles`)."""
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            if "roles" in getattr(self, "_prefetched_objects_cache", {}):
                cached = frozenset(r.role for r in self.roles.all())
            else:
                cached = frozenset(role for (role,) in _ROLES_OF.rows(self.pk)) if self.pk else frozenset()
            self._role_cache = cached
        return cached

    def has_role(self, role: str) -> bool:
        return role in self.role_set


class StaffRole(models.Model):
    """One role held by a staff account (an account may hold several)."""

    staff = models.ForeignKey(Staff, verbose_name=_("cán bộ"), on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        constraints = [models.UniqueConstraint(fields=["staff", "role"], name="staff_role_unique")]

    def __str__(self) -> str:
        return self.get_role_display()


#: The roles of one account, asked on every request: compiled once per connection (`core.prepared`).
_ROLES_OF: Prepared[StaffRole] = Prepared(
    lambda pk: StaffRole.objects.filter(staff_id=pk).values_list("role"),
    models.IntegerField(),
)


class SigningFormula(models.TextChoices):
    # Decree 30/2020/NĐ-CP, Appendix I: KT. (ký thay) — a deputy signs for the head; TUQ. (thừa ủy quyền) — signs
    # by authorisation of the head; TL. (thừa lệnh) — signs by order of the head.
    KT = "KT", _("KT. (ký thay)")
    TUQ = "TUQ", _("TUQ. (thừa ủy quyền)")
    TL = "TL", _("TL. (thừa lệnh)")


class DelegationQuerySet(models.QuerySet["Delegation"]):
    def in_force_on(self, day: date) -> DelegationQuerySet:
        return self.filter(valid_from__lte=day, revoked_at__isnull=True).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class Delegation(models.Model):
    """A decision by which an agency's leader delegates (phân cấp) or authorises (ủy quyền) a person or a role to
    appraise and/or approve given procedures, with the signing formula and a validity period. Approval outside a
    valid delegation is refused (design.md, Delegation)."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="delegations"
    )
    decision_number = models.CharField(_("số quyết định"), max_length=64)
    decision_date = models.DateField(_("ngày quyết định"))
    delegator = models.ForeignKey(
        Staff, verbose_name=_("lãnh đạo ủy quyền"), on_delete=models.PROTECT, related_name="delegations_given"
    )
    delegate = models.ForeignKey(
        Staff,
        verbose_name=_("người được ủy quyền"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegations_received",
    )
    delegate_role = models.CharField(
        _("hoặc vai trò được ủy quyền"), max_length=32, choices=Role.choices, blank=True
    )
    procedures = models.ManyToManyField(
        "catalog.Procedure", verbose_name=_("thủ tục được ủy quyền"), related_name="delegations"
    )
    can_appraise = models.BooleanField(_("được thẩm định"), default=False)
    can_approve = models.BooleanField(_("được phê duyệt"), default=False)
    formula = models.CharField(_("thể thức ký"), max_length=4, choices=SigningFormula.choices)
    signer_title = models.CharField(
        _("chức danh khi ký"),
        max_length=150,
        blank=True,
        help_text=_("Ví dụ: PHÓ GIÁM ĐỐC; để trống dùng chức vụ"),
    )
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyết định ủy quyền")
        verbose_name_plural = _("quyết định ủy quyền")
        ordering = ["-decision_date", "decision_number"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(delegate__isnull=False) & Q(delegate_role=""))
                | (Q(delegate__isnull=True) & ~Q(delegate_role="")),
                name="delegation_one_delegate",
            ),
            models.CheckConstraint(
                condition=Q(can_appraise=True) | Q(can_approve=True), name="delegation_has_step"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="delegation_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} ({self.decision_date:%d/%m/%Y})"


class ApiToken(models.Model):
    """A bearer token for the JSON API, tied to one staff account; only its SHA-256 is stored."""

    staff = models.ForeignKey(
        Staff, verbose_name=_("cán bộ"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("tên gọi"), max_length=100)
    key_hash = models.CharField(_("SHA-256 của khóa"), max_length=64, unique=True)
    prefix = models.CharField(_("tiền tố"), max_length=8)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("khóa truy cập API")
        verbose_name_plural = _("khóa truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
