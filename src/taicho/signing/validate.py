"""Validation of signed results, with Vietnamese reports (for the clerk, the citizen and ``taicho verify-pdf``).

A document is accepted (:attr:`ValidationReport.ok`) only when every signature

* is intact (the signed byte ranges hash to the signed digest, and the CMS signature verifies),
* chains to one of the given trust roots and is not revoked (CRLs given; pyHanko/certvalidator),
* was made by a certificate valid at the signing time it reports,
* is followed only by allowed changes — pyHanko's difference analysis decides the
  :class:`~pyhanko.sign.diff_analysis.ModificationLevel`: ``NONE``, ``LTA_UPDATES`` (DSS / document
  timestamps) and ``FORM_FILLING`` where the only changed fields are later signature fields (e.g. the seal
  after the leader) are allowed; anything else is not,

and the LAST signature covers the whole file (no incremental update appended after it — pdfsig's
"Total document signed").
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from . import _speedups  # noqa: F401  (faster, exact replacements in pyHanko and asn1crypto)
from .pki import is_organisation_certificate
from .sign import iso_vn
from .signers import load_certificate

__all__ = ["SignatureReport", "ValidationReport", "format_report", "validate_pdf"]

MODIFICATION_LABELS = {
    "NONE": "không có thay đổi nào sau chữ ký",
    "LTA_UPDATES": "chỉ bổ sung dữ liệu xác thực dài hạn (DSS, dấu thời gian) — được phép",
    "FORM_FILLING": "chỉ bổ sung chữ ký số sau (ví dụ dấu cơ quan) — được phép",
    "ANNOTATIONS": "có thêm/sửa chú thích (annotation) sau khi ký — không được phép",
    "OTHER": "có thay đổi nội dung sau khi ký — không được phép",
}


@dataclass
class SignatureReport:
    field: str
    signer_name: str
    signer_is_organisation: bool
    signing_time: datetime | None
    intact: bool
    trusted: bool
    valid_at_signing_time: bool
    modification_level: str
    covers_whole_document: bool
    certificate_subject: str
    certificate_serial: int
    sha256_of_signed_revision: str
    problems: list[str] = dataclasses.field(default_factory=list)
    timestamp_time: datetime | None = None
    certificate_not_before: datetime | None = None
    certificate_not_after: datetime | None = None
    issuer: str = ""
    #: "B-B", "B-T" (signature timestamp), "B-LT" (timestamp + revocation data embedded in the DSS).
    pades_level: str = "B-B"

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ValidationReport:
    ok: bool
    signatures: list[SignatureReport]
    sha256: str
    problems: list[str] = dataclasses.field(default_factory=list)


def _vc(trust_roots, crls, dss=None, revocation_mode: str = "soft-fail") -> ValidationContext:
    """Offline validation context; with ``dss`` (the file's Document Security Store, PAdES B-LT) its
    certificates, CRLs and OCSP responses are used too."""
    kwargs: dict[str, Any] = dict(
        trust_roots=[_root(r) for r in trust_roots],
        crls=list(crls),
        allow_fetching=False,
        revocation_mode=revocation_mode,
    )
    if dss is not None:
        return dss.as_validation_context(kwargs)
    return ValidationContext(**kwargs)


def _root(data: Any) -> Any:
    """A trust root as an asn1crypto certificate; PEM/DER bytes are parsed once per process."""
    return _parsed_root(data) if isinstance(data, bytes) else load_certificate(data)


@functools.lru_cache(maxsize=64)
def _parsed_root(data: bytes) -> Any:
    return load_certificate(data)


def _read_dss(reader):
    """The file's DSS, or ``None`` (none, or unreadable — then validation proceeds without it)."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    try:
        return DocumentSecurityStore.read_dss(reader)
    except Exception:  # NoDSSFoundError, or a malformed DSS
        return None


def _no_chain(status) -> bool:
    """The certificate (signer's or TSA's) does not chain to a trust root at all — as opposed to failing for
    another reason, e.g. missing revocation data in hard-fail mode."""
    from pyhanko.sign.ades.report import AdESIndeterminate

    return getattr(status, "trust_problem_indic", None) == AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND


def _signed_revision_sha256(pdf: bytes, byte_range) -> str:
    """SHA-256 of the file as the signer produced it: bytes 0 .. end of the signature's byte range."""
    end = int(byte_range[2]) + int(byte_range[3])
    return hashlib.sha256(pdf[:end]).hexdigest()


def _later_sig_fields(names: list[str], index: int) -> set[str]:
    return set(names[index + 1 :])


def validate_pdf(
    pdf: bytes,
    *,
    trust_roots: list,
    crls: list[bytes] = (),  # type: ignore[assignment]
    expect_seal: bool = False,
    require_revocation_info: bool = False,
) -> ValidationReport:
    """Validate every signature in ``pdf`` against ``trust_roots`` (PEM/DER bytes or certificates) and
    ``crls`` (DER), plus the certificates / CRLs / OCSP responses embedded in the file's DSS (PAdES B-LT).
    Nothing is fetched from the network. With ``expect_seal``, also require at least two signatures, the last
    being an organisation's (the agency's e-seal). With ``require_revocation_info``, revocation status must
    be established for every certificate (hard-fail) from ``crls`` or the embedded data; by default a
    certificate without revocation data is accepted (soft-fail). Never raises on a bad file: problems are
    reported (Vietnamese)."""
    sha = hashlib.sha256(pdf).hexdigest()
    problems: list[str] = []
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except Exception as e:  # a corrupt file is a verdict, not a crash
        return ValidationReport(
            ok=False, signatures=[], sha256=sha, problems=[f"Không đọc được tệp PDF: {e}"]
        )
    if not embedded:
        return ValidationReport(ok=False, signatures=[], sha256=sha, problems=["Tệp PDF không có chữ ký số"])

    names = [str(s.field_name) for s in embedded]
    dss = _read_dss(reader)
    has_revinfo = dss is not None and bool(dss.crls or dss.ocsps)
    mode = "hard-fail" if require_revocation_info else "soft-fail"
    reports: list[SignatureReport] = []
    for index, sig in enumerate(embedded):
        report = _validate_one(pdf, sig, index, names, trust_roots, crls, dss=dss, revocation_mode=mode)
        if report.timestamp_time is not None:
            report.pades_level = "B-LT" if has_revinfo else "B-T"
        reports.append(report)

    last = reports[-1]
    if not last.covers_whole_document:
        problems.append(
            "Chữ ký số cuối cùng không bao trùm toàn bộ tệp: đã có nội dung được thêm vào sau khi ký"
        )
    if expect_seal:
        if len(reports) < 2:
            problems.append("Thiếu chữ ký số của người có thẩm quyền hoặc của cơ quan (con dấu)")
        if not last.signer_is_organisation:
            problems.append("Chữ ký số cuối cùng không phải của cơ quan, tổ chức (thiếu dấu cơ quan)")
    ok = not problems and all(r.ok for r in reports)
    return ValidationReport(ok=ok, signatures=reports, sha256=sha, problems=problems)


def _validate_one(
    pdf: bytes,
    sig,
    index: int,
    names: list[str],
    trust_roots,
    crls,
    *,
    dss=None,
    revocation_mode: str = "soft-fail",
) -> SignatureReport:
    probs: list[str] = []
    cert = sig.signer_cert
    from cryptography import x509

    c = x509.load_der_x509_certificate(cert.dump())
    name = cert.subject.native.get("common_name") or cert.subject.human_friendly
    try:
        status = validate_pdf_signature(
            sig, signer_validation_context=_vc(trust_roots, crls, dss, revocation_mode)
        )
    except Exception as e:
        return SignatureReport(
            field=str(sig.field_name),
            signer_name=name,
            signer_is_organisation=is_organisation_certificate(c),
            signing_time=sig.self_reported_timestamp,
            intact=False,
            trusted=False,
            valid_at_signing_time=False,
            modification_level="OTHER",
            covers_whole_document=False,
            certificate_subject=c.subject.rfc4514_string(),
            certificate_serial=c.serial_number,
            sha256_of_signed_revision=_signed_revision_sha256(pdf, sig.byte_range),
            problems=[f"Không kiểm tra được chữ ký: {e}"],
        )

    intact = bool(status.intact and status.valid)
    if not intact:
        probs.append("Chữ ký số không toàn vẹn: nội dung đã ký bị thay đổi hoặc chữ ký bị hỏng")
    if status.revoked:
        probs.append("Chứng thư số của người ký đã bị thu hồi")
    elif not status.trusted and intact:
        if revocation_mode == "hard-fail" and not _no_chain(status):
            probs.append(
                "Không xác định được tình trạng thu hồi của chứng thư số người ký "
                "(thiếu dữ liệu thu hồi CRL/OCSP trong tệp)"
            )
        else:
            probs.append(
                "Chứng thư số không do tổ chức chứng thực tin cậy cấp (không xác lập được chuỗi tin cậy)"
            )

    signing_time = status.signer_reported_dt
    ts_time = None
    if status.timestamp_validity is not None:
        tsv = status.timestamp_validity
        ts_time = tsv.timestamp
        if not (tsv.intact and tsv.valid):
            probs.append(
                "Dấu thời gian không hợp lệ hoặc không tin cậy: "
                "dấu thời gian bị sửa đổi hoặc không khớp với chữ ký"
            )
            ts_time = None  # a broken token proves no time
        elif not tsv.trusted:
            if revocation_mode == "hard-fail" and not _no_chain(tsv):
                probs.append(
                    "Dấu thời gian không hợp lệ hoặc không tin cậy: không xác định được tình trạng thu hồi "
                    "của chứng thư đơn vị cấp dấu thời gian"
                )
            else:
                probs.append(
                    "Dấu thời gian không hợp lệ hoặc không tin cậy: "
                    "không do đơn vị cấp dấu thời gian tin cậy cấp"
                )
    when = ts_time or signing_time
    valid_at = when is not None and c.not_valid_before_utc <= when <= c.not_valid_after_utc
    if when is None:
        probs.append("Chữ ký không ghi thời điểm ký")
    elif when > c.not_valid_after_utc:
        probs.append(f"Chứng thư số đã hết hạn tại thời điểm ký ({iso_vn(c.not_valid_after_utc)})")
    elif when < c.not_valid_before_utc:
        probs.append(f"Chứng thư số chưa có hiệu lực tại thời điểm ký (từ {iso_vn(c.not_valid_before_utc)})")
    details = status.revocation_details
    if details is not None and when is not None and details.revocation_date <= when:
        valid_at = False

    level = status.modification_level
    level_name = level.name if level is not None else "OTHER"
    if level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES):
        pass
    elif level == ModificationLevel.FORM_FILLING:
        changed = set(getattr(status.diff_result, "changed_form_fields", set()) or set())
        foreign = {f for f in changed if f not in _later_sig_fields(names, index)}
        if foreign:
            probs.append(
                "Sau khi ký có trường biểu mẫu bị thay đổi không phải chữ ký số: "
                + ", ".join(sorted(foreign))
            )
    else:
        reason = ""
        if status.diff_result is not None and not hasattr(status.diff_result, "modification_level"):
            reason = f" ({status.diff_result})"
        probs.append(f"Tài liệu bị sửa sau khi ký: {MODIFICATION_LABELS[level_name]}{reason}")

    covers = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    return SignatureReport(
        field=str(sig.field_name),
        signer_name=name,
        signer_is_organisation=is_organisation_certificate(c),
        signing_time=signing_time,
        intact=intact,
        trusted=bool(status.trusted),
        valid_at_signing_time=bool(valid_at),
        modification_level=level_name,
        covers_whole_document=covers,
        certificate_subject=c.subject.rfc4514_string(),
        certificate_serial=c.serial_number,
        sha256_of_signed_revision=_signed_revision_sha256(pdf, sig.byte_range),
        problems=probs,
        timestamp_time=ts_time,
        certificate_not_before=c.not_valid_before_utc,
        certificate_not_after=c.not_valid_after_utc,
        issuer=c.issuer.rfc4514_string(),
    )


