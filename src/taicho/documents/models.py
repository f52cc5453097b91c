"""Issued papers: a result (or an official form) rendered, signed by the competent leader, sealed by the agency
and released only after its signatures validate; each with an unguessable verification code for its QR."""

from __future__ import annotations

import secrets

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_verification_code() -> str:
    """96 random bits, URL-safe (16 characters): printed in the QR, never guessable or sequential."""
    return secrets.token_urlsafe(12)


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    SIGNED = "signed", _("Đã ký duyệt")
    SEALED = "sealed", _("Đã đóng dấu")
    RELEASED = "released", _("Đã phát hành")


class IssuedDocument(models.Model):
    """One paper the agency issues. Its PDF changes only by incremental signatures; once released it never
    changes. The verification page reads it by code and shows only what the paper itself shows."""

    verification_code = models.CharField(
        _("mã xác thực"), max_length=32, unique=True, default=new_verification_code, editable=False
    )
    kind = models.CharField(
        _("loại"), max_length=16, choices=[("result", _("Kết quả")), ("form", _("Biểu mẫu"))]
    )
    template = models.CharField(_("mẫu"), max_length=64)
    title = models.CharField(_("tên giấy tờ"), max_length=300)
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    agency = models.ForeignKey("org.Agency", verbose_name=_("cơ quan ban hành"), on_delete=models.PROTECT)
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name=_("thủ tục"), on_delete=models.PROTECT, null=True, blank=True
    )
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=64, blank=True, db_index=True)
    owner_id = models.CharField(_("số định danh chủ hồ sơ"), max_length=12, blank=True)
    # DjangoJSONEncoder: drafts carry datetimes (received at, appointment), stored as ISO 8601 with offset.
    data = models.JSONField(_("nội dung"), default=dict, encoder=DjangoJSONEncoder)
    layout = models.JSONField(_("vị trí chữ ký trên trang"), default=dict, blank=True)
    pdf = models.FileField(_("bản điện tử"), upload_to="documents/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    signed_by = models.ForeignKey(
        "org.Staff",
        verbose_name=_("người ký"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("ký lúc"), null=True, blank=True)
    delegation = models.ForeignKey(
        "org.Delegation", verbose_name=_("theo ủy quyền"), on_delete=models.PROTECT, null=True, blank=True
    )
    sealed_by = models.ForeignKey(
        "org.Staff",
        verbose_name=_("văn thư đóng dấu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sealed_at = models.DateTimeField(_("đóng dấu lúc"), null=True, blank=True)
    released_at = models.DateTimeField(_("phát hành lúc"), null=True, blank=True)
    validation = models.JSONField(_("kết quả kiểm tra chữ ký"), default=dict, blank=True)
    # Interrupted signing: what the server prepared for the leader's signing agent, until the agent answers.
    pending_signature = models.JSONField(_("chữ ký đang chờ phần mềm ký"), null=True, blank=True)
    created_by = models.ForeignKey(
        "org.Staff",
        verbose_name=_("người lập"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản phát hành")
        verbose_name_plural = _("văn bản phát hành")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.number})" if self.number else self.title


class DocumentEvent(models.Model):
    """Append-only history of a document: drafted, signed, sealed, released, refused (with the reason)."""

    document = models.ForeignKey(IssuedDocument, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("hành động"), max_length=32)
    actor = models.ForeignKey(
        "org.Staff", verbose_name=_("người thực hiện"), on_delete=models.PROTECT, null=True
    )
    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    from_status = models.CharField(_("từ trạng thái"), max_length=16, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=16, blank=True)
    detail = models.JSONField(_("chi tiết"), default=dict, blank=True)

    class Meta:
        verbose_name = _("nhật ký văn bản")
        verbose_name_plural = _("nhật ký văn bản")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action}"
