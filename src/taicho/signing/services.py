"""Django side of signing: which credential signs for whom, the trust anchors, and registering credentials."""

from __future__ import annotations

import contextlib
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _

from taicho.core.errors import DomainError
from taicho.core.prepared import Prepared
from taicho.org.models import Agency, Staff
from taicho.signing.models import SigningCredential, TrustedRoot

_signers: dict[tuple[int, str], object] = {}
_lock = threading.Lock()


def forget_signers() -> None:
    """Drop the signers kept by this process, closing token sessions, and the trust decisions cached for
    their certificates (after a credential changes; in tests)."""
    from taicho.signing.sign import forget_trust_decisions

    forget_trust_decisions()
    with _lock:
        kept = list(_signers.values())
        _signers.clear()
    for signer in kept:
        close = getattr(signer, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):  # a dead token session is already closed
                close()


def trust_roots() -> list[bytes]:
    return [root.certificate_pem.encode() for root in TrustedRoot.objects.filter(is_active=True)]


def crls() -> list[bytes]:
    return [bytes(root.crl_der) for root in TrustedRoot.objects.filter(is_active=True) if root.crl_der]


# Read at every signature, seal and release: compiled once per connection (`core.prepared`).
_TRUST: Prepared[TrustedRoot] = Prepared(
    lambda: TrustedRoot.objects.filter(is_active=True).values_list("certificate_pem", "crl_der"),
)
_PERSONAL: Prepared[SigningCredential] = Prepared(
    lambda staff: _active_credentials(SigningCredential.Holder.PERSON).filter(staff_id=staff)[:1],
    models.IntegerField(),
)
_SEAL: Prepared[SigningCredential] = Prepared(
    lambda agency: _active_credentials(SigningCredential.Holder.ORGANISATION).filter(agency_id=agency)[:1],
    models.IntegerField(),
)


def _active_credentials(holder: str) -> Any:
    return SigningCredential.objects.filter(holder=holder, is_active=True).order_by("-created_at")


def trust_material() -> tuple[list[bytes], list[bytes]]:
    """The active trust roots (PEM) and their latest CRLs (DER), read in one query."""
    roots: list[bytes] = []
    revocations: list[bytes] = []
    for pem, crl in _TRUST.rows():
        roots.append(pem.encode())
        if crl:
            revocations.append(bytes(crl))
    return roots, revocations


def personal_credential(staff: Staff) -> SigningCredential:
    credential = _PERSONAL.first(staff.pk)
    if credential is None:
        raise DomainError(_("%(name)s chưa có chứng thư số cá nhân đang dùng để ký.") % {"name": staff})
    return credential


def seal_credential(agency: Agency) -> SigningCredential:
    credential = _SEAL.first(agency.pk)
    if credential is None:
        raise DomainError(
            _("%(agency)s chưa có chứng thư số của cơ quan (con dấu điện tử).") % {"agency": agency.name}
        )
    return credential


def _secret(credential: SigningCredential, fallback: str) -> str:
    if credential.secret_env:
        value = os.environ.get(credential.secret_env)
        if value is None:
            raise DomainError(
                _("Chưa cấu hình biến môi trường %(name)s chứa mật khẩu / PIN của chứng thư “%(label)s”.")
                % {"name": credential.secret_env, "label": credential.label}
            )
        return value
    return fallback


def signer_for(credential: SigningCredential):  # type: ignore[no-untyped-def]
    """The library signer for a credential, built once per process (a PKCS#12 key is parsed once: pdf.md)."""
    from taicho.signing import signers

    key = (credential.pk, credential.certificate_pem[-64:])
    with _lock:
        cached = _signers.get(key)
    if cached is not None:
        return cached
    kind = credential.kind
    signer: Any
    if kind == SigningCredential.Kind.PKCS12:
        try:
            p12 = Path(credential.p12_path).read_bytes()
        except OSError as exc:
            raise DomainError(
                _("Không đọc được tệp khóa “%(path)s”.") % {"path": credential.p12_path}
            ) from exc
        signer = signers.pkcs12_signer(p12, _secret(credential, credential.p12_password).encode())
    elif kind == SigningCredential.Kind.PKCS11:
        signer = signers.pkcs11_signer(
            lib=credential.pkcs11_lib,
            token_label=credential.token_label,
            pin=_secret(credential, ""),
            key_label=credential.key_label,
            chain=pem_list(credential.chain_pem),
        )
    elif kind == SigningCredential.Kind.REMOTE:
        signer = signers.remote_signer(
            url=credential.remote_url,
            key_id=credential.remote_key_id,
            certificate=credential.certificate_pem.encode(),
            chain=pem_list(credential.chain_pem),
            token=_secret(credential, ""),
        )
    else:
        raise DomainError(
            _(
                "Chứng thư “%(label)s” ký bằng phần mềm trên máy người ký; dùng chức năng ký qua phần mềm ký số."
            )
            % {"label": credential.label}
        )
    with _lock:
        _signers[key] = signer
    return signer


def pem_list(text: str) -> list[bytes]:
    """The certificates of a PEM bundle, one PEM each."""
    marker = "-----END CERTIFICATE-----"
    return [(part + marker + "\n").strip().encode() + b"\n" for part in text.split(marker) if part.strip()]


def register_credential(
    *,
    holder: str,
    kind: str,
    label: str,
    certificate_pem: bytes,
    chain_pem: list[bytes] = (),  # type: ignore[assignment]
    staff: Staff | None = None,
    agency: Agency | None = None,
    **fields: object,
) -> SigningCredential:
    """Record a credential with what its certificate says (subject, serial, validity)."""
    cert = x509.load_pem_x509_certificate(certificate_pem)
    credential = SigningCredential(
        holder=holder,
        kind=kind,
        label=label,
        staff=staff,
        agency=agency,
        certificate_pem=certificate_pem.decode(),
        chain_pem="".join(c.decode() for c in chain_pem),
        subject=cert.subject.rfc4514_string()[:500],
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        **fields,
    )
    credential.full_clean()
    credential.save()
    return credential


def pki_dir() -> Path:
    path = Path(settings.PKI_DIR)
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def certificate_valid_at(credential: SigningCredential, at: datetime) -> bool:
    return bool(
        credential.not_before and credential.not_after and credential.not_before <= at <= credential.not_after
    )