def _yes(value: bool) -> str:
    return "có" if value else "KHÔNG"


def format_report(report: ValidationReport) -> str:
    """Vietnamese, human-readable: each signature (signer, personal/organisation, time in +07:00,
    certificate, modification level), then the verdict."""
    lines = [f"Tệp PDF — SHA-256: {report.sha256}", f"Số chữ ký số: {len(report.signatures)}", ""]
    for i, s in enumerate(report.signatures, 1):
        kind = (
            "Chữ ký số của cơ quan, tổ chức (dấu cơ quan)"
            if s.signer_is_organisation
            else "Chữ ký số cá nhân"
        )
        lines += [
            f"Chữ ký {i} — trường «{s.field}»: {kind}",
            f"  Người ký: {s.signer_name}",
            f"  Thời điểm ký: {iso_vn(s.signing_time) if s.signing_time else 'không ghi'}",
        ]
        if s.timestamp_time:
            lines.append(f"  Dấu thời gian: {iso_vn(s.timestamp_time)}")
        lines.append(f"  Mức PAdES: {s.pades_level}")
        lines += [
            f"  Chứng thư số: {s.certificate_subject}",
            f"    Số hiệu: {s.certificate_serial:X}; cấp bởi: {s.issuer}",
        ]
        if s.certificate_not_before and s.certificate_not_after:
            lines.append(
                f"    Hiệu lực: {iso_vn(s.certificate_not_before)} — {iso_vn(s.certificate_not_after)}"
            )
        lines += [
            f"  Toàn vẹn: {_yes(s.intact)}; tin cậy: {_yes(s.trusted)}; "
            f"chứng thư còn hiệu lực khi ký: {_yes(s.valid_at_signing_time)}",
            f"  Thay đổi sau khi ký: {MODIFICATION_LABELS.get(s.modification_level, s.modification_level)}",
            f"  Bao trùm toàn bộ tệp: {_yes(s.covers_whole_document)}",
            f"  SHA-256 của phiên bản đã ký: {s.sha256_of_signed_revision}",
        ]
        lines += [f"  ✗ {p}" for p in s.problems]
        lines.append("")
    lines += [f"✗ {p}" for p in report.problems]
    lines.append("KẾT LUẬN: HỢP LỆ" if report.ok else "KẾT LUẬN: KHÔNG HỢP LỆ")
    return "\n".join(lines)
