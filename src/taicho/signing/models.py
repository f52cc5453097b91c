"""Trust anchors and the signing credentials of people (leaders) and organisations (the agency's e-seal).

A credential says where the key lives — a PKCS#12 file on the server, a PKCS#11 token or HSM, a remote-signing
service, or the signing agent on the leader's own PC (interrupted signing) — and keeps the certificate so the
system can refuse an expired or revoked one before it signs (Decree 30/2020/NĐ-CP; Law on E-transactions 2023).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TrustedRoot(models.Model):
    """A root certificate results must chain to (the government's specialised CA, licensed CAs, or the demo
    root), with its latest CRL."""

    name = models.CharField(_("tên"), max_length=255)
    certificate_pem = models.TextField(_("chứng thư gốc (PEM)"))
    crl_der = models.BinaryField(_("danh sách thu hồi (CRL, DER)"), null=True, blank=True, editable=True)
    is_active = models.BooleanField(_("đang tin cậy"), default=True)
    added_at = models.DateTimeField(_("thêm lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư gốc tin cậy")
        verbose_name_plural = _("chứng thư gốc tin cậy")

    def __str__(self) -> str:
        return self.name


class SigningCredential(models.Model):
    """A key and its certificate: a leader's personal signature or an agency's seal."""

    class Holder(models.TextChoices):
        PERSON = "person", _("Cá nhân (chữ ký của người có thẩm quyền)")
        ORGANISATION = "organisation", _("Cơ quan (con dấu điện tử)")

    class Kind(models.TextChoices):
        PKCS12 = "pkcs12", _("Tệp PKCS#12 trên máy chủ")
        PKCS11 = "pkcs11", _("USB token / HSM (PKCS#11)")
        REMOTE = "remote", _("Dịch vụ ký số từ xa")
        AGENT = "agent", _("Phần mềm ký trên máy của người ký")

    holder = models.CharField(_("chủ thể"), max_length=16, choices=Holder.choices)
    kind = models.CharField(_("nơi giữ khóa"), max_length=16, choices=Kind.choices)
    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("người ký"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="credentials",
    )
    agency = models.ForeignKey(
        "org.Agency",
        verbose_name=_("cơ quan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="credentials",
    )
    label = models.CharField(_("tên gọi"), max_length=255)
    certificate_pem = models.TextField(_("chứng thư số (PEM)"))
    chain_pem = models.TextField(_("chuỗi chứng thư (PEM)"), blank=True)
    subject = models.CharField(_("chủ thể chứng thư"), max_length=500, blank=True)
    serial = models.CharField(_("số hiệu"), max_length=64, blank=True)
    not_before = models.DateTimeField(_("hiệu lực từ"), null=True, blank=True)
    not_after = models.DateTimeField(_("hiệu lực đến"), null=True, blank=True)
    # PKCS#12: the file and its password (in production the password comes from a secret: name an environment
    # variable in `secret_env` instead of storing it).
    p12_path = models.CharField(_("đường dẫn tệp PKCS#12"), max_length=500, blank=True)
    p12_password = models.CharField(_("mật khẩu PKCS#12"), max_length=255, blank=True)
    secret_env = models.CharField(
        _("biến môi trường chứa mật khẩu / PIN / mã truy cập"), max_length=100, blank=True
    )
    pkcs11_lib = models.CharField(_("thư viện PKCS#11"), max_length=500, blank=True)
    token_label = models.CharField(_("nhãn token"), max_length=100, blank=True)
    key_label = models.CharField(_("nhãn khóa"), max_length=100, blank=True)
    remote_url = models.URLField(_("địa chỉ dịch vụ ký từ xa"), blank=True)
    remote_key_id = models.CharField(_("mã khóa tại dịch vụ"), max_length=200, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư ký số")
        verbose_name_plural = _("chứng thư ký số")
        constraints = [
            models.CheckConstraint(
                condition=(Q(holder="person") & Q(staff__isnull=False))
                | (Q(holder="organisation") & Q(agency__isnull=False)),
                name="credential_holder_matches",
            ),
        ]

    def __str__(self) -> str:
        return self.label
