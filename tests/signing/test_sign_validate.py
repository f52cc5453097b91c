"""Leader signature + agency seal, validated by our code and by poppler's pdfsig; tampering; trust."""

from __future__ import annotations

import io
import shutil

import pytest

from taicho.signing import pki
from taicho.signing.sign import SigningRefused, apply_seal, check_certificate, iso_vn, sign_as_leader
from taicho.signing.signers import pkcs12_signer
from taicho.signing.validate import format_report, validate_pdf

from .conftest import LEADER_BOX, SIGNING_TIME, pdfsig

AGENCY = "Sở Tư pháp tỉnh Quảng Ninh"
needs_pdfsig = pytest.mark.skipif(not shutil.which("pdfsig"), reason="Thiếu pdfsig (Debian: poppler-utils)")


def _signed(test_pdf, leader, organisation, signature_png, seal_png) -> bytes:
    s1 = sign_as_leader(
        test_pdf,
        signer=pkcs12_signer(leader.p12, leader.password),
        box=LEADER_BOX,
        image_png=signature_png,
        signing_time=SIGNING_TIME,
    )
    return apply_seal(
        s1,
        signer=pkcs12_signer(organisation.p12, organisation.password),
        box=LEADER_BOX,
        seal_png=seal_png,
        agency_name=AGENCY,
        signing_time=SIGNING_TIME,
    )


@pytest.fixture
def signed(test_pdf, leader, organisation, signature_png, seal_png) -> bytes:
    return _signed(test_pdf, leader, organisation, signature_png, seal_png)


def test_leader_and_seal_validate(signed, root):
    report = validate_pdf(signed, trust_roots=[root.certificate_pem], expect_seal=True)
    assert report.ok, format_report(report)
    assert [s.field for s in report.signatures] == ["LanhDao", "DauCoQuan"]
    lead, seal = report.signatures
    assert not lead.signer_is_organisation and seal.signer_is_organisation
    assert lead.signer_name == "Trần Thị Hương"
    assert lead.modification_level == "FORM_FILLING" and seal.modification_level == "NONE"
    assert seal.covers_whole_document and not lead.covers_whole_document
    assert lead.intact and lead.trusted and lead.valid_at_signing_time
    assert seal.signing_time == SIGNING_TIME
    text = format_report(report)
    assert "KẾT LUẬN: HỢP LỆ" in text and iso_vn(SIGNING_TIME) in text and "dấu cơ quan" in text


@needs_pdfsig
def test_pdfsig_reports_both_valid(signed, tmp_path, nssdb):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    sigs = pdfsig(path, nssdb)
    assert len(sigs) == 2
    for s in sigs:
        assert s["Signature Validation"] == "Signature is Valid.", s
        assert s["Certificate Validation"] == "Certificate is Trusted.", s
    assert sigs[0]["coverage"] == "Not total document signed"
    assert sigs[1]["coverage"] == "Total document signed"


def _flip_inside_signed_range(pdf: bytes) -> bytes:
    # A byte in the page content region (first byte range of every signature), not in the /Contents hex.
    pos = pdf.index(b"stream", 200) + 40
    b = bytearray(pdf)
    b[pos] ^= 0x01
    return bytes(b)


@needs_pdfsig
def test_flipped_byte_is_detected(signed, root, tmp_path, nssdb):
    bad = _flip_inside_signed_range(signed)
    report = validate_pdf(bad, trust_roots=[root.certificate_pem])
    assert not report.ok
    assert not any(s.intact for s in report.signatures)
    assert any("không toàn vẹn" in p for s in report.signatures for p in s.problems)
    path = tmp_path / "bad.pdf"
    path.write_bytes(bad)
    sigs = pdfsig(path, nssdb)
    assert all(s["Signature Validation"] != "Signature is Valid." for s in sigs)


def _append_annotation(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    page_ref, _resources = w.find_page_for_modification(0)
    page = page_ref.get_object()
    annot = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Text"),
            generic.pdf_name("/Rect"): generic.ArrayObject(
                [generic.FloatObject(v) for v in (50, 50, 80, 80)]
            ),
            generic.pdf_name("/Contents"): generic.TextStringObject("Đã sửa sau khi ký"),
        }
    )
    ref = w.add_object(annot)
    annots = page.get("/Annots")
    if annots is None:
        page[generic.pdf_name("/Annots")] = generic.ArrayObject([ref])
    else:
        annots.get_object().append(ref)
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


@needs_pdfsig
def test_update_appended_after_seal_is_rejected(signed, root, tmp_path, nssdb):
    bad = _append_annotation(signed)
    report = validate_pdf(bad, trust_roots=[root.certificate_pem], expect_seal=True)
    assert not report.ok
    assert any("không bao trùm toàn bộ tệp" in p for p in report.problems)
    assert report.signatures[-1].modification_level in ("ANNOTATIONS", "OTHER")
    assert any("bị sửa sau khi ký" in p for p in report.signatures[-1].problems)
    assert all(s.intact for s in report.signatures)  # the bytes each signed are untouched
    path = tmp_path / "appended.pdf"
    path.write_bytes(bad)
    sigs = pdfsig(path, nssdb)
    # pdf.md pitfall 6: every signature still "Valid"; only the coverage of the last one changes.
    assert sigs[-1]["coverage"] == "Not total document signed"


def test_untrusted_root_fails(test_pdf, organisation, root, signature_png, seal_png):
    other_root = pki.make_demo_root(name="Không tin cậy DEMO Root")
    stranger = pki.issue_personal(other_root, full_name="Lê Văn Lạ", personal_id="1", agency="Nơi khác")
    signed = _signed(test_pdf, stranger, organisation, signature_png, seal_png)
    report = validate_pdf(signed, trust_roots=[root.certificate_pem])
    assert not report.ok
    lead = report.signatures[0]
    assert lead.intact and not lead.trusted
    assert any("tin cậy" in p for p in lead.problems)
    assert report.signatures[1].trusted


def test_expect_seal_needs_organisation_last(test_pdf, leader_ec, root, signature_png):
    s1 = sign_as_leader(
        test_pdf,
        signer=pkcs12_signer(leader_ec.p12, leader_ec.password),
        box=LEADER_BOX,
        image_png=signature_png,
    )
    assert validate_pdf(s1, trust_roots=[root.certificate_pem]).ok
    report = validate_pdf(s1, trust_roots=[root.certificate_pem], expect_seal=True)
    assert not report.ok and any("dấu cơ quan" in p for p in report.problems)


def test_unsigned_pdf_is_not_ok(test_pdf, root):
    report = validate_pdf(test_pdf, trust_roots=[root.certificate_pem])
    assert not report.ok and report.problems == ["Tệp PDF không có chữ ký số"]


# -- refusals before signing -------------------------------------------------------------------------------


def test_expired_certificate_refused(root, test_pdf, signature_png):
    from datetime import datetime, timedelta

    from taicho.signing.sign import VN_TZ

    now = datetime.now(VN_TZ)
    old = pki.issue_personal(
        root,
        full_name="Phạm Cũ",
        personal_id="2",
        agency="Sở",
        valid_days=30,
        not_before=now - timedelta(days=60),
    )
    signer = pkcs12_signer(old.p12, old.password)
    with pytest.raises(SigningRefused, match="Chứng thư số đã hết hạn"):
        check_certificate(signer, at=now, trust_roots=[root.certificate_pem])
    with pytest.raises(SigningRefused, match="Chứng thư số đã hết hạn"):
        sign_as_leader(test_pdf, signer=signer, box=LEADER_BOX, image_png=signature_png)


def test_not_yet_valid_certificate_refused(root):
    from datetime import datetime, timedelta

    from taicho.signing.sign import VN_TZ

    now = datetime.now(VN_TZ)
    future = pki.issue_personal(
        root, full_name="Võ Sau", personal_id="3", agency="Sở", not_before=now + timedelta(days=2)
    )
    with pytest.raises(SigningRefused, match="chưa có hiệu lực"):
        check_certificate(
            pkcs12_signer(future.p12, future.password), at=now, trust_roots=[root.certificate_pem]
        )


def test_revoked_certificate_refused(root, leader_ec):
    from datetime import datetime

    from taicho.signing.sign import VN_TZ

    revoked = pki.issue_personal(root, full_name="Đỗ Thu Hồi", personal_id="4", agency="Sở")
    crl = pki.make_crl(root, [revoked.serial])
    now = datetime.now(VN_TZ)
    with pytest.raises(SigningRefused, match="Chứng thư số đã bị thu hồi"):
        check_certificate(
            pkcs12_signer(revoked.p12, revoked.password),
            at=now,
            trust_roots=[root.certificate_pem],
            crls=[crl],
        )
    # a certificate not on the CRL passes
    check_certificate(
        pkcs12_signer(leader_ec.p12, leader_ec.password),
        at=now,
        trust_roots=[root.certificate_pem],
        crls=[crl],
    )


def test_untrusted_issuer_refused(leader_ec):
    from datetime import datetime

    from taicho.signing.sign import VN_TZ

    other_root = pki.make_demo_root(name="Khác DEMO Root")
    with pytest.raises(SigningRefused, match="tin cậy"):
        check_certificate(
            pkcs12_signer(leader_ec.p12, leader_ec.password),
            at=datetime.now(VN_TZ),
            trust_roots=[other_root.certificate_pem],
        )


def test_revoked_signer_fails_validation(test_pdf, root, organisation, signature_png, seal_png):
    revoked = pki.issue_personal(root, full_name="Đỗ Thu Hồi", personal_id="4", agency="Sở")
    signed = _signed(test_pdf, revoked, organisation, signature_png, seal_png)
    crl = pki.make_crl(root, [revoked.serial])
    report = validate_pdf(signed, trust_roots=[root.certificate_pem], crls=[crl])
    assert not report.ok
    assert any("thu hồi" in p for p in report.signatures[0].problems)
